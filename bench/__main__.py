"""`make bench`: make (or reuse) the large organisation, measure, print and record the results.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguard_bench python -m bench

The database must be PostgreSQL and its name must end in "_bench": it is dropped and made
again whenever it does not hold exactly the sizes in bench.generate.SIZES.
"""

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


def prepare() -> None:
    name = _database()
    with _server() as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            server.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    if generate.is_generated():
        say(f"Reusing {name}: {generate.counts()}")
        return
    say(f"Making {name} again: {generate.counts()} is not {generate.SIZES}")
    connection.close()
    with _server() as server:
        server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    generate.generate(say)


def _ms(value) -> str:
    return "" if value is None else f"{value:.1f}"


def run() -> str:
    started = time.monotonic()
    rows = []
    for page in [measure.BASELINE, *measure.PAGES]:
        rows.append(measure.measure_page(page))
        say(f"  {page.label}: p95 {_ms(rows[-1].p95) or '-'} ms {rows[-1].note}")
    baseline = rows[0]
    sweep, reminders = measure.sweep_seconds()
    say("Sweep measured.")
    rps, rps_note = measure.requests_per_second()
    say("Load measured.")

    lines = [
        "| page | p50 ms | p95 ms | p95 / baseline | queries (big team) | queries (small team) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row.p95 is None:
            lines.append(f"| {row.label} | | | | | {row.note} |")
            continue
        ratio = row.p95 / baseline.p95
        flag = "" if row is baseline or ratio <= measure.TARGET_RATIO else " (over 3x)"
        target = next((p.target_ms for p in measure.PAGES if p.label == row.label), None)
        if target is not None and row.p95 > target:
            flag += f" (over the {target / 1000:g} s target)"
        constant = "" if row.queries_big == row.queries_small else " (differs)"
        lines.append(
            f"| {row.label} | {_ms(row.p50)} | {_ms(row.p95)} | {ratio:.1f}x{flag} | "
            f"{row.queries_big}{constant} | {row.queries_small} |"
        )
    sweep_flag = "" if sweep < measure.SWEEP_TARGET else " (over the 1 s target)"
    lines += [
        "",
        f"- Reminder sweep: {sweep * 1000:.0f} ms to claim 1,000 due reminders among "
        f"{generate.SIZES['referrals_deadline']:,} deadlines ({reminders:,} reminders "
        f"written){sweep_flag}.",
        (
            f"- Case page under load: {rps:.0f} requests per second (gunicorn, 2 workers; "
            f"wrk, 8 connections, {measure.LOAD_SECONDS} s on loopback)"
            f"{'; ' + rps_note if rps_note else ''}."
            if rps is not None
            else f"- Case page under load: not measured: {rps_note}."
        ),
        f"- {measure.REQUESTS} requests per page after {measure.WARM_UP} to warm up, in "
        "process through the whole middleware stack; times include the audit event each "
        "read writes.",
        f"- Data: {', '.join(f'{table} {count:,}' for table, count in generate.SIZES.items())}.",
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
            "can be compared. Targets: each page's p95 within 3x the baseline's, queries per "
            "page the same for a small team as for a big one, the sweep under 1 second.\n"
        )
    with RESULTS.open("a") as out:
        out.write(f"\n{heading}\n\n{table}\n")


def main() -> None:
    prepare()
    measure.prepare_documents()
    measure.prepare_full_record()
    table = run()
    say()
    say(table)
    record(table)
    say(f"\nAdded to {RESULTS.relative_to(settings.BASE_DIR)}")


if __name__ == "__main__":
    main()
