"""A support task's target date, reminded by the deadline engine (issue 19, item 3).

The task is saved through the plan's service (cases.services.support_plan_save), as the page
does; referrals keeps its deadline in step; the sweep and the sends are the same as for every
other deadline (tests/referrals/test_reminder_tasks.py runs them the same way here).
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import closing
from cases import services as case_services
from cases.models import CaseStatus, Person, SupportDomain, SupportNeed
from contacts.models import Organisation
from referrals import services as referral_services
from referrals.deadlines import UK, Timer
from referrals.models import Deadline, Reminder
from safeguard.choices import Nation
from safeguard.models import OrganisationSettings, Role
from tests.auth import request_as, sign_in
from tests.factories import UserFactory
from tests.referrals import test_reminder_tasks as engine

# The engine's own fixtures: the sweep at a moment, then the sends it queued.
queued, sweep_at, shown = engine.queued, engine.sweep_at, engine.shown

NAME = "Ana Example"
MICRO = dt.timedelta(microseconds=1)
# Set on Monday 24 August 2026; due Tuesday 1 September, the day after the August bank
# holiday (Monday 31 August in England and Wales), with a weekend before it.
SET_ON = dt.datetime(2026, 8, 24, 10, tzinfo=UK)
TARGET = dt.date(2026, 9, 1)


def uk(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UK)


@pytest.fixture
def organisation(db):
    org = OrganisationSettings.load()
    org.nation = Nation.ENGLAND_AND_WALES
    org.reminder_before_working_days = 1
    org.save()
    return org


@pytest.fixture
def case(world, organisation):
    person = Person.objects.create(reference="PN-2026-900101", name=NAME, created_by=world.lead)
    with time_machine.travel(SET_ON, tick=False):
        return case_services.case_open(
            request=request_as(world.lead), person=person, team=world.north, lead=world.lead,
            concerns=[],
        )  # fmt: skip


def save(user, case, task: SupportNeed, *, at=SET_ON, **changes) -> SupportNeed:
    """Save the task as the plan page would, at `at`."""
    seen = task.version if task.pk else None
    for field, value in changes.items():
        setattr(task, field, value)
    with time_machine.travel(at, tick=False):
        case_services.support_plan_save(
            request=request_as(user),
            case=case,
            rows=[
                case_services.PlanRow(
                    need=task, seen_version=seen, changed_fields=tuple(changes) or ("note",)
                )
            ],
        )
    return task


def new_task(world, case, **fields) -> SupportNeed:
    fields = {"owner_user": world.lead, "target_date": TARGET, "status": "in_progress", **fields}
    need = SupportNeed(case=case, domain=SupportDomain.LEGAL, need="Immigration advice")
    return save(world.lead, case, need, **fields)


def deadline_of(need) -> Deadline:
    """The task's deadline: its open one, else the last it had."""
    rows = Deadline.objects.filter(support_need=need, timer=Timer.SUPPORT_TASK)
    return rows.open().first() or rows.order_by("-pk").first()


def plan(sweep_at, deadline, until):
    """Sweep a moment before each planned reminder (nothing is written) and at it; the
    reminders' stages and planned times, in order."""
    seen = []
    while True:
        deadline.refresh_from_db()
        at = deadline.next_reminder_at
        if at is None or at > until:
            return seen
        assert sweep_at(at - MICRO).written == 0, shown(at)
        stage, sequence = deadline.next_stage, deadline.next_sequence
        assert sweep_at(at).written >= 1
        seen.append((stage, sequence, shown(at)))


def test_a_target_date_is_a_deadline_at_the_end_of_that_day_for_its_owner(world, case):
    need = new_task(world, case)

    deadline = deadline_of(need)
    assert deadline.case == case and deadline.assignee == world.lead
    assert timezone.localtime(deadline.due_at) == uk(2026, 9, 1, 23, 59, 59, 999999)
    assert deadline.is_open and deadline.extended_from is None


