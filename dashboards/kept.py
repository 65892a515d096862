"""The managers' statistics kept per team and UK month, so that the page reads a few hundred
rows instead of counting a year of concerns, referrals and a million deadlines.

- `refresh` counts every figure again from the rows, for every team and month since the first
  record, and replaces the kept rows in one transaction (beat runs it every
  `REFRESH_SECONDS`; `manage.py statistics_refresh` runs it at once). Counting everything
  again, rather than the recent months, keeps the figures right after changes that reach
  back: a case restricted, a person's gender or date of birth corrected, two people merged,
  a disposal, a deadline extended or a case moved to another team.
- Kept rows count only records outside restricted cases, so they are the same for every
  manager. `figures` adds, from the rows, what the reader may see of restricted cases (the
  few they are named on or reported), and the part-months at either end of a period that
  does not start on the 1st or end on a month's last day (or today), so the page gives the
  figures `dashboards.statistics` counts from the rows, as of the last refresh.
- The medians and 90th percentiles are worked out from kept counts of each exact waiting
  time, as PostgreSQL's percentile_cont works them out from the rows.

`tests/dashboards/test_kept.py` checks every figure against `dashboards.statistics` (the
reference) over teams, months, restricted cases and the clock changes.
"""

import math
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Trim, TruncMonth
from django.utils import timezone

from cases.models import Case, Concern
from referrals.deadlines import UK
from referrals.models import Deadline, Decision, Referral

from . import statistics
from .models import KeptCount, KeptRefresh
from .statistics import Figure, Period, Scope

Measure = KeptCount.Measure
REFRESH_SECONDS = 300
WITHIN = "within"
MICROSECOND = timedelta(microseconds=1)
# Serialises refreshes on PostgreSQL (pg_try_advisory_xact_lock): a second one at the same
# time has nothing to add and stands aside.
LOCK_KEY = 22_0001

# (team id, month, measure, key, number) -> count
Counts = Counter


# --- Counting from the rows ------------------------------------------------------------------


def _flag(condition: Q) -> models.Case:
    return models.Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _deadline_team() -> Coalesce:
    # A deadline belongs to its case's team, or to its concern's before there is a case: the
    # reference's team filter (`Scope.deadlines`).
    return Coalesce("case__team", "concern__team")


def count_rows(scope: Scope, *, others: bool = True, overdue: bool = True) -> Counts:
    """Every kept measure for `scope`, by team and UK month, counted from the rows with the
    reference's querysets and expressions: about ten queries whatever the scope."""
    found: Counts = Counter()
    if others:
        _count_concerns(scope, found)
        _count_referrals(scope, found)
        _count_waits(scope, found)
    if overdue:
        _count_overdue(scope, found)
    return found


def _month(value) -> date:
    return statistics._local_month(value)


