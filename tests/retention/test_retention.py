"""The retention schedule, the due list, reviews and disposal (issue 21)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone
from psycopg import sql

from cases import models as cases
from cases.models import CaseStatus, ConcernStatus, Gender
from dashboards import statistics
from documents.models import DocumentJob, EvidenceDocument
from referrals.models import Deadline, Decision, Referral, Reminder
from retention import services, tasks
from retention.dates import UK, add_months
from retention.models import Decision as Review
from retention.models import Disposal, RetentionReview, RetentionRule
from retention.schedule import SCHEDULE
from retention.selectors import people_past_retention
from safeguard.choices import Pathway
from safeguard.models import AuditEvent, Notification
from tests.auth import request_as
from tests.cases.factories import CaseFactory, ConcernFactory, PersonFactory
from tests.storage import keep_private_files_in

CLOSED = dt.datetime(2020, 3, 17, 10, 30, tzinfo=UK)


def test_the_schedule_has_a_row_for_every_kind_seeded_with_its_default(db):
    rows = {rule.kind: rule.length for rule in RetentionRule.objects.all()}
    assert rows == {declared.kind.value: declared.default for declared in SCHEDULE}


def test_the_database_refuses_a_length_of_nought(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionRule.objects.filter(kind="case_adult").update(length=0)


def test_months_are_added_to_the_same_day_or_the_months_last():
    assert add_months(dt.date(2020, 3, 17), 24) == dt.date(2022, 3, 17)
    assert add_months(dt.date(2020, 1, 31), 1) == dt.date(2020, 2, 29)


def nfa_concern(world, *, at=CLOSED, **person):
    concern = ConcernFactory(
        person=PersonFactory(created_by=world.lead, estimated_age=30, **person),
        reporter=world.frontline,
        team=world.north,
        submitted_at=at - dt.timedelta(days=1),
        status=ConcernStatus.NO_FURTHER_ACTION,
        triaged_by=world.lead,
        triaged_at=at,
        triage_reason="Not exploitation.",
    )
    return concern


def due_references(day):
    return [row.person.reference for row in people_past_retention(day) if row.needs_review(day)]


def test_a_concern_closed_with_no_further_action_is_due_24_months_after_triage(world):
    concern = nfa_concern(world)
    due_on = dt.date(2022, 3, 17)

    with time_machine.travel(dt.datetime(2022, 3, 16, 23, 59, tzinfo=UK), tick=False):
        assert due_references(dt.date(2022, 3, 16)) == []
    with time_machine.travel(dt.datetime(2022, 3, 17, 0, 1, tzinfo=UK), tick=False):
        assert due_references(due_on) == [concern.person.reference]


def test_an_administrators_length_moves_the_date(world):
    concern = nfa_concern(world)
    RetentionRule.objects.filter(kind="concern_nfa").update(length=12)

    assert due_references(dt.date(2021, 3, 16)) == []
    assert due_references(dt.date(2021, 3, 17)) == [concern.person.reference]


def test_an_open_case_keeps_all_of_a_persons_records_off_the_list(world):
    concern = nfa_concern(world)
    CaseFactory(person=concern.person, team=world.north, lead=world.lead)

    assert due_references(dt.date(2030, 1, 1)) == []


def test_a_childs_closed_case_is_kept_longer_than_an_adults(world):
    adult = CaseFactory(
        person=PersonFactory(created_by=world.lead, estimated_age=30),
        team=world.north,
        lead=world.lead,
        status=CaseStatus.CLOSED,
        opened_at=CLOSED - dt.timedelta(days=90),
        closed_at=CLOSED,
    )
    child = CaseFactory(
        person=PersonFactory(created_by=world.lead, estimated_age=15),
        team=world.north,
        lead=world.lead,
        status=CaseStatus.CLOSED,
        opened_at=CLOSED - dt.timedelta(days=90),
        closed_at=CLOSED,
    )
    for case in (adult, child):
        ConcernFactory(person=case.person, case=case, reporter=world.frontline, team=world.north)

    assert due_references(dt.date(2026, 3, 17)) == [adult.person.reference]
    assert sorted(due_references(dt.date(2030, 3, 17))) == sorted(
        [adult.person.reference, child.person.reference]
    )


def test_keeping_takes_them_off_the_list_until_the_next_review_date(world):
    concern = nfa_concern(world)
    with time_machine.travel(dt.datetime(2023, 1, 10, 12, tzinfo=UK), tick=False):
        services.review_record(
            request=request_as(world.manager),
            person=concern.person,
            decision=Review.KEEP,
            reason="A linked police investigation may need it.",
            next_review_on=dt.date(2024, 1, 10),
        )
        assert due_references(dt.date(2023, 1, 10)) == []
    assert due_references(dt.date(2024, 1, 9)) == []
    assert due_references(dt.date(2024, 1, 10)) == [concern.person.reference]


# --- A rich case, like Miss G's, disposed of --------------------------------------------------

SECRETS = {
    "name": "Gabriela Secretname",
    "aliases": "Gabi Aliasone, Ella Aliastwo",
    "safe_contact": "Text the refuge line 07700 900123 only",
    "account": "Told me Uncle Vasquez-Orrin keeps her passport",
    "words": "He said my mother pays if I run",
    "note": "Bruising on wrists noted by Nurse Penhallow",
    "addendum": "She later named the house on Thistlewood Lane",
    "exploiter": "Dragomir Exploitername",
    "plate": "XZ19 QRT",
    "police": "DC Wrenfield-Abbot",
    "chronology": "Moved to the Larkspur safe house",
    "evidence": "Photo of the Marbleton flat door",
    "summary": "Referred after the Harbourgate raid",
    "support": "Register with Dr Quillfeather",
    "risk": "Brother Anselmo is in contact",
    "close": "Moved to her aunt in Fernhollow",
    "consent": "Explained through interpreter Oksana Veltrova",
    "merged": "Gabriella Mergedspelling",
    "merge_reason": "Same woman: the Kestrelbury hostel records",
    "age_note": "Assessed by social worker Ingram Pollexfen",
    "where_now": "Room 4, Saltmarsh Refuge",
}


@pytest.fixture
def miss_g(
    world, reference_data, organisation, settings, tmp_path, django_capture_on_commit_callbacks
):
    keep_private_files_in(settings, tmp_path)
    person = PersonFactory(
        created_by=world.lead,
        name=SECRETS["name"],
        aliases=SECRETS["aliases"],
        date_of_birth=dt.date(1998, 6, 2),
        gender=Gender.FEMALE,
        nationalities="Albanian",
        safe_contact=SECRETS["safe_contact"],
    )
    merged = PersonFactory(created_by=world.lead, name=SECRETS["merged"])
    cases.PersonMerge.objects.create(
        merged=merged, survivor=person, merged_by=world.lead, reason=SECRETS["merge_reason"]
    )
    cases.AgeAssessment.objects.create(
        person=person,
        assessed_on=dt.date(2019, 9, 1),
        method="documents",
        assessed_by="Children's Services",
        outcome="adult",
        note=SECRETS["age_note"],
        recorded_by=world.lead,
    )
    person.photo.save("face.jpg", ContentFile(b"\xff\xd8 photo bytes"), save=True)
    opened = CLOSED - dt.timedelta(days=200)
    case = CaseFactory(
        person=person,
        team=world.north,
        lead=world.lead,
        opened_at=opened,
        status=CaseStatus.CLOSED,
        closed_at=CLOSED,
        close_reason=SECRETS["close"],
    )
    concern = ConcernFactory(
        person=person,
        case=case,
        reporter=world.frontline,
        team=world.north,
        submitted_at=opened,
        observed_at=opened - dt.timedelta(hours=3),
        observer_account=SECRETS["account"],
        persons_words=SECRETS["words"],
        exploitation_types=["sexual"],
    )
    indicator = cases.Indicator.objects.first()
    cases.IndicatorObservation.objects.create(
        concern=concern, indicator=indicator, answer="observed", note=SECRETS["note"]
    )
    cases.Addendum.objects.create(concern=concern, author=world.lead, text=SECRETS["addendum"])
    cases.ConcernLink.objects.create(
        concern=concern, kind="vehicle", value=SECRETS["plate"], normalised="XZ19QRT"
    )
    exploiter = cases.Exploiter.objects.create(case=case, names=SECRETS["exploiter"])
    cases.ExploiterLink.objects.create(
        exploiter=exploiter,
        case=case,
        kind="exploiter",
        value=SECRETS["exploiter"],
        normalised=SECRETS["exploiter"].lower(),
    )
    cases.PoliceReport.objects.create(case=case, reported="yes", officer=SECRETS["police"])
    cases.WhereNow.objects.create(case=case, where_now=SECRETS["where_now"], phone="07700 900777")
    cases.ChronologyEntry.objects.create(
        case=case, kind="note", author=world.lead, title="Note", text=SECRETS["chronology"]
    )
    cases.SupportNeed.objects.create(case=case, domain="health", need=SECRETS["support"])
    cases.RiskAssessment.objects.create(
        case=case,
        assessed_by=world.lead,
        level="high",
        summary=SECRETS["risk"],
        review_on=dt.date(2019, 12, 1),
    )
    cases.CaseClosure.objects.create(
        case=case, closed_at=CLOSED, closed_by=world.lead, reason=SECRETS["close"]
    )
    referral = Referral.objects.create(
        reference="RF-MISSG-1",
        case=case,
        pathway=Pathway.NRM,
        status="decided",
        summary=SECRETS["summary"],
        created_by=world.lead,
        submitted_at=opened + dt.timedelta(hours=20),
    )
    from referrals.models import Consent

    Consent.objects.create(
        referral=referral,
        given=True,
        given_on=opened.date(),
        how_explained=SECRETS["consent"],
        recorded_by=world.lead,
    )
    Decision.objects.create(
        referral=referral,
        kind="rg",
        outcome="positive",
        received_on=(opened + dt.timedelta(days=6)).date(),
        recorded_by=world.lead,
    )
    deadline = Deadline.objects.create(
        timer="refer",
        case=case,
        concern=concern,
        starts_at=concern.observed_at,
        due_at=concern.observed_at + dt.timedelta(hours=48),
        satisfied_at=referral.submitted_at,
        satisfied_by="referral",
    )
    Reminder.objects.create(deadline=deadline, stage="due", sequence=1, recipient=world.lead)
    Notification.objects.create(
        user=world.lead, title="A deadline is due", url=f"/cases/{case.reference}/"
    )
    evidence = EvidenceDocument(
        case=case,
        kind="other",
        description=SECRETS["evidence"],
        original_name="door.png",
        content_type="image/png",
        size=5,
        sha256="0" * 64,
        uploaded_by=world.lead,
    )
    evidence.file.save("door.png", ContentFile(b"\x89PNG door"), save=True)
    job = DocumentJob(kind="chronology", case=case, requested_by=world.lead, status="ready")
    job.file.save("chronology.pdf", ContentFile(b"%PDF-1.7 chronology"), save=True)
    files = [person.photo.name, evidence.file.name, job.file.name]
    return {"person": person, "case": case, "concern": concern, "files": files, "dir": tmp_path}


def text_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = current_schema()
                 AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'character')"""
        )
        return cursor.fetchall()


