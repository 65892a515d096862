"""`make bench`: make (or reuse) the large organisation, measure, print and record the results.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguard_bench python -m bench
    BENCH_SCALE=10 DATABASE_URL=... python -m bench

The database must be PostgreSQL and its name must end in "_bench": it is dropped and made
again whenever it does not hold exactly the sizes in bench.generate.sizes(). BENCH_SCALE=10
also measures the pages and the sweep in a second database ten times the size, beside the
first (safeguard_bench's is safeguard_x10_bench), and prints each page's p95 there against
its p95 here.
"""

import gc
import io
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from . import generate, measure  # noqa: E402

RESULTS = settings.BASE_DIR / "docs" / "benchmarks.md"


def say(text: str = "") -> None:
    print(text, flush=True)


def _database() -> str:
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql") or not db["NAME"].endswith("_bench"):
        sys.exit("The benchmark needs a PostgreSQL database whose name ends in _bench.")
    return db["NAME"]


def scaled_name(name: str, scale: int) -> str:
    """The database of a larger scale, beside the benchmark's: safeguard_bench at 10x is
    safeguard_x10_bench (still ending in _bench)."""
    return name if scale == 1 else f"{name.removesuffix('_bench')}_x{scale}_bench"


def use_database(name: str) -> None:
    """Point the default connection at another database (the next query connects to it)."""
    connection.close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _server():
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def prepare(scale: int = 1) -> None:
    """Make sure the connected database holds the organisation at this scale, with the
    reference data (the concern form's kinds of exploitation and signs) that writes need."""
    name = _database()
    with _server() as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            server.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    if generate.is_generated(scale):
        say(f"Reusing {name}: {generate.counts(scale)}")
        return
    say(f"Making {name} again: {generate.counts(scale)} is not {generate.sizes(scale)}")
    connection.close()
    with _server() as server:
        server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    generate.generate(say, scale)


def _ms(value) -> str:
    return "" if value is None else f"{value:.1f}"


def _time(ms: float) -> str:
    return f"{ms:g} ms" if ms < 1000 else f"{ms / 1000:g} s"


def _target(page) -> str:
    targets = [f"{page.target_ratio:g}x"] if page.target_ratio else []
    targets += [_time(page.target_ms)] if page.target_ms else []
    return " and ".join(targets)


def _misses(row, page, baseline) -> str:
    """Which of its targets a page's p95 misses, as a flag after its ratio."""
    missed = []
    if page.target_ratio and row.p95 > page.target_ratio * baseline.p95:
        missed.append(f"over {page.target_ratio:g}x")
    if page.target_ms and row.p95 > page.target_ms:
        missed.append(f"over {_time(page.target_ms)}")
    return f" ({', '.join(missed)})" if missed else ""


def measure_pages(scale: int) -> list:
    rows = []
    for page in [measure.BASELINE, *measure.pages(scale)]:
        rows.append(measure.measure_page(page))
        say(f"  {page.label}: p95 {_ms(rows[-1].p95) or '-'} ms {rows[-1].note}")
    return rows


def _prepared(scale: int) -> None:
    prepare(scale)
    measure.prepare_documents()
    measure.prepare_full_record()


