"""Subject access requests (issue 21, item 3): the one-month clock on the deadline engine, its
extension, its reminders; the bundle of a rich record built for real (WeasyPrint, read back
with pdftotext and zipfile) with other people's information redacted as decided; the release
refused until every marked item is decided; the audit trail; who may open the pages."""

import datetime as dt
import io
import subprocess
import zipfile
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cases import photos
from cases.models import (
    Addendum,
    Background,
    ChronologyEntry,
    ExploitationSituation,
    Exploiter,
    Indicator,
    IndicatorObservation,
    RiskAssessment,
    RiskLevel,
    SupportNeed,
)
from dashboards.selectors import overdue_by_team_and_chaser
from documents.models import EvidenceDocument
from referrals import tasks as reminder_tasks
from referrals.deadlines import Timer, due_at, end_of_calendar_months
from referrals.models import Consent, Deadline, Reminder
from safeguard.choices import Nation
from safeguard.models import AuditEvent, OrganisationSettings, Role
from subject_access import selectors, services, tasks
from subject_access.build import PDF_NAME
from subject_access.models import Bundle, Correction, Decision, RedactionItem, SubjectAccessRequest
from tests.auth import request_as, sign_in
from tests.cases.factories import CaseFactory, ConcernFactory, PersonFactory
from tests.cases.test_photos import jpeg_with_metadata, upload
from tests.factories import UserFactory
from tests.referrals.factories import DecisionFactory, ReferralFactory
from tests.storage import keep_private_files_in
from tests.tools import require

UK = ZoneInfo("Europe/London")

NAME = "Gabriela Synthetica"
ALIAS = "Gabi"
HER_WORDS = "Big Dano kept my passport and said I owed him for the van"
EXPLOITER = "Danut Exploiterescu"
NICKNAME = "Big Dano"
EXPLOITER_PHONE = "07700 900123"
COMPANION = "Radu Companionescu"
OTHER_VICTIM = "Ioana Othervictim"
SITUATION = "Worked in a car wash from six until ten every day"
SUPPORT = "Safe house place in the north"
RISK = "Traffickers know where her family live"
CHRONOLOGY = "Met at the drop-in with an interpreter"
EVIDENCE = b"%PDF-1.4 synthetic evidence for the bundle"
INDICATOR = "Someone else holds their identity documents"
REFERRAL_SUMMARY = "Referred to the Single Competent Authority after the drop-in"
CONSENT_HOW = "Explained with the leaflet in Romanian"
INTERPRETER = "Vasile Interpreterescu"
DECISION_NOTE = "Positive reasonable grounds decision by letter"


def uk(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UK)


def pdf_text(content: bytes) -> str:
    require("pdftotext", package="poppler-utils")
    result = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True, timeout=60
    )
    return " ".join(result.stdout.decode().split())


@pytest.fixture
def organisation(db):
    org = OrganisationSettings.load()
    org.nation = Nation.ENGLAND_AND_WALES
    org.save()
    return org


@pytest.fixture
def private_dir(settings, tmp_path):
    return keep_private_files_in(settings, tmp_path / "private")


def record(world, person, *, received_on=dt.date(2026, 9, 3), handler=None):
    return services.request_record(
        request=request_as(handler or world.lead),
        person=person,
        team=world.north,
        handler=handler or world.lead,
        requester="person",
        requester_name="",
        how_received="letter",
        received_on=received_on,
    )


