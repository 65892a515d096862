import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services as case_services
from contacts.models import Organisation
from referrals import machines, services
from referrals.deadlines import Timer
from referrals.models import Deadline, Referral
from safeguard.choices import Pathway
from safeguard.models import AuditEvent
from tests.auth import request_as

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def recipient(db):
    return Organisation.objects.create(name="Single Competent Authority", coverage_national=True)


def open_case(world, log_concern, **person):
    person.setdefault("name", "Ana")
    person.setdefault("date_of_birth", dt.date(1990, 1, 1))
    concern = log_concern(world.frontline, **person)
    return case_services.case_open(
        request=request_as(world.lead),
        person=concern.person,
        team=world.north,
        lead=world.lead,
        concerns=[concern],
    )


def start(world, case, pathway=Pathway.NRM, recipient=None, **fields):
    return services.referral_create(
        request=request_as(world.lead),
        case=case,
        pathway=pathway,
        recipient=recipient,
        competent_authority="sca",
        **fields,
    )


EXPLAINED_ALL = dict.fromkeys(services.EXPLAINED, True)
REFUSAL = services.Refusal(
    understands_no_support=True, declined_because="Afraid of the police", police_cooperation="no"
)


def consent(world, referral, given=True):
    services.consent_record(
        request=request_as(world.lead),
        referral=referral,
        given=given,
        given_on=dt.date(2026, 11, 20),
        how_explained="Explained with leaflet",
        explained=EXPLAINED_ALL,
        explained_in="English",
        interpreter_used=False,
        interpreter_language="",
        witnessed_by="",
        refusal=None if given else REFUSAL,
    )


def act(world, referral, action, **fields):
    if action == "submit":
        # These tests are about the steps, not the form's answers (tests/referrals/
        # test_readiness.py): the lead confirms recording it with answers missing.
        fields.setdefault("confirm_missing", True)
    return services.referral_transition(
        request=request_as(world.lead), referral=referral, action=action, **fields
    )


@pytest.fixture
def nrm(world, log_concern, organisation, recipient):
    with time_machine.travel(NOW, tick=False):
        case = open_case(world, log_concern)
        referral = start(world, case, recipient=recipient)
        consent(world, referral)
    return referral


# --- The table ---------------------------------------------------------------------------------

ALL_ACTIONS = sorted({a for m in machines.MACHINES.values() for s in m.values() for a in s})


@pytest.mark.parametrize("pathway", list(machines.MACHINES))
@pytest.mark.parametrize("status", sorted(machines.STATUS_LABELS))
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_why_not_refuses_exactly_what_the_table_does_not_allow(pathway, status, action):
    allowed = action in machines.MACHINES[pathway].get(status, {})

    reason = machines.why_not(pathway, status, action)

    assert (reason is None) is allowed
    if reason:
        assert "cannot be done" in reason or "nothing more can be recorded" in reason


def test_every_status_a_transition_leads_to_is_in_the_table():
    for machine in machines.MACHINES.values():
        for steps in machine.values():
            assert all(step.to in machine for step in steps.values())


# --- NRM: the path and its deadlines --------------------------------------------------------