def test_reminded_before_on_and_after_the_day_across_the_weekend_and_the_bank_holiday(
    world,
    case,
    sweep_at,
    mailoutbox,
):
    need = new_task(world, case)

    reminders = plan(sweep_at, deadline_of(need), until=uk(2026, 9, 8, 12))

    assert reminders == [
        # The working day before: Friday, over the weekend and bank holiday Monday.
        ("before", 0, "Fri 28 Aug 2026 23:59 BST"),
        ("due", 0, "Tue 01 Sep 2026 23:59 BST"),
        ("overdue", 1, "Wed 02 Sep 2026 09:00 BST"),
        ("overdue", 2, "Thu 03 Sep 2026 09:00 BST"),
        ("overdue", 3, "Fri 04 Sep 2026 09:00 BST"),
        # Nothing at the weekend.
        ("overdue", 4, "Mon 07 Sep 2026 09:00 BST"),
        ("overdue", 5, "Tue 08 Sep 2026 09:00 BST"),
    ]
    to_lead = Reminder.objects.filter(recipient=world.lead, is_copy=False)
    assert to_lead.count() == 7
    assert Reminder.objects.filter(recipient=world.manager, is_copy=True).count() == 5


def test_the_reminder_says_the_case_reference_and_nothing_of_the_task_or_the_person(
    world,
    case,
    sweep_at,
    mailoutbox,
):
    need = new_task(world, case, need="Solicitor for her asylum claim", action="Ring Mrs Khan")

    sweep_at(uk(2026, 8, 28, 23, 59, 59, 999999))

    (message,) = mailoutbox
    for text in (message.subject, message.body, message.alternatives[0].content):
        assert case.reference in text
        assert "Support task target date" in text
        for secret in (NAME, need.need, need.action, case.person.reference):
            assert secret not in text


def test_an_outside_agencys_task_is_chased_by_the_case_lead(world, case):
    agency = Organisation.objects.create(name="Riverside Law Centre")

    need = new_task(world, case, owner_user=None, owner_organisation=agency)

    assert deadline_of(need).assignee == world.lead


def test_a_new_owner_in_the_team_is_reminded_instead(world, case):
    colleague = UserFactory(full_name="Col League", role=Role.LEAD, teams=[world.north])
    need = new_task(world, case)

    save(world.lead, case, need, owner_user=colleague)

    assert deadline_of(need).assignee == colleague


def test_a_deadline_given_to_someone_else_stays_theirs_when_the_plan_is_saved(world, case):
    chaser = UserFactory(full_name="Che Chaser", role=Role.LEAD, teams=[world.north])
    need = new_task(world, case)

    referral_services.deadline_reassign(
        request=request_as(world.manager), deadline=deadline_of(need), assignee=chaser
    )
    save(world.lead, case, need, status="not_started", target_date=TARGET + dt.timedelta(1))

    assert deadline_of(need).assignee == chaser  # a change of status or date keeps it theirs
    save(world.lead, case, need, owner_user=None, owner_organisation=None)
    assert deadline_of(need).assignee == world.lead  # a change of owner gives it to the owner


def test_a_task_done_before_its_day_is_never_reminded(world, case, sweep_at, mailoutbox):
    need = new_task(world, case)
    save(world.lead, case, need, at=uk(2026, 8, 27, 15), status="done")

    moment = uk(2026, 8, 27, 16).astimezone(dt.UTC)
    while moment <= uk(2026, 9, 8, 12):
        sweep_at(moment)
        moment += dt.timedelta(hours=6)

    deadline = deadline_of(need)
    assert deadline.satisfied_at is not None and deadline.satisfied_by == "support task done"
    assert not Reminder.objects.exists() and mailoutbox == []


def test_a_task_done_while_overdue_is_chased_no_more(world, case, sweep_at):
    need = new_task(world, case)
    plan(sweep_at, deadline_of(need), until=uk(2026, 9, 2, 9))
    sent = Reminder.objects.count()

    save(world.lead, case, need, at=uk(2026, 9, 2, 11), status="done")
    sweep_at(uk(2026, 9, 3, 9))
    sweep_at(uk(2026, 9, 4, 9))

    assert Reminder.objects.count() == sent


@pytest.mark.parametrize(
    "change",
    [
        {"status": "blocked", "blocked_reason": "Waiting for her passport from the embassy"},
        {"target_date": None},
    ],
    ids=["blocked", "no-date-any-more"],
)
def test_a_blocked_or_undated_task_is_not_reminded(world, case, sweep_at, change):
    need = new_task(world, case)

    save(world.lead, case, need, **change)
    sweep_at(uk(2026, 9, 2, 9))

    deadline = deadline_of(need)
    assert deadline.cancelled_at is not None and deadline.satisfied_at is None
    assert not Reminder.objects.exists()