@pytest.fixture
def miss_g(world, organisation, private_dir):
    """A case like Miss G's: a named woman with an alias and a photo, two concerns (one
    naming the man with her), the case record naming the man who exploited her and another
    victim, a chronology, a support plan, a risk assessment and an uploaded document."""
    person = PersonFactory(name=NAME, aliases=ALIAS, created_by=world.frontline, estimated_age=24)
    photos.save_photo(person, upload(jpeg_with_metadata()))
    case = CaseFactory(person=person, team=world.north, lead=world.lead)
    first = ConcernFactory(
        person=person,
        reporter=world.frontline,
        team=world.north,
        case=case,
        persons_words=HER_WORDS,
        accompanied_by=COMPANION,
    )
    ConcernFactory(person=person, reporter=world.frontline, team=world.north, case=case)
    Addendum.objects.create(concern=first, author=world.frontline, text="Seen again on Monday")
    Exploiter.objects.create(case=case, names=EXPLOITER, nicknames=NICKNAME, phones=EXPLOITER_PHONE)
    ExploitationSituation.objects.create(case=case, work_and_hours=SITUATION)
    Background.objects.create(case=case, other_victims=OTHER_VICTIM)
    ChronologyEntry.objects.create(case=case, kind="note", title=CHRONOLOGY, author=world.lead)
    SupportNeed.objects.create(case=case, domain="accommodation", need=SUPPORT)
    RiskAssessment.objects.create(
        case=case,
        assessed_by=world.lead,
        level=RiskLevel.HIGH,
        summary=RISK,
        review_on=dt.date(2027, 1, 4),
    )
    indicator = Indicator.objects.create(
        code="synthetic-documents-held", group="situational", text=INDICATOR, source="Test"
    )
    IndicatorObservation.objects.create(
        concern=first, indicator=indicator, answer="observed", note="He holds them"
    )
    referral = ReferralFactory(case=case, summary=REFERRAL_SUMMARY)
    Consent.objects.create(
        referral=referral,
        given=True,
        given_on=dt.date(2026, 8, 20),
        how_explained=CONSENT_HOW,
        explained_nrm=True,
        interpreter_used=True,
        interpreter_language="Romanian",
        interpreter=INTERPRETER,
        recorded_by=world.lead,
    )
    DecisionFactory(referral=referral, note=DECISION_NOTE)
    document = EvidenceDocument(
        case=case,
        kind="police_statement",
        description="Statement to the police",
        original_name="statement.pdf",
        content_type="application/pdf",
        size=len(EVIDENCE),
        sha256="0" * 64,
        uploaded_by=world.lead,
    )
    document.file.save("statement.pdf", ContentFile(EVIDENCE), save=False)
    document.save()
    return SimpleNamespace(person=person, case=case, concern=first, document=document)


def decide_all(world, sar, *, release_kinds=("file", "staff")):
    for item in sar.redaction_items.filter(decision=""):
        decision = Decision.RELEASE if item.kind in release_kinds else Decision.REDACT
        services.item_decide(
            request=request_as(world.lead),
            sar=sar,
            item=item,
            decision=decision,
            reason="Their own file" if decision == Decision.RELEASE else "Someone else's details",
        )


def built(world, sar, django_capture_on_commit_callbacks, monkeypatch) -> Bundle:
    """Ask for a bundle as the page does, and run the worker's task on it."""
    sent: list[str] = []
    monkeypatch.setattr(tasks.build_bundle, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        bundle = services.bundle_request(request=request_as(world.lead), sar=sar)
    assert sent == [str(bundle.pk)]
    assert tasks.build_bundle(str(bundle.pk)) == "ready"
    assert tasks.build_bundle(str(bundle.pk)) == "not queued"  # a redelivery builds nothing
    bundle.refresh_from_db()
    return bundle


# --- The clock -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 9, 3), dt.date(2026, 10, 5)),  # 3 October 2026 is a Saturday: Monday
        (dt.date(2026, 9, 1), dt.date(2026, 10, 1)),  # the same day of the next month
        (dt.date(2027, 1, 31), dt.date(2027, 3, 1)),  # no 31 February; 28th is a Sunday
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # a leap year's last day of February
        (dt.date(2026, 11, 25), dt.date(2026, 12, 29)),  # Christmas, Boxing Day (Mon 28th)
        (dt.date(2026, 12, 19), dt.date(2027, 1, 19)),  # received on a Saturday: still counted
    ],
)
def test_the_month_runs_to_the_same_day_of_the_next_month_or_the_next_working_day(received, due):
    start = uk(received.year, received.month, received.day)
    assert end_of_calendar_months(start, 1, "ENG") == uk(
        due.year, due.month, due.day, 23, 59, 59, 999999
    )
    assert due_at(Timer.SUBJECT_ACCESS, start, length=1, nation="ENG") == end_of_calendar_months(
        start, 1, "ENG"
    )


