"""What `make bench` measures, in one run, on the generated organisation (bench.generate).

- Server time of each page in PAGES: the full middleware stack through Django's test
  client, in process, REQUESTS times after a warm-up; p50 and p95, and the ratio of p95 to
  the baseline's p95.
- Queries per page, for a lead of a big team and for the small team's lead on their own
  records: equal counts show that queries do not grow with the data.
- The reminder sweep claiming 1,000 due reminders among a million deadlines.
- Requests per second for the case page: gunicorn on loopback, wrk for LOAD_SECONDS.
"""

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from referrals import tasks
from referrals.models import Deadline, Reminder
from safeguard.models import User

from .generate import MANAGER, SMALL_TEAM, SWEEP_REFERRALS

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
WARM_UP = 5
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "12"))
TARGET_RATIO = 3.0
SWEEP_TARGET = 1.0


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    # Per view: (user id, URL args) for the big team's lead, then for the small team's lead.
    big: tuple
    small: tuple
    query: str = ""
    # Query strings for the two query counts, where they differ from the timed view's: the
    # statistics page is timed for the whole organisation, and its queries are counted for a
    # big team and the small team, so that the same filter is compared at two sizes.
    big_query: str | None = None
    small_query: str | None = None
    # A POST with this form data instead of a GET (the PDFs are POSTs).
    post: dict | None = None
    # Fewer timed requests for pages that take seconds, so that a run stays in minutes.
    requests: int | None = None
    note: str = ""
    # An absolute target for the p95, in milliseconds, where the issue sets one.
    target_ms: float | None = None


BIG_LEAD, SMALL_LEAD = 1, SMALL_TEAM
BIG_CASE, SMALL_CASE = "SG-2026-000001", "SG-2026-030001"
# The baseline: a signed-in page that runs no query beyond the session and its user.
BASELINE = Page(
    "baseline: change password form", "account_change_password", (BIG_LEAD, ()), (SMALL_LEAD, ())
)
PAGES = [
    Page("lead home", "home", (BIG_LEAD, ()), (SMALL_LEAD, ())),
    Page("triage queue", "cases:triage_queue", (BIG_LEAD, ()), (SMALL_LEAD, ())),
    Page("case page", "cases:case_detail", (BIG_LEAD, (BIG_CASE,)), (SMALL_LEAD, (SMALL_CASE,))),
    Page("overdue view (manager)", "referrals:overdue", (MANAGER, ()), (SMALL_LEAD, ())),
    Page("search", "cases:search", (BIG_LEAD, ()), (SMALL_LEAD, ()), query="q=Person 1"),
    # The managers' statistics for the last twelve months: the whole organisation, and one
    # small team for the query count.
    Page(
        "statistics page",
        "dashboards:statistics",
        (MANAGER, ()),
        (MANAGER, ()),
        big_query="team=1",
        small_query=f"team={SMALL_TEAM}",
        requests=10,
    ),
    # PDFs rendered by WeasyPrint in the request: the referral pack of a case with
    # PACK_CHRONOLOGY chronology entries, and that chronology itself.
    Page(
        "referral pack (PDF)",
        "documents:pack",
        (BIG_LEAD, ("RF-2026-000001",)),
        (SMALL_LEAD, ("RF-2026-050001",)),
        post={},
        requests=20,
    ),
    Page(
        "chronology, 50 entries (PDF)",
        "documents:chronology_pdf",
        (BIG_LEAD, (BIG_CASE,)),
        (SMALL_LEAD, (SMALL_CASE,)),
        post={},
        requests=20,
    ),
]
PACK_CHRONOLOGY = 50

