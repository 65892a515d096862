"""Evidence documents on a case: taken by their content, kept privately, read through the
access check with an audit event each time, listed in the pack and downloadable with it.

The files are made for real: PDFs by pypdf, images by Pillow (carrying EXIF GPS, XMP and PNG
text, which must be gone once stored), Word files with zipfile, a Word 97-2003 file as an
OLE2 compound file's header and directory names.
"""

import hashlib
import io
import os
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader, PdfWriter

from cases.models import CaseStatus, ChronologyEntry
from contacts.models import Organisation
from documents import evidence
from documents.models import EvidenceDocument
from referrals import consent as sharing
from referrals.models import Referral, SharingWhat
from safeguard.models import AuditEvent
from safeguard.uploads import CappedTemporaryFileUploadHandler
from tests.auth import request_as, sign_in
from tests.cases.factories import case_in
from tests.cases.test_photos import assert_no_metadata, jpeg_with_metadata, png_with_metadata
from tests.referrals.factories import ReferralFactory
from tests.storage import keep_private_files_in

# A name such as people give their files: it must reach no address, audit event or stored name.
UPLOAD_NAME = "Maria Popescu police statement.pdf"
DESCRIPTION = "Statement to the police about the car wash, March 2026"


# --- Files made in memory --------------------------------------------------------------------


def pdf_bytes(*, password: str = "", padding: int = 0) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if padding:
        # Random bytes do not compress: the file is as big as asked.
        writer.add_attachment("padding.bin", os.urandom(padding))
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
)


def docx_bytes(main: str = evidence.DOCX_MAIN, extra: dict | None = None, *, word=True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=main))
        if word:
            archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def doc_bytes(*, macros: bool = False) -> bytes:
    """An OLE2 compound file's header, then a directory naming Word's streams."""
    directory = "Root Entry".encode("utf-16-le") + b"\x00" * 54 + evidence.WORD_STREAM
    if macros:
        directory += b"\x00" * 40 + evidence.MACRO_STORAGE
    return (evidence.OLE2_MAGIC + b"\x00" * 504 + directory).ljust(2048, b"\x00")


def upload(data: bytes, name: str = UPLOAD_NAME, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused(data: bytes, name: str = UPLOAD_NAME) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        evidence.check_evidence(upload(data, name))
    return caught.value


def content_of(checked) -> bytes:
    checked.content.seek(0)
    return checked.content.read()


# --- What is taken, by its content -----------------------------------------------------------


def test_a_pdf_is_taken_as_it_came_with_its_hash():
    data = pdf_bytes()

    checked = evidence.check_evidence(upload(data))

    assert checked.content_type == "application/pdf"
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert content_of(checked) == data
    assert not checked.password_protected


def test_a_password_protected_pdf_is_taken_and_says_so():
    checked = evidence.check_evidence(upload(pdf_bytes(password="s3cret-Pass")))

    assert checked.content_type == "application/pdf"
    assert checked.password_protected


def test_a_jpeg_is_saved_again_without_exif_gps_xmp_or_comments():
    checked = evidence.check_evidence(upload(jpeg_with_metadata(), "scan.jpg", "image/jpeg"))

    assert checked.content_type == "image/jpeg"
    data = content_of(checked)
    assert_no_metadata(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest() and checked.size == len(data)


def test_a_png_is_saved_again_as_a_png_without_text_exif_or_profile():
    checked = evidence.check_evidence(upload(png_with_metadata(), "scan.png", "image/png"))

    data = content_of(checked)
    image = Image.open(io.BytesIO(data))
    assert checked.content_type == "image/png" and image.format == "PNG"
    assert not image.getexif()
    assert not set(image.info) & {"exif", "icc_profile", "xmp", "Author", "Description", "Comment"}
    for needle in (b"Maria", b"Popescu", b"PhoneMaker", b"eXIf", b"iCCP", b"tEXt", b"iTXt"):
        assert needle not in data


def test_a_word_document_is_taken():
    checked = evidence.check_evidence(upload(docx_bytes(), "report.docx"))

    assert checked.content_type == evidence.DOCX
    assert checked.extension == "docx"


def test_a_word_97_document_is_taken():
    checked = evidence.check_evidence(upload(doc_bytes(), "report.doc"))

    assert checked.content_type == "application/msword"


def test_the_type_comes_from_the_content_not_the_name():
    """A PNG called .docx is a PNG: stored, served and named as one."""
    checked = evidence.check_evidence(upload(png_with_metadata(), "letter.docx"))

    assert checked.content_type == "image/png" and checked.extension == "png"


# --- What is refused, by its content ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<!doctype html><script>alert(1)</script>", "statement.pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "report.docx"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>', "scan.png"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "scan.jpg"),
        (b"plain text that says nothing", "notes.doc"),
    ],
    ids=["html-named-pdf", "exe-named-docx", "svg-named-png", "gif", "text-named-doc"],
)
def test_anything_but_the_five_types_is_refused_naming_them(data, name):
    error = refused(data, name)

    assert error.code == "wrong_type"
    assert error.messages == ["The selected file must be a PDF, JPG, PNG, DOC or DOCX file"]