def test_three_months_for_an_extended_request_counts_the_same_way():
    # Received 30 November 2026: 30 February does not exist, so the last day, Sunday 28th,
    # then Monday 1 March.
    assert end_of_calendar_months(uk(2026, 11, 30), 3, "ENG") == uk(2027, 3, 1, 23, 59, 59, 999999)


def test_scotland_s_2_january_moves_the_day_on():
    # Due Saturday 2 January 2027 -> Monday 4th is a bank holiday in Scotland (2 January's
    # substitute): Tuesday 5th there, Monday 4th in England (New Year's Day substitute is
    # Friday 1st).
    assert end_of_calendar_months(uk(2026, 12, 2), 1, "SCT").date() == dt.date(2027, 1, 5)
    assert end_of_calendar_months(uk(2026, 12, 2), 1, "ENG").date() == dt.date(2027, 1, 4)


def test_recording_a_request_starts_its_clock_from_the_day_received(world, organisation):
    person = PersonFactory(created_by=world.lead)
    with time_machine.travel(uk(2026, 9, 4, 10), tick=False):
        sar = record(world, person, received_on=dt.date(2026, 9, 3))
    deadline = sar.deadline
    assert deadline.timer == Timer.SUBJECT_ACCESS
    assert deadline.case is None and deadline.concern is None
    assert deadline.owner_reference == sar.reference
    assert deadline.assignee == world.lead and deadline.team == world.north
    assert deadline.due_at == uk(2026, 10, 5, 23, 59, 59, 999999)
    # The first reminder a working day before it falls due.
    assert deadline.next_stage == "before"
    assert deadline.next_reminder_at == uk(2026, 10, 2, 23, 59, 59, 999999)
    assert selectors.open_request_for(person) == sar


def test_a_second_open_request_for_the_same_person_is_refused(world, organisation):
    person = PersonFactory(created_by=world.lead)
    record(world, person)
    with pytest.raises(ValidationError, match="already has an open"):
        record(world, person)


def test_an_extension_within_the_month_gives_three_months_from_receipt(world, organisation):
    person = PersonFactory(created_by=world.lead)
    with time_machine.travel(uk(2026, 9, 4, 10), tick=False):
        sar = record(world, person, received_on=dt.date(2026, 9, 3))
    with time_machine.travel(uk(2026, 10, 5, 23, 0), tick=False):  # the month's last hour
        services.request_extend(request=request_as(world.lead), sar=sar, reason="Four cases")
    deadline = Deadline.objects.get(pk=sar.deadline_id)
    assert deadline.extended_from == uk(2026, 10, 5, 23, 59, 59, 999999)
    assert deadline.due_at == uk(2026, 12, 3, 23, 59, 59, 999999)  # Thursday 3 December
    assert deadline.extended_reason == "Four cases"
    with pytest.raises(ValidationError, match="already been extended"):
        services.request_extend(request=request_as(world.lead), sar=sar, reason="More")


def test_an_extension_after_the_month_has_passed_is_refused(world, organisation):
    person = PersonFactory(created_by=world.lead)
    with time_machine.travel(uk(2026, 9, 4, 10), tick=False):
        sar = record(world, person, received_on=dt.date(2026, 9, 3))
    with (
        time_machine.travel(uk(2026, 10, 6, 0, 1), tick=False),
        pytest.raises(ValidationError, match="first month has passed"),
    ):
        services.request_extend(request=request_as(world.lead), sar=sar, reason="Late")
    assert Deadline.objects.get(pk=sar.deadline_id).extended_from is None


