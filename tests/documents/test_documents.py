"""The PDFs: referral packs, the missing-person sheet, the chronology and the safeguarding card.

Every PDF is made by WeasyPrint for real and read back as text with poppler's pdftotext (and
pypdf for the structure): what each document must carry, what an anonymous Duty to Notify
must not, the markings on every page, password protection, and that the renderer fetches
nothing but our own static files.
"""

import datetime as dt
import http.server
import io
import re
import subprocess
import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from cases import services as case_services
from cases.models import (
    Answer,
    ChronologyEntry,
    ExploitationType,
    Indicator,
    RiskAssessment,
    RiskLevel,
)
from contacts.models import Organisation, Phone
from documents import tasks
from documents.models import DocumentJob
from retention.models import RetentionRule
from safeguard import pdf
from safeguard.choices import Pathway
from safeguard.models import AuditEvent
from tests.auth import request_as, sign_in
from tests.cases.test_photos import jpeg_with_metadata, upload
from tests.referrals.test_referrals import NOW, act, consent, start
from tests.storage import keep_private_files_in
from tests.tools import require


@pytest.fixture(autouse=True)
def pdftotext():
    """The PDFs are read back as text: without poppler-utils these tests fail, never skip."""
    return require("pdftotext", package="poppler-utils")


NAME = "Marta Kowalska-Nowak"
ALIAS = "Martusia"
WORDS = "He keeps my passport in his van and says I owe him for the flight"
ACCOUNT = "She came in with a man who answered every question for her"


# --- Reading PDFs back -------------------------------------------------------------------------


def pdf_text(content: bytes, *, password: str | None = None, page: int | None = None) -> str:
    command = ["pdftotext"]
    if password:
        command += ["-upw", password]
    if page:
        command += ["-f", str(page), "-l", str(page)]
    result = subprocess.run(
        [*command, "-", "-"], input=content, capture_output=True, check=False, timeout=60
    )
    if result.returncode:
        raise PdfUnreadable(result.stderr.decode())
    return result.stdout.decode()


class PdfUnreadable(Exception):
    pass


def flat(text: str) -> str:
    """The text with its layout folded into single spaces, for phrases that wrap."""
    return re.sub(r"\s+", " ", text)


