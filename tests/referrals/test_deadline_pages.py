"""The deadline pages: a lead's own list, and the overdue view managers chase from.

Time is pinned for the whole of every test, sign-in included (the idle timeout counts clock
time): Tuesday 24 November 2026, 10:00 UK time (GMT, so 10:00 UTC). "Due within one working
day" then means due by the end of Wednesday 25 November.
"""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, TriageOutcome
from cases.services import concern_triage
from referrals import selectors
from referrals.deadlines import UK, Timer
from safeguard.models import AuditEvent, OrganisationSettings, Role
from tests.auth import enrol_totp, request_as
from tests.cases.factories import case_in
from tests.factories import UserFactory
from tests.referrals.factories import DeadlineFactory

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
END_OF_WEDNESDAY = dt.datetime(2026, 11, 25, 23, 59, 59, 999999, tzinfo=UK)


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def make_deadline(case, *, due, timer=Timer.RG_DECISION, **fields):
    return DeadlineFactory(timer=timer, case=case, starts_at=due - 48 * HOUR, due_at=due, **fields)


def page(client, name, **params):
    return client.get(reverse(f"referrals:{name}"), params)


def text(response) -> str:
    return response.content.decode()


def in_order(content: str, *needles: str) -> bool:
    positions = [content.index(needle) for needle in needles]
    return positions == sorted(positions)


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# --- A lead's own deadlines ----------------------------------------------------------------------


def test_a_concerns_referral_clock_shows_on_the_team_leads_list_with_the_time_left(
    client, world, log_concern
):
    concern = log_concern(world.frontline, name="Ana Example")  # observed an hour ago
    client.force_login(world.lead)

    content = text(page(client, "deadlines"))

    assert "Referral due" in content
    assert f'href="{reverse("cases:concern_detail", args=[concern.reference])}"' in content
    assert "Thu 26 Nov 2026, 09:00" in content  # 48 clock hours after 09:00 on Tuesday
    assert "1 day 23 hours left" in content
    assert "Overdue by" not in content
    assert "Ana Example" not in content


def test_once_triage_opens_a_case_the_clock_is_the_case_leads_and_links_to_the_case(
    client, world, log_concern
):
    concern = log_concern(world.frontline)
    other_lead = UserFactory(role=Role.LEAD, teams=[world.north])
    enrol_totp(other_lead)  # leads must use MFA
    concern_triage(
        request=request_as(world.lead),
        concern=concern,
        outcome=TriageOutcome.NEW_CASE,
        lead=other_lead,
    )
    case = Case.objects.get(concerns=concern)

    client.force_login(other_lead)
    content = text(page(client, "deadlines"))
    assert f'href="{reverse("cases:case_detail", args=[case.reference])}"' in content

    client.force_login(world.lead)
    assert case.reference not in text(page(client, "deadlines"))


def test_an_overdue_deadline_says_overdue_by_in_words_and_has_a_red_tag_and_comes_first(
    client, world
):
    later = case_in(world)
    late = case_in(world)
    make_deadline(later, due=NOW + 3 * HOUR)
    make_deadline(late, due=NOW - 26 * HOUR)
    client.force_login(world.lead)

    content = text(page(client, "deadlines"))

    assert "govuk-tag--red" in content
    assert "Overdue by 1 day 2 hours" in content
    assert "3 hours left" in content
    assert in_order(content, late.reference, later.reference)
    assert "Mon 23 Nov 2026, 08:00" in content


def test_the_list_holds_what_i_chase_and_nothing_satisfied(client, world):
    mine = case_in(world)
    theirs = case_in(world, lead=world.manager)
    given_to_me = case_in(world, lead=world.manager)
    given_away = case_in(world)
    done = case_in(world)
    make_deadline(mine, due=NOW + HOUR)
    make_deadline(theirs, due=NOW + HOUR)
    make_deadline(given_to_me, due=NOW + HOUR, assignee=world.lead)
    make_deadline(given_away, due=NOW + HOUR, assignee=world.manager)
    make_deadline(done, due=NOW - HOUR, satisfied_at=NOW - 2 * HOUR)
    client.force_login(world.lead)

    content = text(page(client, "deadlines"))

    assert mine.reference in content
    assert given_to_me.reference in content
    for case in (theirs, given_away, done):
        assert case.reference not in content


