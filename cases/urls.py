from django.urls import path

from . import views, views_case, views_record

app_name = "cases"

urlpatterns = [
    # Logging a concern (frontline and everyone else).
    path("concerns/", views.my_concerns, name="my_concerns"),
    path("concerns/new/", views.concern_start, name="concern_start"),
    path("concerns/drafts/<int:draft>/", views.draft_edit, name="draft_edit"),
    path("concerns/drafts/<int:draft>/call-999/", views.draft_call_999, name="draft_call_999"),
    path("concerns/drafts/<int:draft>/autosave/", views.draft_autosave, name="draft_autosave"),
    path("concerns/drafts/<int:draft>/delete/", views.draft_delete, name="draft_delete"),
    path("concerns/<str:reference>/", views.concern_detail, name="concern_detail"),
    path(
        "concerns/<str:reference>/next-steps/", views.concern_next_steps, name="concern_next_steps"
    ),
    path("concerns/<str:reference>/addendum/", views.concern_addendum, name="concern_addendum"),
    # Triage (leads).
    path("triage/", views.triage_queue, name="triage_queue"),
    path("concerns/<str:reference>/triage/", views.concern_triage, name="concern_triage"),
    # Cases.
    path("cases/", views_case.case_list, name="case_list"),
    path("cases/<str:reference>/", views_case.case_detail, name="case_detail"),
    path("cases/<str:reference>/chronology/", views_case.case_chronology, name="case_chronology"),
    # The case record the Competent Authority decides on (issue 17).
    path("cases/<str:reference>/record/", views_record.case_record, name="case_record"),
    path(
        "cases/<str:reference>/record/<slug:part>/new/",
        views_record.case_record_edit,
        name="case_record_add",
    ),
    path(
        "cases/<str:reference>/record/<slug:part>/<int:pk>/",
        views_record.case_record_edit,
        name="case_record_edit",
    ),
    path("cases/<str:reference>/support/", views_case.case_support, name="case_support"),
    path(
        "cases/<str:reference>/support/new/", views_case.case_support_edit, name="case_support_add"
    ),
    path(
        "cases/<str:reference>/support/<int:pk>/",
        views_case.case_support_edit,
        name="case_support_edit",
    ),
    path("cases/<str:reference>/risk/", views_case.case_risk, name="case_risk"),
    path("cases/<str:reference>/members/", views_case.case_members, name="case_members"),
    path("cases/<str:reference>/close/", views_case.case_close, name="case_close"),
    # Search and photos.
    path("search/", views.search, name="search"),
    path("people/<str:reference>/photo/", views.person_photo, name="person_photo"),
]
