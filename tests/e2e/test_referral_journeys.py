"""Issue 17 in Chromium: a lead records once, through the pages, what the Home Office's NRM
form asks, and the referral pack answers it in the form's order, read back as text.

Two cases: an adult like Miss G (seed 004: promised work in a restaurant, forced into
prostitution, beaten, limited English, the police involved) and a child exploited through
county lines. Every value is synthetic, and distinctive enough to be searched for in the pack.
"""

import datetime as dt
import io
import subprocess

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfWriter

from referrals.models import Referral

from . import keyboard as kb
from .records import NRM_RECIPIENT, open_case, submit_concern
from .test_journeys import record_consent

# Each part of the case record: the link that adds it, then (label, value) pairs. Text is
# typed; True ticks the checkbox of that label; ("group", answer) picks the radio `answer` in
# the fieldset whose legend is the label; a date fills the date input of that legend.
ADULT_RECORD = [
    (
        "Add situation",
        [
            ("When it started (optional)", dt.date(2025, 3, 1)),
            ("The dates are approximate", True),
            ("Towns, cities or regions in the UK", "Slough\nReading"),
            ("Countries outside the UK", "Albania"),
            ("Prostitution or other sexual exploitation", True),
            ("How it started", "Promised bar work in London by Vask Ortolan."),
            ("How they travelled, and who arranged it", "A lorry through Calais, paid by Ortolan."),
            ("The work or tasks, and the hours", "Made to see men every night, no days off."),
            ("Where they lived and how they were treated", "A locked flat above Quillon Grill."),
            ("How they were controlled", "Beaten; passport taken; threats against her mother."),
            ("Why they stayed, or how they got away", "Ran to Wexham Park after a beating."),
            ("Under 18 at any time during it", ("group", "No")),
        ],
    ),
    (
        "Add where they are now",
        [
            ("Where they are now", "A women's refuge in Berkshire."),
            ("Their support provider", "Hestia-like Refuge Trust"),
            ("Phone number", "07700 900417"),
            ("Safe to phone", ("group", "Yes")),
            ("Who receives the decision letter", ("group", "The person")),
        ],
    ),
    (
        "Add person who exploited them",
        [
            ("Names", "Vask Ortolan"),
            ("Nicknames or other names", "Lulo"),
            ("Nationality", "Albanian"),
            ("What they look like", "Tall, shaved head, a swallow tattoo on his neck."),
            ("How they know the person", "Recruiter"),
            ("Vehicles", "Black Audi A4, BD51 SMR"),
            ("Phone numbers", "07700 900123"),
        ],
    ),
    (
        "Add police report",
        [
            ("Reported to the police", ("group", "Yes")),
            ("Police force or forces", "Thames Valley Police"),
            ("Crime or incident (CAD) reference", "TVP-43-118877"),
            ("Officer in charge", "DC Amberley"),
            ("The person will help the police", ("group", "Yes")),
        ],
    ),
    (
        "Add about them",
        [
            ("Place of birth", "Fier"),
            ("How many children they have", "1"),
            ("Other people who may be victims", "Two other women in the flat."),
            ("Why they fear being exploited again", "Ortolan knows where her mother lives."),
        ],
    ),
    (
        "Add first responder",
        [
            ("Name", "Sam Lead"),
            ("Role", "Safeguarding lead"),
            ("Phone number", "01632 960555"),
            ("Email address", "safeguarding@example.test"),
            ("Someone else to contact", "The duty safeguarding lead, 01632 960556"),
        ],
    ),
    (
        "Add interview",
        [
            ("Who was there", "An Albanian interpreter and a refuge worker."),
            ("Your professional judgement of what you saw and heard", "Consistent and credible."),
            (
                "Anything that may look inconsistent, and why it may be",
                "Dates of arrival vary: trauma affects memory.",
            ),
        ],
    ),
]

CHILD_RECORD = [
    (
        "Add situation",
        [
            ("Towns, cities or regions in the UK", "Coventry\nAberystwyth"),
            ("Made to commit crime (drugs, county lines, theft, cannabis growing)", True),
            ("Exploitation of a child", True),
            ("How it started", "Given trainers and a phone by older boys at the skate park."),
            ("The work or tasks, and the hours", "Carrying drugs by train, weekends and nights."),
            ("How they were controlled", "A debt for a 'lost' package; threats with a knife."),
            ("Under 18 at any time during it", ("group", "Yes")),
        ],
    ),
    (
        "Add person who exploited them",
        [
            ("Nicknames or other names", "Tallis"),
            ("Phone numbers", "07700 900888"),
            ("How they know the person", "Runs the line"),
        ],
    ),
    (
        "Add first responder",
        [
            ("Name", "Sam Lead"),
            ("Role", "Safeguarding lead"),
            ("Phone number", "01632 960555"),
            ("Local authority contacted (a child)", "Coventry Children's Services"),
            ("Who there, and how to reach them", "Duty social worker, 024 7600 0001"),
        ],
    ),
]


