"""Managers' statistics (DOMAIN.md "Statistics managers expect"): one function per figure.

Every figure is computed by the database (GROUP BY, filtered COUNTs, ORDER BY with OFFSET for
percentiles), so a page costs a fixed number of queries whatever the organisation's size,
and every query runs on both PostgreSQL and SQLite. Each figure starts from the scoping
selectors: a manager's figures leave out restricted cases they are not named on, exactly as
their lists do.

What is counted:
- "Concerns" are concerns logged (submitted) in the period; the "who" figures (exploitation
  type, age group at exploitation, gender, nationality) count those concerns, as recorded when
  the person was identified. A concern may name more than one exploitation type.
- "Referrals" are referrals submitted in the period, on any pathway.
- Decisions are RG and CG decisions received in the period.
- Identification to referral: the 48-hour referral clocks stopped by an NRM or Duty to Notify
  referral in the period (clock hours, from the concern's identification time); clocks stopped
  by a decision not to refer are left out.
- Referral to RG decision: the first RG decision on each NRM referral, received in the period,
  in days from the day the referral was submitted; "within target" means received by the
  day the RG deadline fell due (5 working days with the nation's bank holidays).
- Overdue over time: deadlines open and past due at the end of each month (or now, for the
  current month).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Trim,
    TruncDate,
    TruncMonth,
)

from cases.models import Case as CaseRecord
from cases.models import Concern, ExploitationType, Gender
from cases.selectors import cases_visible_to, concerns_visible_to
from referrals.deadlines import UK, Timer
from referrals.models import DUTIES, Deadline, Decision, Referral
from referrals.services import NO_REFERRAL
from safeguard.choices import Pathway
from safeguard.dates import uk_day_start
from safeguard.models import OrganisationSettings, Team

# Counts from 1 to this are shown as "<5" in exports: small enough to point at a person.
SUPPRESS_BELOW = 5
TOP_NATIONALITIES = 10
MAX_MONTHS = 60

# --- Period and scope ----------------------------------------------------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """UK calendar days, both ends included."""

    start: date
    end: date

    @classmethod
    def last_twelve_months(cls, today: date) -> "Period":
        return cls(_add_months(_month_start(today), -11), today)

    @property
    def start_at(self) -> datetime:
        return uk_day_start(self.start)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period (exclusive)."""
        return uk_day_start(self.end + timedelta(days=1))

    def months(self) -> list[date]:
        months, month = [], _month_start(self.start)
        while month <= self.end:
            months.append(month)
            month = _add_months(month, 1)
        return months


