"""Real Celery workers on real Redis, for the tests to start, kill and starve.

Each worker is `python -m celery -A safeguard worker --pool solo` on the test database (as in
tests/integration), with its own SAFEGUARD_VAR_DIR so that the file email backend writes its
mail under it: every reminder email carries `Message-ID: <reminder-N@safeguard>`, so the mail
directories say exactly which reminders went out and how often.

SAFEGUARD_FAULTS_SCALE (`make faults`) multiplies the number of deadlines each test makes.
Every test reports its counts; they are printed as one table at the end of the run.
"""

import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from django.utils import timezone
from kombu import pools

from cases import services as case_services
from cases.models import Person
from referrals import services
from referrals.deadlines import Timer
from referrals.models import Reminder
from safeguard.celery import app
from safeguard.models import OrganisationSettings, Role
from tests.auth import enrol_totp, request_as
from tests.factories import TeamFactory, UserFactory
from tests.integration.conftest import ROOT, database_url_for_subprocesses, redis_url  # noqa: F401

SCALE = max(1, int(os.environ.get("SAFEGUARD_FAULTS_SCALE") or 1))
MESSAGE_ID = re.compile(rb"^Message-ID: <reminder-(\d+)@safeguard>\r?$", re.MULTILINE)
REPORTS: list[dict] = []


# --- Waiting, always with a limit ----------------------------------------------------------------


def settle(predicate, timeout: float, every: float = 0.1):
    """The predicate's first truthy result within `timeout` seconds, else None."""
    end = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > end:
            return result
        time.sleep(every)


def wait_until(predicate, timeout: float, what: str, *, every: float = 0.1, workers=()):
    result = settle(predicate, timeout, every)
    if not result:
        logs = "".join(f"\n--- {w.name} (last lines) ---\n{w.tail()}" for w in workers)
        pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}{logs}")
    return result


def free_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Workers ------------------------------------------------------------------------------------


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    var_dir: Path
    log: Path

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.text().splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, nothing acknowledged or handed back to the broker."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def start_worker(redis_url, transactional_db, tmp_path):  # noqa: F811  (the imported fixture)
    """Start a real worker: `start_worker(name, broker=url, **environment)`. Waits until it
    is ready; every worker started is stopped (SIGTERM, then SIGKILL) when the test ends."""
    started: list[Worker] = []

    def start(name: str, *, broker: str = redis_url, **environment: str) -> Worker:
        var_dir = tmp_path / name
        (var_dir / "mail").mkdir(parents=True)
        env = {
            **os.environ,
            "CELERY_BROKER_URL": broker,
            "DATABASE_URL": database_url_for_subprocesses(),
            "SAFEGUARD_VAR_DIR": str(var_dir),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            **environment,
        }
        log = tmp_path / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "safeguard",
                    "worker",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "--hostname",
                    f"{name}-{os.getpid()}@%h",
                    # Faster to start; no effect on how tasks are delivered or acknowledged.
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(name, process, var_dir, log)
        started.append(worker)
        wait_until(
            lambda: " ready." in worker.text() or not worker.alive,
            60,
            f"worker {name} to start",
            workers=[worker],
        )
        assert worker.alive, f"worker {name} exited:\n{worker.tail()}"
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


def emails_by_reminder(root: Path) -> Counter:
    """How many emails each reminder id got, from every mail directory under `root` (one
    worker's directory, or the test's, which holds every worker's)."""
    counts: Counter = Counter()
    for path in root.glob("**/mail/*"):
        counts.update(int(pk) for pk in MESSAGE_ID.findall(path.read_bytes()))
    return counts


# --- A private Redis, to stop and start ---------------------------------------------------


@dataclass
class PrivateRedis:
    port: int
    directory: Path
    process: subprocess.Popen | None = field(default=None)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=1).ping()
        except redis.ConnectionError:
            return False

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("This test starts its own redis-server, which is not installed.")
        with (self.directory / f"redis-{self.port}.log").open("ab") as output:
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    str(self.directory),
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.ping, 15, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own on a free port: never the machine's shared one."""
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _drop_broker_connections() -> None:
    # kombu keeps pools of broker connections, and producers on them, in registries keyed by
    # URL, and the app keeps its own: close and forget them all (closing only the app's pool
    # would leave a closed pool registered for the URL), so the next task sent connects
    # afresh to the broker in force.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def point_app_at(monkeypatch):
    """Point this process's Celery app at another broker for the test."""

    def point(url: str) -> None:
        _drop_broker_connections()
        # Celery reads CELERY_BROKER_URL from the environment before its broker_url setting.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.setitem(app.conf, "broker_url", url)
        assert app.conf.broker_url == url

    yield point
    _drop_broker_connections()


