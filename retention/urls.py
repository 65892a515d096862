from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("retention/", views.due, name="due"),
    path("people/<str:reference>/retention/", views.review, name="review"),
    path("retention/data-protection/", views.data_protection, name="data_protection"),
]
