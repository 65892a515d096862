"""What `make bench` measures, in one run, on the generated organisation (bench.generate).

- Server time of each page in PAGES: the full middleware stack through Django's test
  client, in process, REQUESTS times after a warm-up; p50 and p95, and the ratio of p95 to
  the baseline's p95, against each page's target (issue 22).
- Queries per page, for a lead of a big team and for the small team's lead on their own
  records: equal counts show that queries do not grow with the data.
- Writes (WRITES): logging a concern through the form, triage into a new case, a referral
  step, each on fresh rows and rolled back afterwards.
- The reminder sweep claiming 1,000 due reminders among a million deadlines.
- Requests per second for the baseline and the case page: one gunicorn on loopback, wrk for
  LOAD_SECONDS each.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cases.models import Concern, ConcernStatus
from referrals import tasks
from referrals.models import Deadline, Referral, Reminder
from safeguard.models import User

from .generate import MANAGER, SMALL_TEAM, params, sweep_referrals

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
WARM_UP = 5
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "12"))
# Issue 22's targets: the sweep's time, and the case page's requests a second as a share of
# the baseline's under the same gunicorn. Each page's are on the page (Page.target_ratio,
# Page.target_ms); the ratio of a page's p95 at BENCH_SCALE to its p95 at 1x is SCALE_TARGET.
SWEEP_TARGET = 0.3
LOAD_TARGET = 0.5
SCALE_TARGET = 1.5


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
    # Targets for the p95 where the issue sets them: a multiple of the baseline's, and an
    # absolute time in milliseconds.
    target_ratio: float | None = None
    target_ms: float | None = None


BIG_LEAD, SMALL_LEAD = 1, SMALL_TEAM
BIG_CASE = "SG-2026-000001"
# What a lead types to find someone: a word every name shares and one that matches a
# handful of the 50,000 people (Bench Person 4321, 14321, ..., 43210 to 43219).
SEARCH_WORDS = "person 4321"
# The baseline: a signed-in page that runs no query beyond the session and its user.
BASELINE = Page(
    "baseline: change password form", "account_change_password", (BIG_LEAD, ()), (SMALL_LEAD, ())
)
PACK_CHRONOLOGY = 50

# The referral pack of a case whose record is full (issue 17): FULL_RECORD situations,
# exploiters and police reports, one of each single part, and FULL_EVIDENCE evidence
# documents; its queries are counted beside a case with one of each.
FULL_RECORD, FULL_EVIDENCE = 10, 20
FULL_CASE, FULL_REFERRAL, FULL_LEAD = "SG-2026-000002", "RF-2026-000002", 2
ONE_CASE, ONE_REFERRAL, ONE_LEAD = "SG-2026-000003", "RF-2026-000003", 3


def small_case(scale: int = 1) -> str:
    """The small team's one case: the last."""
    return f"SG-2026-{params(scale)['cases'] + 1:06d}"


def pages(scale: int = 1) -> list[Page]:
    small_referral = f"RF-2026-{params(scale)['referrals'] + 1:06d}"
    return [
        Page("lead home", "home", (BIG_LEAD, ()), (SMALL_LEAD, ()), target_ratio=2),
        Page(
            "triage queue", "cases:triage_queue", (BIG_LEAD, ()), (SMALL_LEAD, ()), target_ratio=2
        ),
        Page(
            "case page",
            "cases:case_detail",
            (BIG_LEAD, (BIG_CASE,)),
            (SMALL_LEAD, (small_case(scale),)),
            target_ratio=2,
        ),
        Page(
            "overdue view (manager)",
            "referrals:overdue",
            (MANAGER, ()),
            (SMALL_LEAD, ()),
            target_ratio=2,
        ),
        # Posted, as the search form is (the words never go in the address).
        Page(
            f"search ({SEARCH_WORDS!r})",
            "cases:search",
            (BIG_LEAD, ()),
            (SMALL_LEAD, ()),
            post={"q": SEARCH_WORDS},
            target_ratio=3,
        ),
        # The managers' statistics for the last twelve months: the whole organisation, and
        # one small team for the query count.
        Page(
            "statistics page",
            "dashboards:statistics",
            (MANAGER, ()),
            (MANAGER, ()),
            big_query="team=1",
            small_query=f"team={SMALL_TEAM}",
            requests=10,
            target_ratio=5,
        ),
        # PDFs rendered by WeasyPrint in the request: the referral pack of a case with
        # PACK_CHRONOLOGY chronology entries, and that chronology itself.
        Page(
            "referral pack (PDF)",
            "documents:pack",
            (BIG_LEAD, ("RF-2026-000001",)),
            (SMALL_LEAD, (small_referral,)),
            post={},
            requests=20,
            target_ms=200,
        ),
        Page(
            "chronology, 50 entries (PDF)",
            "documents:chronology_pdf",
            (BIG_LEAD, (BIG_CASE,)),
            (SMALL_LEAD, (small_case(scale),)),
            post={},
            requests=20,
        ),
        Page(
            "referral pack, full case record (PDF)",
            "documents:pack",
            (FULL_LEAD, (FULL_REFERRAL,)),
            (ONE_LEAD, (ONE_REFERRAL,)),
            post={},
            requests=20,
            target_ms=1000,
        ),
    ]


