"""Real concurrent requests on PostgreSQL, with the race made certain rather than likely.

Each request runs in its own thread through the whole middleware stack (Django's test Client
in a thread, so with its own database connection). While the test holds a row lock from its
own connection, every request queues on the database; once they are all waiting, the lock is
released and they go on together. What the database does not refuse then happens twice.

Needs `transactional_db`: the requests must see what the test committed, and each other.
"""

import threading
import time
from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.db import connection, transaction
from django.test import Client

WAIT_SECONDS = 20


def rows_made_by_migrations() -> None:
    """An emptied database loses the directory's tags (contacts migration 0002) too."""
    import_module("contacts.migrations.0002_tags").create_tags(apps, None)
    import_module("contacts.migrations.0003_guardian_tag").create_guardian_tag(apps, None)


def signed_in_client(user) -> Client:
    client = Client(raise_request_exception=False)  # a crash is a 500, as a person would see
    client.force_login(user)
    return client


def same_session(client: Client) -> Client:
    """A second tab of the same browser: another client with the same session cookie."""
    other = Client(raise_request_exception=False)
    other.cookies = client.cookies
    return other


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Within a transaction PostgreSQL keeps showing its first look at the activity.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def race(lock: Callable[[], object], *requests: Callable[[], object]) -> list:
    """Run `requests` at once while `lock()` (a select_for_update) holds them back; returns
    their responses in order. Fails if they did not all queue on the database."""
    assert connection.vendor == "postgresql", "a race needs the real database"
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)
    errors: list[BaseException] = []

    def run(index, request):
        try:
            barrier.wait(timeout=WAIT_SECONDS)
            responses[index] = request()
        except BaseException as error:  # reported by the test thread
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection to the test database

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    with transaction.atomic():
        lock()
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + WAIT_SECONDS
        while (waiting := _waiting_on_locks()) < len(requests) and time.monotonic() < deadline:
            time.sleep(0.02)
    # Leaving the block committed and released the lock: now they all go at once.
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads), "a request never finished"
    assert waiting >= len(requests), f"only {waiting} of {len(requests)} requests queued"
    return responses
