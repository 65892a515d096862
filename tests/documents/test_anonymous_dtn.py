"""The anonymous Duty to Notify (issue 17, parts 4 and 6): it keeps what the Home Office's
own route keeps and none of what identifies the person, and the lead's preview warns where
the kept free text may identify them.

A case is filled with distinctive made-up values in every identifying field and every kept
one; the notice is rendered as a real PDF and read back with pdftotext.
"""

import datetime as dt
import io
import logging

import pytest
import time_machine
from django.db import models
from django.urls import reverse
from pypdf import PdfReader

from cases import services as case_services
from cases.models import (
    Answer,
    Background,
    ExploitationSituation,
    ExploitationType,
    Exploiter,
    Indicator,
    Interview,
    PoliceReport,
    RiskAssessment,
    RiskLevel,
    WhereNow,
)
from cases.photos import save_photo
from documents import anonymous, identifying
from documents.checks import anonymous_rule_decides_every_field
from safeguard.choices import Pathway
from safeguard.models import AuditEvent
from tests.auth import request_as, sign_in
from tests.cases.test_photos import jpeg_with_metadata, upload
from tests.documents.test_documents import (  # noqa: F401 (fixtures)
    documents_dir,
    download_pack,
    flat,
    pdf_of,
    pdf_text,
    pdftotext,
)
from tests.referrals.test_referrals import NOW, start

NAME = "Zofia Wiśniewska-Quell"
ALIAS = "Zosieńka"
DOB = dt.date(1991, 8, 14)
PHONE = "07700 900457"
EMAIL = "zofia.q@example.net"
POSTCODE = "OX9 9ZZ"
HOME_OFFICE = "Q1234567"
PLACE_OF_BIRTH = "Zamość"

# Every value here identifies her, or is not the notice's business: none may be in it.
IDENTIFYING = [
    "Zofia",
    "Wiśniewska",
    "Quell",
    ALIAS,
    "1991",
    "14 August",
    "Tattoo of a swallow",  # distinguishing features
    "tenants' advice desk",  # safe ways to contact her
    "Bramblewood refuge",  # where she is now
    "Hollybank Support Trust",
    EMAIL,
    "Quillfeather Lane",
    POSTCODE,
    PHONE,
    "Ottilie",  # who receives the decision letter
    PLACE_OF_BIRTH,
    HOME_OFFICE,
    "brother Kacper",  # dependants
    "EARLY-4411",  # an earlier report's reference
    "Wolstenholme",  # the officer
    "Oxbury Crown Court",
    "launderette",  # the risk assessment's free text
    "Station Road",  # where she was met
]

# What happened, where, who did it, the police: all kept.
KEPT = [
    "Female",
    "Polish",
    "Adult (18 or over)",
    "Boston, Lincolnshire",
    "Romania",
    "Made to work",
    "Promised packing work by an agency called Fenbright",
    "Minibus via Calais",
    "Twelve-hour shifts grading cabbages",
    "Caravan shared with nine others",
    "Passport locked in the site office",
    "Walked to a petrol station at night",
    "Radu Fenbright",
    "The Foreman",
    "gold tooth",
    "BD51 SMR",
    "07700 900999",  # the exploiter's phone
    "Lincolnshire Police",
    "LP/55/9911/26",
    "Two other women still at the farm",
    "He messaged in October demanding money",
    "She had bruises and asked for help in a whisper",
    "They took my passport at the farm gate",
    "Her account was detailed and consistent",
    "Labour exploitation",
]


@pytest.fixture
def lead_client(client, world):
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    return client