def test_a_not_before_marker_is_never_overdue_and_comes_last(client, world):
    case = case_in(world)
    make_deadline(case, due=NOW - 50 * HOUR, timer=Timer.CG_NOT_BEFORE, is_earliest=True)
    make_deadline(case, due=NOW + 5 * HOUR, timer=Timer.RECOVERY_PERIOD)
    client.force_login(world.lead)

    content = text(page(client, "deadlines"))

    assert "govuk-tag--red" not in content
    assert "Overdue by" not in content
    assert "Allowed now" in content
    assert in_order(content, "Recovery period ends", "Conclusive Grounds not before")


# --- The overdue view ----------------------------------------------------------------------------


@pytest.fixture
def spread(world):
    """North deadlines either side of the cut-off, and ones that must never be listed."""
    cases = {key: case_in(world) for key in (
        "three_days_late", "an_hour_late", "due_today", "due_wednesday_night",
        "due_thursday", "satisfied", "not_before", "cancelled",
    )}  # fmt: skip
    make_deadline(cases["three_days_late"], due=NOW - 72 * HOUR)
    make_deadline(cases["an_hour_late"], due=NOW - HOUR)
    make_deadline(cases["due_today"], due=NOW + 8 * HOUR)
    make_deadline(cases["due_wednesday_night"], due=END_OF_WEDNESDAY)
    make_deadline(cases["due_thursday"], due=END_OF_WEDNESDAY + dt.timedelta(microseconds=1))
    make_deadline(cases["satisfied"], due=NOW - 5 * HOUR, satisfied_at=NOW - 6 * HOUR)
    make_deadline(
        cases["not_before"], due=NOW - 5 * HOUR, timer=Timer.CG_NOT_BEFORE, is_earliest=True
    )
    make_deadline(cases["cancelled"], due=NOW - 5 * HOUR, cancelled_at=NOW - 6 * HOUR)
    return cases


def test_managers_see_overdue_and_due_within_one_working_day_most_overdue_first(
    client, world, spread
):
    client.force_login(world.manager)

    content = text(page(client, "overdue"))

    listed = ["three_days_late", "an_hour_late", "due_today", "due_wednesday_night"]
    assert in_order(content, *(spread[key].reference for key in listed))
    for key in ("due_thursday", "satisfied", "not_before", "cancelled"):
        assert spread[key].reference not in content, key
    assert "Overdue by 3 days" in content
    assert "govuk-tag--red" in content
    assert "Wed 25 Nov 2026, 23:59" in content
    assert "Download as CSV" in content


def test_the_cut_off_is_the_end_of_the_next_working_day_in_the_organisations_nation(db):
    friday = dt.datetime(2026, 11, 27, 15, 0, tzinfo=UK)
    # Monday 30 November is St Andrew's Day: a bank holiday in Scotland only.
    assert selectors.due_soon_cutoff(friday) == dt.datetime(
        2026, 11, 30, 23, 59, 59, 999999, tzinfo=UK
    )
    settings = OrganisationSettings.load()
    settings.nation = "SCT"
    settings.save()
    assert selectors.due_soon_cutoff(friday) == dt.datetime(
        2026, 12, 1, 23, 59, 59, 999999, tzinfo=UK
    )


def test_the_overdue_view_filters_by_team_lead_and_timer(client, world):
    north_lead2 = UserFactory(role=Role.LEAD, teams=[world.north])
    north = case_in(world)
    south = case_in(world, team=world.south, lead=world.lead_south)
    reassigned = case_in(world)
    make_deadline(north, due=NOW - HOUR, timer=Timer.RG_DECISION)
    make_deadline(south, due=NOW - HOUR, timer=Timer.REFER)
    make_deadline(reassigned, due=NOW - HOUR, assignee=north_lead2)
    client.force_login(world.manager)

    by_team = text(page(client, "overdue", team=world.south.pk))
    assert south.reference in by_team
    assert north.reference not in by_team

    by_lead = text(page(client, "overdue", lead=world.lead.pk))
    assert north.reference in by_lead
    assert reassigned.reference not in by_lead  # it is north_lead2's now
    assert south.reference not in by_lead

    by_timer = text(page(client, "overdue", timer=Timer.REFER))
    assert south.reference in by_timer
    assert north.reference not in by_timer


