"""The reminder engine's task bodies (referrals/tasks.py), run here in the test process.

No broker and no eager mode: `send_reminder.delay` is replaced by a recorder, and each id the
sweep queued is then sent by calling the task body, as a worker would. time_machine moves
the clock; a sweep every hour through weekends, bank holidays and the October clock change
shows exactly which instants the reminders fall on. The same engine with real workers on
real Redis, killed and starved: tests/reliability.
"""

import contextlib
import datetime as dt
import smtplib
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.exceptions import Retry
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from cases import services as case_services
from cases.models import Concern, Person, Setting
from referrals import services, tasks
from referrals.deadlines import Timer
from referrals.models import Deadline, DigestSent, Reminder
from safeguard import health
from safeguard.celery import app
from safeguard.choices import Nation
from safeguard.models import Heartbeat, Notification, OrganisationSettings, Role
from tests.auth import request_as
from tests.factories import UserFactory
from tests.referrals.failing_mail import WorkerDied

UK = ZoneInfo("Europe/London")
# A ten-day referral clock: long enough for a "before" reminder, and due at any time of day.
REFER_HOURS = 240
NAME = "Ana Example"
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
REFUSING = {"default": {"BACKEND": "tests.referrals.failing_mail.EmailBackend"}}
DYING = {"default": {"BACKEND": "tests.referrals.failing_mail.DyingEmailBackend"}}
REFUSED = "SMTPException: 421 Service not available, try again later"


def uk(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UK)


def shown(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%a %d %b %Y %H:%M %Z}"


@pytest.fixture
def organisation(db):
    org = OrganisationSettings.load()
    org.nation = Nation.ENGLAND_AND_WALES
    org.refer_hours = REFER_HOURS
    org.save()
    return org


@pytest.fixture
def case(world, organisation):
    """A case in the north team, led by world.lead; world.manager manages the team."""
    person = Person.objects.create(reference="PN-2026-900001", name=NAME, created_by=world.lead)
    return case_services.case_open(
        request=request_as(world.lead),
        person=person,
        team=world.north,
        lead=world.lead,
        concerns=[],
    )


def clock_due_at(due: dt.datetime, **where) -> Deadline:
    """A referral clock falling due at `due`, started (and scheduled) REFER_HOURS before."""
    # In UTC: arithmetic on a Europe/London datetime is wall-clock time, an hour out across
    # a clock change.
    start = due.astimezone(dt.UTC) - dt.timedelta(hours=REFER_HOURS)
    with time_machine.travel(start, tick=False):
        deadline = services.deadline_start(timer=Timer.REFER, start=start, **where)
    deadline.refresh_from_db()
    return deadline


