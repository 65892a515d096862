"""The shared world: two teams and one user of each role (healthchecks' alice/bob/charlie)."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from safeguard.models import Role
from tests.auth import enrol_totp
from tests.factories import TeamFactory, UserFactory


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
