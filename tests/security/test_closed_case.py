"""A closed case is read-only everywhere: the policy strips every change, whatever the page.

Each change a lead can make to a case is posted, by hand as an attacker would, to an open case
(where it must change something, or the test proves nothing) and to a closed one (where it
must change nothing, answer with the record's page and say the case is closed). Then every URL
that takes one of the closed case's records is posted to, and nothing may change.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Addendum,
    Case,
    CaseStatus,
    ChronologyEntry,
    ClosingCheck,
    Concern,
    ExploitationSituation,
    Person,
    PlanAgreement,
    RiskAssessment,
    RiskLevel,
    Setting,
    SupportDomain,
    SupportNeed,
)
from referrals.deadlines import Timer
from referrals.models import Consent, ConsentToShare, Deadline, Referral, Transition
from safeguard.choices import Pathway
from safeguard.models import AuditEvent, Role
from tests.cases.factories import support_plan_data
from tests.factories import UserFactory

from .test_restricted_walk import _patterns, _record_kwargs


def _make(world, number: int, *, closed: bool) -> dict:
    person = Person.objects.create(
        reference=f"PN-C-{number:06d}", name="Closed Walk", created_by=world.lead, estimated_age=30
    )
    case = Case.objects.create(
        reference=f"SG-C-{number:06d}", person=person, team=world.north, lead=world.lead
    )
    concern = Concern.objects.create(
        reference=f"CN-C-{number:06d}",
        person=person,
        reporter=world.frontline,
        team=world.north,
        observed_at=timezone.now() - dt.timedelta(days=3),
        location="Station Road",
        setting=Setting.HOTEL,
        observer_account="Seen working at night.",
        case=case,
        status="case",
    )
    referral = Referral.objects.create(
        reference=f"RF-C-{number:06d}",
        case=case,
        pathway=Pathway.POLICE,
        created_by=world.lead,
    )
    need = SupportNeed.objects.create(case=case, domain=SupportDomain.SAFETY, need="Safe place")
    situation = ExploitationSituation.objects.create(case=case, how_it_started="A job offer")
    deadline = Deadline.objects.create(
        timer=Timer.RECOVERY_PERIOD,
        case=case,
        referral=referral,
        starts_at=timezone.now() - dt.timedelta(days=2),
        due_at=timezone.now() + dt.timedelta(days=20),
    )
    agreement = ConsentToShare.objects.create(
        case=case,
        what="record",
        organisation_name="Safe House Trust",
        agreed_on=timezone.localdate() - dt.timedelta(days=3),
        recorded_by=world.lead,
    )
    if closed:
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.CLOSED, closed_at=timezone.now(), close_reason="Risk has fallen"
        )
    return {
        "case": case,
        "concern": concern,
        "referral": referral,
        "need": need,
        "deadline": deadline,
        "concerns/": concern.reference,
        "cases/": case.reference,
        "people/": person.reference,
        "referrals/": referral.reference,
        "support_need": need.pk,
        "situation": situation.pk,
        "deadline_pk": deadline.pk,
        "sharing": agreement.pk,
    }


def _fingerprint(records) -> tuple:
    case = Case.objects.get(pk=records["case"].pk)
    referral = Referral.objects.get(pk=records["referral"].pk)
    need = SupportNeed.objects.get(pk=records["need"].pk)
    deadline = Deadline.objects.get(pk=records["deadline"].pk)
    return (
        case.status,
        case.restricted,
        sorted(case.members.values_list("pk", flat=True)),
        ChronologyEntry.objects.filter(case=case).count(),
        SupportNeed.objects.filter(case=case).count(),
        (need.need, need.status),
        PlanAgreement.objects.filter(case=case).count(),
        RiskAssessment.objects.filter(case=case).count(),
        list(
            ExploitationSituation.objects.filter(case=case).values_list("how_it_started", flat=True)
        ),
        Referral.objects.filter(case=case).count(),
        referral.status,
        Transition.objects.filter(referral__case=case).count(),
        Consent.objects.filter(referral__case=case).count(),
        ConsentToShare.objects.filter(case=case).count(),
        ConsentToShare.objects.filter(case=case, withdrawn_on__isnull=False).count(),
        Addendum.objects.filter(concern__case=case).count(),
        deadline.assignee_id,
    )


def _changes(world, records, colleague) -> list[tuple[str, dict, dict]]:
    """Every change a lead makes to a case: (URL name, its arguments, a body that works)."""
    today = timezone.localdate()
    review = today + dt.timedelta(days=28)
    case = {"reference": records["cases/"]}
    referral = {"reference": records["referrals/"]}
    return [
        ("cases:case_chronology", case, {"title": "A note", "text": "Rang the refuge"}),
        (
            "cases:case_support_plan",
            case,
            support_plan_data(
                {"status": "done"},
                {"domain": SupportDomain.HEALTH, "need": "GP"},
                existing=[records["need"]],
            ),
        ),
        ("cases:case_support_start", case, {}),
        (
            "cases:case_support_agreement",
            case,
            {
                "outcome": "agreed",
                "how": "interpreter",
                "on_0": str(today.day),
                "on_1": str(today.month),
                "on_2": str(today.year),
            },
        ),
        (
            "cases:case_risk",
            case,
            {
                "level": RiskLevel.HIGH,
                "community_safe": "no",
                "family_risk": "not_known",
                "public_funds": "yes",
                "summary": "Exploiter lives nearby.",
                "review_on_0": str(review.day),
                "review_on_1": str(review.month),
                "review_on_2": str(review.year),
            },
        ),
        ("cases:case_members", case, {"restricted": "on", "members": [colleague.pk]}),
        (
            "cases:case_close",
            case,
            {
                **{f"override_{code}": "Agreed with the manager" for code in ClosingCheck},
                "reason": "Done",
            },
        ),
        (
            "referrals:case_referrals",
            case,
            {"pathway": Pathway.POLICE, "summary": "Report to the police"},
        ),
        (
            "referrals:transition",
            referral,
            {"action": "withdraw", "reason": "They moved away"},
        ),
        ("cases:concern_addendum", {"reference": records["concerns/"]}, {"text": "A correction"}),
        (
            "cases:case_record_add",
            {**case, "part": "situation"},
            {"how_it_started": "Another job offer", "under_18_during": "no"},
        ),
        (
            "cases:case_record_edit",
            {**case, "part": "situation", "pk": records["situation"]},
            {"how_it_started": "A changed account", "under_18_during": "no"},
        ),
        ("referrals:deadline_reassign", {"pk": records["deadline_pk"]}, {"assignee": colleague.pk}),
        (
            "referrals:case_sharing",
            case,
            {"what": "health", "organisation_name": "The GP surgery", "agreed_on": str(today)},
        ),
        (
            "referrals:sharing_withdraw",
            {**case, "pk": records["sharing"]},
            {"withdrawn_on": str(today)},
        ),
    ]


@pytest.fixture
def colleague(world):
    return UserFactory(full_name="Col League", role=Role.LEAD, teams=[world.north])


@pytest.mark.parametrize("change", range(15))
def test_a_change_that_works_on_an_open_case_is_refused_on_a_closed_one(
    client, world, colleague, change
):
    client.force_login(world.lead)
    open_case = _make(world, 2 * change + 1, closed=False)
    closed_case = _make(world, 2 * change + 2, closed=True)
    name, kwargs, body = _changes(world, open_case, colleague)[change]

    before = _fingerprint(open_case)
    client.post(reverse(name, kwargs=kwargs), body)
    assert _fingerprint(open_case) != before, f"{name}: the body changes nothing on an open case"

    name, kwargs, body = _changes(world, closed_case, colleague)[change]
    before = _fingerprint(closed_case)
    response = client.post(reverse(name, kwargs=kwargs), body, follow=True)

    assert _fingerprint(closed_case) == before, name
    if name != "referrals:deadline_reassign":
        assert f"Case {closed_case['cases/']} is closed, so it cannot be changed" in response.text
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED).last()
    assert refused is not None and refused.actor == world.lead, name


def test_no_page_changes_a_closed_case_whatever_is_posted(client, world, colleague):
    records = _make(world, 99, closed=True)
    walk = {**records, "draft": 0, "job_id": "00000000-0000-4000-8000-000000000001",
            "organisation": 0, "deadline": records["deadline_pk"],
            "evidence_id": "00000000-0000-4000-8000-000000000002"}  # fmt: skip
    client.force_login(world.manager)
    before = _fingerprint(records)
    walked = []
    for name, route, arguments in _patterns():
        if not arguments or name.startswith("admin:") or route.startswith("contacts/"):
            continue
        if set(arguments) & {"draft", "job_id"}:
            continue  # a person's own draft or prepared document: not part of the case
        if route.startswith("subject-access/"):
            # A subject access request is the person's, answered whatever the state of their
            # cases (a correction they ask for is an addendum even on a closed case's concern).
            continue
        kwargs = _record_kwargs(name, route, arguments, walk)
        if kwargs is None:
            continue
        for body in ({}, {"submission_token": "closed-walk", "text": "x", "title": "x"}):
            response = client.post(reverse(name, kwargs=kwargs), body)
            assert response.status_code < 500, name
        walked.append(name)

    assert _fingerprint(records) == before
    assert {"cases:case_close", "referrals:transition", "referrals:consent"} <= set(walked)