def test_a_removed_task_stops_its_deadline_and_keeps_it(world, case, sweep_at):
    need = new_task(world, case)
    deadline = deadline_of(need)

    with time_machine.travel(SET_ON, tick=False):
        case_services.support_plan_save(
            request=request_as(world.lead),
            case=case,
            rows=[case_services.PlanRow(need=need, seen_version=need.version, remove=True)],
        )
    sweep_at(uk(2026, 9, 2, 9))

    deadline.refresh_from_db()
    assert deadline.cancelled_at is not None and deadline.support_need is None
    assert deadline.case == case
    assert not Reminder.objects.exists()


def test_an_unblocked_task_is_reminded_again(world, case):
    need = new_task(world, case)
    save(world.lead, case, need, status="blocked", blocked_reason="Waiting for papers")

    save(world.lead, case, need, status="in_progress")

    rows = Deadline.objects.filter(support_need=need)
    assert rows.count() == 2
    assert rows.open().get().due_at == rows.exclude(cancelled_at=None).get().due_at


@pytest.mark.parametrize(
    ("new_day", "before"),
    [
        (dt.date(2026, 9, 8), "Mon 07 Sep 2026 23:59 BST"),  # later
        (dt.date(2026, 8, 26), "Tue 25 Aug 2026 23:59 BST"),  # earlier: not an extension
    ],
    ids=["later", "earlier"],
)
def test_a_new_target_date_moves_the_deadline_and_its_reminders(
    world,
    case,
    sweep_at,
    new_day,
    before,
):
    need = new_task(world, case)
    deadline = deadline_of(need)
    first = deadline.pk

    save(world.lead, case, need, target_date=new_day)

    deadline = deadline_of(need)
    assert deadline.pk == first
    assert timezone.localtime(deadline.due_at).date() == new_day
    assert deadline.extended_from is None
    assert (deadline.next_stage, shown(deadline.next_reminder_at)) == ("before", before)


def test_moving_the_date_after_reminders_gives_the_new_ones_keys_of_their_own(
    world,
    case,
    sweep_at,
):
    need = new_task(world, case)
    plan(sweep_at, deadline_of(need), until=uk(2026, 9, 2, 9))

    save(world.lead, case, need, at=uk(2026, 9, 2, 10), target_date=dt.date(2026, 9, 10))
    plan(sweep_at, deadline_of(need), until=uk(2026, 9, 11, 9))

    sent = Reminder.objects.filter(recipient=world.lead).order_by("pk")
    assert list(sent.values_list("stage", "sequence")) == [
        ("before", 0),
        ("due", 0),
        ("overdue", 1),
        ("before", 2),
        ("due", 2),
        ("overdue", 3),
    ]


def test_a_closed_case_s_tasks_are_reminded_no_more(world, case, sweep_at, mailoutbox):
    need = new_task(world, case)

    with time_machine.travel(uk(2026, 8, 25, 12), tick=False):
        # Closed with the task still open: its check overridden, as a lead may.
        checks = closing.closing_checks(case, closing.case_facts(case), closing.Confirmed())
        case_services.case_close(
            request=request_as(world.lead),
            case=case,
            reason="Moved to another area",
            confirmed=closing.Confirmed(),
            overrides={check.code: "They moved away" for check in closing.unmet(checks)},
        )
    moment = uk(2026, 8, 25, 13).astimezone(dt.UTC)
    while moment <= uk(2026, 9, 8, 12):
        sweep_at(moment)
        moment += dt.timedelta(hours=6)

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert deadline_of(need).cancelled_at is not None
    assert not Reminder.objects.exists() and mailoutbox == []


def test_a_task_without_a_date_has_no_deadline(world, case):
    need = new_task(world, case, target_date=None)

    assert not Deadline.objects.filter(support_need=need).exists()


def test_the_help_page_lists_the_support_task_timer(client, world, organisation):
    sign_in(client, world.frontline)
    html = client.get(reverse("referrals:deadline_rules")).text

    assert 'id="support_task"' in html
    assert "Support task target date" in html
    assert "A day chosen when it starts" in html
