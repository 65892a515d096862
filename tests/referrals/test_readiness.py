"""Ready to refer (issue 17): the Home Office form's sections, what each referral needs, what
is missing, "check your answers" before recording it, and the answers to copy."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from cases.models import (
    Background,
    ExploitationSituation,
    Exploiter,
    FirstResponder,
    Interview,
    PoliceReport,
    WhereNow,
)
from referrals import readiness, services
from referrals.models import Consent, Referral
from referrals.readiness import INCOMPLETE, NOT_NEEDED, OPTIONAL
from safeguard.choices import Pathway
from safeguard.models import AuditEvent
from tests.auth import request_as
from tests.cases.factories import ConcernFactory, case_in
from tests.referrals.factories import ReferralFactory

SECTIONS = [s.slug for s in readiness.SECTIONS]
NAME = "Synthetic Person Ilona"
ACCOUNT = "Recruited online with a promise of hotel work"
EXPLOITER = "A man called Synthetic Dorin"


def full_record(case, *, situations=1, exploiters=1):
    """Every answer the form asks of an adult's NRM referral."""
    person = case.person
    person.gender, person.nationalities = "female", "Romanian"
    person.save()
    for n in range(situations):
        ExploitationSituation.objects.create(
            case=case,
            how_it_started=ACCOUNT if n == 0 else f"Situation {n}",
            uk_places="Leeds",
            kinds=["forced_work", "wages_taken"],
            under_18_during="no",
        )
    for n in range(exploiters):
        Exploiter.objects.create(case=case, names=EXPLOITER if n == 0 else f"Exploiter {n}")
    PoliceReport.objects.create(
        case=case, reported="yes", forces="West Yorkshire", cooperating="yes"
    )
    WhereNow.objects.create(case=case, where_now="A safe house", phone="07700900123")
    Background.objects.create(case=case, children=0, other_victims="Two women at the hotel")
    FirstResponder.objects.create(case=case, name="Lee Lead", role="Lead", phone="0113 496 0000")
    Interview.objects.create(case=case, judgement="Consistent")


EXPLAINED = dict.fromkeys(
    ("explained_nrm", "explained_decisions", "explained_support", "explained_privacy"), True
)


def consent_given(referral, world):
    Consent.objects.create(
        referral=referral,
        given=True,
        given_on=dt.date(2026, 11, 20),
        how_explained="With the leaflet",
        explained_in="English",
        recorded_by=world.lead,
        **EXPLAINED,
    )


def nrm_declined(case, world):
    """The adult's refusal of the NRM that a Duty to Notify follows."""
    Consent.objects.create(
        referral=ReferralFactory(case=case, pathway=Pathway.NRM),
        given=False,
        given_on=dt.date(2026, 11, 20),
        how_explained="With the leaflet",
        explained_in="English",
        understands_no_support=True,
        declined_because="Afraid of what the recruiter would do",
        police_cooperation="not_sure",
        recorded_by=world.lead,
        **EXPLAINED,
    )


def statuses(referral) -> dict[str, str]:
    return {s.slug: s.status for s in readiness.referral_readiness(referral).sections}


def person_case(world, *, child=False, name=NAME):
    case = case_in(world, name=name)
    if child:
        case.person.estimated_age = 15
    else:
        case.person.date_of_birth = dt.date(1990, 4, 2)
    case.person.save()
    return case


# --- Which sections each referral needs, and their status --------------------------------------

