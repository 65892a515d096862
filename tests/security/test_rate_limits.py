"""The attempt counters behind sign-in lockout (safeguard.ratelimits), in the database."""

import datetime as dt
import threading
import time

import time_machine
from django.db import connection, transaction

from safeguard import ratelimits
from safeguard.models import RateLimitHit

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
FIVE_IN_15 = ratelimits.Limit("test:five", 5, dt.timedelta(minutes=15))


def consume(value="someone@example.test"):
    return ratelimits.rate_limit_consume(limit=FIVE_IN_15, value=value)


def test_the_sixth_attempt_in_the_window_is_refused_and_not_counted(db):
    with time_machine.travel(NOW, tick=False):
        assert all(consume() for _ in range(5))
        assert consume() is None
        assert consume() is None

    assert RateLimitHit.objects.count() == 5


def test_attempts_count_again_once_the_window_has_passed(db):
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            consume()
    with time_machine.travel(NOW + dt.timedelta(minutes=15) - dt.timedelta(seconds=1), tick=False):
        assert consume() is None
    with time_machine.travel(NOW + dt.timedelta(minutes=15), tick=False):
        assert consume() is not None


def test_a_released_attempt_does_not_count(db):
    for _ in range(4):
        consume()
    ratelimits.rate_limit_release(hit=consume())

    assert consume() is not None
    assert consume() is None


def test_each_value_has_its_own_count(db):
    for _ in range(5):
        consume("a@example.test")

    assert consume("a@example.test") is None
    assert consume("b@example.test") is not None


def test_the_table_holds_no_email_typed(db):
    consume("Someone.Typed@example.test")

    [hit] = RateLimitHit.objects.all()
    assert "example" not in hit.key.lower() and len(hit.key) == 64


def test_racing_attempts_cannot_get_past_the_limit_even_in_open_transactions(transactional_db):
    start = threading.Barrier(12)
    results = []

    def attempt():
        try:
            start.wait()
            # Each attempt commits a moment after counting, as a caller's transaction would:
            # without the per-key lock every one would count only itself and get through.
            with transaction.atomic():
                results.append(consume() is not None)
                time.sleep(0.05)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 12
    assert results.count(True) == 5
    assert RateLimitHit.objects.count() == 5


def test_prune_deletes_only_hits_too_old_to_count(db):
    longest = max(limit.window for limit in ratelimits.LIMITS)
    with time_machine.travel(NOW - longest, tick=False):
        consume("old@example.test")
    with time_machine.travel(NOW - longest + dt.timedelta(seconds=1), tick=False):
        consume("recent@example.test")

    assert ratelimits.rate_limits_prune(now=NOW) == 1
    assert RateLimitHit.objects.count() == 1