def page_count(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def structure_tags(content: bytes) -> set[str]:
    root = PdfReader(io.BytesIO(content)).trailer["/Root"]
    tags: set[str] = set()

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif hasattr(node, "get"):
            if "/S" in node:
                tags.add(str(node["/S"]))
            if "/K" in node:
                walk(node["/K"])

    walk(root["/StructTreeRoot"])
    return tags


# --- The world of these tests ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path):
    """Photos and prepared documents in a temporary private directory."""
    return keep_private_files_in(settings, tmp_path / "private")


@pytest.fixture
def recipient(db):
    organisation = Organisation.objects.create(
        name="Single Competent Authority", coverage_national=True, email="nrm@example.org"
    )
    Phone.objects.create(organisation=organisation, number="+448000121700")
    return organisation


@pytest.fixture
def case(world, log_concern, reference_data, organisation):
    """An adult with a full record: names, words, indicators, links, risk, support."""
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        concern = log_concern(
            world.frontline,
            name=NAME,
            aliases=ALIAS,
            date_of_birth=dt.date(1994, 3, 7),
            gender="female",
            nationalities="Polish",
            languages="Polish, some English",
            interpreter_needed=True,
            interpreter_language="Polish",
            safe_contact="Only through the clinic on Tuesdays",
            distinguishing_features="Scar above the left eyebrow",
            links=[("vehicle", "White Ford Transit AB12 CDE"), ("exploiter", "A man called Vik")],
        )
    concern.persons_words = WORDS
    concern.observer_account = ACCOUNT
    concern.accompanied_by = "An older man who said he was her cousin"
    concern.save()
    bruising = Indicator.objects.get(code="physical-injuries-control")
    concern.observations.create(indicator=bruising, answer=Answer.OBSERVED, note="On both arms")
    concern.exploitation_types.set([ExploitationType.objects.get(code="labour")])
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        case = case_services.case_open(
            request=request_as(world.lead),
            person=concern.person,
            team=world.north,
            lead=world.lead,
            concerns=[concern],
        )
    case_services.risk_assessment_add(
        request=request_as(world.lead),
        assessment=RiskAssessment(
            case=case,
            level=RiskLevel.HIGH,
            community_safe=False,
            family_risk=True,
            public_funds=False,
            summary="The man who brought her knows where she sleeps",
            review_on=dt.date(2026, 12, 1),
        ),
    )
    return case


@pytest.fixture
def nrm_pack(world, case, recipient):
    with time_machine.travel(NOW, tick=False):
        referral = start(world, case, recipient=recipient, summary="Please call before visiting")
        consent(world, referral)
        act(world, referral, "submit", external_reference="NRM-2026-77")
    return referral


@pytest.fixture
def lead_client(client, world):
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    return client


def download_pack(client, referral, password=""):
    return client.post(
        reverse("documents:pack", args=[referral.reference]), {"pack-password": password}
    )


def pdf_of(response) -> bytes:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- The referral pack -------------------------------------------------------------------------


def test_the_nrm_pack_carries_the_person_the_concern_consent_risks_and_decisions(
    world, lead_client, nrm_pack
):
    text = flat(pdf_text(pdf_of(download_pack(lead_client, nrm_pack))))

    for expected in [
        NAME,
        ALIAS,
        "7 March 1994",
        "Female",
        "Polish",
        "Needed (Polish)",
        "Scar above the left eyebrow",
        "Only through the clinic on Tuesdays",
        "Suspected types: Labour exploitation.",
        "Current risk level: High.",
        "On both arms",
        "Explained with leaflet",  # the consent record
        "The man who brought her knows where she sleeps",  # risks for the receiving agency
        "NRM-2026-77",
        "Please call before visiting",
        "Lee Lead",  # the first responder's lead
        world.lead.email,
        "Single Competent Authority",
        "08000 121 700",  # the directory contact involved
        "Reasonable Grounds",  # the RG deadline the submission started
    ]:
        assert expected in text, expected


def test_the_observers_account_and_the_persons_own_words_are_kept_apart(lead_client, nrm_pack):
    text = flat(pdf_text(pdf_of(download_pack(lead_client, nrm_pack))))

    account_heading = text.index("What the practitioner saw, heard or was told")
    words_heading = text.index("The person's own words")
    assert account_heading < text.index(ACCOUNT) < words_heading < text.index(WORDS)


def test_indicators_are_grouped_as_on_the_checklist(lead_client, nrm_pack):
    text = flat(pdf_text(pdf_of(download_pack(lead_client, nrm_pack))))

    group = text.index("Physical")
    indicator = Indicator.objects.get(code="physical-injuries-control").text
    assert group < text.index(flat(indicator)[:40])


def test_an_anonymous_duty_to_notify_leaves_out_everything_that_identifies_the_person(
    world, case, lead_client, recipient, documents_dir
):
    from cases.photos import save_photo

    save_photo(case.person, upload(jpeg_with_metadata()))
    with time_machine.travel(NOW, tick=False):
        consent_declined = start(world, case, pathway=Pathway.NRM, recipient=recipient)
        consent(world, consent_declined, given=False)
        notice = start(world, case, pathway=Pathway.DUTY_TO_NOTIFY, named=False)

    content = pdf_of(download_pack(lead_client, notice))
    text = flat(pdf_text(content))

    for identifying in [
        NAME,
        "Kowalska",
        ALIAS,
        "1994",
        "Scar above",
        "clinic on Tuesdays",
        "Station Road",  # where she was seen
        "knows where she sleeps",
        case.person.reference,
    ]:
        assert identifying not in text, identifying
    # The accounts are kept, as the Home Office's own route keeps them (tests/documents/
    # test_anonymous_dtn.py: and the lead's preview warns where they may identify her).
    for kept in [
        "Anonymous notification",
        "Female",
        "Polish",
        "Adult (18 or over)",
        "Labour",
        WORDS[:30],
        ACCOUNT[:30],
        "cousin",
        "On both arms",
    ]:
        assert kept in text, kept
    assert not PdfReader(io.BytesIO(content)).pages[0].images  # no photograph
    assert NAME not in str(PdfReader(io.BytesIO(content)).metadata)


def test_a_named_duty_to_notify_names_the_person(world, case, lead_client):
    with time_machine.travel(NOW, tick=False):
        notice = start(world, case, pathway=Pathway.DUTY_TO_NOTIFY, named=True)

    text = flat(pdf_text(pdf_of(download_pack(lead_client, notice))))

    assert NAME in text
    assert "The person agreed to be named" in text


def test_a_childs_pack_says_why_there_is_no_consent(world, log_concern, organisation, lead_client):
    with time_machine.travel(NOW, tick=False):
        concern = log_concern(world.frontline, name="Child Person", estimated_age=15)
        child_case = case_services.case_open(
            request=request_as(world.lead),
            person=concern.person,
            team=world.north,
            lead=world.lead,
            concerns=[concern],
        )
        referral = start(world, child_case, pathway=Pathway.CHILDRENS_SERVICES)

    text = flat(pdf_text(pdf_of(download_pack(lead_client, referral))))

    assert "No consent is needed: the person may be under 18" in text
    assert "About 15 (estimated" in text


def test_every_page_carries_the_marking_the_reference_the_author_and_page_x_of_y(
    world, case, nrm_pack, lead_client
):
    for number in range(40):
        ChronologyEntry.objects.create(
            case=case, kind="note", title=f"Visit {number}", text="Long note. " * 40
        )
    response = lead_client.post(reverse("documents:chronology_pdf", args=[case.reference]), {})
    content = pdf_of(response)
    pages = page_count(content)

    assert pages >= 3
    for number in range(1, pages + 1):
        text = pdf_text(content, page=number)
        assert text.count("OFFICIAL-SENSITIVE") >= 2, number  # top and bottom of the page
        assert f"Case {case.reference}" in text
        assert f"Page {number} of {pages}" in text
        assert "by Lee Lead" in text
        assert re.search(r"Generated \d{1,2} \w+ 2026, \d\d:\d\d", text)


def test_the_pdf_is_a4_tagged_with_headings_and_embeds_its_fonts(lead_client, nrm_pack):
    content = pdf_of(download_pack(lead_client, nrm_pack))
    reader = PdfReader(io.BytesIO(content))

    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert {"/H1", "/H2", "/Table"} <= structure_tags(content)
    fonts = subprocess.run(
        ["pdffonts", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    rows = fonts.splitlines()[2:]
    assert rows
    assert all(row.split()[-5] == "yes" for row in rows), fonts  # the "emb" column


def test_the_pdf_title_names_the_document_and_reference_never_the_person(lead_client, nrm_pack):
    content = pdf_of(download_pack(lead_client, nrm_pack))

    title = PdfReader(io.BytesIO(content)).metadata.title
    assert nrm_pack.reference in title
    assert NAME not in title
    response = download_pack(lead_client, nrm_pack)
    assert NAME not in response["Content-Disposition"]


# --- Password protection -----------------------------------------------------------------------


def test_a_password_protected_pack_opens_only_with_its_password(lead_client, nrm_pack):
    content = pdf_of(download_pack(lead_client, nrm_pack, password="correct horse battery"))

    assert PdfReader(io.BytesIO(content)).is_encrypted
    with pytest.raises(PdfUnreadable):
        pdf_text(content)
    with pytest.raises(PdfUnreadable):
        pdf_text(content, password="wrong password here")
    assert NAME in flat(pdf_text(content, password="correct horse battery"))


def test_without_a_password_the_pack_is_not_encrypted(lead_client, nrm_pack):
    content = pdf_of(download_pack(lead_client, nrm_pack))

    assert not PdfReader(io.BytesIO(content)).is_encrypted


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "The password must be at least 10 characters"),
        ("            ", "The password cannot be only spaces"),
    ],
)
def test_a_weak_password_is_refused_with_a_message_and_nothing_is_exported(
    lead_client, nrm_pack, password, message
):
    response = download_pack(lead_client, nrm_pack, password=password)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_each_download_is_an_audit_event_saying_what_was_made(world, lead_client, nrm_pack):
    download_pack(lead_client, nrm_pack)
    download_pack(lead_client, nrm_pack, password="correct horse battery")

    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("at", "id")
    assert [(e.actor, e.reference, e.detail) for e in events] == [
        (world.lead, nrm_pack.reference, "Referral pack (PDF)"),
        (world.lead, nrm_pack.reference, "Referral pack (PDF, password protected)"),
    ]


