"""The journeys of issue #10, in Chromium, as the people who use Safeguard take them."""

import csv
import datetime as dt
import io
import subprocess

from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Concern
from contacts.models import Organisation
from referrals import services as referral_services
from referrals.deadlines import Timer
from referrals.models import Deadline
from safeguard.choices import Pathway
from tests.auth import request_as
from tests.factories import UserFactory

from . import keyboard as kb
from .records import NRM_RECIPIENT, open_case, past_moment, submit_concern

# --- 1 and 3: a frontline practitioner logs a concern, with the keyboard alone ---------------


def keyboard_sign_in(journey, user):
    page = journey.page
    kb.type_into(page, page.get_by_label("Email"), user.email)
    kb.type_into(page, page.get_by_label("Password", exact=True), "correct-horse-battery-staple")
    kb.press(page, page.locator("main button[type=submit]"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def keyboard_log_concern(journey, *, describe_person, indicator: str) -> None:
    """From the home page to the next steps: the start question, the person, what happened."""
    page = journey.page
    kb.press(page, page.get_by_role("link", name="Log a concern").first)
    expect(page.get_by_role("heading", name="Log a concern")).to_be_visible()
    kb.choose(page, page.get_by_label("No", exact=True))
    journey.step("immediate danger: no")
    kb.press(page, page.locator("main button[type=submit]"))

    expect(page.get_by_role("heading", name="Who is the concern about?")).to_be_visible()
    describe_person(page)
    journey.step("the person")
    kb.press(page, page.get_by_role("button", name="Continue"))

    expect(page.get_by_role("heading", name="What happened?")).to_be_visible()
    seen = past_moment()
    kb.type_date(page, page.get_by_role("group", name="Date", exact=True), seen.date())
    kb.type_time(page, page.get_by_label("Time (24-hour clock)"), seen)
    kb.type_into(page, page.get_by_label("Where", exact=True), "Station Road")
    kb.pick(page, page.get_by_label("Setting"), "Hotel or short-let")
    kb.type_into(
        page,
        page.get_by_label("What you saw, heard or were told"),
        "A man answered every question for her and kept her passport.",
    )
    kb.check(page, page.get_by_label("Labour exploitation"))
    if indicator:
        box = page.locator(f"input[name='ind_{indicator}']")
        kb.press(page, page.locator("details", has=box).locator("summary"))  # open its group
        kb.check(page, box)
        note = page.locator(f"input[name='note_{indicator}']")
        expect(note).to_be_visible()  # revealed by ticking
        kb.type_into(page, note, "Bruises on both arms")
    journey.step("what happened")
    kb.press(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Station Road")
    journey.step("check your answers")
    kb.press(page, page.get_by_role("button", name="Submit concern"))
    expect(page.get_by_role("heading", name="Concern logged")).to_be_visible()
    journey.step("next steps")


def test_frontline_logs_an_adult_concern_with_the_keyboard_alone(journey, world, organisation):
    page = journey.page
    journey.goto("/")
    keyboard_sign_in(journey, world.frontline)
    journey.step("signed in")

    def adult_who_needs_an_interpreter(page):
        kb.type_into(page, page.get_by_label("Name", exact=True), "Ana Example")
        kb.type_date(
            page, page.get_by_role("group", name="Date of birth", exact=True), dt.date(1994, 2, 11)
        )
        kb.check(page, page.get_by_label("They need an interpreter"))
        kb.type_into(page, page.get_by_label("Interpreter language"), "Romanian")

    keyboard_log_concern(
        journey,
        describe_person=adult_who_needs_an_interpreter,
        indicator="physical-injuries-control",
    )

    main = page.locator("main")
    expect(main).to_contain_text("An adult: ask whether they agree to a referral")
    expect(main).to_contain_text("48 hours after the person was identified")
    expect(main).to_contain_text(" left)")
    expect(main).to_contain_text("with an interpreter if they need one")
    concern = Concern.objects.select_related("person").get(reporter=world.frontline)
    assert concern.person.interpreter_needed
    assert concern.person.interpreter_language == "Romanian"
    observation = concern.observations.get()
    assert (observation.indicator.code, observation.answer, observation.note) == (
        "physical-injuries-control",
        "observed",
        "Bruises on both arms",
    )
    assert concern.deadlines.get().timer == Timer.REFER


def test_child_concern_shows_the_child_pathway_and_never_the_duty_to_notify(
    journey, world, organisation
):
    page = journey.page
    journey.goto("/")
    keyboard_sign_in(journey, world.frontline)

    def child_of_about_fifteen(page):
        kb.type_into(page, page.get_by_label("Name", exact=True), "Sam Example")
        kb.type_into(page, page.get_by_label("Estimated age"), "15")

    keyboard_log_concern(journey, describe_person=child_of_about_fifteen, indicator="")

    main = page.locator("main")
    expect(main).to_contain_text("The person may be under 18: treat them as a child")
    expect(main).to_contain_text("Make a safeguarding referral to Children's Services first")
    expect(main).not_to_contain_text("An adult: ask whether they agree")
    expect(main).not_to_contain_text("must still tell the Home Office")

    # The lead who takes the case on is not offered the Duty to Notify either.
    concern = Concern.objects.get(reporter=world.frontline)
    case = open_case(world.lead, world.north, concern)
    journey.context.clear_cookies()
    journey.goto(f"/cases/{case.reference}/referrals/")
    journey.sign_in(world.lead, secret=world.totp[world.lead.pk])
    journey.step("child case referrals")
    expect(main).to_contain_text("Refer to Children's Services first")
    expect(page.get_by_label("Children's Services referral")).to_be_visible()
    expect(page.get_by_label("Duty to Notify (MS1)")).to_have_count(0)


# --- 2: a lead triages into a case and takes an NRM referral to a positive RG decision -------


def triage_into_case(journey, concern):
    page = journey.page
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Triage"
    ).click()
    page.get_by_role("link", name=concern.reference).click()
    page.get_by_label("Open a new case").check()
    journey.step("triage decision")
    journey.submit("Record the decision")
    expect(page.locator("main")).to_contain_text("in a case")


def start_nrm_referral(journey, concern):
    page = journey.page
    page.get_by_role("link", name="Referrals").click()
    page.get_by_label("National Referral Mechanism (NRM)").check()
    page.get_by_label("Who it goes to").select_option(label=NRM_RECIPIENT)
    page.get_by_label("Competent authority that decides it (NRM only)").select_option(
        label="Single Competent Authority"
    )
    page.get_by_label("What the receiving agency needs to know").fill(
        "Needs a Romanian interpreter; do not contact through the employer."
    )
    journey.step("start the referral")
    journey.submit("Start the referral")
    expect(page.get_by_role("heading", name="Draft")).to_be_visible()


def record_consent(journey, concern):
    page = journey.page
    page.get_by_label("Yes, they agreed").check()
    kb.fill_date(page.get_by_role("group", name="Date", exact=True), timezone.localdate())
    for question in (
        "Was the NRM explained to them?",
        "Were the Reasonable Grounds and Conclusive Grounds decisions explained?",
        "Was the support on offer explained?",
        "Was the privacy notice explained (how their information is used and shared)?",
    ):
        page.get_by_role("group", name=question).get_by_label("Yes", exact=True).check()
    page.get_by_label("How it was explained").fill("Explained the NRM with the leaflet.")
    page.get_by_label("Language it was explained in").fill("Romanian")
    page.get_by_label("An interpreter was used").check()
    page.get_by_label("Interpreter's language").fill("Romanian")
    page.get_by_label("Interpreter's name or agency").fill("Language Line")
    journey.step("consent")
    journey.submit("Record their answer")
    expect(page.locator("main")).to_contain_text("They agreed on")


def submit_referral(journey, concern):
    page = journey.page
    page.get_by_role("link", name="Check your answers and record as submitted").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("#missing-answers")).to_be_visible()
    page.get_by_label("Their reference (for example the NRM reference)").fill("NRM-2026-0042")
    page.get_by_label("I am recording it as submitted with these answers missing").check()
    journey.step("submit")
    page.get_by_role("button", name="Record as submitted").click()
    expect(page.get_by_role("heading", name="Submitted")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Reasonable Grounds decision expected")


def record_positive_rg(journey, concern):
    page = journey.page
    label = "Record a positive Reasonable Grounds decision"
    page.get_by_text(label, exact=True).first.click()
    details = page.locator("details[open]")
    kb.fill_date(
        details.get_by_role("group", name="Date the decision was received"), timezone.localdate()
    )
    journey.step("positive RG")
    details.get_by_role("button", name=label).click()
    expect(page.get_by_role("heading", name="Positive Reasonable Grounds")).to_be_visible()


def see_recovery_period(journey, concern):
    page = journey.page
    recovery = page.locator("main li", has_text="Recovery period ends")
    # A support period ends, it is never late (issue 18): its day, its end condition in
    # England and Wales, and what the lead should do before it.
    expect(recovery).to_contain_text("to its day")
    expect(recovery).to_contain_text("until the Conclusive Grounds decision")
    expect(recovery).not_to_contain_text("Overdue")
    journey.step("recovery period")


def download_referral_pack(journey, concern):
    """The pack the next agency receives, read back as text: the person need not repeat it."""
    page = journey.page
    journey.step("referral pack")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the referral pack (PDF)").click()
    download = info.value
    assert download.suggested_filename.startswith("referral-pack-RF-")
    text = subprocess.run(
        ["pdftotext", download.path(), "-"], capture_output=True, check=True
    ).stdout.decode()
    for expected in [
        concern.person.name,
        concern.reference,
        "NRM-2026-0042",
        "Needed (Romanian)" if concern.person.interpreter_needed else "Not needed",
        "Explained the NRM with the leaflet.",
        "Positive",
        "OFFICIAL-SENSITIVE",
    ]:
        assert expected in text, expected


# Each step takes (journey, concern).
LEAD_REFERRAL_STEPS = [
    triage_into_case,
    start_nrm_referral,
    record_consent,
    submit_referral,
    record_positive_rg,
    see_recovery_period,
    download_referral_pack,
]


def test_lead_takes_a_concern_to_a_positive_reasonable_grounds_decision(
    journey, world, organisation
):
    concern = submit_concern(
        world.frontline,
        name="Ana Example",
        date_of_birth=dt.date(1994, 2, 11),
        interpreter_needed=True,
        interpreter_language="Romanian",
    )
    journey.goto("/")
    journey.sign_in(world.lead, secret=world.totp[world.lead.pk])
    for step in LEAD_REFERRAL_STEPS:
        step(journey, concern)


# --- 4: a manager chases an overdue RG decision ----------------------------------------------


def test_manager_reassigns_an_overdue_rg_decision_and_exports_the_list(
    journey, world, organisation
):
    concern = submit_concern(world.frontline, name="Ana Example", date_of_birth=dt.date(1990, 1, 1))
    case = open_case(world.lead, world.north, concern)
    request = request_as(world.lead)
    referral = referral_services.referral_create(
        request=request,
        case=case,
        pathway=Pathway.NRM,
        recipient=Organisation.objects.get(name=NRM_RECIPIENT),
        competent_authority="sca",
    )
    referral_services.consent_record(
        request=request,
        referral=referral,
        given=True,
        given_on=timezone.localdate(),
        how_explained="With the leaflet",
        explained=dict.fromkeys(referral_services.EXPLAINED, True),
        explained_in="English",
        interpreter_used=False,
        interpreter_language="",
        witnessed_by="",
    )
    referral_services.referral_transition(
        request=request, referral=referral, action="submit", confirm_missing=True
    )
    # Submitted twelve days ago: the decision, due in five working days, is late.
    late = dt.timedelta(days=12)
    rg = Deadline.objects.get(referral=referral, timer=Timer.RG_DECISION)
    Deadline.objects.filter(pk=rg.pk).update(starts_at=rg.starts_at - late, due_at=rg.due_at - late)
    colleague = UserFactory(full_name="Nia North", role="lead", teams=[world.north])

    page = journey.page
    journey.goto("/")
    journey.sign_in(world.manager, secret=world.totp[world.manager.pk])
    page.get_by_role("link", name="Deadlines").first.click()
    page.get_by_role("link", name="Overdue and due soon").click()
    row = page.locator("tbody tr", has_text="Reasonable Grounds decision expected").filter(
        has_text=case.reference
    )
    expect(row).to_contain_text("Overdue")
    journey.step("overdue list")
    row.get_by_label("Assigned to").select_option(label="Nia North")
    row.get_by_role("button", name="Reassign").click()
    expect(page.locator("main")).to_contain_text("reassigned to Nia North")
    assert Deadline.objects.get(pk=rg.pk).assignee == colleague
    journey.step("reassigned")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert rows[0][:2] == ["timer", "reference"]
    rg_row = next(r for r in rows if r[1] == case.reference and r[0].startswith("Reasonable"))
    assert rg_row[3] == "Nia North"
    assert rg_row[6] == "overdue"
    assert "Ana Example" not in download.value.path().read_text()


# --- 5: another team's case is "not found" ---------------------------------------------------


def test_frontline_gets_not_found_for_another_teams_case(journey, world, organisation):
    concern = submit_concern(world.lead_south, name="Bo Example", date_of_birth=dt.date(1990, 1, 1))
    case = open_case(world.lead_south, world.south, concern)
    page = journey.page
    journey.goto("/")
    journey.sign_in(world.frontline)
    response = page.goto(f"/cases/{case.reference}/")
    journey.step("another team's case")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Bo Example")


# --- 6: the session ends while a concern is half typed ---------------------------------------


def test_nothing_typed_is_lost_when_the_session_expires(
    journey_without_js, world, organisation, expire_session
):
    # Without JavaScript, so that the draft's autosave cannot be what keeps the text.
    journey = journey_without_js
    page = journey.page
    journey.goto("/")
    journey.sign_in(world.frontline)
    page.goto("/concerns/new/")
    page.get_by_label("No", exact=True).check()
    journey.submit("Continue")
    page.get_by_label("Name", exact=True).fill("Ana Example")
    page.get_by_label("Distinguishing features").fill("A small scar above the left eyebrow")
    journey.step("half typed")

    expire_session(journey)
    journey.submit("Continue")
    expect(page.locator("main")).to_contain_text("You were signed out after 30 minutes")
    journey.step("signed out")

    journey.sign_in(world.frontline)
    expect(page.locator("main")).to_contain_text("what you had typed was kept")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Ana Example")
    expect(page.get_by_label("Distinguishing features")).to_have_value(
        "A small scar above the left eyebrow"
    )
    journey.step("signed in again")


# --- The core flows without JavaScript -------------------------------------------------------


def test_concern_triage_and_referral_steps_work_without_javascript(
    journey_without_js, world, organisation
):
    journey = journey_without_js
    page = journey.page
    journey.goto("/")
    journey.sign_in(world.frontline)
    page.get_by_role("link", name="Log a concern").first.click()
    page.get_by_label("No", exact=True).check()
    journey.submit("Continue")
    page.get_by_label("Name", exact=True).fill("Ana Example")
    kb.fill_date(page.get_by_role("group", name="Date of birth", exact=True), dt.date(1994, 2, 11))
    journey.submit("Continue")
    seen = past_moment()
    kb.fill_date(page.get_by_role("group", name="Date", exact=True), seen.date())
    page.get_by_label("Time (24-hour clock)").fill(seen.strftime("%H:%M"))
    page.get_by_label("Where", exact=True).fill("Station Road")
    page.get_by_label("Setting").select_option(label="Hotel or short-let")
    page.get_by_label("What you saw, heard or were told").fill("Her passport was kept from her.")
    page.locator("summary", has_text="Physical").click()
    page.locator("input[name='ind_physical-injuries-control']").check()
    # Without JavaScript every note box is on the page, ticked or not.
    expect(page.locator("input[name='note_physical-stomach-symptoms']")).to_be_visible()
    journey.step("what happened, no JavaScript")
    journey.submit("Continue")
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    journey.submit("Submit concern")
    expect(page.get_by_role("heading", name="Concern logged")).to_be_visible()
    concern = Concern.objects.get(reporter=world.frontline)

    page.get_by_role("button", name="Sign out").click()
    journey.sign_in(world.lead, secret=world.totp[world.lead.pk])
    for step in LEAD_REFERRAL_STEPS:
        step(journey, concern)