def test_reminders_before_due_and_overdue_name_only_the_request(
    world, organisation, settings, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    settings.SITE_URL = "https://safeguard.example"
    person = PersonFactory(name=NAME, created_by=world.lead)
    with time_machine.travel(uk(2026, 9, 4, 10), tick=False):
        sar = record(world, person, received_on=dt.date(2026, 9, 3))
    queued: list[int] = []
    monkeypatch.setattr(reminder_tasks.send_reminder, "delay", queued.append)

    def sweep_at(moment):
        with time_machine.travel(moment, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                reminder_tasks.sweep()
            for pk in list(queued):
                reminder_tasks.send_reminder.run(pk)
            queued.clear()

    sweep_at(uk(2026, 10, 2, 23, 0))  # before the "before" reminder's time
    assert not mailoutbox
    sweep_at(uk(2026, 10, 3, 0, 0))
    sweep_at(uk(2026, 10, 6, 0, 0))  # due at the end of Monday 5th
    sweep_at(uk(2026, 10, 6, 9, 0))  # overdue: the next working day from 09:00
    stages = list(
        Reminder.objects.filter(deadline=sar.deadline).values_list("stage", "recipient", "is_copy")
    )
    assert sorted(stages) == sorted(
        [
            ("before", world.lead.pk, False),
            ("due", world.lead.pk, False),
            ("overdue", world.lead.pk, False),
            ("overdue", world.manager.pk, True),
        ]
    )
    assert len(mailoutbox) == 4
    link = "https://safeguard.example" + reverse(
        "subject_access:request_detail", args=[sar.reference]
    )
    for message in mailoutbox:
        assert sar.reference in message.subject
        assert link in message.body
        assert NAME not in message.subject + message.body
        assert person.reference not in message.subject + message.body
    assert "is overdue" in mailoutbox[-1].subject


# --- The bundle ----------------------------------------------------------------------------


def test_the_bundle_holds_every_record_and_none_of_what_was_redacted(
    world, miss_g, django_capture_on_commit_callbacks, monkeypatch
):
    sar = record(world, miss_g.person)
    services.identity_check(request=request_as(world.lead), sar=sar, how="Passport seen")
    services.items_review(request=request_as(world.lead), sar=sar)
    kinds = set(sar.redaction_items.values_list("kind", flat=True))
    assert {"exploiter", "companion", "other_victim", "staff", "file"} <= kinds
    decide_all(world, sar)
    bundle = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)

    archive = zipfile.ZipFile(io.BytesIO(bundle.file.open("rb").read()))
    names = archive.namelist()
    text = pdf_text(archive.read(PDF_NAME))
    # Everything about her: the person, both concerns with her words and the addendum, the
    # case record, chronology, support plan, risk.
    for value in [
        NAME,
        ALIAS,
        miss_g.concern.reference,
        miss_g.case.reference,
        "Seen again on Monday",
        SITUATION,
        CHRONOLOGY,
        SUPPORT,
        RISK,
        "Statement to the police",
        INDICATOR,
        "He holds them",
        REFERRAL_SUMMARY,
        CONSENT_HOW,
        DECISION_NOTE,
    ]:
        assert value in text, value
    # Nobody else's: the exploiter's names, nickname (also where her own words mention him)
    # and phone, the man with her, the other victim.
    for value in [EXPLOITER, NICKNAME, EXPLOITER_PHONE, COMPANION, OTHER_VICTIM, INTERPRETER]:
        assert value.lower() not in text.lower(), value
    assert "kept my passport and said I owed him for the van" in text
    assert "[redacted]" in text
    # Her files: the photo and the upload, released.
    files = [n for n in names if n.startswith("files/")]
    assert len(files) == 2
    assert EVIDENCE in [archive.read(n) for n in files]
    assert bundle.files == 2 and bundle.redacted >= 5


def test_an_undecided_item_is_redacted_and_an_undecided_file_left_out(
    world, miss_g, django_capture_on_commit_callbacks, monkeypatch
):
    sar = record(world, miss_g.person)
    bundle = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)
    archive = zipfile.ZipFile(io.BytesIO(bundle.file.open("rb").read()))
    assert archive.namelist() == [PDF_NAME]
    text = pdf_text(archive.read(PDF_NAME))
    assert "Draft:" in text
    assert EXPLOITER not in text and world.lead.full_name not in text


