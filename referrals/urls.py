from django.urls import path

from . import urls_deadlines, views, views_documents, views_statistics

app_name = "referrals"

urlpatterns = [
    path("cases/<str:reference>/referrals/", views.case_referrals, name="case_referrals"),
    path("referrals/<str:reference>/", views.detail, name="detail"),
    path("referrals/<str:reference>/transition/", views.transition, name="transition"),
    path("referrals/<str:reference>/consent/", views.consent, name="consent"),
    path("referrals/<str:reference>/pack/", views_documents.referral_pack, name="pack"),
    path("cases/<str:reference>/documents/", views_documents.case_documents, name="case_documents"),
    path(
        "cases/<str:reference>/documents/missing-person/",
        views_documents.missing_person,
        name="missing_person",
    ),
    path(
        "cases/<str:reference>/documents/chronology/",
        views_documents.chronology,
        name="chronology_pdf",
    ),
    path("documents/<uuid:job_id>/", views_documents.document_job, name="document_job"),
    path(
        "documents/<uuid:job_id>/download/",
        views_documents.document_job_download,
        name="document_job_download",
    ),
    *urls_deadlines.urlpatterns,
    path("statistics/", views_statistics.statistics_page, name="statistics"),
    path(
        "statistics/<slug:figure>.csv",
        views_statistics.statistics_export,
        name="statistics_export",
    ),
]