def test_an_empty_file_is_refused():
    assert refused(b"").code == "empty"


def test_a_file_that_says_pdf_and_is_not_one_is_refused():
    error = refused(b"%PDF-1.7\n<html>not really</html>")

    assert error.code == "unreadable"
    assert "cannot be opened" in error.messages[0]


def test_a_truncated_image_is_refused():
    assert refused(jpeg_with_metadata()[:200], "scan.jpg").code == "unreadable"


def test_a_zip_without_a_word_document_is_refused():
    assert refused(docx_bytes(word=False), "report.docx").code == "wrong_type"


def test_an_excel_file_is_not_a_word_97_document():
    excel = (evidence.OLE2_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le")).ljust(2048)
    assert refused(excel, "report.doc").code == "wrong_type"


def test_a_macro_enabled_word_file_is_refused():
    docm = docx_bytes(main="application/vnd.ms-word.document.macroEnabled.main+xml")

    error = refused(docm, "report.docx")

    assert error.code == "macros"
    assert "macros" in error.messages[0]


def test_a_word_file_carrying_a_vba_project_is_refused():
    assert refused(docx_bytes(extra={"word/vbaProject.bin": b"VBA"}), "r.docx").code == "macros"


def test_a_word_97_file_with_macros_is_refused():
    assert refused(doc_bytes(macros=True), "report.doc").code == "macros"


def test_a_word_file_that_unpacks_to_far_more_than_a_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=evidence.DOCX_MAIN))
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/bomb.bin", "w", force_zip64=True) as bomb:
            zeros = b"\x00" * (1024 * 1024)
            for _ in range(evidence.MAX_UNPACKED // len(zeros) + 1):
                bomb.write(zeros)
    assert len(out.getvalue()) < 2 * 1024 * 1024  # small to send, huge to open

    assert refused(out.getvalue(), "report.docx").code == "zip_bomb"


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded():
    from tests.cases.test_photos import png_header_only

    assert refused(png_header_only(9_500, 9_000), "scan.png").code == "too_many_pixels"


def test_a_file_one_byte_over_25_mb_is_refused_saying_the_limit():
    data = b"%PDF-1.7\n" + b"0" * (25 * 1024 * 1024 + 1 - 9)

    error = refused(data)

    assert error.code == "too_big"
    assert error.messages == ["The selected file must be smaller than 25 MB"]


def test_a_stored_name_is_random_and_a_shown_name_is_made_harmless():
    checked = evidence.check_evidence(upload(pdf_bytes()))

    assert evidence.storage_name(checked).startswith("evidence/")
    assert "Maria" not in evidence.storage_name(checked)
    assert evidence.display_name("C:\\Users\\x\\..\\Maria\u202egpj.exe\x00") == "Mariagpj.exe"
    assert evidence.display_name("") == "Unnamed file"
    assert len(evidence.display_name("a" * 400)) == 150


def test_an_upload_is_cut_one_byte_past_the_largest_file_the_app_takes(settings):
    settings.EVIDENCE_MAX_BYTES = 10
    settings.PHOTO_MAX_BYTES = 5
    handler = CappedTemporaryFileUploadHandler()
    handler.new_file("file", "big.pdf", "application/pdf", 100)

    for start in range(0, 100, 4):
        assert handler.receive_data_chunk(b"abcd", start) is None
    kept = handler.file_complete(100)

    kept.seek(0)
    assert kept.read() == b"abcdabcdabc" and kept.size == 11


# --- The world of the page tests -------------------------------------------------------------


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    return keep_private_files_in(settings, tmp_path / "private")


@pytest.fixture
def case(world):
    return case_in(world, name="Maria Popescu")


@pytest.fixture
def lead_client(client, world):
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    return client


def add(client, case, data: bytes, *, name=UPLOAD_NAME, kind="police_statement", token="t-1"):  # noqa: S107
    return client.post(
        reverse("documents:evidence_add", args=[case.reference]),
        {
            "submission_token": token,
            "file": upload(data, name),
            "kind": kind,
            "description": DESCRIPTION,
        },
    )


def download(client, case, document):
    return client.get(reverse("documents:evidence_download", args=[case.reference, document.pk]))


def events_from_now():
    """Audit events written after this call (the trail refuses DELETE)."""
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return AuditEvent.objects.filter(pk__gt=last)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Uploading -------------------------------------------------------------------------------


def test_an_upload_is_kept_privately_under_a_random_name_and_recorded(
    world, case, lead_client, private_dir
):
    data = pdf_bytes()

    response = add(lead_client, case, data)

    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("documents:case_documents", args=[case.reference]) + "#evidence"
    )
    document = EvidenceDocument.objects.get()
    assert document.kind == "police_statement" and document.description == DESCRIPTION
    assert document.original_name == UPLOAD_NAME
    assert document.uploaded_by == world.lead
    assert document.size == len(data) and document.sha256 == hashlib.sha256(data).hexdigest()
    stored = private_dir / document.file.name
    assert stored.read_bytes() == data
    assert "Maria" not in document.file.name and "police" not in document.file.name
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    entry = ChronologyEntry.objects.get(case=case, title__startswith="Evidence")
    assert entry.title == "Evidence document added: Police statement"
    event = AuditEvent.objects.get(action="create", object_type="evidencedocument")
    assert event.reference == case.reference and event.object_id == str(document.pk)
    assert "Maria" not in event.detail and DESCRIPTION not in event.detail


