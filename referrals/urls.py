from django.urls import path

from . import urls_deadlines, views

app_name = "referrals"

urlpatterns = [
    path("cases/<str:reference>/referrals/", views.case_referrals, name="case_referrals"),
    path("referrals/<str:reference>/", views.detail, name="detail"),
    path("referrals/<str:reference>/transition/", views.transition, name="transition"),
    path("referrals/<str:reference>/consent/", views.consent, name="consent"),
    *urls_deadlines.urlpatterns,
]