def places_holding(value: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            query = sql.SQL("SELECT count(*) FROM {} WHERE {}::text ILIKE %s").format(
                sql.Identifier(table), sql.Identifier(column)
            )
            cursor.execute(query.as_string(connection.connection), [f"%{value}%"])
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def figures(manager):
    scope = statistics.Scope(
        user=manager,
        period=statistics.Period(dt.date(2019, 1, 1), dt.date(2020, 12, 31)),
        now=dt.datetime(2026, 1, 1, tzinfo=UK),
    )
    slugs = [
        "by-month",
        "exploitation-type",
        "age-group",
        "gender",
        "pathway",
        "outcomes",
        "time-to-referral",
    ]
    return {
        slug: statistics.figure(slug, scope).rows for slug in slugs if slug in statistics.FIGURES
    }


def approve(world, person, capture):
    with capture() as queued:
        review = services.review_record(
            request=request_as(world.manager),
            person=person,
            decision=Review.DISPOSE,
            reason="Past its date; nothing outstanding.",
        )
    return review, queued


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UK), tick=False)
def test_disposal_erases_every_value_keeps_the_statistics_and_leaves_a_tombstone(
    world, miss_g, django_capture_on_commit_callbacks
):
    person = miss_g["person"]
    assert places_holding(SECRETS["name"]), "the search finds what is there"
    before = figures(world.manager)

    review, queued = approve(world, person, django_capture_on_commit_callbacks)
    assert len(queued) == 1  # the task is sent after commit, not run in the request
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.person_dispose(review.pk) == "disposed"

    left = {value: places_holding(value) for value in SECRETS.values()}
    assert left == {value: [] for value in SECRETS.values()}
    for name in miss_g["files"]:
        assert not (miss_g["dir"] / name).exists()
    assert figures(world.manager) == before
    person.refresh_from_db()
    assert (person.reference, person.gender, person.date_of_birth, person.estimated_age) == (
        miss_g["person"].reference,
        Gender.FEMALE,
        None,
        18,
    )
    events = AuditEvent.objects.filter(reference=person.reference)
    assert events.filter(object_type="retentionreview", action="create").exists()
    tombstone = events.get(object_type="person", detail__startswith="disposed of (tombstone)")
    assert miss_g["case"].reference in tombstone.detail
    assert Disposal.objects.get(person=person).review == review
    # A second delivery of the message does nothing.
    assert tasks.person_dispose(review.pk) == "already disposed"