# --- Deadlines that owe a reminder now ----------------------------------------------------


@pytest.fixture
def chase(transactional_db):
    """A team with a lead and no manager, and a case the lead leads: each of its deadlines
    owes exactly one reminder, to the lead (no manager to copy in)."""
    team = TeamFactory(name="Reliability team")
    lead = UserFactory(full_name="Rhea Lead", role=Role.LEAD, teams=[team])
    enrol_totp(lead)
    person = Person.objects.create(reference="PN-2026-990001", name="Ana Example", created_by=lead)
    case = case_services.case_open(
        request=request_as(lead), person=person, team=team, lead=lead, concerns=[]
    )
    return SimpleNamespace(team=team, lead=lead, case=case)


def due_deadlines(case, count: int) -> list[int]:
    """`count` referral clocks on the case that fell due an hour ago: each is owed its first
    overdue reminder now."""
    start = timezone.now() - dt.timedelta(hours=OrganisationSettings.load().refer_hours + 1)
    return [
        services.deadline_start(timer=Timer.REFER, start=start, case=case).pk for _ in range(count)
    ]


def reminders_for(deadline_ids):
    return Reminder.objects.filter(deadline_id__in=deadline_ids)


def all_sent(deadline_ids, root: Path, broker_url: str):
    """Every deadline's reminder sent, its email written, and nothing left in the queue
    that could still send one again."""
    rows = list(reminders_for(deadline_ids).values_list("pk", "status"))
    if len(rows) < len(deadline_ids) or any(s != Reminder.Status.SENT for _, s in rows):
        return False
    emails = emails_by_reminder(root)
    if any(emails[pk] == 0 for pk, _ in rows):
        return False
    return redis.Redis.from_url(broker_url).llen("celery") == 0


# --- Counting ---------------------------------------------------------------------------------


def tally(test: str, deadline_ids, root: Path, started: float, **extra) -> dict:
    """Deadlines, reminders expected (one each), sent, duplicates (emails beyond one per
    deadline) and lost (deadlines whose reminder never reached anyone): printed, kept for
    the end-of-run table, and returned for the test's assertions."""
    rows = list(reminders_for(deadline_ids).values_list("pk", "deadline_id", "status"))
    emails = emails_by_reminder(root)
    per_deadline: Counter = Counter()
    for pk, deadline_id, _ in rows:
        per_deadline[deadline_id] += emails[pk]
    ours = {pk for pk, _, _ in rows}
    report = {
        "test": test,
        "deadlines": len(deadline_ids),
        "expected": len(deadline_ids),
        "rows": len(rows),
        "sent": sum(1 for _, _, status in rows if status == Reminder.Status.SENT),
        "emails": sum(emails.values()),
        "duplicates": sum(max(0, n - 1) for n in per_deadline.values())
        + sum(n for pk, n in emails.items() if pk not in ours),
        "lost": sum(1 for d in deadline_ids if per_deadline[d] == 0),
        **extra,
        "seconds": round(time.monotonic() - started, 1),
    }
    REPORTS.append(report)
    print("\nFAULTS " + " ".join(f"{key}={value}" for key, value in report.items()))
    return report


def pytest_terminal_summary(terminalreporter):
    if not REPORTS:
        return
    terminalreporter.section(f"reminder reliability (SAFEGUARD_FAULTS_SCALE={SCALE})")
    columns = ["deadlines", "expected", "sent", "duplicates", "lost", "seconds"]
    terminalreporter.write_line(f"{'test':<34}" + "".join(f"{c:>11}" for c in columns))
    for report in REPORTS:
        terminalreporter.write_line(
            f"{report['test']:<34}" + "".join(f"{report[c]:>11}" for c in columns)
        )
    totals = {c: sum(r[c] for r in REPORTS) for c in columns}
    terminalreporter.write_line(
        f"{'total':<34}" + "".join(f"{round(totals[c], 1):>11}" for c in columns)
    )
