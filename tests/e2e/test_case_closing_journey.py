"""Issue 19, item 1 in Chromium: a lead tries to close a case like Miss G's (seed 004) while a
referral is still open, is stopped with a reason for each check not met, resolves the
referral, gives a reason for what remains, and closes. Then the real reminder sweep runs past
the case's deadlines: nothing is reminded for a closed case."""

import datetime as dt

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseStatus, RiskAssessment, RiskLevel
from referrals import tasks
from referrals.deadlines import Timer
from referrals.models import Deadline, Referral, Reminder
from safeguard.choices import Pathway

from .records import open_case, submit_concern


def test_a_lead_is_stopped_closing_with_an_open_referral_resolves_it_and_closes(
    journey, world, organisation, monkeypatch
):
    concern = submit_concern(world.frontline, name="Synthetic Miss G", estimated_age=31)
    case = open_case(world.lead, world.north, concern)
    referral = Referral.objects.create(
        reference="RF-2026-990001",
        case=case,
        pathway=Pathway.POLICE,
        status="submitted",
        submitted_at=timezone.now(),
        created_by=world.lead,
    )
    for days_ago, level in ((120, RiskLevel.HIGH), (2, RiskLevel.LOW)):
        RiskAssessment.objects.create(
            case=case,
            assessed_by=world.lead,
            level=level,
            summary="Synthetic assessment.",
            assessed_at=timezone.now() - dt.timedelta(days=days_ago),
            review_on=timezone.localdate() + dt.timedelta(days=30),
        )
    refer_clock = Deadline.objects.get(concern=concern, timer=Timer.REFER)
    assert refer_clock.is_open
    page = journey.page

    journey.goto("/")
    journey.sign_in(world.lead, secret=world.totp[world.lead.pk])
    journey.goto(f"/cases/{case.reference}/")
    page.get_by_role("link", name="Close this case").click()
    expect(page.get_by_role("heading", name="Close the case")).to_be_visible()
    checks = page.locator("#closing-checks")
    expect(checks.locator("#check-open_referrals")).to_contain_text(
        f"1 open referral: {referral.reference}"
    )
    expect(checks.locator("#check-open_referrals")).to_contain_text("Not met")
    expect(checks.locator("#check-risk_reduced")).to_contain_text("Fallen from High to Low")
    expect(checks.locator("#check-risk_reduced")).to_contain_text("Met")
    journey.step("the checks")

    page.get_by_label("I have reviewed the safety plan with them").check()
    page.get_by_label("Their papers are complete").check()
    page.get_by_label("Where have they been signposted").fill(
        "A victim support service for the court case"
    )
    page.get_by_label("Why is the case being closed?").fill("Risk has fallen; she is settled.")
    journey.submit("Close the case")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        f"Referrals are finished: 1 open referral: {referral.reference}"
    )
    expect(summary).to_contain_text("No deadlines are running")
    expect(page.get_by_label("Why is the case being closed?")).to_have_value(
        "Risk has fallen; she is settled."
    )
    journey.step("stopped with the reasons")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN

    # Resolve the referral where the check links to it: the police answered.
    checks.locator("#check-open_referrals").get_by_role("link", name=referral.reference).click()
    page.get_by_text("Record their answer and close", exact=True).first.click()
    page.locator("details[open]").get_by_role(
        "button", name="Record their answer and close"
    ).click()
    expect(page.get_by_role("heading", name="Closed")).to_be_visible()
    journey.step("referral closed")

    journey.goto(f"/cases/{case.reference}/close/")
    expect(checks.locator("#check-open_referrals")).to_contain_text("Met")
    expect(checks.locator("#check-running_deadlines")).to_contain_text("Not met")
    checks.locator("#check-running_deadlines").get_by_label("Why can the case close anyway?").fill(
        "The referral to the police was made; no NRM referral: she declined."
    )
    page.get_by_label("I have reviewed the safety plan with them").check()
    page.get_by_label("Their papers are complete").check()
    page.get_by_label("Where have they been signposted").fill(
        "A victim support service for the court case"
    )
    page.get_by_label("Why is the case being closed?").fill("Risk has fallen; she is settled.")
    journey.step("resolved and reasons given")
    journey.submit("Close the case")

    expect(page.locator("main")).to_contain_text(f"Case {case.reference} is closed.")
    expect(page.get_by_role("link", name="Reopen this case")).to_be_visible()
    journey.step("closed")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    refer_clock.refresh_from_db()
    assert refer_clock.cancelled_reason == "Case closed: Risk has fallen; she is settled."

    # The real sweep, run as beat runs it, long after every deadline of the case fell due.
    sent = []
    monkeypatch.setattr(tasks.send_reminder, "delay", sent.append)
    with time_machine.travel(refer_clock.due_at + dt.timedelta(days=10), tick=False):
        tasks.sweep()
    assert not Reminder.objects.filter(deadline__case=case).exists()
    assert not Reminder.objects.filter(deadline__concern=concern).exists()