def test_release_is_refused_until_every_item_is_decided(
    world, miss_g, django_capture_on_commit_callbacks, monkeypatch
):
    sar = record(world, miss_g.person)
    services.identity_check(request=request_as(world.lead), sar=sar, how="Passport seen")
    bundle = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)
    with pytest.raises(ValidationError, match="still to decide"):
        services.request_release(request=request_as(world.lead), sar=sar, bundle=bundle)
    decide_all(world, sar)
    # Decided after this bundle was built: it does not show the decisions.
    with pytest.raises(ValidationError, match="prepare it again"):
        services.request_release(request=request_as(world.lead), sar=sar, bundle=bundle)
    # Something added to her record since brings a new undecided item.
    Exploiter.objects.create(case=miss_g.case, names="Another Exploiter")
    fresh = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)
    with pytest.raises(ValidationError, match="1 still to decide"):
        services.request_release(request=request_as(world.lead), sar=sar, bundle=fresh)
    decide_all(world, sar)
    final = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)
    services.request_release(request=request_as(world.lead), sar=sar, bundle=final)
    sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.RELEASED
    assert Deadline.objects.get(pk=sar.deadline_id).satisfied_at is not None
    assert selectors.open_request_for(miss_g.person) is None
    # Released: its decisions stay as they were.
    item = sar.redaction_items.first()
    with pytest.raises(ValidationError, match="answered or withdrawn"):
        services.item_decide(
            request=request_as(world.lead), sar=sar, item=item, decision="release", reason="x"
        )


def test_a_decision_needs_a_reason_in_the_database_too(world, miss_g):
    sar = record(world, miss_g.person)
    services.items_review(request=request_as(world.lead), sar=sar)
    item = sar.redaction_items.first()
    with pytest.raises(ValidationError):
        services.item_decide(
            request=request_as(world.lead), sar=sar, item=item, decision="redact", reason=" "
        )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RedactionItem.objects.filter(pk=item.pk).update(decision="redact")


def test_release_is_refused_without_an_identity_check(
    world, miss_g, django_capture_on_commit_callbacks, monkeypatch
):
    sar = record(world, miss_g.person)
    services.items_review(request=request_as(world.lead), sar=sar)
    decide_all(world, sar)
    bundle = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)
    with pytest.raises(ValidationError, match="identity"):
        services.request_release(request=request_as(world.lead), sar=sar, bundle=bundle)