def fill(page, fields) -> None:
    form = page.locator("main form").last
    for label, value in fields:
        if value is True:
            form.get_by_label(label, exact=True).check()
        elif isinstance(value, tuple):
            form.get_by_role("group", name=label).get_by_label(value[1], exact=True).check()
        elif isinstance(value, dt.date):
            kb.fill_date(form.get_by_role("group", name=label), value)
        else:
            form.get_by_label(label, exact=True).fill(value)


def record_the_case(journey, case, record) -> None:
    page = journey.page
    for add, fields in record:
        journey.goto(f"/cases/{case.reference}/record/")
        page.get_by_role("link", name=add, exact=True).click()
        fill(page, fields)
        journey.step(add)
        journey.submit("Save")
        expect(page.get_by_role("heading", name="Case record")).to_be_visible()
        for _, value in fields:
            if isinstance(value, str):
                expect(page.locator("main")).to_contain_text(value.splitlines()[0])


def agree_to_share(journey, case, what: str) -> None:
    page = journey.page
    journey.goto(f"/cases/{case.reference}/sharing/")
    page.get_by_role("group", name="What did they agree may be shared?").get_by_label(
        what, exact=True
    ).check()
    page.get_by_label("With which organisation (from the directory)").select_option(
        label=NRM_RECIPIENT
    )
    kb.fill_date(page.get_by_role("group", name="Date they agreed"), timezone.localdate())
    journey.step(f"agree to share: {what}")
    journey.submit("Record the agreement")
    expect(page.locator("main")).to_contain_text(what)


def one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload_evidence(journey, case, tmp_path, *, refused_first: bool = False) -> None:
    page = journey.page
    journey.goto(f"/cases/{case.reference}/documents/")
    if refused_first:
        # An HTML file named like a PDF is refused by what it holds, and what was typed stays.
        fake = tmp_path / "statement.pdf"
        fake.write_text("<html><body>not a pdf</body></html>")
        page.get_by_label("Upload a document").set_input_files(fake)
        page.get_by_role("group", name="What kind of document is it?").get_by_label(
            "Police statement"
        ).check()
        page.get_by_label("Description", exact=True).fill("Statement to Thames Valley Police")
        page.get_by_role("button", name="Add evidence document").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "must be a PDF, JPG, PNG, DOC or DOCX"
        )
        expect(page.get_by_label("Description", exact=True)).to_have_value(
            "Statement to Thames Valley Police"
        )
    real = tmp_path / "statement-real.pdf"
    real.write_bytes(one_page_pdf())
    page.get_by_label("Upload a document").set_input_files(real)
    page.get_by_role("group", name="What kind of document is it?").get_by_label(
        "Police statement"
    ).check()
    page.get_by_label("Description", exact=True).fill("Statement to Thames Valley Police")
    journey.step("evidence")
    page.get_by_role("button", name="Add evidence document").click()
    expect(page.locator("main")).to_contain_text("Statement to Thames Valley Police")


def start_referral(
    journey, case, *, summary: str, pathway: str = "National Referral Mechanism (NRM)"
) -> Referral:
    page = journey.page
    journey.goto(f"/cases/{case.reference}/referrals/")
    page.get_by_label(pathway, exact=True).check()
    page.get_by_label("Who it goes to").select_option(label=NRM_RECIPIENT)
    if pathway.startswith("National Referral Mechanism"):
        page.get_by_label("Competent authority that decides it (NRM only)").select_option(
            label="Single Competent Authority"
        )
    page.get_by_label("What the receiving agency needs to know").fill(summary)
    journey.step(f"start the referral: {pathway}")
    journey.submit("Start the referral")
    expect(page.get_by_role("heading", name="Draft")).to_be_visible()
    return Referral.objects.filter(case=case).latest("created_at")


def record_as_submitted(
    journey, reference: str, *, complete: bool, step: str = "Record as submitted"
) -> None:
    """Through "check your answers": a complete referral needs no confirmation; one with
    answers missing is recorded with the list in view, confirmed."""
    page = journey.page
    page.get_by_role("link", name=f"Check your answers and {step.lower()}").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    missing = page.locator("#missing-answers")
    if complete and missing.count():
        raise AssertionError(f"Answers still missing: {missing.inner_text()}")
    label = page.get_by_label("Their reference (for example the NRM reference)")
    if label.count():
        label.fill(reference)
    if missing.count():
        page.get_by_label("I am recording it as submitted with these answers missing").check()
    journey.step("check your answers")
    page.get_by_role("button", name=step).click()
    expect(page.get_by_role("heading", name="Submitted")).to_be_visible()