def test_an_unknown_filter_value_is_an_error_not_everything(client, world):
    make_deadline(case_in(world), due=NOW - HOUR)
    client.force_login(world.manager)

    response = page(client, "overdue", team=99999)

    assert "There is a problem" in text(response)
    assert "No deadlines are overdue or due soon with these filters" in text(response)


def test_a_lead_of_another_team_does_not_see_norths_deadlines(client, world, log_concern):
    north = case_in(world)
    make_deadline(north, due=NOW - HOUR)
    concern = log_concern(world.frontline, observed_at=NOW - 50 * HOUR)
    client.force_login(world.lead_south)

    for name in ("overdue", "deadlines"):
        content = text(page(client, name))
        assert north.reference not in content, name
        assert concern.reference not in content, name
    rows = csv_rows(page(client, "overdue_export"))
    assert rows[1:] == []


def test_a_restricted_case_reaches_only_the_people_named_on_it(client, world):
    secret = case_in(world, restricted=True)
    make_deadline(secret, due=NOW - HOUR)

    client.force_login(world.manager)
    assert secret.reference not in text(page(client, "overdue"))

    client.force_login(world.lead)  # its lead
    assert secret.reference in text(page(client, "overdue"))


@pytest.mark.parametrize("name", ["deadlines", "overdue", "overdue_export"])
def test_frontline_users_are_refused_the_deadline_pages(client, world, name):
    client.force_login(world.frontline)
    assert page(client, name).status_code == 403


def test_frontline_users_are_refused_reassigning(client, world):
    deadline = make_deadline(case_in(world), due=NOW - HOUR)
    client.force_login(world.frontline)

    response = client.post(
        reverse("referrals:deadline_reassign", args=[deadline.pk]),
        {"assignee": world.frontline.pk},
    )

    assert response.status_code == 403
    deadline.refresh_from_db()
    assert deadline.assignee is None


# --- Reassigning ---------------------------------------------------------------------------------


def reassign(client, deadline, assignee, **extra):
    return client.post(
        reverse("referrals:deadline_reassign", args=[deadline.pk]),
        {"assignee": assignee.pk if assignee else "", **extra},
    )


def test_a_manager_reassigns_a_deadline_and_it_is_audited(client, world):
    case = case_in(world)
    deadline = make_deadline(case, due=NOW - HOUR)
    north_lead2 = UserFactory(full_name="Nia North", role=Role.LEAD, teams=[world.north])
    client.force_login(world.manager)

    response = reassign(client, deadline, north_lead2, filters=f"team={world.north.pk}")

    assert response.status_code == 302
    assert response.url == reverse("referrals:overdue") + f"?team={world.north.pk}"
    deadline.refresh_from_db()
    assert deadline.assignee == north_lead2
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, reference=case.reference)
    assert event.actor == world.manager
    assert event.changed_fields == ["deadline.assignee"]
    followed = text(client.get(response.url))
    assert f"Reasonable Grounds decision expected for {case.reference} reassigned to Nia North" in (
        followed
    )


def test_a_lead_reassigns_deadlines_on_cases_they_lead_and_no_others(client, world):
    own = make_deadline(case_in(world), due=NOW - HOUR)
    colleagues = make_deadline(case_in(world, lead=world.manager), due=NOW - HOUR)
    client.force_login(world.lead)

    assert reassign(client, own, world.manager).status_code == 302
    assert reassign(client, colleagues, world.lead).status_code == 404

    own.refresh_from_db()
    colleagues.refresh_from_db()
    assert own.assignee == world.manager
    assert colleagues.assignee is None


def test_a_deadline_the_user_may_not_see_is_not_found(client, world):
    deadline = make_deadline(case_in(world), due=NOW - HOUR)
    client.force_login(world.lead_south)

    assert reassign(client, deadline, world.lead_south).status_code == 404
    deadline.refresh_from_db()
    assert deadline.assignee is None