def snapshot():
    rows = {}
    with connection.cursor() as cursor:
        for (table,) in {(t,) for t, _ in text_columns()}:
            query = sql.SQL("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {} t")
            cursor.execute(query.format(sql.Identifier(table)).as_string(connection.connection))
            rows[table] = cursor.fetchone()[0]
    return rows


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UK), tick=False)
def test_the_dry_run_lists_what_would_go_and_changes_nothing(world, miss_g):
    before = snapshot()

    plan = services.disposal_plan(miss_g["person"])

    assert snapshot() == before
    assert plan["deleted"]["exploiters"] == 1
    assert plan["deleted"]["evidence documents"] == 1
    assert plan["anonymised"]["concerns"] == 1
    assert plan["files"] == {"files in storage": 3}


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UK), tick=False)
def test_a_legal_hold_refuses_an_approval(world, miss_g):
    person = miss_g["person"]
    services.review_record(
        request=request_as(world.manager),
        person=person,
        decision=Review.HOLD,
        reason="Trial listed for next year.",
        hold_ground="court",
        hold_requested_by="Crown Prosecution Service",
    )

    with pytest.raises(ValidationError, match="legal hold"):
        services.review_record(
            request=request_as(world.manager),
            person=person,
            decision=Review.DISPOSE,
            reason="Past its date.",
        )
    assert places_holding(SECRETS["name"])


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UK), tick=False)
def test_a_hold_put_on_while_the_disposal_is_queued_stops_it(
    world, miss_g, django_capture_on_commit_callbacks
):
    person = miss_g["person"]
    review, _queued = approve(world, person, django_capture_on_commit_callbacks)
    services.review_record(
        request=request_as(world.manager),
        person=person,
        decision=Review.HOLD,
        reason="A public inquiry has asked for it.",
        hold_ground="inquiry",
        hold_requested_by="The inquiry's solicitor",
    )

    assert tasks.person_dispose(review.pk) == "refused"

    assert places_holding(SECRETS["name"])
    assert not Disposal.objects.exists()
    for name in miss_g["files"]:
        assert (miss_g["dir"] / name).exists()
    refusal = AuditEvent.objects.get(detail__startswith="disposal refused")
    assert "legal hold" in refusal.detail and SECRETS["name"] not in refusal.detail


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UK), tick=False)
def test_a_registered_blocker_stops_a_disposal(world, miss_g, django_capture_on_commit_callbacks):
    from retention import blockers

    review, _ = approve(world, miss_g["person"], django_capture_on_commit_callbacks)

    def open_request(person):
        return "An open subject access request"

    blockers.register(open_request)
    try:
        assert tasks.person_dispose(review.pk) == "refused"
    finally:
        blockers._blockers.remove(open_request)
    assert places_holding(SECRETS["name"])