# The referral pack of a case whose record is full (issue 17): FULL_RECORD situations,
# exploiters and police reports, one of each single part, and FULL_EVIDENCE evidence
# documents; its queries are counted beside a case with one of each.
FULL_RECORD, FULL_EVIDENCE = 10, 20
FULL_CASE, FULL_REFERRAL, FULL_LEAD = "SG-2026-000002", "RF-2026-000002", 2
ONE_CASE, ONE_REFERRAL, ONE_LEAD = "SG-2026-000003", "RF-2026-000003", 3
PAGES.append(
    Page(
        "referral pack, full case record (PDF)",
        "documents:pack",
        (FULL_LEAD, (FULL_REFERRAL,)),
        (ONE_LEAD, (ONE_REFERRAL,)),
        post={},
        requests=20,
        target_ms=1000,
    )
)


def prepare_documents() -> None:
    """Give the measured case PACK_CHRONOLOGY chronology entries (once; kept for later runs)."""
    from cases.models import Case, ChronologyEntry

    case = Case.objects.get(reference=BIG_CASE)
    missing = PACK_CHRONOLOGY - ChronologyEntry.objects.filter(case=case).count()
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            case=case,
            kind="note",
            title=f"Synthetic note {number}",
            text="A synthetic note of a few sentences, as a lead would write after a call. " * 3,
            author_id=BIG_LEAD,
        )
        for number in range(max(missing, 0))
    )


def prepare_full_record() -> None:
    """Fill the two measured cases' records (once; kept for later runs): FULL_RECORD of each
    part a case may have many of and FULL_EVIDENCE evidence documents on one, one of each on
    the other. The evidence rows are listed in the pack, which never opens their files."""
    from cases.models import (
        Background,
        Case,
        ExploitationSituation,
        Exploiter,
        FirstResponder,
        Interview,
        PoliceReport,
        WhereNow,
    )
    from documents.models import EvidenceDocument

    long_text = "A synthetic account of several sentences, as a lead would record it. " * 6
    for reference, many, documents in ((FULL_CASE, FULL_RECORD, FULL_EVIDENCE), (ONE_CASE, 1, 1)):
        case = Case.objects.get(reference=reference)
        if case.situations.exists():
            continue
        with transaction.atomic():
            ExploitationSituation.objects.bulk_create(
                ExploitationSituation(
                    case=case,
                    uk_places="Synthetic Town\nSynthetic City",
                    countries="Synthetic Country",
                    kinds=["sexual", "forced_work"],
                    how_it_started=long_text,
                    journey=long_text,
                    work_and_hours=long_text,
                    living_conditions=long_text,
                    control=long_text,
                    how_it_ended=long_text,
                    under_18_during="no",
                )
                for _ in range(many)
            )
            Exploiter.objects.bulk_create(
                Exploiter(
                    case=case,
                    names=f"Synthetic Exploiter {n}",
                    description=long_text,
                    vehicles=f"BE{n:02d} NCH",
                    phones="07700 900000",
                )
                for n in range(many)
            )
            PoliceReport.objects.bulk_create(
                PoliceReport(case=case, reported="yes", forces="Synthetic Police")
                for _ in range(many)
            )
            WhereNow.objects.create(case=case, where_now="A synthetic safe house.")
            Background.objects.create(case=case, other_victims=long_text)
            FirstResponder.objects.create(case=case, name="Synthetic Responder")
            Interview.objects.create(case=case, judgement=long_text)
            EvidenceDocument.objects.bulk_create(
                EvidenceDocument(
                    case=case,
                    kind="other",
                    description=f"Synthetic evidence document {n}",
                    original_name=f"synthetic-{n}.pdf",
                    content_type="application/pdf",
                    size=1024,
                    sha256="0" * 64,
                    file=f"evidence/bench-{reference}-{n}.pdf",
                    uploaded_by_id=FULL_LEAD,
                )
                for n in range(documents)
            )


def signed_in(user_id: int) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    session = client.session
    # Leads and managers have set up MFA (MfaRequiredMiddleware reads this flag).
    session["safeguard_mfa_enrolled"] = True
    session.save()
    return client


