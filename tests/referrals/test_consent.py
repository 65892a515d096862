"""Consent as the Home Office form asks it, and the sharing register on the case.

The consent form and service ask what was explained, in which language and through which
interpreter, and for a refusal whether the person understands what declining means, why they
declined and whether they will co-operate with the police; the database refuses what must
never be stored. The register records agreements and withdrawals (never deleting one), the
referral page warns when the recipient has no current agreement, and the pack prints it.
"""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases.models import ChronologyEntry
from contacts.models import Organisation
from documents.pdfs import referral_pack_context
from referrals import consent as sharing
from referrals import services
from referrals.models import Consent, ConsentToShare, SharingWhat
from safeguard.choices import Pathway
from safeguard.models import AuditEvent
from tests.auth import request_as, sign_in
from tests.documents.test_documents import download_pack, flat, pdf_of, pdf_text
from tests.referrals.test_referrals import NOW, REFUSAL, consent, open_case, start

AGREED = dt.date(2026, 11, 2)
WITHDRAWN = dt.date(2026, 11, 16)

ANSWERED = {
    "given": "yes",
    "given_on": "2026-11-20",
    "how_explained": "Talked it through with a leaflet in Romanian",
    "explained_nrm": "yes",
    "explained_decisions": "yes",
    "explained_support": "yes",
    "explained_privacy": "no",
    "explained_in": "Romanian",
}


@pytest.fixture
def recipient(db):
    return Organisation.objects.create(name="Single Competent Authority", coverage_national=True)


@pytest.fixture
def adult_case(world, log_concern, organisation):
    return open_case(world, log_concern)


@pytest.fixture
def draft(world, adult_case, recipient):
    return start(world, adult_case, recipient=recipient)


def post_consent(client, referral, **changes):
    body = {**ANSWERED, **changes}
    return client.post(
        reverse("referrals:consent", args=[referral.reference]),
        {k: v for k, v in body.items() if v is not None},
    )


def agree(world, case, organisation=None, *, what=SharingWhat.RECORD, name="", on=AGREED):
    return sharing.consent_to_share_add(
        request=request_as(world.lead),
        case=case,
        what=what,
        organisation=organisation,
        organisation_name=name,
        agreed_on=on,
    )


def withdraw(world, agreement, on=WITHDRAWN):
    return sharing.consent_to_share_withdraw(
        request=request_as(world.lead), agreement=agreement, withdrawn_on=on
    )


# --- The consent form, as the Home Office form asks it -----------------------------------------


def test_consent_records_what_was_explained_in_which_language_and_the_interpreter(
    client, world, draft
):
    client.force_login(world.lead)

    response = post_consent(
        client,
        draft,
        interpreter_used="on",
        interpreter_language="Romanian",
        interpreter="Language Line, interpreter 4471",
    )

    assert response.status_code == 302
    recorded = Consent.objects.get(referral=draft)
    assert recorded.given
    assert (
        recorded.explained_nrm,
        recorded.explained_decisions,
        recorded.explained_support,
        recorded.explained_privacy,
    ) == (True, True, True, False)
    assert recorded.explained_in == "Romanian"
    assert recorded.interpreter == "Language Line, interpreter 4471"
    page = client.get(reverse("referrals:detail", args=[draft.reference])).content.decode()
    assert "Language Line, interpreter 4471" in page
    assert "The privacy notice: how their information is used explained" in page


def test_each_explanation_must_be_answered_and_what_was_typed_is_kept(client, world, draft):
    client.force_login(world.lead)

    response = post_consent(client, draft, explained_decisions=None, explained_in="")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Select whether the Reasonable Grounds and Conclusive Grounds decisions were " in html
    assert "Enter the language it was explained in" in html
    assert "Talked it through with a leaflet in Romanian" in html
    assert not Consent.objects.exists()