def test_reviews_are_append_only(world):
    from django.db import DatabaseError, transaction

    concern = nfa_concern(world, at=dt.datetime(2019, 1, 1, tzinfo=UK))
    review = services.review_record(
        request=request_as(world.manager),
        person=concern.person,
        decision=Review.KEEP,
        reason="Keep a little longer.",
        next_review_on=timezone.localdate() + dt.timedelta(days=30),
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        RetentionReview.objects.filter(pk=review.pk).update(reason="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        RetentionReview.objects.filter(pk=review.pk).delete()


# --- Pages -------------------------------------------------------------------------------------


def signed_in(client, world, user):
    from tests.auth import sign_in

    sign_in(client, user, secret=world.totp.get(user.pk))
    return client


def test_the_officers_page_is_made_from_the_schedules_rows(client, world):
    RetentionRule.objects.filter(kind="case_adult").update(length=84, note="Agreed by the board")

    page = signed_in(client, world, world.manager).get("/retention/data-protection/")

    text = page.content.decode()
    assert page.status_code == 200
    for declared in SCHEDULE:
        assert declared.kind.label in text
    assert "84 months" in text and "the default is 72 months" in text
    assert "Agreed by the board" in text


def test_a_manager_records_a_hold_on_the_page_and_a_missing_reason_is_a_form_error(client, world):
    concern = nfa_concern(world)
    manager = signed_in(client, world, world.manager)
    address = f"/people/{concern.person.reference}/retention/"

    listed = manager.get("/retention/")
    assert concern.person.reference in listed.content.decode()
    refused = manager.post(address, {"decision": "hold", "hold_ground": "court"})
    assert refused.status_code == 200
    assert "Enter why" in refused.content.decode()
    assert "Enter who asked for the hold" in refused.content.decode()
    manager.post(
        address,
        {
            "decision": "hold",
            "reason": "Trial next spring.",
            "hold_ground": "court",
            "hold_requested_by": "Crown Court",
        },
    )

    [review] = RetentionReview.objects.all()
    assert (review.decision, review.hold_requested_by) == ("hold", "Crown Court")
    assert (
        concern.person.reference
        not in manager.get("/retention/").content.decode().split("On legal hold")[0]
    )


def test_an_administrators_change_to_a_length_is_audited_by_field_name(client, world):
    rule = RetentionRule.objects.get(kind="concern_nfa")
    admin = signed_in(client, world, world.admin)

    admin.post(f"/admin/retention/retentionrule/{rule.pk}/change/", {"length": "30", "note": ""})

    rule.refresh_from_db()
    assert rule.length == 30 and rule.updated_by == world.admin
    event = AuditEvent.objects.get(object_type="retentionrule")
    assert event.changed_fields == ["length"]
    assert (
        admin.post(
            f"/admin/retention/retentionrule/{rule.pk}/change/", {"length": "0", "note": ""}
        ).status_code
        == 200
    )
    rule.refresh_from_db()
    assert rule.length == 30


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UK), tick=False)
def test_an_approval_whose_message_was_lost_is_sent_again_but_not_one_held_since(
    world, miss_g, django_capture_on_commit_callbacks
):
    review, _lost = approve(world, miss_g["person"], django_capture_on_commit_callbacks)
    other = nfa_concern(world, at=dt.datetime(2019, 1, 1, tzinfo=UK))
    services.review_record(
        request=request_as(world.manager),
        person=other.person,
        decision=Review.DISPOSE,
        reason="Past its date.",
    )
    services.review_record(
        request=request_as(world.manager),
        person=other.person,
        decision=Review.HOLD,
        reason="An inquiry.",
        hold_ground="inquiry",
        hold_requested_by="The inquiry",
    )

    from retention.selectors import approvals_waiting

    assert approvals_waiting() == [review.pk]


