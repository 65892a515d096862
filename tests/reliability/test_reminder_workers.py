"""The reminder engine with real Celery workers on real Redis: each reminder sent once and
none lost, with two workers at once, a worker killed mid-send, Redis stopped, and the mail
server refusing (issue 7's proof). The sweep runs here, in the test process, as beat would
have a worker run it; the sends run in the worker processes.

When reminders fall (weekends, bank holidays, the clock change) is proved with a moved clock
in tests/referrals/test_reminder_tasks.py; workers here use the real clock.
"""

import datetime as dt
import re
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from referrals import tasks
from referrals.models import Reminder
from referrals.tasks import send_reminder, sweep
from tests.reliability.conftest import (
    SCALE,
    all_sent,
    due_deadlines,
    emails_by_reminder,
    free_port,
    reminders_for,
    settle,
    tally,
    wait_until,
)

pytestmark = pytest.mark.integration

SLOW_MAIL = {
    "DJANGO_EMAIL_BACKEND": "tests.reliability.slow_mail.EmailBackend",
    "SAFEGUARD_SLOW_MAIL_SECONDS": "0.3",
}


def each_sent_once(report: dict) -> None:
    assert report["rows"] == report["expected"], report
    assert report["sent"] == report["expected"], report
    assert report["emails"] == report["expected"], report
    assert (report["duplicates"], report["lost"]) == (0, 0), report


def test_a_worker_sends_one_email_for_each_due_reminder(start_worker, chase, tmp_path, redis_url):
    started = time.monotonic()
    ids = due_deadlines(chase.case, 30 * SCALE)
    worker = start_worker("single")

    assert sweep() == len(ids)

    wait_until(
        lambda: all_sent(ids, tmp_path, redis_url),
        60 + len(ids) / 5,
        "every reminder to be sent",
        workers=[worker],
    )
    each_sent_once(tally("one worker", ids, tmp_path, started))
    assert set(emails_by_reminder(tmp_path)) == set(reminders_for(ids).values_list("pk", flat=True))


