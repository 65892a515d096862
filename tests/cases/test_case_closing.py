"""Closing a case checks the record (issue 19, item 1): what is still open is shown, each
unmet check is resolved or overridden with a reason, closing stops every running deadline so
that the reminder sweep never reminds of it again, and reopening needs a reason and says what
may need restarting."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import closing, services
from cases.models import (
    CaseClosure,
    CaseClosureCheck,
    CaseStatus,
    ClosingCheck,
    PoliceReport,
    RiskAssessment,
    RiskLevel,
    SupportDomain,
    SupportNeed,
)
from contacts.models import Organisation
from referrals import services as referral_services
from referrals import tasks
from referrals.deadlines import Timer
from referrals.models import ConsentToShare, Deadline, Reminder
from safeguard.choices import Nation, Pathway
from safeguard.models import AuditEvent, OrganisationSettings
from tests.auth import request_as
from tests.cases.factories import ConcernFactory, case_in
from tests.referrals.factories import ReferralFactory

UK = ZoneInfo("Europe/London")
# A Tuesday morning in term time: nothing about the date matters but that it is fixed.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=UK)
EVERY_CHECK = set(ClosingCheck.values)
ALL_CONFIRMED = closing.Confirmed(
    safety_plan_reviewed=True, papers_complete=True, signposted_to="A local women's centre"
)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def organisation(db):
    org = OrganisationSettings.load()
    org.nation = Nation.ENGLAND_AND_WALES
    org.save()
    return org


@pytest.fixture
def case(world, organisation):
    return case_in(world, name="Synthetic Miss G")


def assess(case, user, level, days_ago):
    return RiskAssessment.objects.create(
        case=case,
        assessed_by=user,
        level=level,
        summary="Synthetic assessment.",
        assessed_at=NOW - dt.timedelta(days=days_ago),
        review_on=(NOW + dt.timedelta(days=28)).date(),
    )


def ready_to_close(case, world):
    """A record that meets every check that reads the record: risk fallen, needs done."""
    assess(case, world.lead, RiskLevel.HIGH, 90)
    assess(case, world.lead, RiskLevel.LOW, 1)
    SupportNeed.objects.create(
        case=case, domain=SupportDomain.SAFETY, need="Safe place", status="done"
    )


def unmet_codes(case, confirmed=None):
    confirmed = confirmed or closing.Confirmed()
    checks = closing.closing_checks(case, closing.case_facts(case), confirmed)
    return {check.code for check in closing.unmet(checks)}


def close_url(case):
    return reverse("cases:case_close", kwargs={"reference": case.reference})


# --- The checks ----------------------------------------------------------------------------------


def test_a_record_with_nothing_open_still_needs_the_leads_confirmations(case):
    assert unmet_codes(case) == {
        ClosingCheck.RISK_REDUCED,
        ClosingCheck.SAFETY_PLAN,
        ClosingCheck.PAPERS,
        ClosingCheck.SIGNPOSTED,
    }


def test_every_check_is_met_once_risk_has_fallen_and_the_lead_confirms(case, world):
    ready_to_close(case, world)

    assert unmet_codes(case, ALL_CONFIRMED) == set()


def test_open_referrals_running_deadlines_and_needs_not_done_are_each_named(case, world):
    ready_to_close(case, world)
    referral = ReferralFactory(case=case, pathway=Pathway.NRM, submitted_at=NOW, status="submitted")
    ReferralFactory(case=case, pathway=Pathway.POLICE, status="closed")
    referral_services.deadline_start(timer=Timer.RECOVERY_PERIOD, start=NOW, referral=referral)
    SupportNeed.objects.create(case=case, domain=SupportDomain.INCOME, need="Universal Credit")

    checks = {
        c.code: c for c in closing.closing_checks(case, closing.case_facts(case), ALL_CONFIRMED)
    }

    assert set(closing.unmet(list(checks.values()))) == {
        checks[ClosingCheck.OPEN_REFERRALS],
        checks[ClosingCheck.RUNNING_DEADLINES],
        checks[ClosingCheck.SUPPORT_NEEDS],
    }
    assert checks[ClosingCheck.OPEN_REFERRALS].detail.startswith(
        f"1 open referral: {referral.reference} (National Referral Mechanism (NRM), submitted)"
    )
    assert checks[ClosingCheck.OPEN_REFERRALS].items[0].url == referral.get_absolute_url()
    assert "Recovery period ends" in checks[ClosingCheck.RUNNING_DEADLINES].items[0].text
    assert checks[ClosingCheck.SUPPORT_NEEDS].detail == "1 support need is not done."
    assert (
        checks[ClosingCheck.SIGNPOSTED].detail
        == f"Signposted to: A local women's centre. Still to come: referral {referral.reference} "
        "still open."
    )


def test_risk_must_have_fallen_since_the_first_assessment(case, world):
    assess(case, world.lead, RiskLevel.HIGH, 60)
    assess(case, world.lead, RiskLevel.HIGH, 2)
    checks = closing.closing_checks(case, closing.case_facts(case), ALL_CONFIRMED)
    risk = next(c for c in checks if c.code == ClosingCheck.RISK_REDUCED)
    assert not risk.met
    assert risk.detail == "Still High, as at the first of 2 assessments."

    assess(case, world.lead, RiskLevel.MEDIUM, 0)

    assert ClosingCheck.RISK_REDUCED not in unmet_codes(case, ALL_CONFIRMED)


def test_the_agencies_on_the_case_come_from_its_directory_entries(case, world):
    ready_to_close(case, world)
    police = Organisation.objects.create(name="Synthetic Police")
    refuge = Organisation.objects.create(name="Synthetic Refuge")
    ReferralFactory(case=case, pathway=Pathway.POLICE, status="closed", recipient=police)
    ConsentToShare.objects.create(
        case=case, what="record", organisation=refuge, agreed_on=NOW.date(), recorded_by=world.lead
    )
    facts = closing.case_facts(case)
    assert [a.name for a in facts.agencies] == ["Synthetic Police", "Synthetic Refuge"]

    told_police = closing.Confirmed(**{**ALL_CONFIRMED.__dict__, "agencies_told": {str(police.pk)}})
    checks = closing.closing_checks(case, facts, told_police)
    agencies = next(c for c in checks if c.code == ClosingCheck.AGENCIES_TOLD)
    assert not agencies.met
    assert agencies.detail == "Not yet confirmed as told: Synthetic Refuge."


def test_a_pending_court_case_is_named_in_the_signposting_check(case, world):
    PoliceReport.objects.create(case=case, reported="yes", court_dates="Crown Court, 9 June")

    checks = closing.closing_checks(case, closing.case_facts(case), closing.Confirmed())
    signposted = next(c for c in checks if c.code == ClosingCheck.SIGNPOSTED)

    assert "Still to come: court dates in the police report (Crown Court, 9 June)" in (
        signposted.detail
    )


# --- Closing -------------------------------------------------------------------------------------


def test_closing_with_unmet_checks_is_refused_with_a_message_for_each(case, world):
    with pytest.raises(ValidationError) as refused:
        services.case_close(
            request=request_as(world.lead),
            case=case,
            reason="",
            confirmed=closing.Confirmed(),
            overrides={},
        )

    assert set(refused.value.message_dict) == {
        "override_risk_reduced",
        "override_safety_plan",
        "override_papers",
        "override_signposted",
        "reason",
    }
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert not CaseClosure.objects.exists()


def test_closing_records_each_check_and_each_reason_to_close_anyway(case, world):
    ready_to_close(case, world)

    closure = services.case_close(
        request=request_as(world.lead),
        case=case,
        reason="Risk has fallen and she is settled",
        confirmed=closing.Confirmed(safety_plan_reviewed=True, signposted_to="Her GP"),
        overrides={ClosingCheck.PAPERS: "Passport renewal is with the embassy; she is in touch"},
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.close_reason == "Risk has fallen and she is settled"
    rows = {row.code: row for row in closure.checks.all()}
    assert set(rows) == EVERY_CHECK
    assert not rows[ClosingCheck.PAPERS].met
    assert rows[ClosingCheck.PAPERS].override_reason.startswith("Passport renewal")
    assert all(row.met and not row.override_reason for c, row in rows.items() if c != "papers")
    entry = case.chronology.get(title="Case closed")
    assert "their papers are complete: Passport renewal" in entry.text


def test_a_second_close_of_the_same_case_is_refused_and_makes_no_second_closure(case, world):
    ready_to_close(case, world)
    stale = type(case).objects.get(pk=case.pk)  # what a second tab or a second lead holds
    services.case_close(
        request=request_as(world.lead), case=case, reason="Done", confirmed=ALL_CONFIRMED,
        overrides={},
    )  # fmt: skip

    with pytest.raises(ValidationError, match="closed already"):
        services.case_close(
            request=request_as(world.manager), case=stale, reason="Also done",
            confirmed=ALL_CONFIRMED, overrides={},
        )  # fmt: skip

    assert CaseClosure.objects.filter(case=case).count() == 1
    assert CaseClosureCheck.objects.count() == len(EVERY_CHECK)


def test_closing_stops_every_running_deadline_of_the_case_its_referrals_and_concerns(case, world):
    ready_to_close(case, world)
    referral = ReferralFactory(case=case, submitted_at=NOW, status="submitted")
    concern = ConcernFactory(case=case, person=case.person, team=case.team)
    recovery = referral_services.deadline_start(
        timer=Timer.RECOVERY_PERIOD, start=NOW, referral=referral
    )
    refer = referral_services.deadline_start(timer=Timer.REFER, start=NOW, concern=concern)
    met = referral_services.deadline_start(timer=Timer.RG_DECISION, start=NOW, case=case)
    referral_services.deadlines_satisfy(Deadline.objects.filter(pk=met.pk), "RG received")

    closure = services.case_close(
        request=request_as(world.lead),
        case=case,
        reason="Moved to another area",
        confirmed=ALL_CONFIRMED,
        overrides={
            ClosingCheck.OPEN_REFERRALS: "The NRM decision will go to her new area's team",
            ClosingCheck.RUNNING_DEADLINES: "Her new area's team takes these over",
        },
    )

    for deadline in (recovery, refer):
        deadline.refresh_from_db()
        assert not deadline.is_open
        assert deadline.cancelled_at == NOW
        assert deadline.cancelled_reason == "Case closed: Moved to another area"
    met.refresh_from_db()
    assert met.cancelled_at is None and met.satisfied_by == "RG received"
    assert len(closure.stopped) == 2
    assert any(words.startswith("Recovery period ends") for words in closure.stopped)


def test_no_reminder_is_sent_for_a_closed_case_when_the_sweep_runs(
    case, world, frozen, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    queued = []
    monkeypatch.setattr(tasks.send_reminder, "delay", queued.append)
    ready_to_close(case, world)
    referral = ReferralFactory(case=case, submitted_at=NOW, status="submitted")
    kept_open = case_in(world)
    stopped = referral_services.deadline_start(
        timer=Timer.RG_DECISION, start=NOW, referral=referral, case=case
    )
    running = referral_services.deadline_start(timer=Timer.RG_DECISION, start=NOW, case=kept_open)
    # A day before it falls due, the sweep has written a reminder not yet sent when the case
    # closes: sending it later must not reach anyone either.
    frozen.move_to(stopped.next_reminder_at)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep()
    written = list(Reminder.objects.filter(deadline=stopped).values_list("pk", flat=True))
    assert written

    services.case_close(
        request=request_as(world.lead),
        case=case,
        reason="Settled",
        confirmed=ALL_CONFIRMED,
        overrides={
            ClosingCheck.OPEN_REFERRALS: "Decision goes to her solicitor",
            ClosingCheck.RUNNING_DEADLINES: "Nothing left for us to chase",
        },
    )
    for pk in written:
        tasks.send_reminder.run(pk)
    for days in (1, 5, 30):
        frozen.move_to(stopped.due_at + dt.timedelta(days=days))
        with django_capture_on_commit_callbacks(execute=True):
            tasks.sweep()

    assert not Reminder.objects.filter(deadline=stopped, status=Reminder.Status.SENT).exists()
    assert Reminder.objects.filter(deadline=stopped).count() == len(written)
    assert Reminder.objects.filter(deadline=running).count() > 1  # the sweep did run
    assert all(case.reference not in message.body for message in mailoutbox)


# --- The close page ------------------------------------------------------------------------------


def test_the_close_page_lists_what_is_open_and_how_to_resolve_it(client, case, world):
    referral = ReferralFactory(case=case, submitted_at=NOW, status="submitted")
    client.force_login(world.lead)

    page = client.get(close_url(case)).text

    assert f"1 open referral: {referral.reference}" in page
    assert "Record each referral&#x27;s outcome, or withdraw it" in page
    assert "Not met" in page
    assert 'class="govuk-task-list"' in page


def test_a_refused_close_keeps_what_was_typed_and_says_what_is_missing(client, case, world):
    ReferralFactory(case=case, submitted_at=NOW, status="submitted")
    client.force_login(world.lead)

    response = client.post(
        close_url(case),
        {
            "reason": "Settled with family",
            "signposted_to": "The Salvation Army",
            "override_risk_reduced": "Assessed by the refuge, copy on file",
            "safety_plan_reviewed": "on",
        },
    )

    assert response.status_code == 200
    page = response.text
    assert "There is a problem" in page
    assert 'href="#id_override_open_referrals"' in page
    assert "Referrals are finished: 1 open referral" in page
    assert 'href="#id_override_risk_reduced"' not in page
    assert "Settled with family" in page and "The Salvation Army" in page
    assert "Assessed by the refuge, copy on file" in page
    assert "Reason given" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_closed_case_refuses_the_close_page_and_offers_reopening(client, case, world):
    ready_to_close(case, world)
    services.case_close(
        request=request_as(world.lead), case=case, reason="Done", confirmed=ALL_CONFIRMED,
        overrides={},
    )  # fmt: skip
    client.force_login(world.lead)

    refused = client.post(close_url(case), {"reason": "Again"}, follow=True)
    overview = client.get(reverse("cases:case_detail", kwargs={"reference": case.reference}))

    assert f"Case {case.reference} is closed, so it cannot be changed" in refused.text
    assert CaseClosure.objects.count() == 1
    assert "Reopen this case" in overview.text
    assert "Close this case" not in overview.text


# --- Reopening -----------------------------------------------------------------------------------


def test_reopening_needs_a_reason_and_lists_what_may_need_restarting(client, case, world):
    ready_to_close(case, world)
    referral = ReferralFactory(case=case, submitted_at=NOW, status="submitted")
    referral_services.deadline_start(timer=Timer.RECOVERY_PERIOD, start=NOW, referral=referral)
    services.case_close(
        request=request_as(world.lead),
        case=case,
        reason="Moved away",
        confirmed=ALL_CONFIRMED,
        overrides={
            ClosingCheck.OPEN_REFERRALS: "Her new area takes it over",
            ClosingCheck.RUNNING_DEADLINES: "Her new area takes it over",
        },
    )
    client.force_login(world.lead)
    url = reverse("cases:case_reopen", kwargs={"reference": case.reference})

    refused = client.post(url, {"reason": "  "})
    assert "Enter why the case is being reopened" in refused.text
    case.refresh_from_db()
    assert case.is_closed

    page = client.post(url, {"reason": "She has come back to the area"}, follow=True).text

    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closed_at is None
    closure = case.closures.get()
    assert closure.reopened_by == world.lead
    assert closure.reopen_reason == "She has come back to the area"
    assert "What may need restarting" in page
    assert "Recovery period ends" in page
    assert referral.reference in page
    assert case.chronology.filter(title="Case reopened").exists()
    assert AuditEvent.objects.filter(detail="reopened", reference=case.reference).exists()
    # Reopened, the case changes again, and can be closed again.
    assert client.get(close_url(case)).status_code == 200


def test_frontline_cannot_reopen_a_case(client, case, world):
    ready_to_close(case, world)
    services.case_close(
        request=request_as(world.lead), case=case, reason="Done", confirmed=ALL_CONFIRMED,
        overrides={},
    )  # fmt: skip
    client.force_login(world.frontline)

    client.post(reverse("cases:case_reopen", kwargs={"reference": case.reference}), {"reason": "x"})

    case.refresh_from_db()
    assert case.is_closed