def test_the_documents_tab_lists_evidence_without_file_names_in_addresses(case, lead_client):
    add(lead_client, case, pdf_bytes())
    document = EvidenceDocument.objects.get()

    page = lead_client.get(reverse("documents:case_documents", args=[case.reference])).text

    assert "Police statement" in page and DESCRIPTION in page
    assert "Lee Lead" in page
    link = reverse("documents:evidence_download", args=[case.reference, document.pk])
    assert f'href="{link}"' in page
    assert "Maria" not in link
    assert 'enctype="multipart/form-data"' in page
    assert 'class="govuk-file-upload' in page and 'class="govuk-radios' in page


def test_a_file_refused_by_its_content_says_what_to_fix_and_keeps_what_was_typed(case, lead_client):
    response = add(lead_client, case, b"<html><body>Not a PDF</body></html>")

    assert response.status_code == 400
    page = response.text
    assert "There is a problem" in page
    assert "The selected file must be a PDF, JPG, PNG, DOC or DOCX file" in page
    assert DESCRIPTION in page
    assert re.search(r'value="police_statement"\s+checked', page)
    assert not EvidenceDocument.objects.exists()


def test_without_a_kind_or_description_the_form_says_so(case, lead_client):
    response = lead_client.post(
        reverse("documents:evidence_add", args=[case.reference]),
        {"file": upload(pdf_bytes()), "kind": "not-a-kind", "description": ""},
    )

    assert response.status_code == 400
    assert "Select what kind of document it is" in response.text
    assert "Enter a description of the document" in response.text


def test_without_a_file_the_form_asks_for_one(case, lead_client):
    response = lead_client.post(
        reverse("documents:evidence_add", args=[case.reference]),
        {"kind": "other", "description": DESCRIPTION},
    )

    assert response.status_code == 400
    assert "Select a document to upload" in response.text


def test_a_25_mb_file_reaches_the_form_and_is_taken(case, lead_client):
    data = pdf_bytes(padding=25 * 1024 * 1024 - 8 * 1024)
    assert 24.9 * 1024 * 1024 < len(data) <= 25 * 1024 * 1024

    response = add(lead_client, case, data)

    assert response.status_code == 302
    assert EvidenceDocument.objects.get().size == len(data)


def test_a_file_over_25_mb_gets_the_form_saying_so_not_an_error_page(case, lead_client):
    response = add(lead_client, case, b"%PDF-1.7\n" + b"0" * (30 * 1024 * 1024))

    assert response.status_code == 400
    assert "The selected file must be smaller than 25 MB" in response.text
    assert not EvidenceDocument.objects.exists()


