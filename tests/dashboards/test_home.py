"""Each role's home page: what it shows, what it never shows, and a query count that does not
grow with the work.

The clock is pinned at Monday 8 June 2026, 10:00 UK time (09:00 UTC). "Waiting longer than one
working day" then means logged before Friday 5 June: a concern logged on Friday was due for
triage by the end of Monday, which has not ended.
"""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import ConcernStatus
from referrals.deadlines import Timer
from safeguard.models import Notification
from tests.cases.factories import CaseFactory, ConcernFactory, PersonFactory
from tests.dates import uk
from tests.referrals.factories import DeadlineFactory

NOW = dt.datetime(2026, 6, 8, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def before(content: str, first: str, second: str) -> bool:
    return content.index(first) < content.index(second)


# --- Frontline -----------------------------------------------------------------------------------


def test_frontline_home_shows_each_concern_as_a_summary_card_not_a_table(client, world):
    """A table of four columns was wider than a phone; a card a concern reads on any screen."""
    ConcernFactory(reporter=world.frontline, team=world.north, submitted_at=uk(2026, 6, 5, 9))
    ConcernFactory(reporter=world.frontline, team=world.north, submitted_at=uk(2026, 6, 4, 9))

    content = home(client, world.frontline)

    assert content.count('class="govuk-summary-card"') == 2
    assert "govuk-table" not in content
    assert "What happened next" in content and "A safeguarding lead will look at it." in content


def test_frontline_home_puts_log_a_concern_first_then_their_concerns_and_what_happened(
    client, world, reference_data
):
    w = world
    who = PersonFactory(created_by=w.lead)
    waiting = ConcernFactory(
        reporter=w.frontline, team=w.north, person=who, submitted_at=uk(2026, 6, 5, 9)
    )
    nfa = ConcernFactory(
        reporter=w.frontline,
        team=w.north,
        person=who,
        submitted_at=uk(2026, 6, 1),
        status=ConcernStatus.NO_FURTHER_ACTION,
    )
    nfa.triaged_at = uk(2026, 6, 2, 11)
    nfa.save()
    hidden_case = CaseFactory(person=who, team=w.north, lead=w.lead)
    in_case = ConcernFactory(
        reporter=w.frontline,
        team=w.north,
        person=who,
        submitted_at=uk(2026, 5, 20),
        case=hidden_case,
    )
    named_case = CaseFactory(person=who, team=w.north, lead=w.lead, members=[w.frontline])
    ConcernFactory(
        reporter=w.frontline,
        team=w.north,
        person=who,
        submitted_at=uk(2026, 5, 19),
        case=named_case,
    )
    someone_elses = ConcernFactory(
        reporter=w.lead, team=w.north, person=who, submitted_at=uk(2026, 6, 5)
    )

    content = home(client, w.frontline)

    assert before(content, "govuk-button--start", "Concerns you logged")
    assert before(content, waiting.reference, nfa.reference)
    assert "A safeguarding lead will look at it." in content
    # Told the stage it reached, as on "Your concerns" (cases.updates), not the outcome.
    assert "Looked at by the safeguarding team on 2 Jun 2026" in content
    assert "no further action" not in content.lower()
    # Not named on the case: not told which one.
    assert in_case.reference in content and hidden_case.reference not in content
    # Named on it: a link to it.
    assert f'href="{reverse("cases:case_detail", args=[named_case.reference])}"' in content
    assert someone_elses.reference not in content
    assert "Synthetic Name" not in content


# --- Lead ----------------------------------------------------------------------------------------


@pytest.fixture
def lead_world(world, reference_data):
    w = world
    who = PersonFactory(created_by=w.lead)
    for when in (uk(2026, 6, 3, 14), uk(2026, 6, 8, 8)):
        ConcernFactory(reporter=w.frontline, team=w.north, person=who, submitted_at=when)
    # Not theirs: another team's.
    ConcernFactory(reporter=w.frontline, team=w.south, person=who, submitted_at=uk(2026, 5, 1))
    mine = CaseFactory(person=who, team=w.north, lead=w.lead)
    quiet = CaseFactory(person=who, team=w.north, lead=w.lead)
    mine_restricted = CaseFactory(person=who, team=w.north, lead=w.lead, restricted=True)
    colleagues_restricted = CaseFactory(
        person=who, team=w.north, lead=w.lead_south, restricted=True
    )
    DeadlineFactory(case=mine, due_at=NOW - 3 * HOUR, timer=Timer.RG_DECISION)  # overdue
    DeadlineFactory(case=mine, due_at=NOW + 5 * HOUR)  # today
    DeadlineFactory(case=mine_restricted, due_at=uk(2026, 6, 9, 17))  # by end of Tuesday
    DeadlineFactory(case=mine, due_at=uk(2026, 6, 20))  # later
    DeadlineFactory(case=mine, due_at=uk(2026, 6, 9), is_earliest=True, timer=Timer.CG_NOT_BEFORE)
    DeadlineFactory(case=colleagues_restricted, due_at=NOW - HOUR)  # not theirs, not visible
    DeadlineFactory(case=mine, due_at=NOW - HOUR, satisfied_at=NOW - 2 * HOUR)  # met
    Notification.objects.create(user=w.lead, title="Reminder")
    Notification.objects.create(user=w.lead, title="Reminder")
    Notification.objects.create(user=w.lead, title="Read", read_at=NOW)
    Notification.objects.create(user=w.lead_south, title="Someone else's")
    w.mine, w.quiet, w.mine_restricted = mine, quiet, mine_restricted
    w.colleagues_restricted = colleagues_restricted
    return w


def test_lead_home_shows_triage_waiting_and_the_oldest(client, lead_world):
    content = home(client, lead_world.lead)

    assert '<span class="govuk-!-font-size-48 govuk-!-font-weight-bold">2</span>' in content
    assert "concerns waiting" in content
    assert "Oldest logged" in content and "Wed 3 Jun 2026, 14:00" in content


def test_lead_home_counts_their_open_deadlines_by_urgency(client, lead_world):
    from dashboards.selectors import lead_home

    result = lead_home(lead_world.lead, now=NOW)

    assert (result.urgency.overdue, result.urgency.due_soon, result.urgency.later) == (1, 2, 1)
    assert result.urgency.not_before == 1
    assert result.urgent[0].due_at == NOW - 3 * HOUR
    content = home(client, lead_world.lead)
    assert '<strong class="govuk-tag govuk-tag--red">1 overdue</strong>' in content


def test_lead_home_lists_their_cases_next_due_first_with_the_next_deadline(client, lead_world):
    w = lead_world
    content = home(client, w.lead)

    assert before(content, w.mine.reference, w.mine_restricted.reference)
    assert before(content, w.mine_restricted.reference, w.quiet.reference)
    assert "Reasonable Grounds decision expected" in content
    assert "Nothing due" in content
    assert w.colleagues_restricted.reference not in content
    assert "3 open cases, next due first" in content


def test_lead_home_shows_unread_notifications(client, lead_world):
    from dashboards.selectors import lead_home

    assert lead_home(lead_world.lead, now=NOW).unread_notifications == 2


# --- Manager -------------------------------------------------------------------------------------


@pytest.fixture
def manager_world(lead_world):
    w = lead_world
    who = PersonFactory(created_by=w.lead)
    # Logged Thursday: its working day (Friday) has ended. Logged Friday: due by the end of
    # Monday, which is today. Logged at 23:30 on Thursday 4 June counts as Thursday.
    for when in (uk(2026, 6, 4, 23, 30), uk(2026, 6, 5, 0, 5)):
        ConcernFactory(reporter=w.frontline, team=w.south, person=who, submitted_at=when)
    south_case = CaseFactory(person=who, team=w.south, lead=w.lead_south)
    DeadlineFactory(case=south_case, due_at=NOW - HOUR)
    DeadlineFactory(case=south_case, due_at=NOW - HOUR, assignee=w.lead)  # reassigned to Lee
    DeadlineFactory(case=south_case, due_at=NOW + HOUR)
    waiting = ConcernFactory(
        reporter=w.frontline, team=w.south, person=who, submitted_at=uk(2026, 6, 1)
    )
    DeadlineFactory(timer=Timer.REFER, concern=waiting, due_at=NOW - 2 * HOUR)
    CaseFactory(person=who, team=w.south, lead=w.lead_south, restricted=True)
    CaseFactory(person=who, team=w.south, lead=w.lead_south, restricted=True, status="closed")
    return w


def test_manager_home_counts_triage_waiting_longer_than_one_working_day(client, manager_world):
    from dashboards.selectors import manager_home

    result = manager_home(manager_world.manager, now=NOW)

    # North: 3 June (late) and today; south: 1 May, 1 June and 4 June (late), 5 June (not).
    assert result.waiting == 6
    assert result.waiting_over_a_working_day == 4


def test_triage_lateness_skips_a_bank_holiday(manager_world):
    from dashboards.selectors import manager_home

    # Tuesday 26 May 2026, after the spring bank holiday: a concern logged on Friday 22 May
    # was due by the end of Tuesday (Monday was not a working day), so it is not late yet.
    with time_machine.travel(dt.datetime(2026, 5, 26, 9, tzinfo=dt.UTC), tick=False):
        ConcernFactory(
            reporter=manager_world.frontline,
            team=manager_world.north,
            person=PersonFactory(created_by=manager_world.lead),
            submitted_at=uk(2026, 5, 22, 16),
        )
        result = manager_home(manager_world.manager, now=dt.datetime(2026, 5, 26, 9, tzinfo=dt.UTC))
    assert result.waiting_over_a_working_day == 1  # only the one logged on 1 May


def test_manager_home_shows_overdue_by_team_and_lead(client, manager_world):
    from dashboards.selectors import manager_home

    w = manager_world
    groups = manager_home(w.manager, now=NOW).overdue_groups

    assert [(g.team, g.chaser, g.overdue) for g in groups] == [
        ("North team", "Lee Lead", 1),
        ("South team", "Lee Lead", 1),
        ("South team", "Sol South", 1),
        ("South team", "Nobody yet: waiting for triage", 1),
    ]
    content = home(client, w.manager)
    assert f"?team={w.south.pk}&amp;lead={w.lead_south.pk}" in content


def test_manager_home_shows_workload_per_lead_and_restricted_cases_by_count_only(
    client, manager_world
):
    from dashboards.selectors import manager_home

    w = manager_world
    result = manager_home(w.manager, now=NOW)
    loads = {load.user.full_name: load for load in result.workload}

    lee, sol = loads["Lee Lead"], loads["Sol South"]
    assert (lee.open_cases, lee.restricted_cases, lee.open_deadlines, lee.overdue) == (
        2, 1, 4, 2
    )  # fmt: skip
    assert (sol.open_cases, sol.restricted_cases, sol.open_deadlines, sol.overdue) == (
        1, 2, 2, 1
    )  # fmt: skip
    assert result.restricted_cases == 3
    content = home(client, w.manager)
    assert w.mine_restricted.reference not in content
    assert w.colleagues_restricted.reference not in content
    assert "open restricted cases you are not named on" in content


def test_administrators_home_has_no_case_panels(client, manager_world):
    content = home(client, manager_world.admin)

    assert "Workload" not in content and "Concerns you logged" not in content
    assert "Triage" not in content


# --- Query counts --------------------------------------------------------------------------------


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def _more_work(world, n: int) -> None:
    who = PersonFactory(created_by=world.lead)
    for index in range(n):
        c = CaseFactory(person=who, team=world.north if index % 2 else world.south, lead=world.lead)
        DeadlineFactory(case=c, due_at=NOW + (index - n // 2) * HOUR)
        ConcernFactory(
            reporter=world.frontline,
            team=world.north,
            person=who,
            submitted_at=NOW - index * HOUR,
            case=c if index % 3 else None,
        )
        CaseFactory(person=who, team=world.south, lead=world.lead_south, restricted=True)
        Notification.objects.create(user=world.lead, title="Reminder")


@pytest.mark.parametrize(("role", "most"), [("frontline", 12), ("lead", 16), ("manager", 16)])
def test_home_pages_cost_the_same_queries_with_fifty_times_the_work(
    client, world, reference_data, role, most
):
    user = getattr(world, role)
    _more_work(world, 1)
    client.force_login(user)
    client.get(reverse("home"))
    small = _queries(client)

    _more_work(world, 50)

    assert _queries(client) == small
    assert small <= most