def test_an_interpreter_used_needs_their_language_and_who_they_were(client, world, draft):
    client.force_login(world.lead)

    response = post_consent(client, draft, interpreter_used="on", interpreter="Language Line")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the interpreter&#x27;s language, or untick that one was used" in html
    assert 'value="Language Line"' in html
    assert not Consent.objects.exists()


def test_consent_is_not_informed_when_the_nrm_was_not_explained(client, world, draft):
    client.force_login(world.lead)

    response = post_consent(client, draft, explained_nrm="no")

    assert response.status_code == 400
    assert "Consent is informed only once the NRM has been explained" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_refusal_without_understanding_reason_or_police_answer_is_refused(client, world, draft):
    client.force_login(world.lead)

    response = post_consent(client, draft, given="no")

    assert response.status_code == 400
    html = response.content.decode()
    assert "they get no NRM support and no decision, and tick that they do" in html
    assert "Enter why they declined the referral" in html
    assert "Select whether they will co-operate with the police" in html
    assert "Talked it through with a leaflet in Romanian" in html
    assert not Consent.objects.exists()


def test_a_refusal_is_recorded_with_its_reason_and_the_police_answer(client, world, draft):
    client.force_login(world.lead)

    response = post_consent(
        client,
        draft,
        given="no",
        understands_no_support="on",
        declined_because="Afraid the man will find out",
        police_cooperation="not_sure",
    )

    assert response.status_code == 302
    refusal = Consent.objects.get(referral=draft)
    assert not refusal.given and refusal.understands_no_support
    assert refusal.declined_because == "Afraid the man will find out"
    assert refusal.police_cooperation == "not_sure"
    page = client.get(reverse("referrals:detail", args=[draft.reference])).content.decode()
    assert "Afraid the man will find out" in page and "Duty to Notify" in page


def test_the_service_refuses_a_refusal_without_a_reason(world, draft):
    with pytest.raises(ValidationError) as refused:
        services.consent_record(
            request=request_as(world.lead),
            referral=draft,
            given=False,
            given_on=dt.date(2026, 11, 20),
            how_explained="Explained",
            explained=dict.fromkeys(services.EXPLAINED, True),
            explained_in="English",
            interpreter_used=False,
            interpreter_language="",
            witnessed_by="",
            refusal=services.Refusal(
                understands_no_support=False, declined_because=" ", police_cooperation="no"
            ),
        )

    assert set(refused.value.message_dict) == {"understands_no_support", "declined_because"}
    assert not Consent.objects.exists()


# --- What the database refuses -----------------------------------------------------------------


def _consent(referral, **fields):
    values = {
        "referral": referral,
        "given": True,
        "given_on": dt.date(2026, 11, 20),
        "how_explained": "Explained",
        "explained_nrm": True,
        "recorded_by": referral.case.lead,
    }
    return Consent(**{**values, **fields})


