"""Two requests at the same moment (issue 14, item 11): real requests on PostgreSQL,
each in its own thread with its own connection (tests.concurrently)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import Concern, Person
from safeguard.models import User
from tests.cases.test_concerns import PERSON, start, what
from tests.concurrently import race, rows_made_by_migrations, same_session, signed_in_client


@pytest.fixture
def reference_data(transactional_db):
    rows_made_by_migrations()
    call_command("load_reference_data", verbosity=0)


@pytest.fixture
def draft_ready(transactional_db, world, reference_data):
    """A draft whose last step is filled in, waiting only for "Submit"."""
    client = signed_in_client(world.frontline)
    draft, _ = start(client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    client.post(url + "?step=person", PERSON)
    return client, url + "?step=what"


@pytest.mark.parametrize("sessions", ["one session", "two sessions"])
def test_the_last_step_sent_twice_at_once_makes_one_concern_and_one_person(
    draft_ready, world, sessions
):
    client, url = draft_ready
    other = same_session(client) if sessions == "one session" else signed_in_client(world.frontline)

    # Both queue behind a lock on the reporter, which every new person and concern refers to.
    first, second = race(
        lambda: User.objects.select_for_update().get(pk=world.frontline.pk),
        lambda: client.post(url, what()),
        lambda: other.post(url, what()),
    )

    concern = Concern.objects.get()
    assert Person.objects.count() == 1
    done = reverse("cases:concern_next_steps", args=[concern.reference])
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"] == done
