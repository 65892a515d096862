"""The shared world: two teams and one user of each role (healthchecks' alice/bob/charlie),
the reference data, the organisation's settings, and `log_concern` to submit a concern through
the service: every folder's tests get them without importing."""

import datetime as dt
import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import TransactionTestCase
from django.utils import timezone

from cases import services
from cases.models import Concern, Person, Setting
from safeguard.choices import Nation
from safeguard.models import OrganisationSettings, Role
from tests.auth import enrol_totp, request_as
from tests.factories import TeamFactory, UserFactory


def _own_redis_database() -> None:
    """Under pytest-xdist each worker has its own test database (pytest-django suffixes it)
    and here its own Redis database: worker gwN uses the broker's database number minus N, so
    that one worker's flush, queue or lock never reaches another's. Celery reads the
    environment's CELERY_BROKER_URL before its settings, and the workers a test starts
    inherit it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not worker.startswith("gw") or not url.startswith("redis://"):
        return
    base, _, number = url.rpartition("/")
    own = int(number or 0) - int(worker.removeprefix("gw"))
    if own < 0:
        raise RuntimeError(f"Too many xdist workers for Redis's databases below {url}.")
    os.environ["CELERY_BROKER_URL"] = f"{base}/{own}"
    settings.CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]


_own_redis_database()


@pytest.fixture
def world(db):
    """Leads, the manager and the administrator have an authenticator app, as they must;
    `world.totp[user.pk]` is its secret (tests.auth.totp_code makes the current code)."""
    north = TeamFactory(name="North team")
    south = TeamFactory(name="South team")
    world = SimpleNamespace(
        north=north,
        south=south,
        frontline=UserFactory(full_name="Fran Frontline", role=Role.FRONTLINE, teams=[north]),
        lead=UserFactory(full_name="Lee Lead", role=Role.LEAD, teams=[north]),
        lead_south=UserFactory(full_name="Sol South", role=Role.LEAD, teams=[south]),
        manager=UserFactory(full_name="Mo Manager", role=Role.MANAGER, teams=[north, south]),
        admin=UserFactory(full_name="Ada Admin", role=Role.ADMIN),
    )
    world.totp = {
        user.pk: enrol_totp(user)
        for user in [world.lead, world.lead_south, world.manager, world.admin]
    }
    return world


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", verbosity=0)


@pytest.fixture
def organisation(db):
    """A first responder in England and Wales that holds the Duty to Notify."""
    settings = OrganisationSettings.load()
    settings.nation = Nation.ENGLAND_AND_WALES
    settings.is_first_responder = True
    settings.holds_duty_to_notify = True
    settings.save()
    return settings


@pytest.fixture
def log_concern(db):
    """Submit a concern through the service, as the concern form does."""

    def log(reporter, *, person=None, links=(), observed_at=None, **person_fields):
        if person is None:
            person = Person(**person_fields)
        concern = Concern(
            observed_at=observed_at or timezone.now() - dt.timedelta(hours=1),
            location="Station Road",
            setting=Setting.HOTEL,
            observer_account="Seen with a man who held her passport.",
        )
        return services.concern_submit(
            request=request_as(reporter),
            person=person,
            concern=concern,
            exploitation_types=[],
            observations=[],
            links=[services.Link(kind, value) for kind, value in links],
        )

    return log


@pytest.fixture(autouse=True)
def empty_cache():
    # allauth's remaining rate limits (password resets and changes) count in the cache: no
    # test inherits another's. Sign-in lockout is in the database, emptied with each test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Production hashing is deliberately slow; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def flush_between_committing_tests_past_the_audit_trigger():
    """Tests that commit (transactional_db, live servers) are undone by Django's flush, a
    TRUNCATE of every table, which the audit table refuses (safeguard/migrations/0007). Only
    that flush runs with PostgreSQL's replica mode, which fires no ordinary trigger and needs
    the superuser the suite connects as; a flush a test asks for is refused as in production."""
    flush = TransactionTestCase._fixture_teardown

    def flush_past_triggers(self):
        replica = [
            connections[alias]
            for alias in self._databases_names(include_mirrors=False)
            if connections[alias].vendor == "postgresql"
        ]
        for connection in replica:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
        try:
            flush(self)
        finally:
            for connection in replica:
                with connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = DEFAULT")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", flush_past_triggers)
        yield