# --- Fetching nothing but our own files --------------------------------------------------------


@pytest.fixture
def internal_server():
    """A web server standing in for an internal address: it records every request."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def test_html_typed_into_a_narrative_is_printed_as_text_and_fetches_nothing(
    world, case, lead_client, internal_server, tmp_path
):
    address, hits = internal_server
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("TOP-SECRET-CONTENT")
    narrative = (
        f'<img src="{address}/tracker.png"> <img src="file://{secret_file}"> '
        f'<link rel="stylesheet" href="{address}/x.css"> <b>bold?</b>'
    )
    ChronologyEntry.objects.create(case=case, kind="note", title="Typed markup", text=narrative)

    response = lead_client.post(reverse("documents:chronology_pdf", args=[case.reference]), {})
    text = flat(pdf_text(pdf_of(response)))

    assert hits == []
    assert f'<img src="{address}/tracker.png">' in text  # shown, not obeyed
    assert "<b>bold?</b>" in text
    assert "TOP-SECRET-CONTENT" not in text


def test_the_renderer_refuses_every_address_but_our_static_files(internal_server, tmp_path):
    """The second wall: markup that reached the renderer still cannot fetch anything."""
    address, hits = internal_server
    secret_file = tmp_path / "secret.svg"
    secret_file.write_text('<svg xmlns="http://www.w3.org/2000/svg"><text>SECRET</text></svg>')
    fetcher = pdf.RestrictedFetcher()
    attack = [
        f"{address}/internal.png",
        f"file://{secret_file}",
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
        f"{pdf.BASE_URL}static/../../../../etc/hostname",
        f"{pdf.BASE_URL}attachment/not-given",
    ]

    from weasyprint import HTML

    html = "".join(f'<img src="{url}">' for url in attack)
    html += '<link rel="stylesheet" href="/static/pdf/document.css"><p>Body</p>'
    HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=fetcher).write_pdf()

    assert hits == []
    assert sorted(fetcher.refused) == sorted(attack)


def test_our_static_stylesheet_is_fetched_so_the_page_margins_are_printed(db):
    fetcher = pdf.RestrictedFetcher()
    content = pdf.render_pdf(
        "pdf/chronology.html",
        {"case": None, "entries": []},
        marking=pdf.Marking(title="Check", reference="REF-1", generated_by="Tester"),
        fetcher=fetcher,
    )

    assert fetcher.refused == []
    assert "Page 1 of 1" in pdf_text(content)  # written by the stylesheet's @page rules


def test_each_thread_keeps_one_font_configuration_and_documents_still_render_with_it(db):
    def render(title):
        content = pdf.render_pdf(
            "pdf/chronology.html",
            {"case": None, "entries": []},
            marking=pdf.Marking(title=title, reference="REF-1", generated_by="Tester"),
        )
        return pdf._font_config(), pdf_text(content)

    first, first_text = render("First")
    again, again_text = render("Second")
    other = []
    worker = threading.Thread(target=lambda: other.append(render("Third")))
    worker.start()
    worker.join()

    assert again is first  # kept between documents: Pango's fonts are not found again
    assert other[0][0] is not first  # never shared across threads
    assert "First" in first_text and "Second" in again_text and "Third" in other[0][1]


# --- Who may make them -------------------------------------------------------------------------


def pack_status(client, user, world, referral):
    client.logout()
    sign_in(client, user, secret=world.totp.get(user.pk))
    return download_pack(client, referral).status_code


def test_only_users_the_policy_allows_may_make_a_pack(client, world, nrm_pack):
    assert pack_status(client, world.lead, world, nrm_pack) == 200
    assert pack_status(client, world.manager, world, nrm_pack) == 200
    # Another team's lead may not know the referral exists; frontline practitioners and
    # administrators are refused the page itself (URL_RULES).
    assert pack_status(client, world.lead_south, world, nrm_pack) == 404
    assert pack_status(client, world.frontline, world, nrm_pack) == 403
    assert pack_status(client, world.admin, world, nrm_pack) == 403


def test_a_manager_outside_a_restricted_case_cannot_make_its_documents(client, world, nrm_pack):
    case = nrm_pack.case
    case.restricted = True
    case.save()

    assert pack_status(client, world.manager, world, nrm_pack) == 404
    response = client.post(reverse("documents:missing_person", args=[case.reference]), {})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ACCESS_DENIED, actor=world.manager
    ).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_frontline_practitioner_cannot_open_a_cases_documents(client, world, case):
    sign_in(client, world.frontline)

    response = client.get(reverse("documents:case_documents", args=[case.reference]))

    assert response.status_code == 403
    assert case.reference not in response.content.decode()


def test_the_documents_tab_lists_the_referrals_and_the_forms(lead_client, nrm_pack):
    response = lead_client.get(reverse("documents:case_documents", args=[nrm_pack.case.reference]))

    page = response.content.decode()
    assert response.status_code == 200
    assert nrm_pack.reference in page
    assert "Missing person sheet for the police" in page
    assert 'name="chronology-date_from_0"' in page
    assert page.count('type="password"') == 2  # missing person and chronology


def test_a_pack_costs_the_same_queries_for_one_concern_or_many(
    world, case, nrm_pack, log_concern, lead_client
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            pdf_of(download_pack(lead_client, nrm_pack))
        return len(captured)

    one = queries()
    for number in range(8):
        extra = log_concern(world.frontline, person=case.person)
        extra.observations.create(
            indicator=Indicator.objects.exclude(code="physical-injuries-control")[number],
            answer=Answer.UNSURE,
        )
        extra.case = case
        extra.save()

    assert queries() == one


# --- Missing person sheet ----------------------------------------------------------------------


def test_the_missing_person_sheet_has_the_photo_details_associates_and_vehicles(case, lead_client):
    from cases.photos import save_photo

    save_photo(case.person, upload(jpeg_with_metadata()))
    response = lead_client.post(
        reverse("documents:missing_person", args=[case.reference]),
        {
            "missing-last_seen_on": "2026-11-22",
            "missing-last_seen_time": "21:30",
            "missing-last_seen_where": "Outside the bus station",
            "missing-description": "Red coat, grey rucksack",
        },
    )
    content = pdf_of(response)
    text = flat(pdf_text(content))

    for expected in [
        NAME,
        ALIAS,
        "Born 7 March 1994",
        "Polish",
        "Scar above the left eyebrow",
        "22 November 2026, 21:30",
        "Outside the bus station",
        "Red coat, grey rucksack",
        "A man called Vik",
        "An older man who said he was her cousin",
        "White Ford Transit AB12 CDE",
        "Lee Lead",
    ]:
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(content)).pages[0].images) == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.reference, event.detail) == (case.reference, "Missing person sheet (PDF)")


def test_a_time_without_a_date_is_refused_and_what_was_typed_is_kept(case, lead_client):
    response = lead_client.post(
        reverse("documents:missing_person", args=[case.reference]),
        {"missing-last_seen_time": "21:30", "missing-last_seen_where": "Outside the bus station"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the date they were last seen, or clear the time" in page
    assert "Outside the bus station" in page


# --- Chronology --------------------------------------------------------------------------------


def test_the_chronology_holds_only_the_chosen_dates_oldest_first(world, case, lead_client):
    for day, title in [(1, "Before the range"), (10, "First inside"), (20, "Second inside")]:
        ChronologyEntry.objects.create(
            case=case,
            kind="note",
            title=title,
            at=dt.datetime(2026, 10, day, 12, 0, tzinfo=dt.UTC),
            author=world.lead,
        )

    response = lead_client.post(
        reverse("documents:chronology_pdf", args=[case.reference]),
        {"chronology-date_from": "2026-10-05", "chronology-date_to": "2026-10-20"},
    )
    text = flat(pdf_text(pdf_of(response)))

    assert "Before the range" not in text
    assert text.index("First inside") < text.index("Second inside")
    assert "from 5 October 2026 to 20 October 2026" in text


def test_an_end_date_before_the_start_is_refused(case, lead_client):
    response = lead_client.post(
        reverse("documents:chronology_pdf", args=[case.reference]),
        {"chronology-date_from": "2026-10-20", "chronology-date_to": "2026-10-05"},
    )

    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.content.decode()


@pytest.fixture
def long_chronology(case, settings):
    settings.CHRONOLOGY_INLINE_MAX_ENTRIES = 5
    for number in range(12):
        ChronologyEntry.objects.create(case=case, kind="note", title=f"Entry number {number}")
    return case


def request_long(client, case, password=""):
    return client.post(
        reverse("documents:chronology_pdf", args=[case.reference]),
        {"chronology-password": password},
    )


def test_a_long_chronology_is_prepared_by_a_worker_with_a_page_that_says_so(
    long_chronology, lead_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = request_long(lead_client, long_chronology)

    job = DocumentJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:document_job", args=[job.pk])
    assert len(callbacks) == 1  # the task is queued once the job row is committed
    page = lead_client.get(response["Location"]).content.decode()
    assert "We are preparing it" in page
    status = lead_client.get(response["Location"], headers={"accept": "application/json"})
    assert status.json() == {"state": "queued"}

    assert tasks.render_chronology(str(job.pk)) == "ready"
    assert tasks.render_chronology(str(job.pk)) == "not queued"  # a redelivery renders nothing

    assert lead_client.get(response["Location"], headers={"accept": "application/json"}).json() == {
        "state": "ready"
    }
    download = lead_client.post(reverse("documents:document_job_download", args=[job.pk]), {})
    text = flat(pdf_text(pdf_of(download)))
    assert "Entry number 0" in text
    assert "Entry number 11" in text


def test_a_password_asked_for_is_not_kept_and_is_asked_for_again_at_download(
    long_chronology, lead_client
):
    request_long(lead_client, long_chronology, password="correct horse battery")
    job = DocumentJob.objects.get()
    assert job.password_wanted
    assert "correct horse battery" not in str(DocumentJob.objects.values().get())
    tasks.render_chronology(str(job.pk))
    url = reverse("documents:document_job_download", args=[job.pk])

    refused = lead_client.post(url, {})
    content = pdf_of(lead_client.post(url, {"password": "correct horse battery"}))

    assert refused.status_code == 400
    assert "Type the password to protect it" in refused.content.decode()
    assert "Entry number 3" in pdf_text(content, password="correct horse battery")


def test_only_the_person_who_asked_may_fetch_a_prepared_document(
    client, world, long_chronology, lead_client
):
    request_long(lead_client, long_chronology)
    job = DocumentJob.objects.get()
    tasks.render_chronology(str(job.pk))
    client.logout()
    sign_in(client, world.manager, secret=world.totp[world.manager.pk])

    assert client.get(reverse("documents:document_job", args=[job.pk])).status_code == 404
    response = client.post(reverse("documents:document_job_download", args=[job.pk]), {})
    assert response.status_code == 404


def test_prepared_documents_are_deleted_after_their_time_and_lost_jobs_fail(
    long_chronology, lead_client, settings, documents_dir
):
    # The retention schedule's length, which an administrator sets, not the deployment's.
    settings.DOCUMENT_KEEP_HOURS = 48
    RetentionRule.objects.filter(kind="prepared_document").update(length=5)
    request_long(lead_client, long_chronology)
    ready = DocumentJob.objects.get()
    tasks.render_chronology(str(ready.pk))
    lost = DocumentJob.objects.create(
        kind="chronology", case=long_chronology, requested_by=ready.requested_by
    )
    ready.refresh_from_db()
    path = documents_dir / ready.file.name
    assert path.exists()

    with time_machine.travel(ready.finished_at + dt.timedelta(hours=4, minutes=59), tick=False):
        assert tasks.documents_expire() == 0
    with time_machine.travel(ready.finished_at + dt.timedelta(hours=5, minutes=1), tick=False):
        assert tasks.documents_expire() == 1

    ready.refresh_from_db()
    lost.refresh_from_db()
    assert (ready.status, ready.file.name, path.exists()) == ("expired", "", False)
    assert (lost.status, lost.error) == ("failed", "Abandoned")


# --- The safeguarding card ---------------------------------------------------------------------


def test_the_safeguarding_card_pdf_has_the_emergency_numbers_on_one_page(client, world):
    from django.core.management import call_command

    call_command("load_reference_data", verbosity=0)
    sign_in(client, world.frontline)

    content = pdf_of(client.get(reverse("contacts:card_pdf")))
    text = flat(pdf_text(content))

    assert page_count(content) == 1
    assert "If someone is in immediate danger, call 999" in text
    assert "08000 121 700" in text
    assert "OFFICIAL-SENSITIVE" in text
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, detail="Safeguarding card (PDF)", actor=world.frontline
    ).exists()


def test_loading_the_renderer_leaves_truncated_photos_refused():
    """WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on when imported; we turn it off."""
    from PIL import ImageFile

    assert pdf.HTML  # the renderer is loaded
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_a_chronology_to_the_last_day_of_year_9999_says_what_to_fix(lead_client, case):
    response = lead_client.post(
        reverse("documents:chronology_pdf", args=[case.reference]),
        {"chronology-date_to": "9999-12-31"},
    )

    assert response.status_code == 400
    assert "The date must be between 1 January 1900 and " in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_missing_person_sheet_last_seen_in_year_1_says_what_to_fix(lead_client, case):
    response = lead_client.post(
        reverse("documents:missing_person", args=[case.reference]),
        {"missing-last_seen_on": "0001-01-01"},
    )

    assert response.status_code == 400
    assert "The date must be between 1 January 1900 and today" in response.content.decode()


def test_the_pack_carries_the_case_record_in_the_nrm_forms_order(
    world, case, lead_client, nrm_pack
):
    from cases.models import (
        ExploitationSituation,
        Exploiter,
        FirstResponder,
        Interview,
        PoliceReport,
        WhereNow,
    )

    ExploitationSituation.objects.create(
        case=case, uk_places="Leeds", kinds=["forced_work"], control="Passport taken by the boss"
    )
    Exploiter.objects.create(case=case, names="Marius Pop", vehicles="BD51 SMR")
    PoliceReport.objects.create(case=case, reported="yes", crime_reference="13/123456/26")
    WhereNow.objects.create(case=case, where_now="A refuge in Demo Town", post_safe="no")
    FirstResponder.objects.create(case=case, name="Lee Lead", own_reference="FR-77")
    Interview.objects.create(case=case, judgement="Her account was consistent")

    text = flat(pdf_text(pdf_of(download_pack(lead_client, nrm_pack))))

    # The Home Office form's sections in its order (referrals.readiness), then the extras.
    order = [
        "The referral and the person's age",
        "What happened, where, and where they are now", "Passport taken by the boss",
        "A refuge in Demo Town", "Her account was consistent",
        "Who exploited them, and how", "Marius Pop", "BD51 SMR", "Made to work",
        "Other people at risk, and the police", "13/123456/26",
        "Whether they want to be referred", "Explained with leaflet",
        "About them", NAME,
        "Supporting documents",
        "The first responder", "FR-77",
        "What was seen, heard and said", "Risks and safety", "Decisions and deadlines so far",
    ]  # fmt: skip
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)


def test_the_packs_sections_are_the_nrm_forms_with_its_headings_in_its_order(lead_client, nrm_pack):
    from referrals.readiness import SECTIONS

    text = flat(pdf_text(pdf_of(download_pack(lead_client, nrm_pack))))

    positions = [text.index(section.heading) for section in SECTIONS]
    assert positions == sorted(positions)
    assert positions[-1] < text.index("What was seen, heard and said")