@pytest.fixture
def case(world, log_concern, reference_data, organisation):
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        concern = log_concern(
            world.frontline,
            name=NAME,
            aliases=ALIAS,
            date_of_birth=DOB,
            gender="female",
            nationalities="Polish",
            languages="Polish",
            safe_contact="Only through the tenants' advice desk on Fridays",
            distinguishing_features="Tattoo of a swallow on her wrist",
        )
    concern.observer_account = "She had bruises and asked for help in a whisper"
    concern.persons_words = "They took my passport at the farm gate"
    concern.save()
    concern.exploitation_types.set([ExploitationType.objects.get(code="labour")])
    concern.observations.create(
        indicator=Indicator.objects.get(code="physical-injuries-control"),
        answer=Answer.OBSERVED,
        note="Bruises on both wrists",
    )
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        case = case_services.case_open(
            request=request_as(world.lead),
            person=concern.person,
            team=world.north,
            lead=world.lead,
            concerns=[concern],
        )
    save_photo(case.person, upload(jpeg_with_metadata()))
    ExploitationSituation.objects.create(
        case=case,
        uk_places="Boston, Lincolnshire",
        countries="Romania",
        kinds=["forced_work"],
        how_it_started="Promised packing work by an agency called Fenbright",
        journey="Minibus via Calais arranged by the agency",
        work_and_hours="Twelve-hour shifts grading cabbages",
        living_conditions="Caravan shared with nine others",
        control="Passport locked in the site office",
        how_it_ended="Walked to a petrol station at night",
    )
    Exploiter.objects.create(
        case=case,
        names="Radu Fenbright",
        nicknames="The Foreman",
        description="Tall, with a gold tooth",
        relation="gangmaster",
        vehicles="BD51 SMR",
        phones="07700 900999",
    )
    PoliceReport.objects.create(
        case=case,
        reported="yes",
        forces="Lincolnshire Police",
        crime_reference="LP/55/9911/26",
        officer="DC Harriet Wolstenholme",
        officer_contact="harriet.w@police.example",
        cooperating="not_sure",
        statement="Gave a statement on 3 May",
        court_dates="Listed at Oxbury Crown Court on 9 June",
    )
    WhereNow.objects.create(
        case=case,
        where_now="Bramblewood refuge",
        support_provider="Hollybank Support Trust",
        email=EMAIL,
        postal_address=f"14 Quillfeather Lane, Oxbury {POSTCODE}",
        phone=PHONE,
        letter_to="chosen",
        letter_contact="Ottilie Quell, her aunt",
    )
    Background.objects.create(
        case=case,
        place_of_birth=PLACE_OF_BIRTH,
        children=3,
        dependants="Her brother Kacper",
        home_office_reference=HOME_OFFICE,
        home_office_reference_type="CID",
        earlier_reports="Reported in 2019, reference EARLY-4411",
        other_victims="Two other women still at the farm",
        last_contact="He messaged in October demanding money",
    )
    Interview.objects.create(case=case, judgement="Her account was detailed and consistent")
    case_services.risk_assessment_add(
        request=request_as(world.lead),
        assessment=RiskAssessment(
            case=case,
            level=RiskLevel.HIGH,
            community_safe=False,
            summary="He knows she sleeps above the launderette",
            review_on=dt.date(2026, 12, 1),
        ),
    )
    return case


@pytest.fixture
def notice(world, case):
    with time_machine.travel(NOW, tick=False):
        return start(world, case, pathway=Pathway.DUTY_TO_NOTIFY, named=False)


def preview(client, referral):
    return client.get(reverse("documents:pack_preview", args=[referral.reference]))


# --- The notice --------------------------------------------------------------------------------


def test_the_anonymous_notice_carries_the_account_and_none_of_what_identifies_her(
    lead_client, notice
):
    content = pdf_of(download_pack(lead_client, notice))
    text = flat(pdf_text(content))

    for identifying_value in [*IDENTIFYING, notice.case.person.reference]:
        assert identifying_value not in text, identifying_value
    for kept in KEPT:
        assert kept in text, kept
    assert "Where they are now and how to reach them safely" not in text  # the whole part
    assert not any(page.images for page in PdfReader(io.BytesIO(content)).pages)