@pytest.mark.parametrize(
    "fields",
    [
        {"interpreter_used": True, "interpreter_language": ""},
        {"given": True, "explained_nrm": False},
        {"given": False, "understands_no_support": True, "police_cooperation": "no"},
        {"given": False, "declined_because": "Scared", "police_cooperation": "no"},
        {"given": False, "understands_no_support": True, "declined_because": "Scared"},
    ],
    ids=[
        "interpreter-without-language",
        "agreed-without-the-nrm-explained",
        "refusal-without-reason",
        "refusal-not-understood",
        "refusal-without-police-answer",
    ],
)
def test_the_database_refuses_an_incoherent_consent(draft, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        _consent(draft, **fields).save()


def _agreement(case, **fields):
    values = {
        "case": case,
        "what": SharingWhat.RECORD,
        "organisation_name": "The GP surgery",
        "agreed_on": AGREED,
        "recorded_by": case.lead,
    }
    return ConsentToShare(**{**values, **fields})


@pytest.mark.parametrize(
    "fields",
    [
        {"withdrawn_on": AGREED - dt.timedelta(days=1)},
        {"organisation_name": ""},
        {"what": SharingWhat.OTHER},
    ],
    ids=["withdrawn-before-agreed", "with-nobody", "other-without-saying-what"],
)
def test_the_database_refuses_an_incoherent_agreement(world, adult_case, fields):
    if "withdrawn_on" in fields:
        fields["withdrawn_recorded_by"] = world.lead
    with pytest.raises(IntegrityError), transaction.atomic():
        _agreement(adult_case, **fields).save()


def test_the_database_refuses_a_withdrawal_that_says_not_who(adult_case):
    with pytest.raises(IntegrityError), transaction.atomic():
        _agreement(adult_case, withdrawn_on=WITHDRAWN).save()


def test_the_database_holds_one_current_agreement_for_the_same_thing(adult_case, recipient):
    _agreement(adult_case, organisation=recipient, organisation_name="").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _agreement(adult_case, organisation=recipient, organisation_name="").save()


# --- The sharing register --------------------------------------------------------------------


def test_a_lead_records_an_agreement_once_however_often_the_form_is_sent(
    client, world, adult_case, recipient
):
    client.force_login(world.lead)
    page = reverse("referrals:case_sharing", args=[adult_case.reference])
    assert client.get(page).status_code == 200
    body = {
        "submission_token": "share-1",
        "what": SharingWhat.RECORD,
        "organisation": recipient.pk,
        "agreed_on_0": "2",
        "agreed_on_1": "11",
        "agreed_on_2": "2026",
    }

    first = client.post(page, body)
    again = client.post(page, body)

    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    agreement = ConsentToShare.objects.get()
    assert (agreement.organisation, agreement.agreed_on) == (recipient, AGREED)
    created = AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_type="consenttoshare"
    )
    assert created.count() == 1
    assert created.get().reference == adult_case.reference
    assert ChronologyEntry.objects.filter(
        case=adult_case, title="Agreement to share recorded"
    ).exists()
    html = client.get(page).content.decode()
    assert "Single Competent Authority" in html and "Withdraw" in html


def test_an_agreement_names_someone_and_keeps_what_was_typed(client, world, adult_case):
    client.force_login(world.lead)

    response = client.post(
        reverse("referrals:case_sharing", args=[adult_case.reference]),
        {
            "what": SharingWhat.OTHER,
            "note": "Only for her housing application",
            "agreed_on_0": "2",
            "agreed_on_1": "11",
            "agreed_on_2": "2026",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the organisation from the directory, or type its name" in html
    assert "Enter what else they agreed may be shared" in html
    assert "Only for her housing application" in html
    assert not ConsentToShare.objects.exists()


def test_a_second_current_agreement_for_the_same_thing_is_refused_with_a_message(
    client, world, adult_case, recipient
):
    agree(world, adult_case, recipient)
    client.force_login(world.lead)

    response = client.post(
        reverse("referrals:case_sharing", args=[adult_case.reference]),
        {"what": SharingWhat.RECORD, "organisation": recipient.pk, "agreed_on": "2026-11-03"},
    )

    assert response.status_code == 400
    assert "already have a current agreement" in response.content.decode()
    assert ConsentToShare.objects.count() == 1


def test_a_withdrawal_is_recorded_on_the_agreement_and_never_deletes_it(
    client, world, adult_case, recipient
):
    agreement = agree(world, adult_case, recipient)
    client.force_login(world.lead)
    page = reverse("referrals:sharing_withdraw", args=[adult_case.reference, agreement.pk])
    assert client.get(page).status_code == 200

    early = client.post(page, {"submission_token": "w-1", "withdrawn_on": "2026-11-01"})
    assert early.status_code == 400
    assert "must be on or after the date they agreed" in early.content.decode()

    body = {"submission_token": "w-2", "withdrawn_on": "2026-11-16", "note": "Moved away"}
    done = client.post(page, body)
    again = client.post(page, body)

    assert done.status_code == again.status_code == 302
    agreement.refresh_from_db()
    assert agreement.withdrawn_on == WITHDRAWN
    assert agreement.withdrawn_recorded_by == world.lead
    assert ConsentToShare.objects.count() == 1
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.CHANGE, object_type="consenttoshare"
        ).count()
        == 1
    )
    register = client.get(reverse("referrals:case_sharing", args=[adult_case.reference]))
    assert "withdrawn 16 Nov 2026" in register.content.decode()
    # A withdrawn agreement cannot be withdrawn again, by the page or the service.
    assert client.get(page).status_code == 302
    with pytest.raises(ValidationError, match="already withdrawn"):
        withdraw(world, agreement)


