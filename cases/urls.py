from django.urls import path

from .views import cases, concerns, drafts, people, record, triage

app_name = "cases"

urlpatterns = [
    # Logging a concern (frontline and everyone else).
    path("concerns/", concerns.my_concerns, name="my_concerns"),
    path("concerns/new/", drafts.concern_start, name="concern_start"),
    path("concerns/drafts/<int:draft>/", drafts.draft_edit, name="draft_edit"),
    path("concerns/drafts/<int:draft>/call-999/", drafts.draft_call_999, name="draft_call_999"),
    path("concerns/drafts/<int:draft>/autosave/", drafts.draft_autosave, name="draft_autosave"),
    path("concerns/drafts/<int:draft>/delete/", drafts.draft_delete, name="draft_delete"),
    path("concerns/<str:reference>/", concerns.concern_detail, name="concern_detail"),
    path(
        "concerns/<str:reference>/next-steps/",
        concerns.concern_next_steps,
        name="concern_next_steps",
    ),
    path("concerns/<str:reference>/addendum/", concerns.concern_addendum, name="concern_addendum"),
    # Triage (leads).
    path("triage/", triage.triage_queue, name="triage_queue"),
    path("concerns/<str:reference>/triage/", triage.concern_triage, name="concern_triage"),
    # Cases.
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<str:reference>/", cases.case_detail, name="case_detail"),
    path("cases/<str:reference>/chronology/", cases.case_chronology, name="case_chronology"),
    # The case record the Competent Authority decides on (issue 17).
    path("cases/<str:reference>/record/", record.case_record, name="case_record"),
    path(
        "cases/<str:reference>/record/<slug:part>/new/",
        record.case_record_edit,
        name="case_record_add",
    ),
    path(
        "cases/<str:reference>/record/<slug:part>/<int:pk>/",
        record.case_record_edit,
        name="case_record_edit",
    ),
    path("cases/<str:reference>/support/", cases.case_support, name="case_support"),
    path("cases/<str:reference>/support/plan/", cases.case_support_plan, name="case_support_plan"),
    path(
        "cases/<str:reference>/support/usual-plan/",
        cases.case_support_start,
        name="case_support_start",
    ),
    path(
        "cases/<str:reference>/support/agreement/",
        cases.case_support_agreement,
        name="case_support_agreement",
    ),
    path("cases/<str:reference>/risk/", cases.case_risk, name="case_risk"),
    path("cases/<str:reference>/members/", cases.case_members, name="case_members"),
    path("cases/<str:reference>/close/", cases.case_close, name="case_close"),
    path("cases/<str:reference>/reopen/", cases.case_reopen, name="case_reopen"),
    # Search and photos.
    path("search/", cases.search, name="search"),
    path("people/<str:reference>/photo/", cases.person_photo, name="person_photo"),
    path("people/<str:reference>/merge/", people.person_merge, name="person_merge"),
]
