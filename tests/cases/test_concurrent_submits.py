"""Two requests at the same moment (issue 14, items 11 and 12): real requests on PostgreSQL,
each in its own thread with its own connection (tests.concurrently)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Case,
    CaseClosure,
    Concern,
    ConcernStatus,
    Person,
    RiskAssessment,
    RiskLevel,
)
from safeguard.models import Role, User
from tests.auth import enrol_totp
from tests.cases.factories import case_in
from tests.cases.test_concerns import PERSON, start, what
from tests.concurrently import race, rows_made_by_migrations, same_session, signed_in_client
from tests.factories import UserFactory


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
    client.post(url + "?step=what", what())
    return client, url + "?step=check"


@pytest.mark.parametrize("sessions", ["one session", "two sessions"])
def test_the_last_step_sent_twice_at_once_makes_one_concern_and_one_person(
    draft_ready, world, sessions
):
    client, url = draft_ready
    other = same_session(client) if sessions == "one session" else signed_in_client(world.frontline)

    # Both queue behind a lock on the reporter, which every new person and concern refers to.
    first, second = race(
        lambda: User.objects.select_for_update().get(pk=world.frontline.pk),
        lambda: client.post(url, {"action": "submit"}),
        lambda: other.post(url, {"action": "submit"}),
    )

    concern = Concern.objects.get()
    assert Person.objects.count() == 1
    done = reverse("cases:concern_next_steps", args=[concern.reference])
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"] == done


def test_the_loser_of_two_triages_at_once_is_told_it_was_already_triaged(
    transactional_db, world, log_concern
):
    concern = log_concern(world.frontline, name="Ana")
    second_lead = UserFactory(full_name="Lin Lead", role=Role.LEAD, teams=[world.north])
    enrol_totp(second_lead)
    url = reverse("cases:concern_triage", args=[concern.reference])
    leads = [signed_in_client(world.lead), signed_in_client(second_lead)]

    responses = race(
        lambda: Concern.objects.select_for_update().get(pk=concern.pk),
        *[
            lambda c=c: c.post(url, {"outcome": "nfa", "reason": "Known to be safe."})
            for c in leads
        ],
    )

    assert sorted(r.status_code for r in responses) == [200, 302]
    loser = next(r for r in responses if r.status_code == 200)
    assert "This concern has already been triaged" in loser.content.decode()
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NO_FURTHER_ACTION


def test_two_leads_closing_a_case_at_once_make_one_closure(transactional_db, world):
    case = case_in(world)
    for level, days_ago in ((RiskLevel.HIGH, 30), (RiskLevel.LOW, 1)):
        RiskAssessment.objects.create(
            case=case,
            assessed_by=world.lead,
            level=level,
            summary="Synthetic.",
            assessed_at=timezone.now() - dt.timedelta(days=days_ago),
            review_on=timezone.localdate() + dt.timedelta(days=30),
        )
    second_lead = UserFactory(full_name="Lin Lead", role=Role.LEAD, teams=[world.north])
    enrol_totp(second_lead)
    url = reverse("cases:case_close", args=[case.reference])
    body = {
        "safety_plan_reviewed": "on",
        "papers_complete": "on",
        "signposted_to": "Her GP",
        "reason": "Risk has fallen",
    }
    leads = [signed_in_client(world.lead), signed_in_client(second_lead)]

    responses = race(
        lambda: Case.objects.select_for_update().get(pk=case.pk),
        *[lambda c=c: c.post(url, body) for c in leads],
    )

    assert sorted(r.status_code for r in responses) == [200, 302]
    loser = next(r for r in responses if r.status_code == 200)
    assert "This case has been closed already" in loser.content.decode()
    assert CaseClosure.objects.filter(case=case).count() == 1
    assert case.chronology.filter(title="Case closed").count() == 1
