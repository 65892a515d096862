"""The kept statistics (dashboards.kept) give every figure `dashboards.statistics` counts from
the rows: over three teams and ten months, restricted cases (one the manager is named on, one
they reported a concern in, one they may not see), the UK month boundary on both sides of
each clock change, waits to the microsecond, and periods that start or end mid-month.

The clock moves: figures are counted, the records change (a case restricted, a person's
gender corrected, deadlines met, new concerns), and the kept figures are stale until the
next refresh, then right again.
"""

import datetime as dt
import random

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import kept, statistics, tasks
from dashboards.models import KeptCount, KeptRefresh
from dashboards.statistics import Period, Scope
from referrals.deadlines import UK, Timer
from referrals.models import Decision
from referrals.services import NO_REFERRAL
from safeguard.choices import Pathway, Role
from tests.cases.factories import CaseFactory, ConcernFactory, PersonFactory
from tests.dates import uk
from tests.factories import TeamFactory, UserFactory
from tests.referrals.factories import DeadlineFactory, DecisionFactory, ReferralFactory

# Sunday 29 March 2026, 00:30 UTC: half an hour before the clocks go forward.
BEFORE_SPRING = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)
# Wednesday 1 April 2026, 00:20 BST (23:20 UTC on 31 March): April in the UK only.
APRIL_BEGUN = uk(2026, 4, 1, 0, 20)
# Monday 15 June 2026, 13:00 BST.
LATER = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
TYPES = ["sexual", "labour", "criminal", "domestic_servitude"]
GENDERS = ["female", "male", "other", "unknown"]
NATIONS = ["Albanian", "Vietnamese", "Eritrean ", "British", "Romanian", "", "Not known"]
PATHWAYS = [Pathway.NRM, Pathway.DUTY_TO_NOTIFY, Pathway.CHILDRENS_SERVICES, Pathway.POLICE]
RG, CG = Decision.Kind.RG, Decision.Kind.CG
HOUR = dt.timedelta(hours=1)


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 (synthetic data, the same every run)


def _when(rng: random.Random, until: dt.datetime) -> dt.datetime:
    """A moment between September 2025 and `until`, to the microsecond."""
    start = uk(2025, 9, 1)
    return start + (until - start) * rng.random()


def make_records(w, teams, rng: random.Random, until: dt.datetime, *, n: int) -> None:
    """`n` concerns (about half in a case) with referrals, decisions and clocks, every
    moment before `until`."""
    for index in range(n):
        team = teams[index % len(teams)]
        who = PersonFactory(
            created_by=w.lead,
            date_of_birth=rng.choice(
                [None, dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(900))]
            ),
            estimated_age=rng.choice([None, 16, 30]),
            age_disputed=rng.random() < 0.1,
            gender=rng.choice(GENDERS),
            nationalities=rng.choice(NATIONS),
        )
        case = w.cases[team.pk] if rng.random() < 0.5 else rng.choice([*w.restricted, None])
        if case is not None and case.team != team:
            case = None
        at = _when(rng, until)
        concern = ConcernFactory(
            reporter=w.manager if rng.random() < 0.1 else w.frontline,
            team=team,
            person=who,
            submitted_at=at,
            observed_at=at - rng.random() * 30 * HOUR,
            case=case,
            exploitation_types=rng.sample(TYPES, rng.randrange(3)),
        )
        clock_ends = concern.observed_at + rng.random() * 80 * HOUR
        if clock_ends < until:
            DeadlineFactory(
                timer=Timer.REFER,
                concern=concern,
                # Some clocks keep no case though the concern has one (a restricted one too).
                case=case if rng.random() < 0.7 else None,
                starts_at=concern.observed_at,
                due_at=concern.observed_at + 48 * HOUR,
                satisfied_at=clock_ends,
                satisfied_by=rng.choice(["NRM submitted", f"{NO_REFERRAL}: nfa"]),
            )
        if case is None:
            continue
        submitted = at + rng.random() * 200 * HOUR
        referral = ReferralFactory(
            case=case,
            pathway=rng.choice(PATHWAYS),
            submitted_at=submitted if submitted < until else None,
        )
        if referral.submitted_at is None:
            continue
        received = (submitted + dt.timedelta(days=rng.randrange(1, 20))).astimezone(UK).date()
        due = submitted + dt.timedelta(days=7)
        if received < until.astimezone(UK).date():
            DecisionFactory(
                referral=referral,
                kind=RG,
                outcome=rng.choice(["positive", "negative"]),
                received_on=received,
            )
            if rng.random() < 0.3:
                DecisionFactory(referral=referral, kind=CG, received_on=received)
        DeadlineFactory(
            timer=Timer.RG_DECISION,
            case=case,
            referral=referral,
            starts_at=submitted,
            due_at=due,
            satisfied_at=None if rng.random() < 0.3 else due + (rng.random() - 0.5) * 400 * HOUR,
            cancelled_at=due + 100 * HOUR if rng.random() < 0.1 else None,
        )


