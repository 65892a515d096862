"""Who has looked at this person's records: the audit log filtered by a person's reference
(issue 19, item 6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguard import audit, selectors
from safeguard.models import AuditEvent
from tests.cases.factories import CaseFactory, ConcernFactory, case_in
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world):
    """Ana's case, her concern in it, a concern still waiting for triage and a referral; and
    someone else's case, which the filter must leave out."""
    case = case_in(world, name="Ana Example")
    person = case.person
    return {
        "person": person,
        "case": case,
        "in_case": ConcernFactory(person=person, case=case, team=world.north),
        "waiting": ConcernFactory(person=person, team=world.north),
        "referral": ReferralFactory(case=case),
        "other": case_in(world, name="Someone Else"),
    }


def test_a_persons_references_are_their_concerns_cases_and_referrals(records):
    found = audit.references_of_person(records["person"].reference.lower())

    assert found == {
        records["person"].reference,
        records["case"].reference,
        records["in_case"].reference,
        records["waiting"].reference,
        records["referral"].reference,
    }


def test_an_unknown_reference_finds_only_itself(db):
    assert audit.references_of_person("PN-2026-999999") == {"PN-2026-999999"}


def test_the_manager_sees_every_view_of_the_persons_records_with_one_filter(client, world, records):
    case, referral = records["case"], records["referral"]
    client.force_login(world.lead)
    client.get(reverse("cases:case_detail", args=[case.reference]))
    client.get(reverse("cases:concern_detail", args=[records["waiting"].reference]))
    client.get(reverse("referrals:detail", args=[referral.reference]))
    client.get(reverse("cases:case_detail", args=[records["other"].reference]))
    client.force_login(world.manager)

    response = client.get(reverse("audit_log"), {"person": records["person"].reference})

    events = list(response.context["page"])
    assert {e.reference for e in events} == {
        case.reference,
        records["waiting"].reference,
        referral.reference,
    }
    assert all(e.actor == world.lead and e.action == AuditEvent.Action.VIEW for e in events)
    assert records["other"].reference not in response.text
    search = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).latest("at")
    assert search.detail == f"person={records['person'].reference}"


def test_the_person_filter_is_a_reference_never_a_name(client, world, records):
    client.force_login(world.manager)

    response = client.get(reverse("audit_log"), {"person": "Ana Example"})

    assert "Enter a person&#x27;s reference" in response.text
    assert not list(response.context["page"])


def test_the_person_filter_is_a_few_queries_however_many_records(world, records):
    def queries():
        with CaptureQueriesContext(connection) as done:
            list(selectors.audit_events(person=records["person"].reference))
        return len(done)

    few = queries()
    for _ in range(10):
        ConcernFactory(person=records["person"], team=world.north)
        case = CaseFactory(person=records["person"], team=world.north, lead=world.lead)
        ReferralFactory(case=case)

    # Rounds of four finders (the person's records, merges, referrals, subject access
    # requests), until nothing new turns up.
    assert queries() == few <= 16
