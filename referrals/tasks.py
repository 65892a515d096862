"""The reminder engine. Beat runs `sweep` every minute; workers run `send_reminder`.

- The sweep finds open deadlines whose reminder is due through a partial index, claims them
  with SELECT ... FOR UPDATE SKIP LOCKED, writes Reminder rows (unique per deadline, stage,
  sequence and recipient) and moves the deadline on to its next reminder, all in one
  transaction; only after it commits are the sends queued. A second sweep running at the
  same time skips the locked rows; a repeated sweep finds nothing due.
- `send_reminder` takes a reminder id and claims it with a conditional UPDATE
  (pending -> sending): a retry, a redelivery or a second worker cannot send it twice. If the
  deadline was met in the meantime, nothing is sent.
- Reminders the broker never delivered (Redis was down) or that a killed worker left in
  "sending" are queued again by the next sweep.
"""

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from safeguard import health
from safeguard.choices import Role
from safeguard.email import make_message
from safeguard.models import Notification, OrganisationSettings

from . import deadlines, owners, selectors
from .deadlines import NextReminder, Stage
from .models import Deadline, DigestSent, Reminder

logger = logging.getLogger(__name__)

BATCH = 500
# A reminder still "sending" after this was abandoned by a worker that died mid-send.
ABANDONED_AFTER = dt.timedelta(minutes=10)
# A reminder still "pending" after this was never delivered by the broker.
UNQUEUED_AFTER = dt.timedelta(minutes=2)
MAX_RETRIES = 4


class _Recipients:
    """Who is reminded of a deadline, with each team's leads and managers read once per sweep
    (a sweep of a thousand deadlines costs a few queries, not thousands)."""

    def __init__(self):
        self._users = get_user_model().objects.filter(is_active=True)
        self._by_team: dict[tuple[str, int], list] = {}

    def _team(self, role: str, team: int) -> list:
        key = (role, team)
        if key not in self._by_team:
            self._by_team[key] = list(self._users.filter(role=role, teams=team))
        return self._by_team[key]

    def __call__(self, deadline: Deadline, stage: str) -> list[tuple[object, bool]]:
        """Who chases it (the assignee, else the case lead, else for a concern not yet
        triaged its team's leads), and from the first overdue reminder their team's
        managers as copies."""
        owner = deadline.assignee or (deadline.case.lead if deadline.case_id else None)
        if deadline.case_id:
            team = deadline.case.team_id
        elif deadline.concern_id:
            team = deadline.concern.team_id
        else:  # a deadline of its own record (owners.py): its team, always with an assignee
            team = deadline.team_id
        owners = [owner] if owner else self._team(Role.LEAD, team)
        people = [(person, False) for person in owners]
        if stage == Stage.OVERDUE:
            managers = self._team(Role.MANAGER, team)
            people += [(manager, True) for manager in managers if manager not in owners]
        return people


@shared_task
def sweep(batch: int = BATCH) -> int:
    """Write the reminders that have fallen due, then queue their sending."""
    now = timezone.now()
    nation = OrganisationSettings.load().nation
    with transaction.atomic():
        due = list(
            Deadline.objects.open()
            .filter(next_reminder_at__lte=now)
            .select_related("case", "concern", "assignee", "case__lead")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_reminder_at")[:batch]
        )
        recipients = _Recipients()
        rows = []
        for deadline in due:
            stage, sequence = deadline.next_stage, deadline.next_sequence
            rows += [
                Reminder(
                    deadline=deadline,
                    stage=stage,
                    sequence=sequence,
                    recipient=person,
                    is_copy=is_copy,
                )
                for person, is_copy in recipients(deadline, stage)
            ]
            following = deadlines.reminder_after(
                NextReminder(Stage(stage), sequence, deadline.next_reminder_at),
                deadline.due_at,
                nation,
                period=deadline.is_period,
            )
            if following is None:  # a period's end: reminded ahead and at it, never chased
                deadline.next_stage, deadline.next_sequence = "", 0
                deadline.next_reminder_at = None
            else:
                deadline.next_stage, deadline.next_sequence = following.stage, following.sequence
                deadline.next_reminder_at = following.at
        # A sweep that read a deadline before another moved it on finds its reminders written:
        # never twice. The rows are locked, so no other sweep writes these meanwhile; the
        # unique key (deadline, stage, sequence, recipient) stays the last word.
        written = set(
            Reminder.objects.filter(deadline__in=due).values_list(
                "deadline_id", "stage", "sequence", "recipient_id"
            )
        )
        rows = [
            row
            for row in rows
            if (row.deadline_id, row.stage, row.sequence, row.recipient_id) not in written
        ]
        created = _write(rows, now=now)
        _move_on(due)
        transaction.on_commit(lambda: _queue(created))
    _queue(_catch_up(now))
    # Last, so that a sweep that failed part way leaves the heartbeat to go stale (/health/).
    health.heartbeat_record(name=health.SWEEP)
    return len(created)