def test_a_named_duty_to_notify_keeps_everything(world, case, lead_client):
    with time_machine.travel(NOW, tick=False):
        named = start(world, case, pathway=Pathway.DUTY_TO_NOTIFY, named=True)

    text = flat(pdf_text(pdf_of(download_pack(lead_client, named))))

    for value in [NAME, ALIAS, "14 August 1991", "Tattoo of a swallow", EMAIL, PHONE]:
        assert value in text, value
    kept = [value for value in KEPT if value != "Adult (18 or over)"]  # her age, instead
    for value in [HOME_OFFICE, PLACE_OF_BIRTH, "Wolstenholme", "Bramblewood refuge", *kept]:
        assert value in text, value


def _walk(value, path="context"):
    """Every plain value in the context, with where it is; a model instance or a queryset
    (through which a template could reach the person) fails the test."""
    assert not isinstance(value, models.Model | models.QuerySet | models.Manager), path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            yield from _walk(item, f"{path}[{n}]")
    else:
        assert value is None or isinstance(value, str | int | dt.date), (path, type(value))
        yield path, str(value)


def test_the_anonymous_context_holds_plain_values_and_none_that_identify_her(notice):
    with time_machine.travel(NOW, tick=False):
        context = anonymous.notice(notice).context

    values = list(_walk(context))
    assert "person" not in context and "case" not in context
    for identifying_value in [*IDENTIFYING, notice.case.person.reference]:
        found = [path for path, value in values if identifying_value in value]
        assert not found, (identifying_value, found)
    everything = " ".join(value for _, value in values)
    assert "Radu Fenbright" in everything and "LP/55/9911/26" in everything


def test_every_value_the_preview_shows_is_in_the_notice(lead_client, notice):
    text = flat(pdf_text(pdf_of(download_pack(lead_client, notice))))
    with time_machine.travel(NOW, tick=False):
        entries = anonymous.notice(notice).entries

    shown = [e for e in entries if e.text and e.checked is not anonymous.Text.NONE]
    assert len(shown) > 20
    for entry in shown:
        assert flat(entry.text) in text, entry.label


def test_what_she_did_not_agree_to_share_is_left_out(monkeypatch, lead_client, notice):
    monkeypatch.setattr(anonymous, "withheld", lambda case: frozenset({anonymous.Kind.EXPLOITERS}))

    text = flat(pdf_text(pdf_of(download_pack(lead_client, notice))))

    assert "Radu Fenbright" not in text and "BD51 SMR" not in text
    assert "Passport locked in the site office" in text


# --- The rule ---------------------------------------------------------------------------------


def test_the_rule_decides_every_field_and_every_part_of_the_record():
    assert anonymous.undecided() == []
    assert anonymous_rule_decides_every_field() == []


def test_a_field_the_rule_does_not_decide_fails_the_system_check(monkeypatch):
    rule = dict(anonymous.RULE)
    rule[Interview] = {k: v for k, v in rule[Interview].items() if k != "judgement"}
    del rule[PoliceReport]
    monkeypatch.setattr(anonymous, "RULE", rule)

    errors = anonymous_rule_decides_every_field()

    assert {e.id for e in errors} == {"documents.E001"}
    said = " ".join(e.msg for e in errors)
    assert "cases.Interview.judgement" in said and "cases.PoliceReport" in said


# --- The preview ------------------------------------------------------------------------------


def test_the_preview_marks_a_name_in_a_situation_and_a_phone_in_the_interview(
    lead_client, notice, case
):
    situation = case.situations.get()
    situation.control = "The foreman told ZOFIA <b>she</b> owed him for the minibus"
    situation.save()
    Interview.objects.filter(case=case).update(present="Support worker, on 07123 456789")

    response = preview(lead_client, notice)

    assert response.status_code == 200
    page = response.content.decode()
    assert "2 answers may identify them" in page
    assert "How they were controlled" in page and "a word of their name" in page
    assert "Who was there" in page and "a phone number" in page
    assert "told <mark>ZOFIA</mark> &lt;b&gt;she&lt;/b&gt; owed" in page  # escaped, marked
    assert "<mark>07123 456789</mark>" in page
    edit = reverse("cases:case_record_edit", args=[case.reference, "situation", situation.pk])
    assert f'href="{edit}"' in page
    assert "07700 900999" in page and "<mark>07700 900999</mark>" not in page  # his phone