def test_an_nrm_referral_through_rg_and_cg_starts_and_stops_its_deadlines(world, nrm):
    with time_machine.travel(NOW, tick=False):
        act(world, nrm, "submit", external_reference="NRM-12345")
    nrm.refresh_from_db()
    assert (nrm.status, nrm.external_reference) == ("submitted", "NRM-12345")
    refer = Deadline.objects.get(timer=Timer.REFER)
    assert refer.satisfied_at is not None
    rg = Deadline.objects.get(timer=Timer.RG_DECISION)
    # Monday 10:00 + 5 working days: the end of Monday 30 November.
    assert rg.due_at == dt.datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=dt.UTC)

    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        act(world, nrm, "rg_positive", decided_on=dt.date(2026, 11, 26))
    rg.refresh_from_db()
    assert rg.satisfied_at is not None
    recovery = Deadline.objects.get(timer=Timer.RECOVERY_PERIOD)
    # England and Wales today: 30 days beginning with 26 Nov, and until the CG decision.
    assert recovery.due_at.date() == dt.date(2026, 12, 25)
    assert recovery.end_condition == "later"
    not_before = Deadline.objects.get(timer=Timer.CG_NOT_BEFORE)
    assert not_before.is_earliest

    with time_machine.travel(NOW + dt.timedelta(days=40), tick=False):
        act(world, nrm, "cg_positive", decided_on=dt.date(2027, 1, 1))
    recovery.refresh_from_db()
    assert recovery.satisfied_at is not None
    assert Deadline.objects.filter(timer=Timer.MOVE_ON).open().count() == 1
    nrm.refresh_from_db()
    assert nrm.status == machines.CG_POSITIVE
    assert [d.kind for d in nrm.decisions.all()] == ["rg", "cg"]
    assert [t.to_status for t in nrm.transitions.all()] == [
        "submitted",
        "rg_positive",
        "cg_positive",
    ]
    titles = [entry.title for entry in nrm.case.chronology.all()]
    assert any("positive reasonable grounds" in t.lower() for t in titles)
    assert AuditEvent.objects.filter(
        action="change", object_type="referral", detail="cg_positive"
    ).exists()


def test_a_negative_rg_opens_the_reconsideration_window(world, nrm):
    with time_machine.travel(NOW, tick=False):
        act(world, nrm, "submit")
        act(world, nrm, "rg_negative", decided_on=dt.date(2026, 11, 23))
    window = Deadline.objects.get(timer=Timer.RECONSIDERATION)
    # Within 30 days of the decision on 23 November: to the end of 23 December (GMT = UTC).
    assert window.due_at == dt.datetime(2026, 12, 23, 23, 59, 59, 999999, tzinfo=dt.UTC)

    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        act(world, nrm, "request_reconsideration", reason="New evidence")
    window.refresh_from_db()
    assert window.satisfied_at is not None


def test_a_refused_transition_says_why_and_changes_nothing(world, nrm):
    with pytest.raises(ValidationError) as error:
        act(world, nrm, "cg_positive", decided_on=dt.date(2026, 11, 20))

    assert "cannot be done while the referral is draft" in str(error.value)
    nrm.refresh_from_db()
    assert nrm.status == "draft" and not nrm.transitions.exists()


def test_a_decision_needs_its_date_and_it_cannot_be_in_the_future(world, nrm):
    act(world, nrm, "submit")
    with pytest.raises(ValidationError, match="Enter the date the decision was received"):
        act(world, nrm, "rg_positive")
    with pytest.raises(ValidationError, match="between 1 January 1900 and today"):
        act(world, nrm, "rg_positive", decided_on=dt.date(2099, 1, 1))


def test_withdrawing_needs_a_reason_and_cancels_the_referrals_deadlines(world, nrm):
    act(world, nrm, "submit")
    with pytest.raises(ValidationError, match="Enter why"):
        act(world, nrm, "withdraw")

    act(world, nrm, "withdraw", reason="Moved out of the area; handed to their council")

    assert not Deadline.objects.filter(referral=nrm).open().exists()
    with pytest.raises(ValidationError, match="nothing more can be recorded"):
        act(world, nrm, "submit")


# --- Rules ---------------------------------------------------------------------------------------


def test_an_adult_nrm_referral_needs_recorded_consent(world, log_concern, organisation, recipient):
    case = open_case(world, log_concern)
    referral = start(world, case, recipient=recipient)

    with pytest.raises(ValidationError, match="must give informed consent"):
        act(world, referral, "submit")
    consent(world, referral, given=False)
    with pytest.raises(ValidationError, match="must give informed consent"):
        act(world, referral, "submit")
    consent(world, referral, given=True)
    assert act(world, referral, "submit").status == "submitted"


def test_a_child_needs_no_consent_but_childrens_services_come_first(
    world, log_concern, organisation, recipient
):
    case = open_case(world, log_concern, date_of_birth=dt.date(2010, 5, 5))
    nrm = start(world, case, recipient=recipient)

    with pytest.raises(ValidationError, match="send the Children's Services referral first"):
        act(world, nrm, "submit")
    childrens = start(world, case, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)
    act(world, childrens, "submit")
    assert act(world, nrm, "submit").status == "submitted"