def run(scale: int = 1) -> str:
    """Measure the benchmark's organisation and, where BENCH_SCALE is over 1, its pages and
    sweep again in the larger database, in the same run, so that the two can be compared."""
    started = time.monotonic()
    _prepared(1)
    rows = measure_pages(1)
    baseline = rows[0]
    writes = measure.measure_writes()
    say("Writes measured.")
    sweep, reminders = measure.sweep_seconds()
    say("Sweep measured.")
    load = measure.requests_per_second()
    say("Load measured.")
    scaled_rows = scaled_sweep = None
    if scale > 1:
        name = _database()
        use_database(scaled_name(name, scale))
        try:
            _prepared(scale)
            measure.at_most()
            scaled_rows = measure_pages(scale)
            scaled_sweep, _ = measure.sweep_seconds(scale)
            say(f"Measured at {scale}x.")
        finally:
            use_database(name)

    header = "| page | p50 ms | p95 ms | p95 / baseline | target | queries (big team) | "
    header += "queries (small team) |"
    rule = "|---|---:|---:|---:|---|---:|---:|"
    if scaled_rows:
        header += f" p95 at {scale}x ms | {scale}x / 1x |"
        rule += "---:|---:|"
    lines = [header, rule]
    for page, row, index in zip(
        [measure.BASELINE, *measure.pages(1)], rows, range(len(rows)), strict=True
    ):
        if row.p95 is None:
            lines.append(f"| {row.label} | | | | | | {row.note} |")
            continue
        ratio = f"{row.p95 / baseline.p95:.1f}x{_misses(row, page, baseline)}"
        constant = "" if row.queries_big == row.queries_small else " (differs)"
        line = (
            f"| {row.label} | {_ms(row.p50)} | {_ms(row.p95)} | {ratio} | {_target(page)} | "
            f"{row.queries_big}{constant} | {row.queries_small} |"
        )
        if scaled_rows:
            scaled = scaled_rows[index]
            if scaled.p95 is None:
                line += f" {scaled.note} | |"
            else:
                growth = scaled.p95 / row.p95
                flag = "" if growth <= measure.SCALE_TARGET else f" (over {measure.SCALE_TARGET}x)"
                same = "" if scaled.queries_big == row.queries_big else " (queries differ)"
                line += f" {_ms(scaled.p95)} | {growth:.1f}x{flag}{same} |"
        lines.append(line)

    lines += [
        "",
        "| write (big team, fresh rows each time, rolled back) | p50 ms | p95 ms | queries |",
        "|---|---:|---:|---:|",
        *(
            f"| {write.label} | {_ms(write.p50)} | {_ms(write.p95)} | {write.queries} |"
            for write in writes
        ),
        "",
    ]
    sweep_flag = "" if sweep <= measure.SWEEP_TARGET else " (over the 0.3 s target)"
    lines.append(
        f"- Reminder sweep: {sweep * 1000:.0f} ms to claim 1,000 due reminders among "
        f"{generate.SIZES['referrals_deadline']:,} deadlines ({reminders:,} reminders "
        f"written){sweep_flag}"
        + (
            f"; {scaled_sweep * 1000:.0f} ms among "
            f"{generate.sizes(scale)['referrals_deadline']:,} at {scale}x."
            if scaled_sweep is not None
            else "."
        )
    )
    if isinstance(load, str):
        lines.append(f"- Under load: not measured: {load}.")
    else:
        (base_rps, base_note), (case_rps, case_note) = load["baseline"], load["case page"]
        share = case_rps / base_rps
        flag = "" if share >= measure.LOAD_TARGET else " (under the target of half)"
        notes = "; ".join(note for note in (base_note, case_note) if note)
        lines.append(
            f"- Under load (one gunicorn, 2 workers; wrk, 8 connections, "
            f"{measure.LOAD_SECONDS} s a page on loopback): baseline {base_rps:.0f} requests "
            f"per second, case page {case_rps:.0f}, {share:.2f} of the baseline's{flag}"
            f"{'; ' + notes if notes else ''}."
        )
    lines += [
        f"- {measure.REQUESTS} requests per page after {measure.WARM_UP} to warm up, in "
        "process through the whole middleware stack; times include the audit event each "
        "read writes.",
        f"- Writes: {measure.WRITE_REPEATS} of each after {measure.WRITE_WARM_UP} to warm up, "
        "posted through the test client as the forms post them, each on rows of its own "
        "and in a transaction rolled back afterwards: what the views leave to run after "
        "commit (notifications, emails, tasks) is not timed; queries counted in one more.",
        f"- Data: {', '.join(f'{table} {count:,}' for table, count in generate.SIZES.items())}"
        + (
            f"; at {scale}x "
            + ", ".join(f"{table} {count:,}" for table, count in generate.sizes(scale).items())
            if scaled_rows
            else ""
        )
        + ".",
        f"- Measured in {time.monotonic() - started:.0f} s.",
    ]
    return "\n".join(lines)


def record(table: str) -> None:
    info = measure.machine()
    heading = f"## {timezone.localtime():%Y-%m-%d %H:%M} ({', '.join(info.values())})"
    if not RESULTS.exists():
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(
            "# Benchmarks\n\n"
            "Written by `make bench` (bench/): one section per run, newest last, so that runs "
            "can be compared. Targets (issue 22), p95 against the baseline page's in the same "
            "run: the lead home, triage queue, case page and overdue view within 2x, search "
            "within 3x, statistics within 5x; the referral pack within 200 ms and the "
            "full-record pack within 1 s; the sweep of 1,000 due reminders within 0.3 s; "
            "under wrk, the case page at least half the baseline's requests a second; "
            "queries per page the same for a small team as for a big one; with "
            "BENCH_SCALE=10, each page's p95 at 10x within 1.5x its p95 at 1x.\n"
        )
    with RESULTS.open("a") as out:
        out.write(f"\n{heading}\n\n{table}\n")


def main() -> None:
    scale = int(os.environ.get("BENCH_SCALE", "1"))
    # The pages are timed in this process as the web process serves them, whose start-up
    # heap is frozen (safeguard/wsgi.py): a full garbage collection walks only what requests
    # made.
    gc.collect()
    gc.freeze()
    table = run(scale)
    say()
    say(table)
    record(table)
    say(f"\nAdded to {RESULTS.relative_to(settings.BASE_DIR)}")


if __name__ == "__main__":
    main()