PAGES = pages(1)


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
    try:
        p50, p95 = timings(page)
        return PageResult(
            page.label,
            p50,
            p95,
            queries(page, page.big, counted="big"),
            queries(page, page.small, counted="small"),
        )
    except OperationalError as error:
        # A query past the statement timeout (at_most): the page is too slow to measure.
        if "statement timeout" not in str(error):
            raise
        return PageResult(page.label, note=f"not measured: a query ran over {TIMEOUT_S} s")


# The longest a query of a measured page may run in a larger database (BENCH_SCALE) before
# the page is reported as not measured, so that one page cannot hold the run up for hours.
TIMEOUT_S = int(os.environ.get("BENCH_STATEMENT_TIMEOUT", "60"))


def at_most(seconds: int = TIMEOUT_S) -> None:
    """Cancel any query of this connection that runs longer than `seconds`."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = '{int(seconds)}s'")


class Rollback(Exception):
    pass


def sweep_seconds(scale: int = 1) -> tuple[float, int]:
    """Time one sweep claiming 1,000 due reminders among a million deadlines (ten million
    at BENCH_SCALE=10).

    In a transaction rolled back afterwards, so that every run measures the same work: the
    sweep's own transaction becomes a savepoint, and nothing is queued for sending because
    on-commit callbacks are dropped with the rollback.
    """
    first, last = sweep_referrals(scale)
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


# --- Writes ------------------------------------------------------------------------------------

WRITE_REPEATS = int(os.environ.get("BENCH_WRITE_REPEATS", "10"))
WRITE_WARM_UP = 2
BIG_FRONTLINE = 100 + 1
# The concern a frontline practitioner logs: a named adult, one kind of exploitation, one
# sign seen and one detail other reports might share. Synthetic, like every bench value.
CONCERN_PERSON = {
    "action": "continue",
    "name": "Bench New Person",
    "date_of_birth": "1990-05-04",
    "gender": "female",
    "nationalities": "Synthetic",
    "languages": "Synthetic",
}


def _concern_what() -> dict:
    return {
        "action": "continue",
        "step": "what",
        "observed_date": (timezone.localdate() - timezone.timedelta(days=1)).isoformat(),
        "observed_time": "21:15",
        "location": "Synthetic Street",
        "setting": "hotel",
        "observer_account": "A synthetic account of what was seen.",
        "exploitation_types": ["sexual"],
        "ind_situational-spoken-for": "observed",
        "link_vehicle_0": "BE12 NCH",
    }


def _redirected(response, what: str, *, to: str = "/", not_to: str = "") -> str:
    """Where a POST sent the browser: it must have been accepted (a redirect to a page
    starting with `to`; a refused form answers 200 or 400, or sends back to a draft step)."""
    location = response["Location"] if response.status_code == 302 else ""
    if not location.startswith(to) or (not_to and not_to in location):
        raise RuntimeError(f"{what} answered {response.status_code} {location}".strip())
    return location


def _log_concern(client: Client, n: int) -> Callable[[], None]:
    """The frontline flow to "Concern logged", as the form posts it: the danger question,
    who the person is, what happened, then "check your answers" submitted."""

    def act():
        draft = _redirected(
            client.post(reverse("cases:concern_start"), {"immediate_danger": "no"}), "start"
        ).split("?")[0]
        _redirected(client.post(f"{draft}?step=person", CONCERN_PERSON), "the person step")
        _redirected(client.post(f"{draft}?step=what", _concern_what()), "the what step")
        _redirected(
            client.post(f"{draft}?step=check", {"action": "submit"}),
            "submitting",
            not_to="/drafts/",
        )

    return act


def _triage(client: Client, concern: str, n: int) -> Callable[[], None]:
    """A waiting concern triaged into a new case. The lead reads the triage page first (not
    timed) for the close-matches token the form carries."""
    url = reverse("cases:concern_triage", args=[concern])
    page = _get(client, url).content.decode()
    found = re.search(r'name="duplicates_checked" type="checkbox" value="([^"]*)"', page)
    data = {
        "submission_token": f"bench-triage-{n}-{secrets.token_hex(4)}",
        "outcome": "new_case",
        "lead": str(BIG_LEAD),
        "duplicates_checked": found.group(1) if found else "",
    }
    return lambda: _redirected(client.post(url, data), f"triage of {concern}", to="/cases/")


def _referral_step(client: Client, referral: str, n: int) -> Callable[[], None]:
    """A submitted NRM referral's positive Reasonable Grounds decision recorded: the step
    meets the RG deadline and starts the recovery period."""
    url = reverse("referrals:transition", args=[referral])
    data = {
        "submission_token": f"bench-step-{n}-{secrets.token_hex(4)}",
        "action": "rg_positive",
        "decided_on": timezone.localdate().isoformat(),
    }
    return lambda: _redirected(client.post(url, data), f"the step on {referral}")


@dataclass
class WriteResult:
    label: str
    p50: float | None = None
    p95: float | None = None
    queries: int | None = None
    note: str = ""


def _rolled_back(act: Callable[[], None], *, count: bool = False) -> tuple[float, int | None]:
    """Time act() in a transaction that is then rolled back, so that the database is left as
    it was. The views' own transactions become savepoints; what they leave to run after a
    commit (notifications, emails, tasks) is dropped with the rollback, so it is not timed."""
    result = {}
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) if count else nullcontext() as captured:
                started = time.perf_counter()
                act()
                result["ms"] = (time.perf_counter() - started) * 1000
            result["queries"] = len(captured.captured_queries) if count else None
            raise Rollback
    except Rollback:
        pass
    return result["ms"], result["queries"]


def _measure_write(label: str, make: Callable[[int], Callable[[], None]]) -> WriteResult:
    """make(n) prepares the n-th repetition on its own fresh rows (outside the time) and
    returns what is timed; n runs from 0 to WRITE_WARM_UP + WRITE_REPEATS (one to count)."""
    times = []
    for n in range(WRITE_WARM_UP + WRITE_REPEATS):
        ms, _ = _rolled_back(make(n))
        if n >= WRITE_WARM_UP:
            times.append(ms)
    _, counted = _rolled_back(make(WRITE_WARM_UP + WRITE_REPEATS), count=True)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return WriteResult(label, cuts[49], cuts[94], counted)


def measure_writes() -> list[WriteResult]:
    """Each repetition acts on rows no other repetition touched: a concern of its own, one
    of the big team's waiting concerns, one of its submitted referrals."""
    needed = WRITE_WARM_UP + WRITE_REPEATS + 1
    frontline, lead = signed_in(BIG_FRONTLINE), signed_in(BIG_LEAD)
    waiting = list(
        Concern.objects.filter(status=ConcernStatus.SUBMITTED, team_id=BIG_LEAD)
        .order_by("pk")
        .values_list("reference", flat=True)[:needed]
    )
    # Past the referrals the PDFs and the sweep use.
    submitted = list(
        Referral.objects.filter(status="submitted", case__team_id=BIG_LEAD, pk__gt=10_000)
        .order_by("pk")
        .values_list("reference", flat=True)[:needed]
    )
    if len(waiting) < needed or len(submitted) < needed:
        raise RuntimeError(f"{len(waiting)} waiting concerns, {len(submitted)} referrals")
    return [
        _measure_write(
            "log a concern (4 posts: start, person, what, submit)",
            lambda n: _log_concern(frontline, n),
        ),
        _measure_write("triage a concern into a new case", lambda n: _triage(lead, waiting[n], n)),
        _measure_write(
            "referral step (RG decision: positive)",
            lambda n: _referral_step(lead, submitted[n], n),
        ),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wrk(wrk: str, url: str, cookie: str) -> tuple[float, str]:
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
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, f"{failed.group(1)} responses were not 200" if failed else ""


def requests_per_second() -> dict[str, tuple[float, str]] | str:
    """The baseline page, then the case page, under load from one gunicorn (2 workers) on
    loopback, wrk with 8 connections for LOAD_SECONDS each: requests a second and a note of
    failed responses, by page; or why it was not measured."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return "wrk is not installed (make bench installs it)"
    client = signed_in(BIG_LEAD)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = _free_port()
    # The database the benchmark is measuring now (BENCH_SCALE switches between two).
    database = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    database = database._replace(path=f"/{connection.settings_dict['NAME']}").geturl()
    env = {
        **os.environ,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_CONN_MAX_AGE": "600",
        "DATABASE_URL": database,
    }
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
                # Live, not /health/: that answers 503 here, with no sweep running and no
                # broker but memory, and was waited on until the loop gave up.
                urllib.request.urlopen(f"{base}{reverse('health_live')}", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        return {
            label: _wrk(wrk, f"{base}{reverse(name, args=args)}", cookie)
            for label, name, args in [
                ("baseline", BASELINE.url_name, ()),
                ("case page", "cases:case_detail", (BIG_CASE,)),
            ]
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


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