def test_the_preview_is_a_read_recorded_by_reference_without_what_it_found(
    lead_client, notice, case, caplog
):
    ExploitationSituation.objects.filter(case=case).update(control="Zofia was locked in")
    caplog.set_level(logging.DEBUG)

    assert preview(lead_client, notice).status_code == 200

    event = AuditEvent.objects.filter(action="view", reference=notice.reference).get()
    assert "preview" in event.detail and "Zofia" not in event.detail
    assert "Zofia" not in caplog.text


def test_the_referral_page_links_to_the_preview_of_an_anonymous_notice(lead_client, notice):
    page = lead_client.get(reverse("referrals:detail", args=[notice.reference])).content.decode()

    assert reverse("documents:pack_preview", args=[notice.reference]) in page


def test_a_named_referral_has_no_anonymous_preview(world, case, lead_client):
    with time_machine.travel(NOW, tick=False):
        named = start(world, case, pathway=Pathway.DUTY_TO_NOTIFY, named=True)

    assert preview(lead_client, named).status_code == 404


def test_only_those_who_may_make_the_pack_may_preview_it(client, world, notice):
    sign_in(client, world.frontline)

    assert preview(client, notice).status_code in (403, 404)


# --- Finding what may identify her (pure) -----------------------------------------------------


WHO = identifying.identity(
    names=["Ana-María O'Brien", "Nia"],
    date_of_birth=DOB,
    person_reference="P-2026-0042",
    home_office_reference="GWF0123456",
    phones=["+44 7700 900457"],
    email="ana@example.org",
)


def reasons(text, **kwargs) -> list[tuple[str, tuple[str, ...]]]:
    return [(text[s.start : s.end], s.reasons) for s in identifying.find(text, WHO, **kwargs)]


@pytest.mark.parametrize(
    "written",
    [
        "14/08/1991",
        "14.8.91",
        "1991-08-14",
        "14 August 1991",
        "14th of Aug 1991",
        "August 14, 1991",
    ],
)
def test_her_date_of_birth_is_found_as_people_write_it(written):
    assert reasons(f"Says she was born {written} in a village") == [
        (written, (identifying.Reason.DATE_OF_BIRTH,))
    ]


def test_her_names_are_found_whatever_the_case_accents_or_apostrophes():
    found = reasons("ANA MARIA said OBrien, then maría; her friend nia came")

    assert [text for text, _ in found] == ["ANA", "MARIA", "OBrien", "maría", "nia"]


def test_a_name_inside_another_word_is_not_her_name():
    assert reasons("A banana and a Niagara trip") == []


def test_phones_emails_postcodes_streets_and_references_are_found():
    found = dict(
        reasons(
            "Call 07123 456 789 or x@y.co.uk, lives at 22 Acacia Avenue, LS1 4AB. "
            "Ref p-2026-0042 and GWF0123456"
        )
    )

    assert found["07123 456 789"] == (identifying.Reason.PHONE,)
    assert found["x@y.co.uk"] == (identifying.Reason.EMAIL,)
    assert found["22 Acacia Avenue"] == (identifying.Reason.ADDRESS,)
    assert found["LS1 4AB"] == (identifying.Reason.POSTCODE,)
    assert found["p-2026-0042"] == (identifying.Reason.PERSON_REFERENCE,)
    assert found["GWF0123456"] == (identifying.Reason.HOME_OFFICE_REFERENCE,)


def test_a_crime_reference_or_a_date_is_not_a_phone():
    assert reasons("Crime 13/123456/26, reported 2026-11-03") == []


def test_in_someone_elses_contact_details_only_her_own_are_found():
    text = "07123 456789\n07700 900457\nboss@example.org\nana@example.org"

    assert [t for t, _ in reasons(text, patterns=False)] == ["07700 900457", "ana@example.org"]
