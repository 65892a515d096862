"""Reads of deadlines. Every deadline list starts from `deadlines_visible_to`.

A deadline is as visible as its case; the referral clock of a concern that triage has not yet
put in a case is as visible as the concern. Both are decided by the cases selectors, so a
restricted case's deadlines reach only the people who may open the case.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.selectors import cases_visible_to, concerns_visible_to
from safeguard.access import LEADS
from safeguard.choices import Role
from safeguard.models import OrganisationSettings, User

from . import deadlines, owners
from .models import DUTIES, PERIODS, Deadline, Referral

# What a row of the deadline pages shows, fetched with the row: the query count stays flat.
ROW_RELATIONS = (
    "case",
    "case__team",
    "case__lead",
    "concern",
    "concern__team",
    "assignee",
    "team",
)


def all_deadlines_visible_to(user) -> QuerySet[Deadline]:
    """Deadlines, open or not, on cases or case-less concerns that `user` may see."""
    case_visible = Exists(cases_visible_to(user).filter(pk=OuterRef("case")))
    concern_visible = Exists(concerns_visible_to(user).filter(pk=OuterRef("concern")))
    return Deadline.objects.filter(
        (Q(case__isnull=False) & case_visible)
        | (Q(case__isnull=True, concern__isnull=False) & concern_visible)
        | owners.visible_to(user)
    )


def deadlines_visible_to(user) -> QuerySet[Deadline]:
    """Open deadlines on cases, or case-less concerns, that `user` may see."""
    return all_deadlines_visible_to(user).open()


def _chased_by(user) -> Q:
    # A deadline with no assignee falls to the case's lead (DOMAIN.md: reminders go to the lead).
    return Q(assignee=user) | Q(assignee__isnull=True, case__lead=user)


def my_deadlines(user) -> QuerySet[Deadline]:
    """The deadlines `user` chases, most urgent first.

    Assigned to them, or unassigned on a case they lead. A lead also gets the referral clock
    of a concern in one of their teams that is still waiting for triage: it has no case and
    no assignee yet, and triage is the leads' job. (Managers see those on the overdue page.)
    "Not before" markers are never overdue and come after every real deadline.
    """
    mine = _chased_by(user)
    if user.role == Role.LEAD:
        mine |= Q(assignee__isnull=True, case__isnull=True, concern__team__in=user.teams.all())
    return (
        deadlines_visible_to(user)
        .filter(mine)
        .select_related(*ROW_RELATIONS)
        .order_by("is_earliest", "due_at", "pk")
    )


def due_soon_cutoff(now: datetime) -> datetime:
    """The end (23:59:59 UK time) of the first working day after `now`'s UK date, in the
    organisation's nation: a deadline due by then is due "within one working day"."""
    return deadlines.end_of_working_days(now, 1, OrganisationSettings.load().nation)


def overdue_for_managers(
    user, *, now: datetime, team=None, lead=None, timer: str | None = None
) -> QuerySet[Deadline]:
    """Duties past due or due within one working day, most overdue first, and support periods
    ending within one working day (an ended period is not late, so it is not listed).

    `team` is the case's team (the concern's, before a case); `lead` is who chases it (the
    assignee, or the case's lead when there is none). "Not before" markers are never listed.
    """
    cutoff = due_soon_cutoff(now)
    rows = deadlines_visible_to(user).filter(
        (DUTIES & Q(due_at__lte=cutoff)) | (PERIODS & Q(due_at__gt=now, due_at__lte=cutoff)),
        is_earliest=False,
    )
    if team is not None:
        rows = rows.filter(
            Q(case__team=team)
            | Q(case__isnull=True, concern__team=team)
            | Q(case__isnull=True, concern__isnull=True, team=team)
        )
    if lead is not None:
        rows = rows.filter(_chased_by(lead))
    if timer:
        rows = rows.filter(timer=timer)
    return rows.select_related(*ROW_RELATIONS).order_by("due_at", "pk")


def deadline_assignees() -> QuerySet[User]:
    """Who may chase a deadline: active safeguarding leads and managers."""
    return User.objects.filter(is_active=True, role__in=LEADS).order_by("full_name", "pk")


def deadline_visible_to(user, deadline: Deadline) -> bool:
    return deadlines_visible_to(user).filter(pk=deadline.pk).exists()


def case_referral_references(references: set[str]) -> set[str]:
    """For the audit log's person filter (safeguard.audit.references_of_person): the
    referrals of the cases among `references`."""
    return set(
        Referral.objects.filter(case__reference__in=references).values_list("reference", flat=True)
    )