@dataclass(frozen=True)
class Scope:
    """Whose figures: what `user` may see (or, with no user, the whole organisation), for a
    period and optionally one team. `restricted` splits the records in two for the kept
    figures (`dashboards.kept`): True keeps only those of restricted cases, False only the
    rest; None (the page) keeps both."""

    user: object | None
    period: Period
    now: datetime
    team: Team | None = None
    restricted: bool | None = None

    def _in_restricted_case(self, case: str) -> Q:
        if self.restricted:
            return Q(**{f"{case}__restricted": True})
        return Q(**{f"{case}__isnull": True}) | Q(**{f"{case}__restricted": False})

    def _visible_concerns(self) -> QuerySet[Concern]:
        rows = concerns_visible_to(self.user) if self.user else Concern.objects.all()
        if self.restricted is None:
            return rows
        return rows.filter(self._in_restricted_case("case"))

    def concerns(self) -> QuerySet[Concern]:
        rows = self._visible_concerns().filter(
            submitted_at__gte=self.period.start_at, submitted_at__lt=self.period.end_at
        )
        return rows.filter(team=self.team) if self.team else rows

    # Visibility as `IN (SELECT id ...)` rather than a correlated EXISTS: over a year of rows
    # PostgreSQL hashes the visible ids once instead of probing per row (see `make bench`).
    def _visible_cases(self) -> QuerySet:
        rows = cases_visible_to(self.user) if self.user else CaseRecord.objects.all()
        if self.restricted is not None:
            rows = rows.filter(restricted=self.restricted)
        return rows.values("pk")

    def _case_rule(self, case: str) -> Q:
        """Which records whose case is at `case` ("case", "referral__case") are counted. For
        a reader, their visible cases' ids; for the kept figures (no reader), the case's own
        flag through the join: hashing every case's id needs more memory than PostgreSQL
        allows a query at ten times the benchmark's size, and it then searches the list
        once a row (issue 22: the refresh ran for over ten minutes)."""
        if self.user is not None:
            return Q(**{f"{case}__in": self._visible_cases()})
        if self.restricted is None:
            return Q()
        return Q(**{f"{case}__restricted": self.restricted})

    def referrals(self) -> QuerySet[Referral]:
        rows = Referral.objects.filter(
            self._case_rule("case"),
            submitted_at__gte=self.period.start_at,
            submitted_at__lt=self.period.end_at,
        )
        return rows.filter(case__team=self.team) if self.team else rows

    def decisions(self) -> QuerySet[Decision]:
        rows = Decision.objects.filter(
            self._case_rule("referral__case"),
            received_on__gte=self.period.start,
            received_on__lte=self.period.end,
        )
        return rows.filter(referral__case__team=self.team) if self.team else rows

    def deadlines(self) -> QuerySet[Deadline]:
        if self.user is None:
            # As below, said of each row's case and its concern's case through the joins.
            concern_case = (
                Q() if self.restricted is None else self._in_restricted_case("concern__case")
            )
            rows = Deadline.objects.filter(
                (Q(case__isnull=False) & self._case_rule("case"))
                | (Q(case__isnull=True, concern__isnull=False) & concern_case)
            )
        else:
            rows = Deadline.objects.filter(
                Q(case__in=self._visible_cases())
                | Q(case__isnull=True, concern__in=self._visible_concerns().values("pk"))
            )
        if self.team:
            rows = rows.filter(
                Q(case__team=self.team) | Q(case__isnull=True, concern__team=self.team)
            )
        return rows


# --- Figures -------------------------------------------------------------------------------


class Kind(StrEnum):
    COUNT = "count"
    HOURS = "hours"
    DAYS = "days"
    PERCENT = "percent"


@dataclass(frozen=True)
class Cell:
    value: float | int | None
    kind: Kind = Kind.COUNT
    # How many records a derived figure (a percentile, a share) rests on: a median of two
    # waiting times describes those two people's cases as surely as a count of two.
    base: int | None = None

    @property
    def records(self) -> int:
        return int(self.value or 0) if self.kind == Kind.COUNT else (self.base or 0)

    @property
    def suppressed(self) -> bool:
        return 0 < self.records < SUPPRESS_BELOW

    def display(self) -> str:
        """On the page: managers may open every case counted, so nothing is hidden."""
        if self.value is None:
            return "No data"
        match self.kind:
            case Kind.COUNT:
                return str(self.value)
            case Kind.PERCENT:
                return f"{self.value:.0f}%"
            case _:
                return f"{self.value:.1f}"

    def exported(self) -> str:
        """In a CSV that leaves the system: 1 to 4 records become "<5"; 0 stays 0."""
        if self.suppressed:
            return f"<{SUPPRESS_BELOW}"
        if self.value is None:
            return ""
        return self.display().rstrip("%")


@dataclass(frozen=True)
class Figure:
    title: str
    description: str
    label_header: str
    headers: list[str]
    rows: list[tuple[str, list[Cell]]]
    # Which value columns the chart draws (they share one unit), and that unit.
    chart_columns: list[int] = field(default_factory=lambda: [0])
    unit: str = ""
    slug: str = ""  # set by `figure()` from FIGURES

    def column(self, index: int) -> list[float]:
        return [float(cells[index].value or 0) for _label, cells in self.rows]


def _count(value) -> Cell:
    return Cell(int(value or 0))


def _month_label(month: date) -> str:
    return f"{month:%b %Y}"


def _local_month(value) -> date:
    # TruncMonth answers an aware datetime (PostgreSQL) or a date-like value; both in UK time.
    if isinstance(value, datetime):
        return value.astimezone(UK).date() if value.tzinfo else value.date()
    return value