def test_a_child_never_gets_a_duty_to_notify(world, log_concern, organisation, recipient):
    case = open_case(world, log_concern, age_disputed=True)

    with pytest.raises(ValidationError, match="never the subject of a Duty to Notify"):
        start(world, case, pathway=Pathway.DUTY_TO_NOTIFY, recipient=recipient)


def test_duty_to_notify_only_where_the_organisation_holds_it(
    world, log_concern, organisation, recipient
):
    case = open_case(world, log_concern)
    organisation.holds_duty_to_notify = False
    organisation.save()

    with pytest.raises(ValidationError, match="does not hold the Duty to Notify"):
        start(world, case, pathway=Pathway.DUTY_TO_NOTIFY, recipient=recipient)


def test_duty_to_notify_stops_the_referral_clock_and_is_anonymous_unless_agreed(
    world, log_concern, organisation, recipient
):
    case = open_case(world, log_concern)
    report = start(world, case, pathway=Pathway.DUTY_TO_NOTIFY, recipient=recipient)
    assert report.named is False

    act(world, report, "submit")

    assert Deadline.objects.get(timer=Timer.REFER).satisfied_at is not None


def test_only_a_first_responder_submits_an_nrm_referral(
    world, log_concern, organisation, recipient
):
    case = open_case(world, log_concern)
    organisation.is_first_responder = False
    organisation.save()

    with pytest.raises(ValidationError, match="Only a first responder organisation"):
        start(world, case, recipient=recipient)


def test_a_referral_needs_a_recipient_before_it_is_submitted(world, log_concern, organisation):
    case = open_case(world, log_concern)
    referral = start(world, case, pathway=Pathway.POLICE)

    with pytest.raises(ValidationError, match="Choose who the referral goes to"):
        act(world, referral, "submit")


def test_no_further_action_stops_the_referral_clock(client, world, log_concern):
    concern = log_concern(world.frontline, name="Ana")
    client.force_login(world.lead)

    client.post(
        reverse("cases:concern_triage", args=[concern.reference]),
        {"outcome": "nfa", "reason": "Checked: not trafficking"},
    )

    clock = Deadline.objects.get(concern=concern, timer=Timer.REFER)
    assert clock.satisfied_by == "no referral: nfa"


def test_recovery_period_extends_with_a_reason(world, nrm):
    act(world, nrm, "submit")
    act(world, nrm, "rg_positive", decided_on=dt.date(2026, 11, 23))
    recovery = Deadline.objects.get(timer=Timer.RECOVERY_PERIOD)
    before = recovery.due_at

    with pytest.raises(ValidationError, match="Enter why"):
        services.recovery_extend(
            request=request_as(world.lead), deadline=recovery, days=14, reason=""
        )
    services.recovery_extend(
        request=request_as(world.lead), deadline=recovery, days=14, reason="Awaiting accommodation"
    )

    recovery.refresh_from_db()
    assert recovery.due_at - before == dt.timedelta(days=14)


# --- Pages -----------------------------------------------------------------------------------


