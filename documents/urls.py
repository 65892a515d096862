from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("referrals/<str:reference>/pack/", views.referral_pack, name="pack"),
    path("referrals/<str:reference>/pack/anonymous/", views.pack_preview, name="pack_preview"),
    path(
        "referrals/<str:reference>/pack/with-evidence/",
        views.referral_pack_with_evidence,
        name="pack_with_evidence",
    ),
    path("cases/<str:reference>/documents/", views.case_documents, name="case_documents"),
    path(
        "cases/<str:reference>/documents/missing-person/",
        views.missing_person,
        name="missing_person",
    ),
    path(
        "cases/<str:reference>/documents/chronology/",
        views.chronology,
        name="chronology_pdf",
    ),
    path(
        "cases/<str:reference>/documents/evidence/",
        views.evidence_add,
        name="evidence_add",
    ),
    path(
        "cases/<str:reference>/documents/evidence/<uuid:evidence_id>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("documents/<uuid:job_id>/", views.document_job, name="document_job"),
    path(
        "documents/<uuid:job_id>/download/",
        views.document_job_download,
        name="document_job_download",
    ),
]