@pytest.fixture
def queued(monkeypatch):
    """The ids the sweep handed to `send_reminder.delay`, in order."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.send_reminder, "delay", ids.append)
    return ids


@pytest.fixture
def sweep_at(queued, django_capture_on_commit_callbacks):
    """Run the sweep at `moment` (its sends are queued after commit), then, unless told not
    to, send what it queued, at the same moment, as a worker would."""

    def run(moment: dt.datetime, *, send: bool = True) -> SimpleNamespace:
        with time_machine.travel(moment, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                written = tasks.sweep()
            ids = list(queued)
            if send:
                queued.clear()
                for pk in ids:
                    tasks.send_reminder.run(pk)
        return SimpleNamespace(written=written, queued=ids)

    return run


@contextlib.contextmanager
def worker_request(reminder_id: int, retries: int):
    """The request a worker hands the task on its `retries`-th retry. Marked eager so that
    `self.retry` raises Retry here instead of publishing the retry to a broker."""
    tasks.send_reminder.push_request(
        called_directly=False,
        is_eager=True,
        retries=retries,
        id=f"test-retry-{retries}",
        args=[reminder_id],
        kwargs={},
    )
    try:
        yield
    finally:
        tasks.send_reminder.pop_request()


# --- When reminders fall -------------------------------------------------------------------------


def schedule(before: dt.datetime, due: dt.datetime, *overdue: dt.datetime):
    """The reminders a deadline should get: before, due, then overdue 1, 2, ..."""
    return [
        ("before", 0, before),
        ("due", 0, due),
        *(("overdue", n, at) for n, at in enumerate(overdue, start=1)),
    ]


NOV = [uk(2026, 11, d, 9) for d in (24, 25, 26, 27, 30)] + [uk(2026, 12, d, 9) for d in (1, 2)]
SCENARIOS = [
    pytest.param(
        Nation.ENGLAND_AND_WALES,
        uk(2026, 11, 23, 10),
        uk(2026, 11, 19, 0),
        uk(2026, 12, 2, 12),
        schedule(uk(2026, 11, 20, 10), uk(2026, 11, 23, 10), *NOV),
        id="due-monday-england-friday-before-none-at-the-weekend",
    ),
    pytest.param(
        Nation.SCOTLAND,
        uk(2026, 11, 23, 10),
        uk(2026, 11, 19, 0),
        uk(2026, 12, 2, 12),
        schedule(uk(2026, 11, 20, 10), uk(2026, 11, 23, 10), *(at for at in NOV if at.day != 30)),
        id="scotland-skips-st-andrews-day-monday-30-november",
    ),
    pytest.param(
        Nation.ENGLAND_AND_WALES,
        uk(2026, 12, 23, 10),
        uk(2026, 12, 21, 0),
        uk(2026, 12, 30, 12),
        schedule(
            uk(2026, 12, 22, 10),
            uk(2026, 12, 23, 10),
            uk(2026, 12, 24, 9),
            uk(2026, 12, 29, 9),
            uk(2026, 12, 30, 9),
        ),
        id="christmas-day-and-the-boxing-day-substitute-monday-are-skipped",
    ),
    pytest.param(
        Nation.ENGLAND_AND_WALES,
        uk(2027, 5, 4, 10),
        uk(2027, 4, 28, 0),
        uk(2027, 5, 6, 12),
        schedule(uk(2027, 4, 30, 10), uk(2027, 5, 4, 10), uk(2027, 5, 5, 9), uk(2027, 5, 6, 9)),
        id="due-the-day-after-the-may-bank-holiday-before-is-the-friday",
    ),
    pytest.param(
        Nation.ENGLAND_AND_WALES,
        uk(2026, 10, 22, 12),
        uk(2026, 10, 20, 0),
        uk(2026, 10, 27, 12),
        schedule(
            uk(2026, 10, 21, 12),
            uk(2026, 10, 22, 12),
            uk(2026, 10, 23, 9),
            uk(2026, 10, 26, 9),
            uk(2026, 10, 27, 9),
        ),
        id="across-the-october-clock-change-still-0900-local",
    ),
    pytest.param(
        Nation.ENGLAND_AND_WALES,
        uk(2026, 10, 26, 10),
        uk(2026, 10, 22, 0),
        uk(2026, 10, 27, 12),
        schedule(uk(2026, 10, 23, 10), uk(2026, 10, 26, 10), uk(2026, 10, 27, 9)),
        id="due-monday-after-the-clock-change-before-is-1000-bst-friday",
    ),
]


@pytest.mark.parametrize(("nation", "due", "since", "until", "expected"), SCENARIOS)
def test_reminders_fall_on_working_days_at_the_right_local_times(
    world, case, organisation, sweep_at, mailoutbox, nation, due, since, until, expected
):
    organisation.nation = nation
    organisation.save()
    deadline = clock_due_at(due, case=case)

    # A sweep on every hour, weekends and bank holidays included: a reminder written at any
    # other instant, or on a day it should not be, shows up in the list below.
    moment = since.astimezone(dt.UTC)
    while moment <= until:
        sweep_at(moment)
        moment += dt.timedelta(hours=1)

    reminders = Reminder.objects.filter(deadline=deadline).order_by("created_at", "is_copy")
    written = [
        (r.stage, r.sequence, shown(r.created_at), r.recipient, r.is_copy) for r in reminders
    ]
    # The lead each time; the team's manager copied in from the first overdue one.
    wanted = []
    for stage, sequence, at in expected:
        wanted.append((stage, sequence, shown(at), world.lead, False))
        if stage == "overdue":
            wanted.append((stage, sequence, shown(at), world.manager, True))
    assert written == wanted
    assert {r.status for r in reminders} == {Reminder.Status.SENT}
    assert sorted(m.extra_headers["Message-ID"] for m in mailoutbox) == sorted(
        f"<reminder-{r.pk}@safeguard>" for r in reminders
    )
    copies = [m for m in mailoutbox if m.to == [world.manager.email]]
    assert copies and all("You are copied in as the manager" in m.body for m in copies)
    assert Notification.objects.count() == len(wanted)


def test_across_the_october_clock_change_the_0900_reminder_moves_from_0800_to_0900_utc(
    case, sweep_at
):
    deadline = clock_due_at(uk(2026, 10, 22, 12), case=case)  # Thursday, BST

    sweep_at(uk(2026, 10, 21, 12))  # before
    sweep_at(uk(2026, 10, 22, 12))  # due
    deadline.refresh_from_db()
    assert deadline.next_reminder_at == dt.datetime(2026, 10, 23, 8, tzinfo=dt.UTC)  # 09:00 BST

    sweep_at(deadline.next_reminder_at)  # Friday's overdue reminder; clocks go back on Sunday
    deadline.refresh_from_db()
    assert deadline.next_reminder_at == dt.datetime(2026, 10, 26, 9, tzinfo=dt.UTC)  # 09:00 GMT


@pytest.mark.parametrize(
    ("due", "before"),
    [
        pytest.param(uk(2026, 11, 23, 10), uk(2026, 11, 20, 10), id="due-monday-friday-before"),
        pytest.param(uk(2027, 5, 4, 10), uk(2027, 4, 30, 10), id="after-bank-holiday-friday"),
        pytest.param(
            uk(2026, 12, 29, 10), uk(2026, 12, 24, 10), id="after-christmas-christmas-eve"
        ),
        pytest.param(uk(2026, 10, 26, 10), uk(2026, 10, 23, 10), id="across-the-clock-change"),
    ],
)
def test_a_new_deadlines_first_reminder_is_one_working_day_before_at_the_same_local_time(
    case, due, before
):
    deadline = clock_due_at(due, case=case)

    assert (deadline.next_stage, deadline.next_sequence) == ("before", 0)
    assert shown(deadline.next_reminder_at) == shown(before)


def test_the_before_reminder_follows_the_organisations_setting(case, organisation):
    organisation.reminder_before_working_days = 2
    organisation.save()

    deadline = clock_due_at(uk(2026, 11, 23, 10), case=case)  # Monday

    assert shown(deadline.next_reminder_at) == shown(uk(2026, 11, 19, 10))  # Thursday


def test_a_sweep_a_moment_before_a_reminder_is_due_writes_nothing(case, sweep_at, mailoutbox):
    deadline = clock_due_at(uk(2026, 11, 23, 10), case=case)
    at = deadline.next_reminder_at

    assert sweep_at(at - dt.timedelta(microseconds=1)).written == 0
    assert sweep_at(at).written == 1
    assert len(mailoutbox) == 1


def test_each_sweep_moves_its_heartbeat_on_for_health_to_read(case, sweep_at):
    first, second = uk(2026, 11, 23, 10), uk(2026, 11, 23, 10, 1)

    sweep_at(first)
    assert Heartbeat.objects.get(name=health.SWEEP).at == first
    sweep_at(second)

    # One row, moved on: an upsert, not a row per minute.
    assert list(Heartbeat.objects.values_list("name", "at")) == [(health.SWEEP, second)]


# --- Satisfied deadlines -------------------------------------------------------------------------


def test_a_deadline_satisfied_before_its_reminders_is_never_reminded(case, sweep_at, mailoutbox):
    deadline = clock_due_at(uk(2026, 11, 23, 10), case=case)
    with time_machine.travel(uk(2026, 11, 19, 12), tick=False):
        services.deadlines_satisfy(
            Deadline.objects.filter(pk=deadline.pk), "NRM referral submitted"
        )

    for day in (20, 23, 24, 25):
        sweep_at(uk(2026, 11, day, 10))

    assert not Reminder.objects.exists()
    assert mailoutbox == []


def test_a_deadline_met_between_the_sweeps_claim_and_the_send_gets_no_reminder(
    case, sweep_at, queued, mailoutbox
):
    clock = clock_due_at(uk(2026, 11, 23, 10), case=case)
    sweep_at(uk(2026, 11, 20, 10), send=False)
    [pk] = queued

    with time_machine.travel(uk(2026, 11, 20, 10, 0, 5), tick=False):
        services.deadlines_satisfy(Deadline.objects.filter(pk=clock.pk), "NRM referral submitted")
        assert tasks.send_reminder.run(pk) == "deadline met"

    assert Reminder.objects.get(pk=pk).status == Reminder.Status.SKIPPED
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_a_not_before_marker_is_never_chased(case, sweep_at, mailoutbox):
    start = uk(2026, 11, 2, 0)
    with time_machine.travel(start, tick=False):
        marker = services.deadline_start(timer=Timer.CG_NOT_BEFORE, start=start, case=case)

    for moment in (marker.due_at, marker.due_at + dt.timedelta(days=3), uk(2027, 1, 4, 9)):
        sweep_at(moment)

    assert marker.is_earliest
    assert not Reminder.objects.exists()
    assert mailoutbox == []


# --- Once each ----------------------------------------------------------------------------------


def test_a_sweep_run_twice_at_the_same_instant_writes_each_reminder_once(
    case, sweep_at, mailoutbox
):
    deadline = clock_due_at(uk(2026, 11, 23, 10), case=case)
    first_overdue = uk(2026, 11, 24, 9)
    for moment in (uk(2026, 11, 20, 10), uk(2026, 11, 23, 10)):
        sweep_at(moment)

    assert sweep_at(first_overdue).written == 2  # the lead, and the manager copied in
    assert sweep_at(first_overdue).written == 0

    keys = list(Reminder.objects.values_list("deadline", "stage", "sequence", "recipient"))
    assert len(keys) == len(set(keys)) == 4
    assert Reminder.objects.filter(deadline=deadline, stage="overdue").count() == 2
    assert len(mailoutbox) == 4


def test_a_sweep_that_finds_its_reminder_already_written_neither_writes_nor_queues_it_again(
    case, sweep_at, queued
):
    deadline = clock_due_at(uk(2026, 11, 23, 10), case=case)
    as_first_read = {
        f: getattr(deadline, f) for f in ("next_stage", "next_sequence", "next_reminder_at")
    }
    assert sweep_at(deadline.next_reminder_at, send=False).queued != []
    queued.clear()

    # The lost race: a second sweep that read the deadline before the first moved it on. The
    # unique key (deadline, stage, sequence, recipient) is what stops it.
    Deadline.objects.filter(pk=deadline.pk).update(**as_first_read)
    again = sweep_at(as_first_read["next_reminder_at"], send=False)

    assert (again.written, again.queued) == (0, [])
    assert Reminder.objects.filter(deadline=deadline).count() == 1


def test_a_second_delivery_of_a_reminder_sends_nothing(case, sweep_at, queued, mailoutbox):
    clock_due_at(uk(2026, 11, 23, 10), case=case)
    sweep_at(uk(2026, 11, 20, 10), send=False)
    [pk] = queued

    with time_machine.travel(uk(2026, 11, 20, 10, 0, 1), tick=False):
        assert tasks.send_reminder.run(pk) == "sent"
        assert tasks.send_reminder.run(pk) == "not pending"  # a redelivery, or another worker

    reminder = Reminder.objects.get(pk=pk)
    assert (reminder.status, reminder.attempts) == (Reminder.Status.SENT, 1)
    assert len(mailoutbox) == 1
    assert Notification.objects.count() == 1


# --- What a reminder says ------------------------------------------------------------------------


def test_reminder_emails_carry_the_reference_timer_and_due_time_never_the_person_or_concern(
    world, case, log_concern, sweep_at, mailoutbox
):
    with time_machine.travel(uk(2026, 11, 16, 10), tick=False):
        concern = log_concern(world.frontline, name=NAME, date_of_birth=dt.date(1990, 1, 1))
    clock_due_at(uk(2026, 11, 23, 10), case=case)

    for _ in range(3):  # one stage a sweep: before, due, the first overdue
        sweep_at(uk(2026, 12, 2, 12))

    reminders = list(Reminder.objects.select_related("deadline"))
    assert {r.deadline.concern_id is not None for r in reminders} == {True, False}
    assert {r.stage for r in reminders} == {"before", "due", "overdue"}
    messages = {m.extra_headers["Message-ID"]: m for m in mailoutbox}
    assert len(messages) == len(mailoutbox) == len(reminders)
    for reminder in reminders:
        message = messages[f"<reminder-{reminder.pk}@safeguard>"]
        on_case = reminder.deadline.case_id is not None
        reference = case.reference if on_case else concern.reference
        link = reverse("cases:case_detail" if on_case else "cases:concern_detail", args=[reference])
        due = timezone.localtime(reminder.deadline.due_at)
        html = message.alternatives[0].content
        for text in (message.subject, message.body, html):
            assert reference in text
            assert "Referral due" in text
            for secret in (
                NAME,
                concern.observer_account,
                concern.location,
                concern.person.reference,
            ):
                assert secret not in text
        for text in (message.body, html):
            assert f"{due:%A} {due.day} {due:%B %Y, %H:%M}" in text
            assert link in text
        assert message.to == [reminder.recipient.email]


def test_sending_a_reminder_puts_it_in_the_recipients_notifications(
    world, case, sweep_at, mailoutbox
):
    clock_due_at(uk(2026, 11, 23, 10), case=case)

    sweep_at(uk(2026, 11, 20, 10))

    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.SENT, 1)
    assert reminder.sent_at == uk(2026, 11, 20, 10)
    [note] = Notification.objects.all()
    assert (note.user, note.read_at) == (world.lead, None)
    assert note.title == mailoutbox[0].subject
    assert note.url == reverse("cases:case_detail", args=[case.reference])


# --- The mail server refusing ---------------------------------------------------------------


@pytest.mark.parametrize("retries", range(tasks.MAX_RETRIES))
def test_a_refused_email_asks_for_a_retry_with_backoff_and_leaves_the_reminder_pending(
    case, sweep_at, queued, settings, retries
):
    clock_due_at(uk(2026, 11, 23, 10), case=case)
    sweep_at(uk(2026, 11, 20, 10), send=False)
    [pk] = queued
    settings.MAILERS = REFUSING

    with worker_request(pk, retries), pytest.raises(Retry) as retry:
        tasks.send_reminder.run(pk)

    assert retry.value.when == 30 * 2**retries
    # Far inside the time after which Redis hands an unacknowledged task to another worker.
    assert retry.value.when < app.conf.broker_transport_options.get("visibility_timeout", 3600)
    reminder = Reminder.objects.get(pk=pk)
    assert (reminder.status, reminder.last_error) == (Reminder.Status.PENDING, REFUSED)


def test_on_its_last_retry_a_refused_reminder_fails_and_no_later_sweep_sends_it(
    case, sweep_at, queued, settings, mailoutbox
):
    clock_due_at(uk(2026, 11, 23, 10), case=case)
    sweep_at(uk(2026, 11, 20, 10), send=False)
    [pk] = queued
    queued.clear()
    settings.MAILERS = REFUSING

    with time_machine.travel(uk(2026, 11, 20, 10, 8), tick=False):
        result = tasks.send_reminder.apply(args=[pk], retries=tasks.MAX_RETRIES)

    assert result.get() == "failed"
    reminder = Reminder.objects.get(pk=pk)
    assert (reminder.status, reminder.last_error) == (Reminder.Status.FAILED, REFUSED)

    settings.MAILERS = LOCMEM  # the mail server is back
    later = sweep_at(uk(2026, 11, 20, 12))  # well past UNQUEUED_AFTER and ABANDONED_AFTER
    assert pk not in later.queued
    with time_machine.travel(uk(2026, 11, 20, 12), tick=False):
        assert tasks.send_reminder.run(pk) == "not pending"  # even if redelivered
    assert Reminder.objects.get(pk=pk).status == Reminder.Status.FAILED
    assert mailoutbox == []


def test_a_mail_server_that_keeps_refusing_gets_every_retry_then_the_reminder_fails(
    case, sweep_at, queued, settings
):
    clock_due_at(uk(2026, 11, 23, 10), case=case)
    sweep_at(uk(2026, 11, 20, 10), send=False)
    [pk] = queued
    settings.MAILERS = REFUSING

    # apply() runs the task and each retry it asks for here, one after another.
    with time_machine.travel(uk(2026, 11, 20, 10, 1), tick=False):
        result = tasks.send_reminder.apply(args=[pk])

    assert result.get() == "failed"
    reminder = Reminder.objects.get(pk=pk)
    assert (reminder.status, reminder.attempts) == (Reminder.Status.FAILED, tasks.MAX_RETRIES + 1)
    assert reminder.last_error == REFUSED


def test_one_refused_reminder_does_not_hold_up_the_others(
    world, case, sweep_at, queued, settings, mailoutbox
):
    clock_due_at(uk(2026, 11, 23, 10), case=case)
    sweep_at(uk(2026, 11, 20, 10))
    sweep_at(uk(2026, 11, 23, 10))
    sweep_at(uk(2026, 11, 24, 9), send=False)  # the lead's overdue reminder, and the copy
    assert len(queued) == 2
    settings.MAILERS = {
        "default": {**REFUSING["default"], "OPTIONS": {"refuse": [world.manager.email]}}
    }
    outcomes = {}
    for pk in queued:
        with worker_request(pk, 0):
            try:
                outcomes[Reminder.objects.get(pk=pk).recipient] = tasks.send_reminder.run(pk)
            except Retry:
                outcomes[Reminder.objects.get(pk=pk).recipient] = "retry"

    assert outcomes == {world.lead: "sent", world.manager: "retry"}
    assert [m.to for m in mailoutbox if "overdue" in m.subject] == [[world.lead.email]]


def test_a_reminder_waiting_for_its_retry_is_left_to_that_retry_by_the_sweep(
    case, sweep_at, queued, settings
):
    clock_due_at(uk(2026, 11, 23, 10), case=case)
    at = uk(2026, 11, 20, 10)
    sweep_at(at, send=False)
    [pk] = queued
    queued.clear()
    settings.MAILERS = REFUSING
    # Three refused attempts, when a worker makes them: 0 s, then 30 s and 60 s later.
    when = at
    for retries in range(3):
        with (
            time_machine.travel(when, tick=False),
            worker_request(pk, retries),
            pytest.raises(Retry) as retry,
        ):
            tasks.send_reminder.run(pk)
        when += dt.timedelta(seconds=retry.value.when)
    assert when == at + dt.timedelta(seconds=210)  # the fourth attempt: 120 s after the third

    meanwhile = sweep_at(at + dt.timedelta(seconds=150), send=False)

    assert pk not in meanwhile.queued


# --- The catch-up ---------------------------------------------------------------------------------


def test_a_reminder_a_dead_worker_left_sending_is_sent_by_the_first_sweep_after_abandoned_after(
    case, sweep_at, queued, settings, mailoutbox
):
    clock_due_at(uk(2026, 11, 23, 10), case=case)
    at = uk(2026, 11, 20, 10)
    sweep_at(at, send=False)
    [pk] = queued
    queued.clear()

    settings.MAILERS = DYING
    with time_machine.travel(at, tick=False), pytest.raises(WorkerDied):
        tasks.send_reminder.run(pk)  # claimed, then the worker died before the mail went
    assert Reminder.objects.get(pk=pk).status == Reminder.Status.SENDING
    settings.MAILERS = LOCMEM

    with time_machine.travel(at + dt.timedelta(minutes=1), tick=False):
        assert tasks.send_reminder.run(pk) == "not pending"  # a redelivery meanwhile
    assert sweep_at(at + tasks.ABANDONED_AFTER - dt.timedelta(seconds=1)).queued == []
    assert Reminder.objects.get(pk=pk).status == Reminder.Status.SENDING

    assert sweep_at(at + tasks.ABANDONED_AFTER + dt.timedelta(seconds=1)).queued == [pk]
    reminder = Reminder.objects.get(pk=pk)
    assert (reminder.status, reminder.attempts) == (Reminder.Status.SENT, 2)
    assert len(mailoutbox) == 1


def test_reminders_the_broker_never_took_are_kept_and_queued_again_after_unqueued_after(
    case, sweep_at, queued, monkeypatch, caplog, mailoutbox
):
    clocks = [clock_due_at(uk(2026, 11, 23, 10), case=case) for _ in range(3)]
    at = uk(2026, 11, 20, 10)
    attempts = []

    def broker_down(pk):
        attempts.append(pk)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as down:
        down.setattr(tasks.send_reminder, "delay", broker_down)
        assert sweep_at(at).written == 3

    assert len(attempts) == 1  # it gives up at the first refusal: the next sweeps retry
    assert "Could not queue reminder" in caplog.text
    assert list(Reminder.objects.values_list("status", flat=True)) == ["pending"] * 3
    assert {d.next_stage for d in Deadline.objects.filter(pk__in=[c.pk for c in clocks])} == {"due"}
    assert sweep_at(at + tasks.UNQUEUED_AFTER - dt.timedelta(seconds=1)).queued == []

    again = sweep_at(at + tasks.UNQUEUED_AFTER + dt.timedelta(seconds=1))

    assert (again.written, sorted(again.queued)) == (
        0,
        sorted(Reminder.objects.values_list("pk", flat=True)),
    )
    assert list(Reminder.objects.values_list("status", flat=True)) == ["sent"] * 3
    assert len(mailoutbox) == 3


# --- The manager's digest ------------------------------------------------------------------
# transactional_db: the task runs in autocommit, as in a worker, and relies on the unique
# (manager, day) key raising without spoiling a surrounding transaction.


def test_the_manager_digest_goes_once_a_day_however_often_it_runs(
    transactional_db, world, case, mailoutbox
):
    clock_due_at(uk(2026, 11, 23, 10), case=case)

    with time_machine.travel(uk(2026, 11, 24, 7), tick=False):
        assert tasks.manager_digest() == 1
        assert tasks.manager_digest() == 0

    [digest] = mailoutbox
    assert digest.to == [world.manager.email]
    assert case.reference in digest.body and "Referral due" in digest.body
    assert NAME not in digest.subject + digest.body
    assert DigestSent.objects.count() == 1
    with time_machine.travel(uk(2026, 11, 25, 7), tick=False):
        assert tasks.manager_digest() == 1
        assert tasks.manager_digest() == 0
    assert len(mailoutbox) == 2
    assert Notification.objects.filter(user=world.manager).count() == 2


def test_the_digest_lists_the_overdue_items_of_the_page_it_links_to(
    transactional_db, world, case, client, mailoutbox
):
    # A triage clock on a concern not yet triaged is on the overdue page: the digest has it too.
    concern = Concern.objects.create(
        reference="CN-2026-900002",
        person=case.person,
        reporter=world.frontline,
        team=world.south,
        observed_at=uk(2026, 11, 20, 9),
        location="Harbour Road",
        setting=Setting.HOTEL,
        observer_account="Seen at night.",
    )
    on_case = clock_due_at(uk(2026, 11, 23, 10), case=case)
    waiting = clock_due_at(uk(2026, 11, 23, 11), concern=concern)

    with time_machine.travel(uk(2026, 11, 24, 7), tick=False):
        assert tasks.manager_digest() == 1
        client.force_login(world.manager)
        page = client.get(reverse("referrals:overdue")).text

    [digest] = mailoutbox
    for reference in [case.reference, concern.reference]:
        assert reference in page, reference
        assert reference in digest.body, reference
    assert [d.pk for d in tasks.digest_items(world.manager, now=uk(2026, 11, 24, 7))] == [
        on_case.pk,
        waiting.pk,
    ]


@pytest.fixture
def second_manager(world):
    # Managers are visited by name: "Max Manager" comes before world.manager, "Mo Manager".
    return UserFactory(full_name="Max Manager", role=Role.MANAGER, teams=[world.north])


def test_one_managers_refused_digest_does_not_stop_the_others(
    transactional_db, world, case, second_manager, settings, mailoutbox
):
    clock_due_at(uk(2026, 11, 23, 10), case=case)
    settings.MAILERS = {
        "default": {**REFUSING["default"], "OPTIONS": {"refuse": [second_manager.email]}}
    }

    with (
        time_machine.travel(uk(2026, 11, 24, 7), tick=False),
        contextlib.suppress(smtplib.SMTPException),
    ):
        tasks.manager_digest()

    assert [m.to for m in mailoutbox] == [[world.manager.email]]


def test_a_refused_digest_is_sent_by_the_next_run_that_day(
    transactional_db, world, case, second_manager, settings, mailoutbox
):
    clock_due_at(uk(2026, 11, 23, 10), case=case)
    settings.MAILERS = {
        "default": {**REFUSING["default"], "OPTIONS": {"refuse": [world.manager.email]}}
    }
    with (
        time_machine.travel(uk(2026, 11, 24, 7), tick=False),
        contextlib.suppress(smtplib.SMTPException),
    ):
        tasks.manager_digest()
    assert [m.to for m in mailoutbox] == [[second_manager.email]]

    settings.MAILERS = LOCMEM
    with time_machine.travel(uk(2026, 11, 24, 8), tick=False):
        tasks.manager_digest()

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [second_manager.email, world.manager.email]
    )


# --- A concern not yet triaged --------------------------------------------------------------------


def test_an_untriaged_concerns_overdue_reminders_still_go_to_its_teams_leads(
    world, organisation, log_concern, sweep_at
):
    with time_machine.travel(uk(2026, 11, 16, 10), tick=False):
        log_concern(world.frontline, name=NAME)

    for _ in range(3):  # before, due, the first overdue
        sweep_at(uk(2026, 12, 2, 12))

    written = {(r.stage, r.recipient, r.is_copy) for r in Reminder.objects.all()}
    assert written == {
        ("before", world.lead, False),
        ("due", world.lead, False),
        ("overdue", world.lead, False),
        ("overdue", world.manager, True),
    }