def test_reassigning_to_a_frontline_user_is_refused_with_an_error_message(client, world):
    case = case_in(world)
    deadline = make_deadline(case, due=NOW - HOUR)
    client.force_login(world.manager)

    response = reassign(client, deadline, world.frontline)

    assert response.status_code == 302
    followed = text(client.get(response.url))
    assert f"for {case.reference} not reassigned. Choose a safeguarding lead or a manager." in (
        followed
    )
    deadline.refresh_from_db()
    assert deadline.assignee is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).exists()


@pytest.mark.parametrize("who", ["inactive", "cannot_see"])
def test_reassigning_to_someone_who_could_not_act_on_it_is_refused(client, world, who):
    deadline = make_deadline(case_in(world), due=NOW - HOUR)
    assignee = {
        "inactive": UserFactory(role=Role.LEAD, teams=[world.north], is_active=False),
        "cannot_see": world.lead_south,
    }[who]
    client.force_login(world.manager)

    followed = text(client.get(reassign(client, deadline, assignee).url))

    assert "not reassigned" in followed
    deadline.refresh_from_db()
    assert deadline.assignee is None


# --- The CSV export ------------------------------------------------------------------------------


def test_the_csv_export_has_the_filtered_rows_references_and_no_person_names(client, world):
    north = case_in(world)
    south = case_in(world, team=world.south, lead=world.lead_south)
    make_deadline(north, due=NOW - 26 * HOUR - 30 * dt.timedelta(minutes=1))
    make_deadline(south, due=NOW - HOUR)
    client.force_login(world.manager)

    response = page(client, "overdue_export", team=world.north.pk)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0] == [
        "timer",
        "reference",
        "team",
        "assigned to",
        "due (UK time)",
        "overdue by (hours)",
        "status",
    ]
    assert rows[1:] == [
        [
            "Reasonable Grounds decision expected",
            north.reference,
            "North team",
            "Lee Lead",
            "2026-11-23 07:30",
            "26.5",
            "overdue",
        ]
    ]
    body = "\n".join(",".join(row) for row in rows)
    for case in (north, south):
        assert case.person.name not in body
        assert case.person.reference not in body
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == world.manager
    assert event.object_type == "deadline"
    assert event.detail == f"team={world.north.pk}"


# --- Query counts --------------------------------------------------------------------------------


def add_deadlines(world, log_concern, numbers: range):
    """A mix on the lead's list and the manager's view: cases led by different people, assigned
    or not, and concerns awaiting triage, so that every relation a row shows is exercised."""
    for i in numbers:
        due = NOW - i * HOUR
        match i % 4:
            case 0:
                make_deadline(case_in(world), due=due)
            case 1:
                other = UserFactory(role=Role.LEAD, teams=[world.north])
                make_deadline(case_in(world, lead=other), due=due, assignee=world.lead)
            case 2:
                log_concern(world.frontline, observed_at=due - 48 * HOUR)
            case 3:
                case = case_in(world, team=world.south, lead=world.lead_south)
                make_deadline(case, due=due, assignee=UserFactory(role=Role.MANAGER))


@pytest.mark.parametrize(("name", "user"), [("overdue", "manager"), ("deadlines", "lead")])
def test_the_query_count_does_not_grow_with_the_rows(
    client, world, log_concern, django_assert_max_num_queries, name, user
):
    add_deadlines(world, log_concern, range(1))
    client.force_login(getattr(world, user))
    page(client, name)  # warm up: the first request also loads the organisation settings
    with CaptureQueriesContext(connection) as one:
        response = page(client, name)
    assert response.content.decode().count('<tr class="govuk-table__row">') == 2

    add_deadlines(world, log_concern, range(1, 20))
    with django_assert_max_num_queries(len(one)):
        response = page(client, name)
    rows = response.content.decode().count('<tr class="govuk-table__row">') - 1
    assert rows == (20 if name == "overdue" else 15)


# --- The lists at scale (issue 22): what each list reads is the user's own rows -------------


def test_a_deadline_given_to_someone_who_may_not_see_its_case_stays_off_their_list(world):
    """The lead's list starts from their own rows (referrals.selectors._chased_ids), not from
    every visible deadline: a deadline handed to a lead of another team on a restricted case
    they are not named on reaches no list of theirs, while their own do."""
    secret = case_in(world, restricted=True)
    other_team = case_in(world, team=world.south, lead=world.lead_south)
    hidden = make_deadline(secret, due=NOW + HOUR, assignee=world.lead_south)
    own = make_deadline(other_team, due=NOW + HOUR)

    mine = list(selectors.my_deadlines(world.lead_south))

    assert mine == [own]
    assert hidden not in selectors.deadlines_visible_to(world.lead_south)