def test_two_workers_and_two_sweeps_at_once_still_send_each_reminder_once(
    start_worker, chase, tmp_path, redis_url
):
    started = time.monotonic()
    ids = due_deadlines(chase.case, 60 * SCALE)
    workers = [start_worker("left"), start_worker("right")]
    barrier = threading.Barrier(2)
    written, errors = [], []

    def run_sweep():
        # Batches of ten until nothing is due: the two interleave, each skipping the rows
        # the other has locked.
        try:
            barrier.wait(timeout=10)
            total = 0
            while batch := sweep(batch=10):
                total += batch
            written.append(total)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection to the test database

    threads = [threading.Thread(target=run_sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors and not any(t.is_alive() for t in threads)
    assert sum(written) == len(ids)  # however the two split the work
    # Then every reminder delivered a second time, as Redis redelivers an unacknowledged
    # task: the two workers race for the same ids and only the claim stands between them.
    for pk in reminders_for(ids).values_list("pk", flat=True):
        send_reminder.delay(pk)

    wait_until(
        lambda: all_sent(ids, tmp_path, redis_url),
        60 + len(ids) / 5,
        "every reminder to be sent",
        workers=workers,
    )
    by_worker = {w.name: sum(emails_by_reminder(tmp_path / w.name).values()) for w in workers}
    report = tally(
        "two workers, two sweeps",
        ids,
        tmp_path,
        started,
        sweeps="+".join(map(str, written)),
        per_worker="+".join(map(str, by_worker.values())),
    )
    each_sent_once(report)
    assert all(by_worker.values()), by_worker  # both workers really took part


def test_a_worker_killed_mid_send_is_caught_up_with_nothing_lost_or_sent_twice(
    start_worker, chase, tmp_path, redis_url, monkeypatch
):
    started = time.monotonic()
    ids = due_deadlines(chase.case, 40 * SCALE)
    kills = 1 if SCALE == 1 else 3
    slow = float(SLOW_MAIL["SAFEGUARD_SLOW_MAIL_SECONDS"])
    assert sweep() == len(ids)

    for kill in range(kills):
        doomed = start_worker(f"doomed-{kill}", **SLOW_MAIL)
        enough = (kill + 1) * len(ids) // (kills + 2)

        def mid_send(enough=enough):
            # A reminder claimed moments ago: its worker is still in the slow server's wait,
            # so SIGKILL now leaves it "sending" with no email written.
            row = (
                reminders_for(ids)
                .filter(status=Reminder.Status.SENDING)
                .values_list("pk", "claimed_at")
                .first()
            )
            if row is None or timezone.now() - row[1] > dt.timedelta(seconds=slow / 3):
                return None
            emails = emails_by_reminder(tmp_path)
            return row[0] if sum(emails.values()) >= enough and not emails[row[0]] else None

        victim = wait_until(
            mid_send,
            60 + len(ids) * slow,
            f"{enough} emails, then a send",
            every=0.02,
            workers=[doomed],
        )
        doomed.kill()

        assert Reminder.objects.get(pk=victim).status == Reminder.Status.SENDING
        assert emails_by_reminder(tmp_path)[victim] == 0
        # The next sweep once ABANDONED_AFTER has passed (moved to now: no worker is
        # running, so nothing it resets is still being sent).
        with monkeypatch.context() as later:
            later.setattr(tasks, "ABANDONED_AFTER", dt.timedelta(0))
            later.setattr(tasks, "UNQUEUED_AFTER", dt.timedelta(0))
            assert sweep() == 0
        assert Reminder.objects.get(pk=victim).status == Reminder.Status.PENDING

    finisher = start_worker("finisher", **SLOW_MAIL)
    wait_until(
        lambda: all_sent(ids, tmp_path, redis_url),
        60 + 2 * len(ids) * slow,
        "every reminder to be sent",
        workers=[finisher],
    )
    each_sent_once(tally("SIGKILL mid-send", ids, tmp_path, started, kills=kills))


def test_with_redis_stopped_pages_answer_and_reminders_catch_up_once_it_is_back(
    private_redis, start_worker, point_app_at, chase, client, tmp_path, monkeypatch
):
    started = time.monotonic()
    point_app_at(private_redis.url)
    worker = start_worker("through-outage", broker=private_redis.url)
    ids = due_deadlines(chase.case, 20 * SCALE)

    private_redis.stop()

    # Health says so (503, the broker failing); the pages people use still answer.
    health = client.get(reverse("health"))
    assert health.status_code == 503
    assert health.json()["checks"]["broker"]["ok"] is False
    client.force_login(chase.lead)
    assert client.get(reverse("referrals:deadlines")).status_code == 200
    assert client.get(reverse("notifications")).status_code == 200
    before = time.monotonic()
    assert sweep() == len(ids)  # its Reminder rows committed; queuing them failed quietly
    outage_sweep = time.monotonic() - before
    assert outage_sweep < 30
    assert set(reminders_for(ids).values_list("status", flat=True)) == {"pending"}

    private_redis.start()
    # Beat's sweep, each minute, once UNQUEUED_AFTER has passed (moved to now).
    sweeps = 0
    with monkeypatch.context() as later:
        later.setattr(tasks, "UNQUEUED_AFTER", dt.timedelta(0))
        give_up = time.monotonic() + 120 + len(ids) / 5
        while time.monotonic() < give_up:
            sweep()
            sweeps += 1
            if settle(lambda: all_sent(ids, tmp_path, private_redis.url), 5):
                break

    wait_until(
        lambda: all_sent(ids, tmp_path, private_redis.url),
        5,
        "every reminder to be sent after Redis came back",
        workers=[worker],
    )
    assert worker.alive and "Connection to broker lost" in worker.text()  # and it rode it out
    each_sent_once(
        tally(
            "Redis stopped",
            ids,
            tmp_path,
            started,
            sweeps_after=sweeps,
            outage_sweep_s=round(outage_sweep, 1),
        )
    )


def test_a_refusing_mail_server_leaves_reminders_to_retry_and_never_resends_a_sent_one(
    start_worker, chase, tmp_path, redis_url, monkeypatch
):
    started = time.monotonic()
    ids = due_deadlines(chase.case, 5 * SCALE + 1)
    assert sweep() == len(ids)
    rows = list(reminders_for(ids).order_by("pk"))
    already, refused = rows[0], [r.pk for r in rows[1:]]
    # Sent by an earlier worker, before the mail server started refusing.
    Reminder.objects.filter(pk=already.pk).update(
        status=Reminder.Status.SENT, sent_at=timezone.now()
    )
    worker = start_worker(
        "smtp-refused",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(free_port()),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="5",
    )
    retry_line = re.compile(r"send_reminder\[[^\]]+\] retry: Retry in 30s")

    def attempted(times):
        def check():
            states = list(
                Reminder.objects.filter(pk__in=refused).values_list(
                    "status", "attempts", "last_error"
                )
            )
            return all(
                s == "pending" and a >= times and e.startswith("ConnectionRefusedError")
                for s, a, e in states
            )

        return check

    wait_until(attempted(1), 60, "each reminder's first attempt to fail", workers=[worker])
    wait_until(
        lambda: len(retry_line.findall(worker.text())) >= len(refused),
        10,
        "a retry in 30 s to be scheduled for each",
        workers=[worker],
    )
    assert not Reminder.objects.filter(pk__in=refused, retry_at__isnull=True).exists()
    if SCALE > 1:  # the longer run waits for the scheduled retries themselves
        wait_until(attempted(2), 90, "the retries 30 s later", workers=[worker])

    queued = []
    real_delay = send_reminder.delay

    def spy(pk):
        queued.append(pk)
        return real_delay(pk)

    with monkeypatch.context() as later:
        later.setattr(tasks, "UNQUEUED_AFTER", dt.timedelta(0))
        later.setattr(send_reminder, "delay", spy)
        assert sweep() == 0
    # Neither the sent reminder, nor those waiting for the retries they scheduled.
    assert queued == []
    redelivered = send_reminder.delay(already.pk)  # and were it delivered anyway
    wait_until(
        lambda: re.search(
            rf"send_reminder\[{redelivered.id}\] succeeded in [\d.]+s: "
            r"'not pending'",
            worker.text(),
        ),
        30,
        "the worker to refuse the sent reminder",
        workers=[worker],
    )

    if SCALE > 1:
        wait_until(attempted(3), 120, "the retries 60 s after that", workers=[worker])
    already.refresh_from_db()
    assert (already.status, already.attempts) == (Reminder.Status.SENT, 0)
    assert not emails_by_reminder(tmp_path)
    statuses = list(reminders_for(ids).values_list("status", flat=True))
    report = tally(
        "mail server refusing",
        ids,
        tmp_path,
        started,
        # Nothing is lost while it waits for its retry: only a row missing, or given up on.
        lost=len(ids) - statuses.count("sent") - statuses.count("pending"),
        retrying=statuses.count("pending"),
        attempts=sum(Reminder.objects.filter(pk__in=refused).values_list("attempts", flat=True)),
    )
    assert (report["rows"], report["sent"], report["duplicates"], report["lost"]) == (
        len(ids),
        1,
        0,
        0,
    )