def _count_concerns(scope: Scope, found: Counts) -> None:
    group, parts = statistics._age_group_at_exploitation()
    people = (
        scope.concerns()
        .annotate(**parts)
        .annotate(
            age_group=group,
            month=TruncMonth("submitted_at", tzinfo=UK),
            nationality=Trim("person__nationalities"),
        )
        .values("team", "month", "age_group", "person__gender", "nationality")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in people:
        team, month = row["team"], _month(row["month"])
        found[team, month, Measure.CONCERNS, "", 0] += row["n"]
        found[team, month, Measure.AGE_GROUP, row["age_group"], 0] += row["n"]
        found[team, month, Measure.GENDER, row["person__gender"] or "", 0] += row["n"]
        found[team, month, Measure.NATIONALITY, row["nationality"] or "", 0] += row["n"]
    types = (
        scope.concerns()
        .annotate(month=TruncMonth("submitted_at", tzinfo=UK))
        .values("team", "month", "exploitation_types__code")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for row in types:
        code = row["exploitation_types__code"] or ""
        found[row["team"], _month(row["month"]), Measure.EXPLOITATION, code, 0] += row["n"]


def _count_referrals(scope: Scope, found: Counts) -> None:
    referrals = (
        scope.referrals()
        .annotate(month=TruncMonth("submitted_at", tzinfo=UK))
        .values("case__team", "month", "pathway")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in referrals:
        month = _month(row["month"])
        found[row["case__team"], month, Measure.PATHWAY, row["pathway"], 0] += row["n"]
    decisions = (
        scope.decisions()
        .filter(kind__in=[Decision.Kind.RG, Decision.Kind.CG])
        .annotate(month=TruncMonth("received_on"))
        .values("referral__case__team", "month", "kind", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in decisions:
        key = f"{row['kind']}:{row['outcome']}"
        found[row["referral__case__team"], row["month"], Measure.DECISION, key, 0] += row["n"]


def _count_waits(scope: Scope, found: Counts) -> None:
    for measure, rows, wait, within, month in (
        (
            Measure.REFERRED,
            statistics._referred_clocks(scope),
            statistics._referral_wait(),
            statistics.REFERRED_WITHIN,
            TruncMonth("satisfied_at", tzinfo=UK),
        ),
        (
            Measure.RG_WAIT,
            statistics._rg_waits(scope),
            statistics._rg_wait(),
            statistics.DECIDED_WITHIN,
            TruncMonth("rg_on", output_field=DateField()),
        ),
    ):
        grouped = (
            rows.annotate(unit_team=_deadline_team(), month=month, wait=wait, within=_flag(within))
            .values("unit_team", "month", "wait", "within")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in grouped:
            key = WITHIN if row["within"] else ""
            number = row["wait"] // MICROSECOND
            found[row["unit_team"], _month(row["month"]), measure, key, number] += row["n"]


def _count_overdue(scope: Scope, found: Counts) -> None:
    points = statistics.overdue_points(scope)
    if not points:
        return
    grouped = (
        statistics.overdue_candidates(scope, points)
        .annotate(unit_team=_deadline_team())
        .values("unit_team")
        .annotate(
            **{
                f"m{index}": statistics.overdue_at(moment)
                for index, (_month, moment) in enumerate(points)
            }
        )
        .order_by()
    )
    for row in grouped:
        for index, (month, _moment) in enumerate(points):
            if row[f"m{index}"]:
                found[row["unit_team"], month, Measure.OVERDUE, "", 0] += row[f"m{index}"]


# --- Refreshing --------------------------------------------------------------------------------


def _first_day() -> date | None:
    """The first UK day any kept figure can count: the kept months start there."""
    deadlines = Deadline.objects.aggregate(due=Min("due_at"), met=Min("satisfied_at"))
    found = [
        Concern.objects.aggregate(at=Min("submitted_at"))["at"],
        Referral.objects.aggregate(at=Min("submitted_at"))["at"],
        deadlines["due"],
        deadlines["met"],
    ]
    days = [at.astimezone(UK).date() for at in found if at is not None]
    received = Decision.objects.aggregate(on=Min("received_on"))["on"]
    if received is not None:
        days.append(received)
    return min(days, default=None)


def refresh(*, now: datetime | None = None) -> KeptRefresh | None:
    """Count every kept figure again and replace them all, in one transaction that sees one
    snapshot of the records (REPEATABLE READ on PostgreSQL). None when another refresh was
    already running (it will leave figures as fresh as these)."""
    now = now or timezone.now()
    started = time.monotonic()
    # Inside a caller's transaction (a test's), its snapshot is the one counted.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
                if not cursor.fetchone()[0]:
                    return None
                # The app's connections run without parallel workers (settings: they cost a
                # page more than they save); this count reads whole tables, where they pay.
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        first = _first_day()
        today = timezone.localdate(now)
        found = (
            count_rows(Scope(user=None, period=Period(first, today), now=now, restricted=False))
            if first and first <= today
            else Counter()
        )
        KeptCount.objects.all().delete()
        KeptCount.objects.bulk_create(
            (
                KeptCount(
                    team_id=team, month=month, measure=measure, key=key, number=number, count=n
                )
                for (team, month, measure, key, number), n in found.items()
                if n
            ),
            batch_size=2000,
        )
        kept, _created = KeptRefresh.objects.update_or_create(
            pk=1,
            defaults={"refreshed_at": now, "seconds": time.monotonic() - started},
        )
    return kept


# --- Reading them for the page -----------------------------------------------------------------


def _month_end(month: date) -> date:
    return statistics._add_months(month, 1) - timedelta(days=1)


def split(period: Period, today: date) -> tuple[tuple[date, date] | None, list[Period]]:
    """The months the kept rows give whole (first and last month), and the part-months at
    either end to count from the rows. A month is whole when the period holds its first day
    and runs to its last day, or to today: nothing is counted after now, so a period ending
    today holds all of this month there is (as of the last refresh)."""
    months = period.months()
    whole = [
        month
        for month in months
        if period.start <= month and period.end >= min(_month_end(month), today)
    ]
    edges = []
    if months[0] not in whole:
        edges.append(Period(period.start, min(period.end, _month_end(months[0]))))
    if len(months) > 1 and months[-1] not in whole:
        edges.append(Period(months[-1], period.end))
    return ((whole[0], whole[-1]) if whole else None), edges


def _named_on_restricted(user) -> bool:
    """Whether the reader may see any record of a restricted case: one they lead, are named
    on or reported a concern in. Most managers are on none, and the page then skips counting
    that part."""
    # From the user's side, each through its foreign key's index: a join from every case
    # would read the whole table to find the few restricted ones.
    restricted = Case.objects.filter(restricted=True)
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .filter(
            Q(Exists(restricted.filter(lead=OuterRef("pk"))))
            | Q(Exists(restricted.filter(members=OuterRef("pk"))))
            | Q(Exists(Concern.objects.filter(reporter=OuterRef("pk"), case__restricted=True)))
        )
        .exists()
    )


@dataclass(frozen=True)
class Kept:
    figures: dict[str, Figure]
    as_of: datetime


def figures(scope: Scope) -> Kept | None:
    """Every figure for `scope` from the kept rows and the few rows they leave out; None
    before the first refresh (the page then counts from the rows)."""
    refreshed = KeptRefresh.objects.filter(pk=1).first()
    if refreshed is None:
        return None
    whole, edges = split(scope.period, timezone.localdate(scope.now))
    tally: Counter = Counter()
    overdue_months = [month for month, _moment in statistics.overdue_points(scope)]
    wanted = Q(measure=Measure.OVERDUE, month__in=overdue_months)
    if whole:
        wanted |= ~Q(measure=Measure.OVERDUE) & Q(month__gte=whole[0], month__lte=whole[1])
    rows = KeptCount.objects.filter(wanted)
    if scope.team:
        rows = rows.filter(team=scope.team)
    for row in rows.values("measure", "month", "key", "number").annotate(n=Sum("count")).order_by():
        tally[row["measure"], row["month"], row["key"], row["number"]] += row["n"]
    live: Counts = Counter()
    for edge in edges:
        live += count_rows(replace(scope, period=edge, restricted=False), overdue=False)
    if scope.user is not None and _named_on_restricted(scope.user):
        live += count_rows(replace(scope, restricted=True))
    for (_team, month, measure, key, number), n in live.items():
        tally[measure, month, key, number] += n
    built = {slug: replace(build(slug, tally, scope), slug=slug) for slug in statistics.FIGURES}
    return Kept(figures=built, as_of=refreshed.refreshed_at)


# --- Laying them out -----------------------------------------------------------------------------


def _by(tally: Counter, measure: str, part: int) -> Counter:
    """Sum `measure` over every part of its key but one: 0 the month, 1 the key, 2 the number."""
    summed: Counter = Counter()
    for (found, month, key, number), n in tally.items():
        if found == measure:
            summed[(month, key, number)[part]] += n
    return summed


def _percentiles(histogram: Counter, fractions: tuple[float, ...]) -> tuple[int, list]:
    """percentile_cont over the waits the histogram counts: the value at rank
    fraction * (total - 1), interpolated between the two nearest ranks."""
    total = sum(histogram.values())
    if not total:
        return 0, [None for _fraction in fractions]
    ordered = sorted(histogram.items())

    def at(rank: int) -> timedelta:
        seen = 0
        for number, n in ordered:
            seen += n
            if rank < seen:
                return number * MICROSECOND
        raise IndexError(rank)

    results = []
    for fraction in fractions:
        rank = fraction * (total - 1)
        low = math.floor(rank)
        value = at(low)
        if rank != low:
            value += (at(low + 1) - value) * (rank - low)
        results.append(value)
    return total, results


def _waits(tally: Counter, measure: str) -> tuple[int, list, dict]:
    histogram = _by(tally, measure, 2)
    within = sum(n for (found, _m, key, _n), n in tally.items() if found == measure and key)
    total, found = _percentiles(histogram, (0.5, 0.9))
    return total, found, {"total": total, "within": within}


def build(slug: str, tally: Counter, scope: Scope) -> Figure:
    match slug:
        case "by-month":
            return statistics.by_month_figure(
                scope, _by(tally, Measure.CONCERNS, 0), _by(tally, Measure.PATHWAY, 0)
            )
        case "exploitation-type":
            counts = _by(tally, Measure.EXPLOITATION, 1)
            return statistics.exploitation_type_figure(
                {code or None: n for code, n in counts.items()}
            )
        case "age-group":
            return statistics.age_group_figure(_by(tally, Measure.AGE_GROUP, 1))
        case "gender":
            return statistics.gender_figure(_by(tally, Measure.GENDER, 1))
        case "nationality":
            counts = _by(tally, Measure.NATIONALITY, 1)
            return statistics.nationality_figure(
                sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            )
        case "pathway":
            return statistics.pathway_figure(_by(tally, Measure.PATHWAY, 1))
        case "outcomes":
            counts = _by(tally, Measure.DECISION, 1)
            return statistics.decision_outcomes_figure(
                {tuple(key.split(":", 1)): n for key, n in counts.items()}
            )
        case "time-to-referral":
            total, found, _within = _waits(tally, Measure.REFERRED)
            return statistics.time_to_referral_figure(total, found)
        case "time-to-rg":
            total, found, _within = _waits(tally, Measure.RG_WAIT)
            return statistics.time_to_rg_figure(total, found)
        case "within-target":
            return statistics.within_target_figure(
                _waits(tally, Measure.REFERRED)[2], _waits(tally, Measure.RG_WAIT)[2]
            )
        case "overdue":
            counts = _by(tally, Measure.OVERDUE, 0)
            return statistics.overdue_figure(
                [
                    (month, counts.get(month, 0))
                    for month, _moment in statistics.overdue_points(scope)
                ]
            )
    raise KeyError(slug)