def test_every_build_download_and_release_is_audited_by_reference(
    world, miss_g, client, django_capture_on_commit_callbacks, monkeypatch
):
    sar = record(world, miss_g.person)
    services.identity_check(request=request_as(world.lead), sar=sar, how="Passport seen")
    services.items_review(request=request_as(world.lead), sar=sar)
    decide_all(world, sar)
    bundle = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    response = client.get(
        reverse("subject_access:bundle_download", args=[sar.reference, bundle.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{sar.reference}.zip"'
    b"".join(response.streaming_content)
    services.request_release(request=request_as(world.lead), sar=sar, bundle=bundle)
    events = AuditEvent.objects.filter(reference=sar.reference)
    details = list(events.filter(action="export").values_list("detail", flat=True))
    assert "Subject access bundle requested" in details
    assert any(d.startswith("Subject access bundle built") for d in details)
    assert "Subject access bundle downloaded" in details
    assert any(d.startswith("Subject access bundle released") for d in details)
    assert events.filter(action="create").exists()
    for event in AuditEvent.objects.all():
        assert NAME not in event.detail and EXPLOITER not in event.detail


def test_a_correction_is_an_addendum_and_the_concern_is_unchanged(world, miss_g):
    sar = record(world, miss_g.person)
    before = miss_g.concern.persons_words
    services.correction_add(
        request=request_as(world.lead), sar=sar, concern=miss_g.concern, text="It was a lorry"
    )
    miss_g.concern.refresh_from_db()
    assert miss_g.concern.persons_words == before
    correction = Correction.objects.get(request=sar)
    assert "It was a lorry" in correction.addendum.text
    assert correction.addendum.concern == miss_g.concern
    other = ConcernFactory(reporter=world.frontline, team=world.north)
    with pytest.raises(ValidationError):
        services.correction_add(request=request_as(world.lead), sar=sar, concern=other, text="x")


# --- Who may open the pages ----------------------------------------------------------------


def test_only_leads_and_managers_who_see_the_record_may_open_a_request(world, miss_g, client):
    sar = record(world, miss_g.person)
    detail = reverse("subject_access:request_detail", args=[sar.reference])
    listing = reverse("subject_access:request_list")
    sign_in(client, world.frontline)
    assert client.get(listing).status_code == 403
    assert client.get(detail).status_code == 403
    client.logout()
    sign_in(client, world.admin, secret=world.totp[world.admin.pk])
    assert client.get(detail).status_code == 403
    client.logout()
    sign_in(client, world.lead_south, secret=world.totp[world.lead_south.pk])
    assert client.get(detail).status_code == 404  # another team's person
    assert sar.reference not in client.get(listing).content.decode()
    client.logout()
    for user in (world.lead, world.manager):
        sign_in(client, user, secret=world.totp[user.pk])
        page = client.get(detail)
        assert page.status_code == 200
        assert sar.reference in client.get(listing).content.decode()
        client.logout()


def test_a_request_is_recorded_from_its_page_and_bad_input_is_a_form_error(
    world, organisation, client
):
    person = PersonFactory(created_by=world.lead)
    CaseFactory(person=person, team=world.north, lead=world.lead)
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    url = reverse("subject_access:request_new")
    bad = client.post(url, {"person_reference": "PN-NOPE", "team": world.north.pk})
    assert bad.status_code == 400
    assert "Choose who asked" in bad.content.decode()
    response = client.post(
        url,
        {
            "person_reference": person.reference.lower(),
            "team": world.north.pk,
            "requester": "person",
            "how_received": "email",
            "received_on_0": "3",
            "received_on_1": "9",
            "received_on_2": "2026",
        },
    )
    sar = SubjectAccessRequest.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("subject_access:request_detail", args=[sar.reference])


def test_the_request_page_takes_decisions_and_refuses_a_release_in_words(
    world, miss_g, client, django_capture_on_commit_callbacks, monkeypatch
):
    sar = record(world, miss_g.person)
    services.identity_check(request=request_as(world.lead), sar=sar, how="Passport seen")
    services.items_review(request=request_as(world.lead), sar=sar)
    bundle = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    page = client.get(reverse("subject_access:request_detail", args=[sar.reference]))
    assert page.status_code == 200
    # The page names where each item is, never its value.
    assert EXPLOITER not in page.content.decode()
    item = sar.redaction_items.first()
    url = reverse("subject_access:item_decide", args=[sar.reference, item.pk])
    refused = client.post(url, {f"item-{item.pk}-decision": "redact"})
    assert refused.status_code == 400
    assert "Say why" in refused.content.decode()
    assert client.post(url, {f"item-{item.pk}-decision": "maybe"}).status_code == 400
    done = client.post(
        url, {f"item-{item.pk}-decision": "redact", f"item-{item.pk}-reason": "His name"}
    )
    assert done.status_code == 302
    item.refresh_from_db()
    assert (item.decision, item.reason, item.decided_by) == ("redact", "His name", world.lead)
    release = client.post(
        reverse("subject_access:request_release", args=[sar.reference, bundle.pk]), follow=True
    )
    assert "still to decide" in release.content.decode()
    sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.OPEN


def test_a_bundle_is_refused_to_someone_who_cannot_see_every_record(world, miss_g):
    restricted = CaseFactory(person=miss_g.person, team=world.north, lead=world.lead_south)
    restricted.restricted = True
    restricted.save()
    sar = record(world, miss_g.person)
    with pytest.raises(ValidationError, match="cannot export every record"):
        services.bundle_request(request=request_as(world.lead), sar=sar)
    assert not Bundle.objects.exists()


def test_the_audit_trail_finds_a_request_by_the_person_s_reference(world, organisation):
    from safeguard import audit

    person = PersonFactory(created_by=world.lead)
    sar = record(world, person)
    assert sar.reference in audit.references_of_person(person.reference)


def test_a_draft_bundle_is_deleted_after_its_time_and_a_released_one_kept(
    world, miss_g, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from retention.models import RetentionRule

    RetentionRule.objects.filter(kind="prepared_document").update(length=4)
    sar = record(world, miss_g.person)
    services.identity_check(request=request_as(world.lead), sar=sar, how="Passport seen")
    services.items_review(request=request_as(world.lead), sar=sar)
    decide_all(world, sar)
    draft = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)
    final = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)
    services.request_release(request=request_as(world.lead), sar=sar, bundle=final)
    name = draft.file.name
    assert draft.file.storage.exists(name)
    with time_machine.travel(draft.finished_at + dt.timedelta(hours=4, minutes=1), tick=False):
        tasks.bundles_requeue()
    draft.refresh_from_db()
    final.refresh_from_db()
    assert draft.status == Bundle.Status.EXPIRED and not draft.file
    assert not final.file.storage.exists(name)
    assert final.status == Bundle.Status.RELEASED and final.file.storage.exists(final.file.name)


def test_a_decision_changed_while_the_bundle_is_released_never_slips_past_it(
    transactional_db, world, miss_g, django_capture_on_commit_callbacks, monkeypatch
):
    from tests.concurrently import race, rows_made_by_migrations, signed_in_client

    rows_made_by_migrations()
    sar = record(world, miss_g.person)
    services.identity_check(request=request_as(world.lead), sar=sar, how="Passport seen")
    services.items_review(request=request_as(world.lead), sar=sar)
    decide_all(world, sar)
    bundle = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)
    item = sar.redaction_items.filter(kind="staff").first()
    lead, manager = signed_in_client(world.lead), signed_in_client(world.manager)
    release, decide = race(
        lambda: SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk),
        lambda: lead.post(
            reverse("subject_access:request_release", args=[sar.reference, bundle.pk])
        ),
        lambda: manager.post(
            reverse("subject_access:item_decide", args=[sar.reference, item.pk]),
            {f"item-{item.pk}-decision": "redact", f"item-{item.pk}-reason": "Changed my mind"},
        ),
    )
    detail = reverse("subject_access:request_detail", args=[sar.reference])
    assert release.status_code == 302 and release["Location"] == detail
    assert decide.status_code in (302, 400)
    sar.refresh_from_db()
    item.refresh_from_db()
    bundle.refresh_from_db()
    if sar.status == SubjectAccessRequest.Status.RELEASED:
        # The release went first: the decision was refused, and stays as it was released.
        assert decide.status_code == 400
        assert item.decision == Decision.RELEASE and item.decided_at < bundle.started_at
    else:
        # The decision went first: the bundle no longer shows it, so it was not released.
        assert decide.status_code == 302 and item.decision == Decision.REDACT
        assert bundle.status == Bundle.Status.READY