def test_someone_without_access_to_the_case_finds_no_register(client, world, adult_case, recipient):
    agreement = agree(world, adult_case, recipient)
    client.force_login(world.lead_south)

    register = reverse("referrals:case_sharing", args=[adult_case.reference])
    withdrawal = reverse("referrals:sharing_withdraw", args=[adult_case.reference, agreement.pk])
    assert client.get(register).status_code == 404
    assert client.post(register, {"what": "health", "organisation_name": "X"}).status_code == 404
    assert client.get(withdrawal).status_code == 404
    assert client.post(withdrawal, {"withdrawn_on": "2026-11-16"}).status_code == 404
    agreement.refresh_from_db()
    assert agreement.is_current and ConsentToShare.objects.count() == 1


def test_a_named_frontline_member_reads_the_register_but_cannot_change_it(
    client, world, adult_case, recipient
):
    adult_case.members.add(world.frontline)
    agree(world, adult_case, recipient)
    client.force_login(world.frontline)
    page = reverse("referrals:case_sharing", args=[adult_case.reference])

    html = client.get(page).content.decode()
    refused = client.post(
        page, {"what": "health", "organisation_name": "The GP", "agreed_on": "2026-11-03"}
    )

    assert "Single Competent Authority" in html and "Record the agreement" not in html
    assert refused.status_code == 404
    assert ConsentToShare.objects.count() == 1


def test_another_agreement_on_a_second_case_is_not_found_through_the_first(
    client, world, log_concern, adult_case, recipient
):
    other = open_case(world, log_concern, name="Bea")
    agreement = agree(world, other, recipient)
    client.force_login(world.lead)

    response = client.get(
        reverse("referrals:sharing_withdraw", args=[adult_case.reference, agreement.pk])
    )

    assert response.status_code == 404


# --- may_share, the referral page's warning and the pack --------------------------------------


def test_may_share_follows_current_agreements_for_an_adult(world, adult_case, recipient):
    assert not sharing.may_share(adult_case, recipient)
    agreement = agree(world, adult_case, recipient)
    assert sharing.may_share(adult_case, recipient)
    assert not sharing.may_share(adult_case, recipient, SharingWhat.HEALTH)
    withdraw(world, agreement)
    assert not sharing.may_share(adult_case, recipient)


def test_an_agreement_typed_by_name_counts_for_that_organisation(world, adult_case, recipient):
    agree(world, adult_case, name="single competent authority")

    assert sharing.may_share(adult_case, recipient)


def test_a_child_needs_no_agreement_to_share(world, log_concern, organisation, recipient):
    child = open_case(world, log_concern, date_of_birth=dt.date(2015, 1, 1))

    assert sharing.may_share(child, recipient)
    referral = start(world, child, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)
    assert sharing.referral_sharing_warning(referral) == ""


def test_the_referral_page_warns_when_the_recipient_has_no_current_agreement(
    client, world, adult_case, draft, recipient
):
    client.force_login(world.lead)
    page = reverse("referrals:detail", args=[draft.reference])

    assert "no current agreement to share their record with" in client.get(page).text
    agreement = agree(world, adult_case, recipient)
    assert "sharing register" not in client.get(page).text
    withdraw(world, agreement)
    assert "withdrew their agreement to share their record with Single Competent" in (
        client.get(page).text
    )