def by_month(scope: Scope) -> Figure:
    month = TruncMonth("submitted_at", tzinfo=UK)
    concerns = {
        _local_month(row["month"]): row["n"]
        for row in scope.concerns().annotate(month=month).values("month").annotate(n=Count("pk"))
    }
    referrals = {
        _local_month(row["month"]): row["n"]
        for row in scope.referrals().annotate(month=month).values("month").annotate(n=Count("pk"))
    }
    return by_month_figure(scope, concerns, referrals)


# Each figure is counted (the functions named in FIGURES, from the rows) and then laid out
# (the `*_figure` functions), so that the kept figures (`dashboards.kept`) are laid out by
# the same code from their own counts.


def by_month_figure(scope: Scope, concerns: dict, referrals: dict) -> Figure:
    return Figure(
        title="Concerns and referrals by month",
        description="Concerns logged and referrals submitted (any pathway), by UK month.",
        label_header="Month",
        headers=["Concerns", "Referrals"],
        rows=[
            (_month_label(m), [_count(concerns.get(m)), _count(referrals.get(m))])
            for m in scope.period.months()
        ],
        chart_columns=[0, 1],
        unit="number",
    )


def by_exploitation_type(scope: Scope) -> Figure:
    counts = {
        row["exploitation_types__code"]: row["n"]
        for row in scope.concerns()
        .values("exploitation_types__code")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    }
    return exploitation_type_figure(counts)


def exploitation_type_figure(counts: dict) -> Figure:
    """`counts` by type code; None for concerns with no type recorded."""
    types = ExploitationType.objects.filter(Q(retired=False) | Q(code__in=list(counts)))
    rows = [(kind.name, [_count(counts.get(kind.code))]) for kind in types]
    rows.append(("None recorded", [_count(counts.get(None))]))
    return Figure(
        title="Concerns by exploitation type",
        description="A concern may record more than one type, so these add up to more than "
        "the number of concerns.",
        label_header="Exploitation type",
        headers=["Concerns"],
        rows=rows,
        unit="concerns",
    )


ADULT, CHILD, UNKNOWN = "adult", "child", "unknown"
AGE_GROUPS = {ADULT: "Adult", CHILD: "Child", UNKNOWN: "Not known"}


def _age_group_at_exploitation() -> Case:
    """Adult, child or not known on the day the exploitation was observed, worked out in SQL.

    Whole years from the date of birth by comparing year, then month and day (portable to
    SQLite, which has no date arithmetic); without one, the estimated age. A disputed age
    counts as a child, as the person is treated until it is settled.
    """
    dob = "person__date_of_birth"
    has_dob = Q(person__date_of_birth__isnull=False)
    return Case(
        When(person__age_disputed=True, then=Value(CHILD)),
        When(has_dob & Q(_years__gt=18), then=Value(ADULT)),
        When(has_dob & Q(_years=18, _seen_md__gte=F("_born_md")), then=Value(ADULT)),
        When(has_dob, then=Value(CHILD)),
        When(person__estimated_age__gte=18, then=Value(ADULT)),
        When(person__estimated_age__isnull=False, then=Value(CHILD)),
        default=Value(UNKNOWN),
    ), {
        "_years": ExtractYear("observed_at", tzinfo=UK) - ExtractYear(dob),
        "_seen_md": ExtractMonth("observed_at", tzinfo=UK) * 100
        + ExtractDay("observed_at", tzinfo=UK),
        "_born_md": ExtractMonth(dob) * 100 + ExtractDay(dob),
    }


