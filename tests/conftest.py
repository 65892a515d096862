"""The shared world: two teams and one user of each role (healthchecks' alice/bob/charlie)."""

from types import SimpleNamespace

import pytest

from safeguard.models import Role
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def world(db):
    north = TeamFactory(name="North team")
    south = TeamFactory(name="South team")
    return SimpleNamespace(
        north=north,
        south=south,
        frontline=UserFactory(full_name="Fran Frontline", role=Role.FRONTLINE, teams=[north]),
        lead=UserFactory(full_name="Lee Lead", role=Role.LEAD, teams=[north]),
        lead_south=UserFactory(full_name="Sol South", role=Role.LEAD, teams=[south]),
        manager=UserFactory(full_name="Mo Manager", role=Role.MANAGER, teams=[north, south]),
        admin=UserFactory(full_name="Ada Admin", role=Role.ADMIN),
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Production hashing is deliberately slow; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