def test_a_duty_to_notify_is_not_warned(world, adult_case, recipient):
    referral = start(world, adult_case, pathway=Pathway.DUTY_TO_NOTIFY, recipient=recipient)

    assert sharing.referral_sharing_warning(referral) == ""
    assert sharing.pack_context(referral, [recipient])["not_agreed"] == set()


def test_an_anonymous_notice_carries_no_register(world, adult_case, recipient):
    agree(world, adult_case, name="A refuge in a small town")
    referral = start(world, adult_case, pathway=Pathway.DUTY_TO_NOTIFY, recipient=recipient)

    context = referral_pack_context(referral)

    # Absent, not hidden: who someone shares with can identify them.
    assert "sharing" not in context
    assert "A refuge in a small town" not in str(context)


def test_the_pack_prints_the_register_with_its_withdrawal_and_marks_agencies_without_one(
    client, world, adult_case, recipient
):
    gp = Organisation.objects.create(name="Northside Medical Practice")
    with time_machine.travel(NOW, tick=False):
        referral = start(world, adult_case, recipient=recipient)
        consent(world, referral)
    agree(world, adult_case, recipient)
    agree(world, adult_case, recipient, what=SharingWhat.HEALTH)
    withdraw(world, agree(world, adult_case, gp, what=SharingWhat.HEALTH))
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])

    text = flat(pdf_text(pdf_of(download_pack(client, referral))))

    consent_section = text[
        text.index("Whether they want to be referred") : text.index("Risks and safety")
    ]
    assert "Current agreements to share" in consent_section
    assert "Single Competent Authority The referral and the case record 2 November 2026" in (
        consent_section
    )
    assert "Withdrawn agreements" in consent_section
    assert (
        "Northside Medical Practice Health information 2 November 2026 16 November 2026"
        in consent_section
    )
    assert "Language it was explained in English" in consent_section
    # The recipient has an agreement; an agency involved without one is marked.
    assert "(no current agreement to share their record)" not in text


def test_the_pack_marks_an_agency_involved_without_a_current_agreement(
    client, world, adult_case, recipient
):
    with time_machine.travel(NOW, tick=False):
        referral = start(world, adult_case, recipient=recipient)
        consent(world, referral, given=False)
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])

    text = flat(pdf_text(pdf_of(download_pack(client, referral))))

    assert "Single Competent Authority (no current agreement to share their record)" in text
    assert "No agreement to share their information with other agencies" in text
    assert REFUSAL.declined_because in text


# --- Consents recorded before these questions were asked -------------------------------------


def test_consents_recorded_before_the_questions_are_kept_and_marked_not_deleted(world, draft):
    """The migration keeps every earlier answer, a refusal included, and marks it: nothing is
    deleted and no answer is made up."""
    from importlib import import_module

    from django.apps import apps

    Consent.objects.create(
        referral=draft,
        given=True,
        given_on=dt.date(2026, 10, 1),
        how_explained="Explained with the old form",
        recorded_by=world.lead,
    )
    migration = import_module(
        "referrals.migrations.0008_consent_as_the_form_asks_and_sharing_register"
    )

    migration.mark_answers_recorded_before_the_questions(apps, None)

    kept = Consent.objects.get(referral=draft)
    assert kept.recorded_before_questions
    assert kept.how_explained == "Explained with the old form"


def test_an_earlier_refusal_without_the_new_answers_is_allowed_only_as_one(world, draft):
    earlier = {
        "referral": draft,
        "given": False,
        "given_on": dt.date(2026, 10, 1),
        "how_explained": "Explained with the old form",
        "recorded_by": world.lead,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(**earlier)

    Consent.objects.create(**earlier, recorded_before_questions=True)

    context = referral_pack_context(draft)
    assert context["consent"].recorded_before_questions