# --- The clock in the deadline lists -------------------------------------------------------


@pytest.fixture
def overdue_request(world, organisation):
    """A request for someone with a case in the north team, a day past its month."""
    person = PersonFactory(name=NAME, created_by=world.lead)
    CaseFactory(person=person, team=world.north, lead=world.lead)
    with time_machine.travel(uk(2026, 9, 4, 10), tick=False):
        sar = record(world, person, received_on=dt.date(2026, 9, 3))
    return sar


def test_an_overdue_request_is_on_the_overdue_page_and_its_export_for_those_who_see_it(
    client, world, overdue_request
):
    sar = overdue_request
    with time_machine.travel(uk(2026, 10, 7, 9), tick=True):
        sign_in(client, world.manager, secret=world.totp[world.manager.pk])
        page = client.get(reverse("referrals:overdue")).content.decode()
        export = b"".join(client.get(reverse("referrals:overdue_export")).streaming_content)
        groups = overdue_by_team_and_chaser(world.manager, now=timezone.now())
    link = reverse("subject_access:request_detail", args=[sar.reference])
    assert f'href="{link}"' in page
    assert sar.reference in export.decode() and NAME not in export.decode()
    # The manager's home counts it under its team and its handler.
    assert [(g.team, g.chaser, g.overdue) for g in groups] == [("North team", "Lee Lead", 1)]
    # Someone who may not see her records does not see the request's clock either.
    client.logout()
    with time_machine.travel(uk(2026, 10, 7, 9), tick=True):
        sign_in(client, world.lead_south, secret=world.totp[world.lead_south.pk])
        assert sar.reference not in client.get(reverse("referrals:overdue")).content.decode()


