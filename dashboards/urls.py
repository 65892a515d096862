from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics/<slug:figure>.csv", views.statistics_export, name="statistics_export"),
]