def test_a_double_submit_makes_one_document(case, lead_client):
    first = add(lead_client, case, pdf_bytes(), token="same-token")
    second = add(lead_client, case, pdf_bytes(), token="same-token")

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert EvidenceDocument.objects.count() == 1


def test_the_database_refuses_an_unknown_kind_or_a_file_over_25_mb(world, case):
    fields = dict(
        case=case,
        kind="other",
        description="x",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        file="evidence/x.pdf",
        uploaded_by=world.lead,
    )
    too_big = 25 * 1024 * 1024 + 1
    for bad in ({"kind": "passport"}, {"size": too_big}, {"content_type": "text/html"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            EvidenceDocument.objects.create(**{**fields, **bad})


# --- Reading ---------------------------------------------------------------------------------


def test_a_download_is_an_attachment_of_its_detected_type_and_each_read_is_audited(
    case, lead_client
):
    add(lead_client, case, png_with_metadata(), name="Maria.docx")
    document = EvidenceDocument.objects.get()
    exports = AuditEvent.objects.filter(action="export", object_type="evidencedocument")

    first = download(lead_client, case, document)
    second = download(lead_client, case, document)

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "image/png"
    assert first["X-Content-Type-Options"] == "nosniff"
    disposition = first["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"evidence-{case.reference}-police-statement-" in disposition
    assert disposition.endswith('.png"')
    assert "Maria" not in disposition
    assert first["Cache-Control"] == "no-store"
    assert "sandbox" in first["Content-Security-Policy"]
    assert hashlib.sha256(body(first)).hexdigest() == document.sha256
    assert exports.count() == 2
    assert {e.reference for e in exports} == {case.reference}
    assert all(e.object_id == str(document.pk) for e in exports)


def test_another_cases_reference_does_not_reach_a_document(world, case, lead_client):
    add(lead_client, case, pdf_bytes())
    document = EvidenceDocument.objects.get()
    other = case_in(world)

    assert download(lead_client, other, document).status_code == 404


@pytest.fixture
def restricted(world, case, lead_client):
    add(lead_client, case, pdf_bytes())
    case.restricted = True
    case.save()
    return EvidenceDocument.objects.get()


def test_a_manager_outside_a_restricted_case_cannot_read_or_add_its_evidence(
    client, world, case, restricted
):
    client.logout()
    sign_in(client, world.manager, secret=world.totp[world.manager.pk])
    events = events_from_now()

    assert download(client, case, restricted).status_code == 404
    assert add(client, case, pdf_bytes(), token="m-1").status_code == 404
    assert EvidenceDocument.objects.count() == 1
    assert events.filter(action="access_denied", actor=world.manager).count() == 2
    assert not events.filter(action="export").exists()


def test_another_teams_lead_gets_not_found_and_frontline_is_refused(
    client, world, case, lead_client
):
    add(lead_client, case, pdf_bytes())
    document = EvidenceDocument.objects.get()
    lead_client.logout()

    sign_in(client, world.lead_south, secret=world.totp[world.lead_south.pk])
    assert download(client, case, document).status_code == 404
    client.logout()
    sign_in(client, world.frontline)
    assert download(client, case, document).status_code == 403


def test_a_closed_case_keeps_its_evidence_readable_and_takes_no_more(case, lead_client):
    add(lead_client, case, pdf_bytes())
    document = EvidenceDocument.objects.get()
    case.status = CaseStatus.CLOSED
    case.save()

    assert download(lead_client, case, document).status_code == 200
    response = add(lead_client, case, pdf_bytes(), token="closed-1")
    assert response.status_code == 302
    assert EvidenceDocument.objects.count() == 1
    page = lead_client.get(reverse("documents:case_documents", args=[case.reference])).text
    assert "Add evidence document" not in page


# --- The pack --------------------------------------------------------------------------------


@pytest.fixture
def referral(case):
    return ReferralFactory(case=case)


def pack_text(content: bytes, password: str = "") -> str:
    reader = PdfReader(io.BytesIO(content))
    if password:
        reader.decrypt(password)
    return " ".join((page.extract_text() or "") for page in reader.pages)


def test_the_pack_lists_the_evidence_by_kind_description_and_date(case, referral, lead_client):
    add(lead_client, case, pdf_bytes())

    response = lead_client.post(reverse("documents:pack", args=[referral.reference]), {})

    text = " ".join(pack_text(body(response)).split())
    assert "Evidence documents" in text
    assert "Police statement" in text and "Statement to the police about the car wash" in text


@pytest.fixture
def recipient(db):
    return Organisation.objects.create(name="Single Competent Authority", coverage_national=True)


def agree_to_share_evidence(world, case, recipient):
    return sharing.consent_to_share_add(
        request=request_as(world.lead),
        case=case,
        what=SharingWhat.EVIDENCE,
        organisation=recipient,
        organisation_name="",
        agreed_on=timezone.localdate(),
    )


def test_evidence_goes_with_the_pack_only_where_the_person_agreed(
    world, case, referral, recipient, lead_client
):
    add(lead_client, case, pdf_bytes())
    url = reverse("documents:pack_with_evidence", args=[referral.reference])

    no_recipient = lead_client.post(url, {})
    referral.recipient = recipient
    referral.save()
    not_agreed = lead_client.post(url, {})
    agreement = agree_to_share_evidence(world, case, recipient)
    agreed = lead_client.post(url, {})
    sharing.consent_to_share_withdraw(
        request=request_as(world.lead), agreement=agreement, withdrawn_on=timezone.localdate()
    )
    withdrawn = lead_client.post(url, {})

    assert no_recipient.status_code == 400
    assert "Choose who the referral goes to" in no_recipient.text
    assert not_agreed.status_code == 400
    assert "has not agreed to share evidence documents with Single Competent" in not_agreed.text
    assert agreed.status_code == 200 and agreed["Content-Type"] == "application/zip"
    assert withdrawn.status_code == 400
    # The pack on its own is still theirs to download.
    assert (
        lead_client.post(reverse("documents:pack", args=[referral.reference]), {}).status_code
        == 200
    )


def test_the_pack_with_its_evidence_is_one_zip_and_one_audit_event(
    world, case, referral, recipient, lead_client
):
    referral.recipient = recipient
    referral.save()
    agree_to_share_evidence(world, case, recipient)
    add(lead_client, case, pdf_bytes(), token="a")
    add(lead_client, case, jpeg_with_metadata(), name="scan.jpg", kind="medical_report", token="b")
    documents = list(EvidenceDocument.objects.order_by("uploaded_at"))
    events = events_from_now()

    response = lead_client.post(
        reverse("documents:pack_with_evidence", args=[referral.reference]),
        {"pack-password": "correct-horse-battery"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    names = archive.namelist()
    assert names[0] == f"referral-pack-{referral.reference}.pdf"
    assert PdfReader(io.BytesIO(archive.read(names[0]))).is_encrypted
    files = [n for n in names if n.startswith("evidence/0")]
    assert [hashlib.sha256(archive.read(n)).hexdigest() for n in files] == [
        d.sha256 for d in documents
    ]
    assert files[1].endswith(".jpg") and "medical-report" in files[1]
    assert not [n for n in names if "Maria" in n or "scan" in n]
    contents = archive.read("evidence/contents.txt").decode()
    assert DESCRIPTION in contents and documents[0].sha256 in contents
    event = events.get(action="export")
    assert event.object_type == "referral" and event.reference == referral.reference
    assert "2 evidence documents" in event.detail and "password protected" in event.detail


def test_an_anonymous_notice_goes_without_evidence(case, lead_client):
    add(lead_client, case, pdf_bytes())
    anonymous = ReferralFactory(case=case, pathway="duty_to_notify", named=False)
    assert anonymous.is_anonymous

    response = lead_client.post(
        reverse("documents:pack_with_evidence", args=[anonymous.reference]), {}
    )
    assert response.status_code == 400
    assert "sent without evidence documents" in response.text
    pack = lead_client.post(reverse("documents:pack", args=[anonymous.reference]), {})
    assert DESCRIPTION not in pack_text(body(pack))
    assert (
        not AuditEvent.objects.filter(action="export", object_type="referral")
        .exclude(detail__contains="anonymous")
        .exists()
    )


def test_only_those_allowed_to_export_get_the_zip(client, world, case, referral):
    sign_in(client, world.lead_south, secret=world.totp[world.lead_south.pk])

    url = reverse("documents:pack_with_evidence", args=[referral.reference])
    assert client.post(url, {}).status_code == 404
    assert not Referral.objects.filter(pk=referral.pk, case__evidence_documents__isnull=False)
