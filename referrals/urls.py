from django.urls import path

from .views import deadlines, readiness, referrals, sharing

app_name = "referrals"

urlpatterns = [
    path("cases/<str:reference>/referrals/", referrals.case_referrals, name="case_referrals"),
    # The sharing register: what the person agreed may be shared, with whom (issue 17).
    path("cases/<str:reference>/age/", referrals.age_settle, name="age_settle"),
    path(
        "cases/<str:reference>/guardian-not-needed/",
        referrals.guardian_not_needed,
        name="guardian_not_needed",
    ),
    path("cases/<str:reference>/sharing/", sharing.case_sharing, name="case_sharing"),
    path(
        "cases/<str:reference>/sharing/<int:pk>/withdraw/",
        sharing.sharing_withdraw,
        name="sharing_withdraw",
    ),
    path("referrals/<str:reference>/", referrals.detail, name="detail"),
    path("referrals/<str:reference>/transition/", referrals.transition, name="transition"),
    path("referrals/<str:reference>/consent/", referrals.consent, name="consent"),
    path("referrals/<str:reference>/correct/", referrals.correct, name="correct"),
    # Ready to refer (issue 17): the form's sections, answered from the case.
    path("referrals/<str:reference>/tasks/", readiness.task_list, name="task_list"),
    path("referrals/<str:reference>/check/", readiness.check_answers, name="check_answers"),
    path("referrals/<str:reference>/answers/", readiness.answers_to_copy, name="answers"),
    path("deadlines/", deadlines.deadlines, name="deadlines"),
    path("deadlines/how-they-are-counted/", deadlines.deadline_rules, name="deadline_rules"),
    path("deadlines/overdue/", deadlines.overdue, name="overdue"),
    path("deadlines/overdue.csv", deadlines.overdue_export, name="overdue_export"),
    path("deadlines/<int:pk>/reassign/", deadlines.deadline_reassign, name="deadline_reassign"),
]