def by_age_group(scope: Scope) -> Figure:
    group, parts = _age_group_at_exploitation()
    counts = {
        row["age_group"]: row["n"]
        for row in scope.concerns()
        .annotate(**parts)
        .annotate(age_group=group)
        .values("age_group")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return age_group_figure(counts)


def age_group_figure(counts: dict) -> Figure:
    return Figure(
        title="Concerns by age at exploitation",
        description="Age on the day the exploitation was observed. A disputed age counts as a "
        "child.",
        label_header="Age group",
        headers=["Concerns"],
        rows=[(label, [_count(counts.get(key))]) for key, label in AGE_GROUPS.items()],
        unit="concerns",
    )


def by_gender(scope: Scope) -> Figure:
    counts = {
        row["person__gender"]: row["n"]
        for row in scope.concerns().values("person__gender").annotate(n=Count("pk")).order_by()
    }
    return gender_figure(counts)


def gender_figure(counts: dict) -> Figure:
    return Figure(
        title="Concerns by gender",
        description="The gender recorded for the person the concern is about.",
        label_header="Gender",
        headers=["Concerns"],
        rows=[(label, [_count(counts.get(value))]) for value, label in Gender.choices],
        unit="concerns",
    )


def by_nationality(scope: Scope) -> Figure:
    grouped = (
        scope.concerns()
        .annotate(nationality=Trim("person__nationalities"))
        .values("nationality")
        .annotate(n=Count("pk"))
        .order_by("-n", "nationality")
    )
    return nationality_figure((row["nationality"], row["n"]) for row in grouped)


def nationality_figure(grouped) -> Figure:
    """`grouped`: (nationality as recorded and trimmed, count), most common first and then
    by name (in the database's collation, C.UTF-8: code points, as Python sorts strings)."""
    # One row per nationality recorded, not per concern: the tail folded here is short.
    rows, other, unrecorded = [], 0, 0
    for nationality, n in grouped:
        if not nationality:
            unrecorded += n
        elif len(rows) < TOP_NATIONALITIES:
            rows.append((nationality, [_count(n)]))
        else:
            other += n
    rows.append(("Other nationalities", [_count(other)]))
    rows.append(("Not recorded", [_count(unrecorded)]))
    return Figure(
        title="Concerns by nationality",
        description=f"The {TOP_NATIONALITIES} nationalities recorded most often, as recorded, "
        "then all others together.",
        label_header="Nationality",
        headers=["Concerns"],
        rows=rows,
        unit="concerns",
    )


def by_pathway(scope: Scope) -> Figure:
    counts = {
        row["pathway"]: row["n"]
        for row in scope.referrals().values("pathway").annotate(n=Count("pk")).order_by()
    }
    return pathway_figure(counts)


def pathway_figure(counts: dict) -> Figure:
    return Figure(
        title="Referrals by pathway",
        description="Referrals submitted in the period.",
        label_header="Pathway",
        headers=["Referrals"],
        rows=[(label, [_count(counts.get(value))]) for value, label in Pathway.choices],
        unit="referrals",
    )


def decision_outcomes(scope: Scope) -> Figure:
    counts = {
        (row["kind"], row["outcome"]): row["n"]
        for row in scope.decisions()
        .filter(kind__in=[Decision.Kind.RG, Decision.Kind.CG])
        .values("kind", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return decision_outcomes_figure(counts)


def decision_outcomes_figure(counts: dict) -> Figure:
    """`counts` by (kind, outcome)."""
    outcomes = [Decision.Outcome.POSITIVE, Decision.Outcome.NEGATIVE]
    return Figure(
        title="Reasonable and Conclusive Grounds decisions",
        description="Decisions received in the period, by outcome.",
        label_header="Decision",
        headers=[outcome.label for outcome in outcomes],
        rows=[
            (kind.label, [_count(counts.get((kind, outcome))) for outcome in outcomes])
            for kind in (Decision.Kind.RG, Decision.Kind.CG)
        ],
        chart_columns=[0, 1],
        unit="decisions",
    )


# --- Timeliness ----------------------------------------------------------------------------


class _PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: the interpolated percentile, in the same pass as a count."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentiles(rows: QuerySet, value, fractions: tuple[float, ...]) -> tuple[int, list]:
    """The number of rows and the given percentiles of `value` over them, interpolated
    between the two nearest ranks as PostgreSQL's percentile_cont does.

    PostgreSQL computes them all in one query. SQLite has no percentile aggregate, so the
    database sorts and we read only the one or two rows each percentile needs (LIMIT 2 OFFSET
    k): 1 + len(fractions) queries, however many rows there are.
    """
    if connection.vendor == "postgresql":
        found = rows.annotate(_value=value).aggregate(
            total=Count("pk"),
            **{
                f"p{index}": _PercentileCont(F("_value"), fraction, output_field=value.output_field)
                for index, fraction in enumerate(fractions)
            },
        )
        total = found["total"]
        return total, [found[f"p{index}"] if total else None for index in range(len(fractions))]
    total = rows.count()
    ordered = rows.annotate(_value=value).order_by("_value", "pk").values_list("_value", flat=True)
    results = []
    for fraction in fractions:
        if total == 0:
            results.append(None)
            continue
        rank = fraction * (total - 1)
        low = math.floor(rank)
        pair = list(ordered[low : low + 2])
        if len(pair) == 1 or rank == low:
            results.append(pair[0])
        else:
            results.append(pair[0] + (pair[1] - pair[0]) * (rank - low))
    return total, results


def _referred_clocks(scope: Scope) -> QuerySet[Deadline]:
    return (
        scope.deadlines()
        .filter(
            timer=Timer.REFER,
            satisfied_at__gte=scope.period.start_at,
            satisfied_at__lt=scope.period.end_at,
        )
        .exclude(satisfied_by__startswith=NO_REFERRAL)
    )


def _rg_waits(scope: Scope) -> QuerySet[Deadline]:
    first_rg = (
        Decision.objects.filter(referral=OuterRef("referral"), kind=Decision.Kind.RG)
        .order_by("received_on", "pk")
        .values("received_on")[:1]
    )
    return (
        scope.deadlines()
        .filter(timer=Timer.RG_DECISION, referral__isnull=False)
        .annotate(rg_on=Subquery(first_rg, output_field=DateField()))
        .filter(rg_on__gte=scope.period.start, rg_on__lte=scope.period.end)
    )


def _hours(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 3600


def _days(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 86400


def _referral_wait() -> ExpressionWrapper:
    return ExpressionWrapper(F("satisfied_at") - F("starts_at"), output_field=DurationField())


def _rg_wait() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("rg_on") - TruncDate("starts_at", tzinfo=UK), output_field=DurationField()
    )


def time_to_referral(scope: Scope) -> Figure:
    return time_to_referral_figure(
        *percentiles(_referred_clocks(scope), _referral_wait(), (0.5, 0.9))
    )


def time_to_referral_figure(total: int, found: list) -> Figure:
    median, p90 = found
    return Figure(
        title="Time from identification to referral",
        description="Clock hours from the person's identification to the NRM or Duty to Notify "
        "referral that stopped the referral clock, for clocks stopped in the period.",
        label_header="Measure",
        headers=["Referred", "Median (hours)", "90th percentile (hours)"],
        rows=[
            (
                "Identification to referral",
                [
                    Cell(total),
                    Cell(_hours(median), Kind.HOURS, base=total),
                    Cell(_hours(p90), Kind.HOURS, base=total),
                ],
            )
        ],
        chart_columns=[1, 2],
        unit="hours",
    )


def time_to_rg_decision(scope: Scope) -> Figure:
    return time_to_rg_figure(*percentiles(_rg_waits(scope), _rg_wait(), (0.5, 0.9)))


def time_to_rg_figure(total: int, found: list) -> Figure:
    median, p90 = found
    return Figure(
        title="Time from referral to Reasonable Grounds decision",
        description="Days from the day an NRM referral was submitted to the day its first "
        "Reasonable Grounds decision was received, for decisions received in the period.",
        label_header="Measure",
        headers=["Decisions", "Median (days)", "90th percentile (days)"],
        rows=[
            (
                "Referral to RG decision",
                [
                    Cell(total),
                    Cell(_days(median), Kind.DAYS, base=total),
                    Cell(_days(p90), Kind.DAYS, base=total),
                ],
            )
        ],
        chart_columns=[1, 2],
        unit="days",
    )


def _share(within: int, total: int) -> Cell:
    # Suppressed with whichever count is small: the numerator, or the total when none met it.
    return Cell(100 * within / total if total else None, Kind.PERCENT, base=within or total)


# Within target: a referral clock stopped by its due time; an RG decision received by the
# UK day its deadline fell due.
REFERRED_WITHIN = Q(satisfied_at__lte=F("due_at"))
DECIDED_WITHIN = Q(rg_on__lte=TruncDate("due_at", tzinfo=UK))


def within_target(scope: Scope) -> Figure:
    referred = _referred_clocks(scope).aggregate(
        total=Count("pk"), within=Count("pk", filter=REFERRED_WITHIN)
    )
    decided = _rg_waits(scope).aggregate(
        total=Count("pk"), within=Count("pk", filter=DECIDED_WITHIN)
    )
    return within_target_figure(referred, decided)


def within_target_figure(referred: dict, decided: dict) -> Figure:
    """Each of `referred` and `decided` has a "total" and how many were "within" target."""
    organisation = OrganisationSettings.load()
    rows = []
    for label, counts in (
        (f"Referred within {organisation.refer_hours} hours", referred),
        (f"RG decision within {organisation.rg_working_days} working days", decided),
    ):
        rows.append(
            (
                label,
                [
                    _count(counts["within"]),
                    _count(counts["total"]),
                    _share(counts["within"], counts["total"]),
                ],
            )
        )
    return Figure(
        title="Referrals and decisions within target",
        description="Referrals made within the referral clock, and Reasonable Grounds "
        "decisions received by the day their deadline fell due (the nation's bank holidays "
        "are not working days).",
        label_header="Target",
        headers=["Within target", "All", "Share (%)"],
        rows=rows,
        chart_columns=[2],
        unit="percent",
    )


def overdue_points(scope: Scope) -> list[tuple[date, datetime]]:
    """Each month of the period that has begun, with the moment its overdue deadlines are
    counted at: its end, or now for the current month."""
    points = []
    for month in scope.period.months():
        end = uk_day_start(_add_months(month, 1))
        moment = min(end, scope.now)
        if month <= scope.period.end and uk_day_start(month) <= moment:
            points.append((month, moment))
    return points


def overdue_candidates(scope: Scope, points: list) -> QuerySet[Deadline]:
    """Only deadlines that can be overdue at one of the moments: due before the last, and
    neither met nor cancelled before the first (lets the database skip the rest); each
    point's filtered COUNT is `overdue_at(moment)`."""
    first, last = points[0][1], points[-1][1]
    return (
        scope.deadlines()
        .filter(DUTIES, is_earliest=False, due_at__lt=last)
        .exclude(satisfied_at__lte=first)
        .exclude(cancelled_at__lte=first)
    )


def overdue_at(moment: datetime) -> Count:
    return Count(
        "pk",
        filter=Q(is_earliest=False, due_at__lt=moment)
        & (Q(satisfied_at__isnull=True) | Q(satisfied_at__gt=moment))
        & (Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=moment)),
    )


def overdue_over_time(scope: Scope) -> Figure:
    """How many duties were open and past due at the end of each month (a support period that
    had ended was not late): one query with a filtered COUNT per month."""
    points = overdue_points(scope)
    counts = (
        overdue_candidates(scope, points).aggregate(
            **{f"m{index}": overdue_at(moment) for index, (_month, moment) in enumerate(points)}
        )
        if points
        else {}
    )
    return overdue_figure(
        [(month, counts.get(f"m{index}")) for index, (month, _m) in enumerate(points)]
    )


def overdue_figure(points: list) -> Figure:
    """`points`: (month, deadlines overdue at its end), for each month of `overdue_points`."""
    return Figure(
        title="Overdue deadlines over time",
        description="Deadlines open and past due at the end of each month (for the current "
        "month, now).",
        label_header="Month",
        headers=["Overdue"],
        rows=[(_month_label(month), [_count(count)]) for month, count in points],
        unit="deadlines",
    )


# The page shows them in this order; each key is also the figure's CSV address.
FIGURES: dict[str, Callable[[Scope], Figure]] = {
    "by-month": by_month,
    "exploitation-type": by_exploitation_type,
    "age-group": by_age_group,
    "gender": by_gender,
    "nationality": by_nationality,
    "pathway": by_pathway,
    "outcomes": decision_outcomes,
    "time-to-referral": time_to_referral,
    "time-to-rg": time_to_rg_decision,
    "within-target": within_target,
    "overdue": overdue_over_time,
}


def figure(slug: str, scope: Scope) -> Figure:
    return replace(FIGURES[slug](scope), slug=slug)