# --- Subject access requests (subject_access registers a blocker and its own records) -------

REQUESTER = "Solicitor Penrose-Halloway"


def subject_access_request(world, person, *, released=False):
    from subject_access import services as access
    from subject_access.models import Bundle

    sar = access.request_record(
        request=request_as(world.lead),
        person=person,
        team=world.north,
        handler=world.lead,
        requester="representative",
        requester_name=REQUESTER,
        how_received="letter",
        received_on=dt.date(2026, 5, 1),
    )
    if released:
        access.identity_check(request=request_as(world.lead), sar=sar, how="Passport seen")
        sar.refresh_from_db()
        bundle = Bundle(request=sar, requested_by=world.lead, status="released")
        bundle.file.save("bundle.zip", ContentFile(b"PK zip of the whole record"), save=True)
        sar.status, sar.released_at, sar.released_by = "released", timezone.now(), world.lead
        sar.save()
        return sar, bundle
    return sar, None


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UK), tick=False)
def test_an_open_subject_access_request_stops_a_disposal(
    world, miss_g, django_capture_on_commit_callbacks
):
    review, _ = approve(world, miss_g["person"], django_capture_on_commit_callbacks)
    sar, _ = subject_access_request(world, miss_g["person"])

    assert tasks.person_dispose(review.pk) == "refused"

    assert places_holding(SECRETS["name"]) and places_holding(REQUESTER)
    refusal = AuditEvent.objects.get(detail__startswith="disposal refused")
    assert sar.reference in refusal.detail


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UK), tick=False)
def test_a_disposal_takes_the_answered_requests_records_and_its_bundle(
    world, miss_g, django_capture_on_commit_callbacks
):
    from subject_access.models import Bundle, SubjectAccessRequest

    sar, bundle = subject_access_request(world, miss_g["person"], released=True)
    bundle_file = miss_g["dir"] / bundle.file.name
    assert bundle_file.exists() and places_holding(REQUESTER)
    review, _ = approve(world, miss_g["person"], django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.person_dispose(review.pk) == "disposed"

    assert places_holding(REQUESTER) == []
    assert not bundle_file.exists()  # the zip held the whole record
    assert not Bundle.objects.filter(request=sar).exists()
    kept = SubjectAccessRequest.objects.get(pk=sar.pk)  # counted still: anonymised, not gone
    assert (kept.reference, kept.status, kept.received_on) == (
        sar.reference,
        "released",
        dt.date(2026, 5, 1),
    )


# --- Drafts: deleted once their date has passed, no review --------------------------------------


def test_a_draft_left_unchanged_for_the_schedules_length_is_deleted_and_its_author_told(world):
    from retention.models import RetentionRule
    from retention.schedule import Kind

    RetentionRule.objects.filter(kind=Kind.DRAFT).update(length=30)
    # Thirty days of 24 hours, across the October clock change (counted in UTC: in UK wall
    # time the last moment is 08:00, not 09:00).
    started = dt.datetime(2026, 10, 1, 9, tzinfo=UK).astimezone(dt.UTC)
    with time_machine.travel(started, tick=False):
        stale = cases.ConcernDraft.objects.create(author=world.frontline, data={"name": "Ana"})
    with time_machine.travel(started + dt.timedelta(days=20), tick=False):
        fresh = cases.ConcernDraft.objects.create(author=world.frontline, data={"name": "Ben"})

    # Thirty days after its last save it is kept; the moment after, it goes.
    with time_machine.travel(started + dt.timedelta(days=30), tick=False):
        assert tasks.drafts_expire() == 0
    with time_machine.travel(started + dt.timedelta(days=30, seconds=1), tick=False):
        assert tasks.drafts_expire() == 1

    assert list(cases.ConcernDraft.objects.all()) == [fresh]
    told = Notification.objects.get(user=world.frontline)
    assert "1 October 2026" in told.title and "Ana" not in told.title
    event = AuditEvent.objects.get(action="delete", object_type="concerndraft")
    assert event.object_id == str(stale.pk) and "Ana" not in event.detail


def test_the_officers_page_says_drafts_are_deleted_without_review(client, world):
    signed_in(client, world, world.manager)
    from django.urls import reverse

    page = client.get(reverse("retention:data_protection")).content.decode()
    assert "Deleted by the service once its date has passed" in page


def test_the_due_list_reads_the_same_number_of_times_for_one_person_or_twenty(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = signed_in(client, world, world.manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager.get("/retention/").status_code == 200
        return len(captured)

    nfa_concern(world)
    one = queries()
    for _ in range(19):
        nfa_concern(world)
    # A restricted case the manager is not named on: listed, not reviewable by them.
    hidden = CaseFactory(
        person=PersonFactory(created_by=world.lead, estimated_age=30),
        team=world.north,
        lead=world.lead,
        restricted=True,
        status=CaseStatus.CLOSED,
        closed_at=CLOSED,
    )
    ConcernFactory(
        person=hidden.person,
        team=world.north,
        case=hidden,
        reporter=world.frontline,
        status=ConcernStatus.CASE,
        submitted_at=CLOSED - dt.timedelta(days=30),
    )

    assert queries() == one
    page = manager.get("/retention/").content.decode()
    assert hidden.person.reference in page
    assert f'href="/people/{hidden.person.reference}/retention/"' not in page


def test_a_review_sent_twice_is_recorded_once(client, world):
    concern = nfa_concern(world)
    manager = signed_in(client, world, world.manager)
    address = f"/people/{concern.person.reference}/retention/"
    token = manager.get(address).context["form"]["submission_token"].value()
    body = {
        "submission_token": token,
        "decision": "keep",
        "reason": "A court case may follow.",
        "next_review_on_0": "1",
        "next_review_on_1": "6",
        "next_review_on_2": "2030",
    }

    first, again = manager.post(address, body), manager.post(address, body)

    assert first.status_code == again.status_code == 302
    assert RetentionReview.objects.count() == 1