def address(page: Page, args: tuple, *, counted: str = "") -> str | None:
    try:
        path = reverse(page.url_name, args=args)
    except NoReverseMatch:
        return None
    query = {"big": page.big_query, "small": page.small_query}.get(counted)
    query = page.query if query is None else query
    return f"{path}?{query}" if query else path


def _get(client: Client, url: str, page: Page | None = None):
    if page is not None and page.post is not None:
        response = client.post(url, page.post)
    else:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return response


def queries(page: Page, which: tuple, *, counted: str) -> int:
    user, args = which
    client = signed_in(user)
    url = address(page, args, counted=counted)
    _get(client, url, page)
    with CaptureQueriesContext(connection) as captured:
        _get(client, url, page)
    return len(captured.captured_queries)


def timings(page: Page) -> tuple[float, float]:
    """p50 and p95 server time in milliseconds, for the big team's view."""
    user, args = page.big
    client = signed_in(user)
    url = address(page, args)
    for _ in range(WARM_UP):
        _get(client, url, page)
    times = []
    for _ in range(page.requests or REQUESTS):
        started = time.perf_counter()
        _get(client, url, page)
        times.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94]


@dataclass
class PageResult:
    label: str
    p50: float | None = None
    p95: float | None = None
    queries_big: int | None = None
    queries_small: int | None = None
    note: str = ""


def measure_page(page: Page) -> PageResult:
    if address(page, page.big[1]) is None:
        return PageResult(page.label, note=f"not measured: no URL named {page.url_name!r} yet")
    p50, p95 = timings(page)
    return PageResult(
        page.label,
        p50,
        p95,
        queries(page, page.big, counted="big"),
        queries(page, page.small, counted="small"),
    )


class Rollback(Exception):
    pass


def sweep_seconds() -> tuple[float, int]:
    """Time one sweep claiming 1,000 due reminders among a million deadlines.

    In a transaction rolled back afterwards, so that every run measures the same work: the
    sweep's own transaction becomes a savepoint, and nothing is queued for sending because
    on-commit callbacks are dropped with the rollback.
    """
    first, last = SWEEP_REFERRALS
    now = timezone.now()
    result = {}
    try:
        with transaction.atomic():
            made_due = Deadline.objects.filter(
                referral_id__gte=first, referral_id__lte=last, timer="rg_decision"
            ).update(next_reminder_at=now - timezone.timedelta(minutes=1))
            due = Deadline.objects.open().filter(next_reminder_at__lte=now).count()
            if not made_due == due == last - first + 1:
                raise RuntimeError(f"{due} reminders due, not {last - first + 1}")
            started = time.perf_counter()
            tasks.sweep(batch=due)
            result["seconds"] = time.perf_counter() - started
            result["reminders"] = Reminder.objects.count()
            raise Rollback
    except Rollback:
        pass
    return result["seconds"], result["reminders"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def requests_per_second() -> tuple[float | None, str]:
    """The case page under load: gunicorn (2 workers) on loopback, wrk with 8 connections."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None, "wrk is not installed (make bench installs it)"
    client = signed_in(BIG_LEAD)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = _free_port()
    env = {**os.environ, "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DATABASE_CONN_MAX_AGE": "600"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "safeguard.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health/", timeout=1)  # noqa: S310  (loopback)
                break
            except OSError:
                time.sleep(0.2)
        url = f"{base}{reverse('cases:case_detail', args=[BIG_CASE])}"
        output = subprocess.run(
            [
                wrk,
                "-t2",
                "-c8",
                f"-d{LOAD_SECONDS}s",
                "--timeout",
                "10s",
                "-H",
                f"Cookie: {cookie}",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=LOAD_SECONDS + 30,
            check=True,
        ).stdout
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    note = f"{failed.group(1)} responses were not 200" if failed else ""
    return rps, note


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{memory_kb / 1024 / 1024:.0f} GiB",
        "Python": sys.version.split()[0],
        "PostgreSQL": postgres,
    }