def _write(rows: list[Reminder], *, now) -> list[int]:
    """Insert the reminders and give back their ids, in one statement.

    On PostgreSQL, one INSERT from the values as arrays, as _move_on does: Django's
    bulk_create compiles a placeholder per field and row, which for a 1,000-reminder sweep
    cost more than the insert itself (issue 22). SQLite (`make run`) keeps bulk_create.
    Each row has the model's defaults for the fields the sweep does not set.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        return [reminder.pk for reminder in Reminder.objects.bulk_create(rows)]
    table = Reminder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (deadline_id, stage, sequence, recipient_id, is_copy, status,
                                 attempts, last_error, created_at)
            SELECT v.deadline, v.stage, v.sequence, v.recipient, v.is_copy, %s, 0, '', %s
            FROM unnest(%s::bigint[], %s::varchar[], %s::int[], %s::bigint[], %s::boolean[])
                AS v(deadline, stage, sequence, recipient, is_copy)
            RETURNING id
            """,  # noqa: S608 (the table name is the model's own)
            [
                Reminder.Status.PENDING,
                now,
                [row.deadline_id for row in rows],
                [row.stage for row in rows],
                [row.sequence for row in rows],
                [row.recipient_id for row in rows],
                [row.is_copy for row in rows],
            ],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _move_on(due: list[Deadline]) -> None:
    """Save each deadline's next reminder, all in one statement.

    On PostgreSQL, one UPDATE joined to the new values as arrays: Django's bulk_update builds
    a CASE per field and row, and compiling that took longer than the rest of a 1,000-deadline
    sweep (make bench). SQLite (`make run`, small) keeps bulk_update.
    """
    if not due:
        return
    if connection.vendor != "postgresql":
        Deadline.objects.bulk_update(due, ["next_stage", "next_sequence", "next_reminder_at"])
        return
    table = Deadline._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS d
            SET next_stage = v.stage, next_sequence = v.sequence, next_reminder_at = v.at
            FROM unnest(%s::bigint[], %s::varchar[], %s::int[], %s::timestamptz[])
                AS v(id, stage, sequence, at)
            WHERE d.id = v.id
            """,  # noqa: S608 (the table name is the model's own)
            [
                [d.pk for d in due],
                [d.next_stage for d in due],
                [d.next_sequence for d in due],
                [d.next_reminder_at for d in due],
            ],
        )


def _catch_up(now) -> list[int]:
    """Reminders that never reached a worker, or that a dead worker left half done."""
    Reminder.objects.filter(
        status=Reminder.Status.SENDING, claimed_at__lt=now - ABANDONED_AFTER
    ).update(status=Reminder.Status.PENDING)
    # A reminder waiting for the retry its failure scheduled is that retry's to send.
    return list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, created_at__lt=now - UNQUEUED_AFTER)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lt=now - UNQUEUED_AFTER))
        .values_list("pk", flat=True)[:BATCH]
    )


def _queue(reminder_ids) -> None:
    for pk in reminder_ids:
        try:
            send_reminder.delay(pk)
        except Exception:  # the broker is down: the next sweep queues it again
            logger.warning("Could not queue reminder %s; the next sweep will retry", pk)
            return


def _message(reminder: Reminder) -> tuple[EmailMultiAlternatives, dict]:
    deadline = reminder.deadline
    reference = deadline.reference
    path = owners.path_of(deadline)
    context = {
        "reference": reference,
        "timer": deadline.get_timer_display(),
        "due": timezone.localtime(deadline.due_at),
        "stage": reminder.stage,
        "is_copy": reminder.is_copy,
        "overdue_by": deadlines.describe_remaining(deadline.due_at, timezone.now()),
        # A period ends, it is never overdue: its reminder says what to do at its end.
        "is_period": deadline.is_period,
        "end_text": deadline.end_text,
        "action": deadline.action,
        "link": settings.SITE_URL.rstrip("/") + path,
    }
    message = make_message(
        "referrals/email/reminder",
        to=[reminder.recipient.email],
        context=context,
        headers={"Message-ID": f"<reminder-{reminder.pk}@safeguard>"},
    )
    return message, context


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def send_reminder(self, reminder_id: int) -> str:
    """Send one reminder by email and in the app, once."""
    claimed = Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.PENDING).update(
        status=Reminder.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return "not pending"
    reminder = Reminder.objects.select_related(
        "deadline", "deadline__case", "deadline__concern", "recipient"
    ).get(pk=reminder_id)
    if not reminder.deadline.is_open:
        reminder.status = Reminder.Status.SKIPPED
        reminder.save(update_fields=["status"])
        return "deadline met"
    message, context = _message(reminder)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        # Counted on the row, not the task: a re-queued reminder keeps its attempts, so
        # MAX_RETRIES bounds them however the sends were started.
        final = reminder.attempts > MAX_RETRIES or self.request.retries >= MAX_RETRIES
        # Backs off 30 s, 60 s, 120 s, 240 s: far inside Redis's visibility timeout.
        countdown = 30 * 2 ** max(self.request.retries, reminder.attempts - 1)
        reminder.status = Reminder.Status.FAILED if final else Reminder.Status.PENDING
        reminder.retry_at = None if final else timezone.now() + dt.timedelta(seconds=countdown)
        reminder.last_error = f"{type(error).__name__}: {error}"[:500]
        reminder.save(update_fields=["status", "retry_at", "last_error"])
        if final:
            logger.error("Reminder %s failed: %s", reminder_id, reminder.last_error)
            return "failed"
        raise self.retry(exc=error, countdown=countdown) from None
    with transaction.atomic():
        reminder.status = Reminder.Status.SENT
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["status", "sent_at"])
        Notification.objects.create(
            user=reminder.recipient,
            title=message.subject,
            url=context["link"].removeprefix(settings.SITE_URL.rstrip("/")),
        )
    return "sent"


def digest_items(manager, *, now):
    """What a manager's morning digest lists: the overdue items of the overdue page it links
    to, from the same scoping selector (restricted cases they are not named on left out; the
    referral clocks of concerns still waiting for triage included)."""
    return (
        selectors.deadlines_visible_to(manager)
        .duties()
        .filter(is_earliest=False, due_at__lt=now)
        .select_related("case", "concern")
        .order_by("due_at", "pk")
    )


@shared_task
def manager_digest() -> int:
    """Each morning, each manager's overdue items: references and timers only."""
    today = timezone.localdate()
    now = timezone.now()
    sent = 0
    for manager in get_user_model().objects.filter(role=Role.MANAGER, is_active=True):
        overdue = list(digest_items(manager, now=now))
        if not overdue:
            continue
        lines = [
            f"{d.reference}: {d.get_timer_display()}, due "
            f"{timezone.localtime(d.due_at):%a %d %b %Y %H:%M}"
            for d in overdue
        ]
        message = make_message(
            "referrals/email/digest",
            to=[manager.email],
            context={
                "count": len(overdue),
                "lines": lines,
                "link": settings.SITE_URL.rstrip("/") + reverse("referrals:overdue"),
            },
        )
        try:
            # Recorded only with a successful send: a refused digest is tried again by the
            # next run that day, and one manager's refusal does not stop the others.
            with transaction.atomic():
                DigestSent.objects.create(manager=manager, day=today)
                message.send()
                Notification.objects.create(
                    user=manager,
                    url=reverse("referrals:overdue"),
                    title=f"{len(overdue)} overdue deadlines",
                )
        except IntegrityError:
            continue  # already sent today
        except (smtplib.SMTPException, OSError) as error:
            logger.error("Digest for manager %s not sent: %s", manager.pk, error)
            continue
        sent += 1
    return sent