def test_every_list_row_is_one_the_user_may_see(world, log_concern):
    """For every role, each row of "my deadlines" is one deadlines_visible_to holds, and every
    visible deadline they chase is on it: the fast parts say what the rule says."""
    case_in(world)  # led by Lee, unassigned below
    make_deadline(case_in(world), due=NOW + HOUR)
    make_deadline(case_in(world, lead=world.manager), due=NOW + HOUR, assignee=world.lead)
    make_deadline(
        case_in(world, restricted=True, lead=world.manager), due=NOW + HOUR, assignee=world.lead
    )
    make_deadline(case_in(world, team=world.south, lead=world.lead_south), due=NOW - HOUR)
    log_concern(world.frontline)  # its referral clock waits for triage, without a case
    for user in (world.lead, world.lead_south, world.manager, world.frontline, world.admin):
        listed = set(selectors.my_deadlines(user))
        visible = set(selectors.deadlines_visible_to(user))
        chased = {
            d
            for d in visible
            if d.assignee_id == user.pk
            or (d.assignee_id is None and d.case_id and d.case.lead_id == user.pk)
            or (
                user.role == Role.LEAD
                and d.assignee_id is None
                and d.case_id is None
                and d.concern_id
                and user.teams.filter(pk=d.concern.team_id).exists()
            )
        }
        assert listed == chased, user.full_name


def test_the_open_due_time_is_kept_by_the_database(world):
    """open_due_at is the due time while a deadline is open, and nothing once it is met or
    cancelled, however the row is changed: the overdue lists read it."""
    deadline = make_deadline(case_in(world), due=NOW + HOUR)
    deadline.refresh_from_db()
    assert deadline.open_due_at == NOW + HOUR

    type(deadline).objects.filter(pk=deadline.pk).update(due_at=NOW + 2 * HOUR)
    deadline.refresh_from_db()
    assert deadline.open_due_at == NOW + 2 * HOUR

    type(deadline).objects.filter(pk=deadline.pk).update(satisfied_at=NOW)
    deadline.refresh_from_db()
    assert deadline.open_due_at is None


def test_a_page_of_the_overdue_view_holds_the_rows_after_the_page_before(client, world):
    """The overdue view counts every row and fetches only the page's (ids first, then those
    rows with what they show): the second page holds the rows after the first, in order."""
    from referrals.views.deadlines import ROWS_PER_PAGE

    cases = [case_in(world) for _ in range(ROWS_PER_PAGE + 2)]
    for n, case in enumerate(cases):  # the first the most overdue
        make_deadline(case, due=NOW - (len(cases) - n) * HOUR)
    client.force_login(world.manager)

    first, second = text(page(client, "overdue")), text(page(client, "overdue", page=2))

    assert f"{len(cases)} deadlines" in first
    assert in_order(first, *(case.reference for case in cases[:ROWS_PER_PAGE]))
    assert in_order(second, *(case.reference for case in cases[ROWS_PER_PAGE:]))
    for case in cases[ROWS_PER_PAGE:]:
        assert case.reference not in first
    for case in cases[:ROWS_PER_PAGE]:
        assert case.reference not in second


def test_your_deadlines_come_a_page_at_a_time_most_urgent_first(client, world):
    from referrals.views.deadlines import ROWS_PER_PAGE

    cases = [case_in(world) for _ in range(ROWS_PER_PAGE + 1)]
    for n, case in enumerate(cases):  # the first the most overdue
        make_deadline(case, due=NOW - (len(cases) - n) * HOUR)
    client.force_login(world.lead)

    first, second = text(page(client, "deadlines")), text(page(client, "deadlines", page=2))

    assert f"{len(cases)} open deadlines: 1 to {ROWS_PER_PAGE} shown" in first
    assert in_order(first, *(case.reference for case in cases[:ROWS_PER_PAGE]))
    assert cases[-1].reference in second and cases[-1].reference not in first
    assert cases[0].reference not in second
