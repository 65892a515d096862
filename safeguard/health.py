"""What /health/ and `manage.py health` report: does each part the app leans on answer?

- database: SELECT 1 on the default connection;
- broker: a real connection to Celery's broker (Redis in production, kombu's filesystem
  transport on `make run`), given up after a second;
- cache: a throwaway key set and read back through the configured cache. safeguard.cache
  swallows an unreachable Redis in add() and delete() so that rate limits refuse rather than
  fail; set() and get() are not swallowed, so a Redis outage shows here;
- sweep: when the reminder sweep last finished, from its heartbeat row in the database (never
  the cache, which may be what is down). Beat schedules the sweep and a worker runs it, so a
  fresh heartbeat means beat, a worker and the database are all working.

Every check answers {"ok": ..., "ms": ...}, plus the exception's class name when it failed:
never its message, which may carry a host name or a URL with a password. Nothing here reads
a case, a person or a count of either: the answer is the same for anyone who asks.
"""

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import Heartbeat

# The heartbeat the reminder sweep (referrals.tasks.sweep) writes at the end of each run.
SWEEP = "reminder-sweep"
# Long enough for a healthy Redis across a busy network, short enough that a load balancer's
# probe (compose gives it 5 seconds) still gets an answer when every check times out.
TIMEOUT_SECONDS = 1


def heartbeat_record(*, name: str) -> None:
    """Say that `name` has just finished: one INSERT ... ON CONFLICT DO UPDATE, so two
    sweeps finishing at once cannot collide on the unique name."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, at=timezone.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["at"],
    )


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_broker() -> dict:
    from .celery import app  # the Celery app imports Django settings: not at import time

    options = {"socket_timeout": TIMEOUT_SECONDS, "socket_connect_timeout": TIMEOUT_SECONDS}
    with app.connection_for_write(transport_options=options) as broker:
        # max_retries=0: one attempt. kombu's default is to retry for ever.
        broker.ensure_connection(max_retries=0, timeout=TIMEOUT_SECONDS)
        if broker.transport_cls == "filesystem":
            # The filesystem transport "connects" to anything; it fails when it writes.
            queue = broker.transport_options["data_folder_out"]
            if not os.access(queue, os.W_OK):
                raise NotADirectoryError
    return {}


def check_cache() -> dict:
    key, value = f"safeguard:health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    read = cache.get(key)
    cache.delete(key)
    if read != value:
        raise LookupError  # the cache took the key and did not keep it
    return {}


def check_sweep() -> dict:
    """Failing before the first sweep ever ran, too: a beat that never started is the very
    thing to notice, and on a fresh install the first sweep comes a minute after beat starts
    (compose's `start_period` on the web service's check covers that minute)."""
    at = Heartbeat.objects.filter(name=SWEEP).values_list("at", flat=True).first()
    if at is None:
        return {"ok": False, "last_run": None, "age_seconds": None}
    age = max(0, int((timezone.now() - at).total_seconds()))
    return {
        "ok": age <= settings.SWEEP_STALE_SECONDS,
        "last_run": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "age_seconds": age,
    }


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "broker": check_broker,
    "cache": check_cache,
    "sweep": check_sweep,
}


def run_check(name: str) -> dict:
    started = time.monotonic()
    try:
        result = {"ok": True, **CHECKS[name]()}
    except Exception as error:  # any failure is an answer here, never a 500
        result = {"ok": False, "error": type(error).__name__}
    return {**result, "ms": round((time.monotonic() - started) * 1000)}


def report(names: list[str] | None = None) -> dict:
    """{"status": "ok" | "failing", "checks": {name: {...}}} for the named checks (all by
    default)."""
    checks = {name: run_check(name) for name in names or CHECKS}
    status = "ok" if all(check["ok"] for check in checks.values()) else "failing"
    return {"status": status, "checks": checks}