def around_month_end(w, *moments) -> None:
    """A concern at each moment, referred then, and a deadline overdue from then on."""
    for at in moments:
        concern = ConcernFactory(reporter=w.frontline, team=w.north, submitted_at=at)
        DeadlineFactory(
            timer=Timer.REFER,
            concern=concern,
            starts_at=at - HOUR,
            due_at=at + 47 * HOUR,
            satisfied_at=at,
            satisfied_by="NRM submitted",
        )
        DeadlineFactory(case=w.cases[w.north.pk], due_at=at)


@pytest.fixture
def records(world, reference_data):
    """Three teams; a restricted case the manager is named on, one they reported a concern
    in, one they may not see; a second manager named on nothing; concerns on either side of
    each UK month boundary around the clock changes."""
    w = world
    w.third = TeamFactory(name="Third team")
    w.teams = [w.north, w.south, w.third]
    w.other_manager = UserFactory(role=Role.MANAGER, teams=w.teams)
    w.cases = {team.pk: CaseFactory(team=team, lead=w.lead) for team in w.teams}
    named = CaseFactory(team=w.north, lead=w.lead, restricted=True)
    named.members.add(w.manager)
    reported = CaseFactory(team=w.south, lead=w.lead_south, restricted=True)
    hidden = CaseFactory(team=w.third, lead=w.lead, restricted=True)
    w.restricted = [named, reported, hidden]
    ConcernFactory(reporter=w.manager, team=w.south, case=reported, submitted_at=uk(2026, 1, 9))
    # GMT after 26 October: 23:30 on the 31st is 23:30 UTC, October.
    around_month_end(w, uk(2025, 10, 31, 23, 30), uk(2025, 11, 1, 0, 30))
    make_records(w, w.teams, seeded(22), BEFORE_SPRING, n=70)
    return w


PERIODS = [
    None,  # the default: the last twelve months
    Period(dt.date(2025, 10, 15), dt.date(2026, 3, 31)),
    Period(dt.date(2025, 11, 1), dt.date(2026, 2, 14)),
    Period(dt.date(2026, 3, 29), dt.date(2026, 4, 1)),
    Period(dt.date(2025, 9, 1), dt.date(2026, 12, 31)),
]


def _scope(user, period, team) -> Scope:
    now = dt.datetime.now(dt.UTC)
    period = period or Period.last_twelve_months(now.astimezone(UK).date())
    return Scope(user=user, period=period, now=now, team=team)


def _table(result) -> list:
    return [
        (label, [(cell.display(), cell.exported(), cell.base) for cell in cells])
        for label, cells in result.rows
    ]


def differences(w, *, first: bool = False) -> list:
    """Each figure the kept rows give differently from the rows, for both managers, the
    organisation and two teams, and every period (with `first`, only the first found)."""
    found = []
    for user in (w.manager, w.other_manager):
        for team in (None, w.north, w.third):
            for period in PERIODS:
                scope = _scope(user, period, team)
                from_kept = kept.figures(scope).figures
                for slug in statistics.FIGURES:
                    expected = _table(statistics.figure(slug, scope))
                    if _table(from_kept[slug]) != expected:
                        found.append((user.pk, team and team.name, scope.period, slug))
                        if first:
                            return found
    return found