def pack_text(journey) -> str:
    page = journey.page
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the referral pack (PDF)").click()
    # The body of every page, without the markings in its margins (A4, 72 points an inch:
    # 24 mm at the top and 22 mm at the bottom, static/pdf/document.css), so that an answer
    # running onto the next page reads as one.
    body = ["-x", "0", "-y", "68", "-W", "595", "-H", "712"]
    text = subprocess.run(
        ["pdftotext", *body, info.value.path(), "-"], capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def assert_in_order(text: str, headings: list[str]) -> None:
    positions = []
    for heading in headings:
        found = text.find(heading)
        assert found >= 0, f"{heading!r} is not in the pack"
        positions.append(found)
    assert positions == sorted(positions), f"The pack's sections are out of order: {headings}"


def assert_answers_in(text: str, record) -> None:
    for _, fields in record:
        for label, value in fields:
            if isinstance(value, str):
                for line in value.splitlines():
                    assert " ".join(line.split()) in text, (label, line)


def task_list(journey, *, expect_completed: list[str], expect_not_needed: list[str] = ()):
    page = journey.page
    page.get_by_role(
        "link", name="Ready to refer: what the form asks, and what is still missing"
    ).click()
    for heading in expect_completed:
        item = page.locator(".govuk-task-list__item", has_text=heading)
        expect(item).to_contain_text("Completed")
    for heading in expect_not_needed:
        expect(page.locator(".govuk-task-list__item", has_text=heading)).to_contain_text(
            "Not needed"
        )
    journey.step("task list")
    page.go_back()


def answers_to_copy(journey) -> str:
    page = journey.page
    page.get_by_role("link", name="Answers to copy into the Home Office's online form").click()
    journey.step("answers to copy")
    # Each section is a read-only text area: its value is what the copy button copies.
    text = " ".join(
        " ".join(area.input_value().split()) for area in page.locator("main textarea").all()
    )
    page.go_back()
    return text


def test_an_adult_like_miss_g_is_recorded_once_and_the_pack_answers_the_form(
    journey, world, organisation, tmp_path
):
    from referrals.readiness import SECTIONS

    concern = submit_concern(
        world.frontline,
        name="Gentiana Example",
        date_of_birth=dt.date(1996, 5, 14),
        gender="female",
        nationalities="Albanian",
        languages="Albanian",
        interpreter_needed=True,
        interpreter_language="Albanian",
    )
    case = open_case(world.lead, world.north, concern)
    journey.goto("/")
    journey.sign_in(world.lead, secret=world.totp[world.lead.pk])

    record_the_case(journey, case, ADULT_RECORD)
    agree_to_share(journey, case, "The referral and the case record")
    agree_to_share(journey, case, "Evidence documents")
    upload_evidence(journey, case, tmp_path, refused_first=True)
    start_referral(journey, case, summary="Speak to her only through the refuge.")
    record_consent(journey, concern)
    task_list(journey, expect_completed=[s.heading for s in SECTIONS])
    copied = answers_to_copy(journey)
    record_as_submitted(journey, "NRM-2026-0417", complete=True)

    text = pack_text(journey)
    assert_in_order(text, [s.heading for s in SECTIONS])
    assert_answers_in(text, ADULT_RECORD)
    for value in [
        "Gentiana Example",
        "14 May 1996",
        "Statement to Thames Valley Police",
        "NRM-2026-0417",
        "Current agreements to share",
        "Speak to her only through the refuge.",
    ]:
        assert value in text, value
    # What the lead copies into the Home Office's form is what the pack says.
    for value in ["TVP-43-118877", "Vask Ortolan", "BD51 SMR", "07700 900123", "Fier"]:
        assert value in copied and value in text, value


def test_a_child_exploited_through_county_lines_is_referred_without_consent(
    journey, world, organisation
):
    from referrals.readiness import SECTIONS

    today = timezone.localdate()
    concern = submit_concern(
        world.frontline,
        name="Kian Example",
        date_of_birth=today.replace(year=today.year - 15) - dt.timedelta(days=40),
        gender="male",
        nationalities="British",
        languages="English",
    )
    case = open_case(world.lead, world.north, concern)
    journey.goto("/")
    journey.sign_in(world.lead, secret=world.totp[world.lead.pk])

    record_the_case(journey, case, CHILD_RECORD)
    # A child: Children's Services first, then the NRM, which needs no consent.
    start_referral(
        journey,
        case,
        summary="Strategy meeting called.",
        pathway="Children's Services referral",
    )
    record_as_submitted(journey, "", complete=False, step="Record as sent")
    start_referral(journey, case, summary="Do not contact him through his phone.")
    expect(journey.page.locator("main")).not_to_contain_text("Record their answer")
    task_list(
        journey,
        expect_completed=["The referral and the person's age"],
        expect_not_needed=["Whether they want to be referred"],
    )
    # Some of what the form asks is not known yet: listed, confirmed, never a block.
    record_as_submitted(journey, "NRM-2026-0988", complete=False)

    text = pack_text(journey)
    assert_in_order(text, [s.heading for s in SECTIONS])
    assert_answers_in(text, CHILD_RECORD)
    assert "A child is referred without their consent." in text
    assert "Coventry Children's Services" in text and "Kian Example" in text