def test_the_handler_sees_the_clock_among_their_deadlines_and_a_manager_may_reassign_it(
    client, world, overdue_request
):
    from referrals import selectors as deadline_selectors

    sar = overdue_request
    assert [d.pk for d in deadline_selectors.my_deadlines(world.lead)] == [sar.deadline_id]
    colleague = UserFactory(full_name="Col League", role=Role.LEAD, teams=[world.north])
    sign_in(client, world.manager, secret=world.totp[world.manager.pk])

    client.post(
        reverse("referrals:deadline_reassign", args=[sar.deadline_id]),
        {"assignee": colleague.pk},
    )

    assert Deadline.objects.get(pk=sar.deadline_id).assignee == colleague
    event = AuditEvent.objects.filter(changed_fields__contains=["deadline.assignee"]).get()
    assert (event.reference, event.object_type) == (sar.reference, "deadline")


def test_the_managers_morning_digest_lists_an_overdue_request_by_reference(
    world, overdue_request, mailoutbox
):
    with time_machine.travel(uk(2026, 10, 7, 7), tick=False):
        reminder_tasks.manager_digest()
    [message] = [m for m in mailoutbox if world.manager.email in m.to]
    assert overdue_request.reference in message.body and NAME not in message.body


def test_the_bundle_holds_a_record_of_them_that_was_merged_into_theirs(
    world, miss_g, django_capture_on_commit_callbacks, monkeypatch
):
    from cases.models import PersonMerge

    other = PersonFactory(name="Gabriela Mergedspelling", created_by=world.lead, aliases="Gaby M")
    PersonMerge.objects.create(
        merged=other, survivor=miss_g.person, merged_by=world.lead, reason="Same passport"
    )
    sar = record(world, miss_g.person)
    services.identity_check(request=request_as(world.lead), sar=sar, how="Passport seen")
    services.items_review(request=request_as(world.lead), sar=sar)
    decide_all(world, sar)

    bundle = built(world, sar, django_capture_on_commit_callbacks, monkeypatch)

    archive = zipfile.ZipFile(io.BytesIO(bundle.file.open("rb").read()))
    text = " ".join(pdf_text(archive.read(PDF_NAME)).split())
    for value in ("Gabriela Mergedspelling", "Gaby M", other.reference, "Same passport"):
        assert value in text, value


def test_a_correction_sent_twice_adds_one_addendum(world, miss_g, client):
    sar = record(world, miss_g.person)
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    page = client.get(reverse("subject_access:request_detail", args=[sar.reference]))
    token = page.context["correction_form"]["submission_token"].value()
    body = {
        "submission_token": token,
        "concern": miss_g.concern.reference,
        "text": "It was a lorry",
    }
    url = reverse("subject_access:correction_add", args=[sar.reference])

    first, again = client.post(url, body), client.post(url, body)

    assert first.status_code == again.status_code == 302
    assert Correction.objects.filter(request=sar).count() == 1