def test_kept_figures_equal_those_counted_from_the_rows_as_the_clock_moves(records):
    w = records
    with time_machine.travel(BEFORE_SPRING, tick=False):
        kept.refresh()
        assert differences(w) == []
        # Something to count in every measure, for every team, both sides of the boundary.
        measures = set(KeptCount.objects.values_list("measure", flat=True))
        assert measures == set(KeptCount.Measure.values)

    with time_machine.travel(APRIL_BEGUN, tick=False):
        # Changes that reach back months: a case restricted, a person's gender corrected,
        # an old deadline met now; and a month begun since the last count.
        case = w.cases[w.south.pk]
        case.restricted = True
        case.save()
        person = w.cases[w.north.pk].concerns.first().person
        person.gender = "other" if person.gender != "other" else "female"
        person.save()
        DeadlineFactory(case=w.cases[w.third.pk], due_at=uk(2025, 12, 1), satisfied_at=APRIL_BEGUN)
        make_records(w, w.teams, seeded(23), APRIL_BEGUN, n=10)
        # BST: 23:30 on 31 March is 22:30 UTC, March; 00:10 on 1 April is 23:10 UTC on the
        # 31st, April in the UK.
        around_month_end(w, uk(2026, 3, 31, 23, 30), uk(2026, 4, 1, 0, 10))
        assert differences(w, first=True) != []  # stale until counted again
        kept.refresh()
        assert differences(w) == []

    with time_machine.travel(LATER, tick=False):
        kept.refresh()
        assert differences(w) == []


def test_the_page_and_its_download_give_the_kept_figures_as_of_the_refresh(client, records):
    w = records
    client.force_login(w.manager)
    with time_machine.travel(BEFORE_SPRING, tick=False):
        kept.refresh()
    later = BEFORE_SPRING + 2 * HOUR  # 03:30 BST on the 29th
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 28))
    query = {"start": "2026-01-01", "end": "2026-03-28", "team": w.third.pk}
    with time_machine.travel(later, tick=False):
        # Logged since the refresh: January is a whole month, from the kept rows (not yet
        # counted); March ends before today in this period, so it is counted from the rows.
        ConcernFactory(reporter=w.frontline, team=w.third, submitted_at=uk(2026, 1, 20))
        ConcernFactory(reporter=w.frontline, team=w.third, submitted_at=uk(2026, 3, 28, 12))
        scope = Scope(w.manager, period, later, w.third)
        counted = dict(statistics.figure("by-month", scope).rows)
        shown = dict(kept.figures(scope).figures["by-month"].rows)
        page = client.get(reverse("dashboards:statistics"), query).content.decode()
        download = client.get(reverse("dashboards:statistics_export", args=["by-month"]), query)

    assert shown["Jan 2026"][0].value == counted["Jan 2026"][0].value - 1
    assert shown["Mar 2026"][0].value == counted["Mar 2026"][0].value
    assert "Figures as of 00:30 on 29 March 2026 (UK time)" in page
    rows = [line.split(",") for line in download.content.decode().splitlines()[1:]]
    assert rows == [[label, *(cell.exported() for cell in cells)] for label, cells in shown.items()]


def test_the_refresh_replaces_every_kept_row_and_runs_from_beat(records):
    with time_machine.travel(LATER, tick=False):
        first = tasks.statistics_refresh()
        rows = KeptCount.objects.count()
        tasks.statistics_refresh()

    assert first is not None
    assert KeptCount.objects.count() == rows
    assert KeptRefresh.objects.get().refreshed_at == LATER
    schedule = settings.CELERY_BEAT_SCHEDULE["statistics-refresh"]
    assert schedule == {
        "task": "dashboards.tasks.statistics_refresh",
        "schedule": float(kept.REFRESH_SECONDS),
    }


def _queries(client, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboards:statistics"), query).status_code == 200
    return len(queries)


def test_the_kept_page_costs_the_same_few_queries_with_more_data(client, records):
    w = records
    client.force_login(w.manager)  # named on a restricted case: that part is counted live
    edges = {"start": "2025-10-15", "end": "2026-02-14"}
    with time_machine.travel(LATER, tick=False):
        kept.refresh()
        client.get(reverse("dashboards:statistics"))
        small, small_edges = _queries(client, {}), _queries(client, edges)
        make_records(w, w.teams, seeded(24), LATER, n=40)
        kept.refresh()
        assert (_queries(client, {}), _queries(client, edges)) == (small, small_edges)
    assert small <= 25
