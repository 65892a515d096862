"""Reads for the role home pages. Each starts from a scoping selector and asks the database
for counts, so a page costs the same few queries however much work there is.

Home pages show case and concern references only, never who a case is about: they are the
page left open on a shared office screen.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cases.models import Case, CaseStatus, Concern
from cases.selectors import (
    cases_visible_to,
    concerns_visible_to,
    drafts_of,
    restricted_cases_known_to,
    waiting_for_triage,
)
from cases.updates import latest_stage
from referrals import deadlines, selectors
from referrals.models import DUTIES, Deadline
from safeguard.choices import Role
from safeguard.models import Notification, OrganisationSettings, User

RECENT_CONCERNS = 10
URGENT_DEADLINES = 5
CASES_SHOWN = 20


# --- Frontline ------------------------------------------------------------------------------


def concerns_reported_by(user) -> QuerySet[Concern]:
    """The user's own concerns, newest first, each saying whether they may open its case
    (they may not, unless named on it: then the page says a case was opened, not which)."""
    return (
        concerns_visible_to(user)
        .filter(reporter=user)
        .select_related("case", "signposted_to")
        .annotate(case_visible=Exists(cases_visible_to(user).filter(pk=OuterRef("case"))))
        .order_by("-submitted_at", "-pk")
    )


@dataclass(frozen=True)
class FrontlineHome:
    concerns: list[Concern]
    total: int
    drafts: int


def frontline_home(user) -> FrontlineHome:
    mine = concerns_reported_by(user)
    recent = list(mine.prefetch_related("updates")[:RECENT_CONCERNS])
    for concern in recent:
        # The stage told to its reporter (cases.updates), shown where they may not open the case.
        concern.stage, concern.stage_at = latest_stage(concern)
    return FrontlineHome(
        concerns=recent,
        total=mine.count(),
        drafts=drafts_of(user).count(),
    )


# --- Lead -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Urgency:
    overdue: int
    due_soon: int  # by the end of the next working day
    later: int
    not_before: int  # "not before" markers: never overdue

    @property
    def open(self) -> int:
        return self.overdue + self.due_soon + self.later


@dataclass(frozen=True)
class LeadHome:
    waiting: int
    oldest_waiting_since: datetime | None
    urgency: Urgency
    urgent: list[Deadline]
    cases: list[Case]
    open_cases: int
    unread_notifications: int


def _urgency(parts: list[QuerySet[Deadline]], *, now: datetime) -> Urgency:
    """The counts over the parts of a user's deadlines (referrals.selectors.chased_parts),
    each part counted apart: a query a part, each reading only its own rows."""
    cutoff = selectors.due_soon_cutoff(now)
    real = Q(is_earliest=False)
    totals = dict.fromkeys(("overdue", "due_soon", "later", "not_before"), 0)
    for part in parts:
        counts = part.aggregate(
            # Only a duty is overdue: a support period that has ended is not late.
            overdue=Count("pk", filter=real & DUTIES & Q(due_at__lt=now)),
            due_soon=Count("pk", filter=real & Q(due_at__gte=now, due_at__lte=cutoff)),
            later=Count("pk", filter=real & Q(due_at__gt=cutoff)),
            not_before=Count("pk", filter=Q(is_earliest=True)),
        )
        for name, value in counts.items():
            totals[name] += value
    return Urgency(**totals)


def cases_led_with_next_due(user) -> QuerySet[Case]:
    """Open cases `user` leads, each with its next real deadline, soonest first."""
    next_due = (
        Deadline.objects.open()
        .filter(case=OuterRef("pk"), is_earliest=False)
        .order_by("due_at", "pk")
    )
    return (
        cases_visible_to(user)
        .filter(lead=user, status=CaseStatus.OPEN)
        .select_related("team")
        .annotate(next_due_at=Subquery(next_due.values("due_at")[:1]))
        .order_by(F("next_due_at").asc(nulls_last=True), "-opened_at", "pk")
    )


def _with_next_timer(cases: list[Case]) -> list[Case]:
    """The timer of each shown case's next deadline, in one query for the page's cases (one
    subquery per case of the lead's whole list would be twice the work)."""
    due = {case.pk: case.next_due_at for case in cases if case.next_due_at}
    timers = {}
    for case_id, due_at, timer in (
        Deadline.objects.open()
        .filter(case__in=list(due), is_earliest=False)
        .order_by("case", "due_at", "pk")
        .values_list("case", "due_at", "timer")
    ):
        if due_at == due[case_id]:
            timers.setdefault(case_id, timer)
    for case in cases:
        case.next_timer_label = deadlines.TIMER_LABELS.get(timers.get(case.pk), "")
    return cases


def lead_home(user, *, now: datetime) -> LeadHome:
    queue = waiting_for_triage(user).aggregate(waiting=Count("pk"), oldest=Min("submitted_at"))
    chased = selectors.chased_parts(user)
    cases = cases_led_with_next_due(user)
    shown = _with_next_timer(list(cases[:CASES_SHOWN]))
    return LeadHome(
        waiting=queue["waiting"],
        oldest_waiting_since=queue["oldest"],
        urgency=_urgency(chased, now=now),
        urgent=selectors.most_urgent(chased, URGENT_DEADLINES),
        cases=shown,
        open_cases=cases.count(),
        unread_notifications=Notification.objects.filter(user=user, read_at__isnull=True).count(),
    )


# --- Manager ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueGroup:
    team_id: int
    team: str
    chaser_id: int | None  # None: a concern still waiting for triage
    chaser: str
    overdue: int


@dataclass
class Workload:
    user: User
    open_cases: int = 0
    restricted_cases: int = 0  # that they exist and who leads them: all a manager may know
    open_deadlines: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class ManagerHome:
    overdue_groups: list[OverdueGroup]
    overdue_total: int
    waiting: int
    waiting_over_a_working_day: int
    oldest_waiting_since: datetime | None
    workload: list[Workload] = field(default_factory=list)
    restricted_cases: int = 0


def overdue_by_team_and_chaser(user, *, now: datetime) -> list[OverdueGroup]:
    """Overdue deadlines the user may see, counted by team and by who chases them (the
    assignee, else the case's lead), as the overdue page filters them."""
    rows = (
        selectors.deadlines_visible_to(user)
        .duties()
        .filter(is_earliest=False, due_at__lt=now)
        .annotate(
            group_team_id=Coalesce("case__team_id", "concern__team_id", "team_id"),
            group_team=Coalesce("case__team__name", "concern__team__name", "team__name"),
            chaser_id=Coalesce("assignee_id", "case__lead_id"),
            chaser=Coalesce("assignee__full_name", "case__lead__full_name"),
        )
        .values("group_team_id", "group_team", "chaser_id", "chaser")
        .annotate(overdue=Count("pk"))
        # Named chasers first, then concerns nobody has triaged: the same on both databases.
        .order_by("group_team", F("chaser").asc(nulls_last=True), "chaser_id")
    )
    return [
        OverdueGroup(
            team_id=row["group_team_id"],
            team=row["group_team"],
            chaser_id=row["chaser_id"],
            chaser=row["chaser"] or "Nobody yet: waiting for triage",
            overdue=row["overdue"],
        )
        for row in rows
    ]


def workload(user, *, now: datetime) -> list[Workload]:
    """Per lead (and anyone else chasing deadlines): open cases, open deadlines, overdue.

    Three grouped queries merged by user: the number of rows is the number of staff, not of
    cases. Restricted cases the manager is not named on are counted apart, by lead only.
    """
    open_cases = (
        Case.objects.filter(pk__in=cases_visible_to(user).values("pk"), status=CaseStatus.OPEN)
        .values("lead")
        .annotate(n=Count("pk"))
        .order_by()
    )
    restricted = (
        Case.objects.filter(
            pk__in=restricted_cases_known_to(user).values("pk"), status=CaseStatus.OPEN
        )
        .values("lead")
        .annotate(n=Count("pk"))
        .order_by()
    )
    chased = (
        selectors.deadlines_visible_to(user)
        .filter(is_earliest=False)
        .annotate(chaser=Coalesce("assignee_id", "case__lead_id"))
        .filter(chaser__isnull=False)
        .values("chaser")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=DUTIES & Q(due_at__lt=now)))
        .order_by()
    )
    cases_by_lead = {row["lead"]: row["n"] for row in open_cases}
    restricted_by_lead = {row["lead"]: row["n"] for row in restricted}
    deadlines_by_chaser = {row["chaser"]: row for row in chased}
    busy = set(cases_by_lead) | set(restricted_by_lead) | set(deadlines_by_chaser)
    people = User.objects.filter(Q(role=Role.LEAD, is_active=True) | Q(pk__in=busy)).order_by(
        "full_name", "pk"
    )
    result = []
    for person in people:
        chased_row = deadlines_by_chaser.get(person.pk, {})
        result.append(
            Workload(
                user=person,
                open_cases=cases_by_lead.get(person.pk, 0),
                restricted_cases=restricted_by_lead.get(person.pk, 0),
                open_deadlines=chased_row.get("open", 0),
                overdue=chased_row.get("overdue", 0),
            )
        )
    return result


def manager_home(user, *, now: datetime) -> ManagerHome:
    nation = OrganisationSettings.load().nation
    cutoff = deadlines.started_before_working_days_passed(now, 1, nation)
    queue = waiting_for_triage(user).aggregate(
        waiting=Count("pk"),
        late=Count("pk", filter=Q(submitted_at__lt=cutoff)),
        oldest=Min("submitted_at"),
    )
    groups = overdue_by_team_and_chaser(user, now=now)
    loads = workload(user, now=now)
    return ManagerHome(
        overdue_groups=groups,
        overdue_total=sum(group.overdue for group in groups),
        waiting=queue["waiting"],
        waiting_over_a_working_day=queue["late"],
        oldest_waiting_since=queue["oldest"],
        workload=loads,
        restricted_cases=sum(load.restricted_cases for load in loads),
    )