def test_a_lead_starts_records_consent_and_submits_from_the_pages(
    client, world, log_concern, organisation, recipient
):
    case = open_case(world, log_concern)
    client.force_login(world.lead)
    page = reverse("referrals:case_referrals", args=[case.reference])
    assert client.get(page).status_code == 200

    response = client.post(
        page,
        {
            "pathway": "nrm",
            "recipient": recipient.pk,
            "competent_authority": "sca",
            "submission_token": "t1",
        },
    )
    again = client.post(
        page,
        {
            "pathway": "nrm",
            "recipient": recipient.pk,
            "competent_authority": "sca",
            "submission_token": "t1",
        },
    )
    referral = Referral.objects.get()
    assert (
        response["Location"]
        == again["Location"]
        == reverse("referrals:detail", args=[referral.reference])
    )

    detail = reverse("referrals:detail", args=[referral.reference])
    refused = client.post(
        reverse("referrals:transition", args=[referral.reference]),
        {"action": "submit", "submission_token": "t2", "confirm_missing": "on"},
    )
    assert refused.status_code == 400
    assert "must give informed consent" in refused.content.decode()

    client.post(
        reverse("referrals:consent", args=[referral.reference]),
        {
            "given": "yes",
            "given_on": "2026-11-20",
            "how_explained": "With an interpreter",
            "explained_nrm": "yes",
            "explained_decisions": "yes",
            "explained_support": "yes",
            "explained_privacy": "yes",
            "explained_in": "Romanian",
            "interpreter_used": "on",
            "interpreter_language": "Romanian",
            "interpreter": "Language Line",
        },
    )
    client.post(
        reverse("referrals:check_answers", args=[referral.reference]),
        {
            "action": "submit",
            "submission_token": "t3",
            "external_reference": "N-1",
            "confirm_missing": "on",
        },
    )
    referral.refresh_from_db()
    assert referral.status == "submitted"
    html = client.get(detail).content.decode()
    assert "Reasonable Grounds decision expected" in html and "left" in html


def test_frontline_named_on_a_case_reads_its_referrals_but_cannot_act(client, world, nrm):
    nrm.case.members.add(world.frontline)
    client.force_login(world.frontline)

    assert client.get(reverse("referrals:detail", args=[nrm.reference])).status_code == 200
    assert (
        client.post(
            reverse("referrals:transition", args=[nrm.reference]), {"action": "submit"}
        ).status_code
        == 403
    )


def test_a_lead_of_another_team_cannot_see_the_referral(client, world, nrm):
    client.force_login(world.lead_south)

    assert client.get(reverse("referrals:detail", args=[nrm.reference])).status_code == 404


# --- Impossible dates (issue 14) ---------------------------------------------------------------


def test_consent_dated_in_year_1_is_refused_with_the_range(
    client, world, log_concern, organisation, recipient
):
    referral = start(world, open_case(world, log_concern), recipient=recipient)
    client.force_login(world.lead)

    response = client.post(
        reverse("referrals:consent", args=[referral.reference]),
        {"given": "yes", "given_on": "0001-01-01", "how_explained": "With a leaflet"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The date must be between 1 January 1900 and today" in html
    assert "With a leaflet" in html


def test_a_reasonable_grounds_decision_dated_in_year_1_is_refused_with_the_range(
    client, world, nrm
):
    act(world, nrm, "submit")
    client.force_login(world.lead)

    response = client.post(
        reverse("referrals:transition", args=[nrm.reference]),
        {"action": "rg_positive", "decided_on": "0001-01-01", "submission_token": "t"},
    )

    assert response.status_code == 400
    assert "The date must be between 1 January 1900 and today" in response.content.decode()
    nrm.refresh_from_db()
    assert nrm.status == "submitted" and not nrm.decisions.exists()


def test_the_services_refuse_a_consent_or_decision_before_1900(world, nrm):
    with pytest.raises(ValidationError, match="between 1 January 1900 and today"):
        services.consent_record(
            request=request_as(world.lead),
            referral=nrm,
            given=True,
            given_on=dt.date(1, 1, 1),
            how_explained="Explained",
            explained=EXPLAINED_ALL,
            explained_in="English",
            interpreter_used=False,
            interpreter_language="",
            witnessed_by="",
        )
    act(world, nrm, "submit")
    with pytest.raises(ValidationError, match="between 1 January 1900 and today"):
        act(world, nrm, "rg_positive", decided_on=dt.date(1, 1, 1))


def test_a_step_sent_without_its_action_says_what_to_do(client, world, nrm):
    act(world, nrm, "submit")
    client.force_login(world.lead)

    response = client.post(
        reverse("referrals:transition", args=[nrm.reference]),
        {"decided_on": "2026-11-20", "reason": "Letter from the SCA", "submission_token": "t"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose which step to record, using its button" in html
    nrm.refresh_from_db()
    assert nrm.status == "submitted"