EMPTY = {
    # An empty case record: what each pathway and person needs is incomplete, the rest is not
    # needed; supporting documents are optional on the form.
    "adult NRM": dict.fromkeys(SECTIONS, INCOMPLETE) | {"documents": OPTIONAL},
    "child NRM": dict.fromkeys(SECTIONS, INCOMPLETE)
    | {"documents": OPTIONAL, "consent": NOT_NEEDED},
    "Duty to Notify, named": dict.fromkeys(SECTIONS, INCOMPLETE) | {"documents": OPTIONAL},
    # Anonymous: only the answers that identify no one are asked (the name is not).
    "Duty to Notify, anonymous": dict.fromkeys(SECTIONS, INCOMPLETE)
    | {"documents": OPTIONAL, "what-happened": NOT_NEEDED},
    "police referral": dict.fromkeys(SECTIONS, INCOMPLETE)
    | {"documents": OPTIONAL, "consent": NOT_NEEDED},
}
KINDS = {
    "adult NRM": (Pathway.NRM, False, False),
    "child NRM": (Pathway.NRM, True, False),
    "Duty to Notify, named": (Pathway.DUTY_TO_NOTIFY, False, True),
    "Duty to Notify, anonymous": (Pathway.DUTY_TO_NOTIFY, False, False),
    "police referral": (Pathway.POLICE, False, False),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_pathway_and_person_needs_its_own_sections(world, organisation, kind):
    pathway, child, named = KINDS[kind]
    case = person_case(world, child=child)
    referral = ReferralFactory(case=case, pathway=pathway, named=named)

    assert statuses(referral) == EMPTY[kind]


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_full_record_completes_every_section_it_needs(world, organisation, kind):
    pathway, child, named = KINDS[kind]
    case = person_case(world, child=child)
    full_record(case)
    if child:
        FirstResponder.objects.filter(case=case).update(
            local_authority="Demo City Council", local_authority_contact="Duty desk, 0113 000"
        )
    if pathway == Pathway.DUTY_TO_NOTIFY:
        nrm_declined(case, world)
    referral = ReferralFactory(case=case, pathway=pathway, named=named)
    if pathway == Pathway.NRM and not child:
        consent_given(referral, world)

    result = readiness.referral_readiness(referral)

    # A Duty to Notify answers why they declined from the refusal of the NRM it follows.
    assert [a.question for _, a in result.missing] == []
    assert statuses(referral)["documents"] == OPTIONAL


def test_only_a_child_is_asked_which_local_authority_was_contacted(world, organisation):
    child = ReferralFactory(case=person_case(world, child=True))
    adult = ReferralFactory(case=person_case(world, name="Synthetic Adult"))

    def questions(referral):
        return [a.question for a in readiness.referral_readiness(referral).sections[0].answers]

    assert "The local authority contacted about the child" in questions(child)
    assert "Were they under 18 at any time while they were exploited?" not in questions(child)
    assert "The local authority contacted about the child" not in questions(adult)
    assert "Were they under 18 at any time while they were exploited?" in questions(adult)


def test_an_anonymous_notice_holds_no_identifying_answer(world, organisation):
    case = person_case(world)
    full_record(case)
    case.person.aliases = "Synthetic Alias"
    case.person.save()
    referral = ReferralFactory(case=case, pathway=Pathway.DUTY_TO_NOTIFY, named=False)

    text = "\n".join(
        f"{a.question} {a.answer}"
        for s in readiness.referral_readiness(referral).sections
        for a in s.answers
    )

    for identifying in [NAME, "Synthetic Alias", "1990", "07700900123", ACCOUNT, EXPLOITER]:
        assert identifying not in text
    assert "Female" in text and "Romanian" in text and "Made to work" in text


def test_the_same_number_of_queries_for_ten_situations_and_exploiters_as_for_one(
    world, organisation
):
    def count(n):
        case = person_case(world, name=f"Synthetic {n}")
        full_record(case, situations=n, exploiters=n)
        referral = Referral.objects.select_related("case__person", "case__lead", "case__team").get(
            pk=ReferralFactory(case=case).pk
        )
        with CaptureQueriesContext(connection) as queries:
            readiness.referral_readiness(referral)
        return len(queries)

    assert count(10) == count(1)


# --- Recording it as submitted -----------------------------------------------------------------


def submit(world, referral, **fields):
    return services.referral_transition(
        request=request_as(world.lead), referral=referral, action="submit", **fields
    )


@pytest.fixture
def recipient(db):
    from contacts.models import Organisation

    return Organisation.objects.create(name="Single Competent Authority", coverage_national=True)


@pytest.fixture
def draft(world, organisation, recipient):
    """An adult's NRM referral, ready but for the case record's answers."""
    referral = ReferralFactory(
        case=person_case(world), recipient=recipient, competent_authority="sca"
    )
    consent_given(referral, world)
    return referral


def test_missing_answers_are_refused_without_the_confirmation(world, draft):
    with pytest.raises(ValidationError) as refused:
        submit(world, draft)

    assert "confirm_missing" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.transitions.exists()


def test_missing_answers_are_accepted_with_the_confirmation(world, draft):
    assert submit(world, draft, confirm_missing=True).status == "submitted"


def test_a_complete_referral_needs_no_confirmation(world, draft):
    full_record(draft.case)

    assert submit(world, draft).status == "submitted"


def test_immediate_danger_records_it_straight_away_with_the_list_shown(client, world, draft):
    ConcernFactory(case=draft.case, person=draft.case.person, immediate_danger=True)
    client.force_login(world.lead)

    page = client.get(reverse("referrals:check_answers", args=[draft.reference])).text

    assert "immediate danger" in page and 'id="missing-answers"' in page
    assert readiness.CONFIRM_MISSING not in page
    assert submit(world, draft).status == "submitted"


def test_check_your_answers_lists_what_is_missing_and_holds_the_step(client, world, draft):
    client.force_login(world.lead)
    url = reverse("referrals:check_answers", args=[draft.reference])

    page = client.get(url).text

    missing = page[
        page.index('id="missing-answers"') : page.index("</ul>", page.index("missing-answers"))
    ]
    for question in ["What happened", "Who exploited them", "Was it reported to the police?"]:
        assert question in missing
    assert readiness.CONFIRM_MISSING in page
    assert 'class="govuk-visually-hidden"> what happened</span>' in page  # "Change" says what


def test_the_page_refuses_the_step_without_the_confirmation_and_keeps_what_was_typed(
    client, world, draft
):
    client.force_login(world.lead)
    url = reverse("referrals:check_answers", args=[draft.reference])
    data = {"action": "submit", "submission_token": "cya-1", "external_reference": "NRM-9"}

    refused = client.post(url, data)

    assert refused.status_code == 400
    assert "confirm that you are recording it as submitted without them" in refused.text
    assert 'value="NRM-9"' in refused.text
    draft.refresh_from_db()
    assert draft.status == "draft"

    done = client.post(url, {**data, "confirm_missing": "on"})
    again = client.post(url, {**data, "confirm_missing": "on"})

    assert done.status_code == again.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.external_reference == "NRM-9"
    assert draft.transitions.count() == 1  # the resent form made no second step


def test_the_referral_page_leads_to_check_your_answers_for_the_submit_step(client, world, draft):
    client.force_login(world.lead)

    page = client.get(reverse("referrals:detail", args=[draft.reference])).text

    assert reverse("referrals:check_answers", args=[draft.reference]) in page
    assert reverse("referrals:task_list", args=[draft.reference]) in page
    assert 'name="action" value="submit"' not in page


# --- The task list and the answers to copy -----------------------------------------------------


def test_the_task_list_shows_each_section_with_its_status_and_link(client, world, draft):
    client.force_login(world.lead)

    page = client.get(reverse("referrals:task_list", args=[draft.reference])).text

    assert page.count("govuk-task-list__item") >= len(SECTIONS)
    positions = [page.index(escape(s.heading)) for s in readiness.SECTIONS]
    assert positions == sorted(positions)  # the form's order
    assert "Incomplete" in page and "Completed" in page  # consent is recorded
    assert reverse("cases:case_record_add", args=[draft.case.reference, "situation"]) in page
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, reference=draft.reference
    ).exists()


def test_answers_to_copy_have_every_answer_as_text(client, world, draft):
    full_record(draft.case)
    client.force_login(world.lead)

    page = client.get(reverse("referrals:answers", args=[draft.reference])).text

    for section in readiness.referral_readiness(draft).sections:
        for answer in section.answers:
            assert f"{escape(answer.question)}\n{escape(answer.text)}" in page
        if section.answers:
            label = f'<label class="govuk-label govuk-label--m" for="answers-{section.slug}">'
            assert label in page
    for answer in [NAME, ACCOUNT, EXPLOITER, "Leeds", "Made to work", "With the leaflet"]:
        assert answer in page
    assert "readonly" in page and "<button" not in page.split("<main", 1)[1].split("</main>")[0]


def test_an_anonymous_notices_pages_never_name_the_person(client, world, organisation):
    case = person_case(world)
    full_record(case)
    notice = ReferralFactory(case=case, pathway=Pathway.DUTY_TO_NOTIFY, named=False)
    client.force_login(world.lead)

    for name in ("referrals:task_list", "referrals:check_answers", "referrals:answers"):
        page = client.get(reverse(name, args=[notice.reference])).text
        assert NAME not in page and ACCOUNT not in page, name
