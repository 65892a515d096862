"""A possible duplicate is confirmed, not clicked past (issue 19, item 2)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import matching, selectors, services
from cases.models import Case, CaseStatus, ConcernStatus, Person
from tests.auth import request_as
from tests.cases.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

BORN = dt.date(1996, 5, 4)


def known_case(world, *, team=None, lead=None, **fields) -> Case:
    """Maria Popescu, born 4 May 1996, with a case: the person a new concern may be about."""
    person = PersonFactory(name="Maria Popescu", date_of_birth=BORN, created_by=world.lead)
    return CaseFactory(person=person, team=team or world.north, lead=lead or world.lead, **fields)


def new_concern(world, log_concern, name="Popescu, Maria", **fields):
    return log_concern(world.frontline, name=name, date_of_birth=BORN, **fields)


def triage_url(concern) -> str:
    return reverse("cases:concern_triage", args=[concern.reference])


def open_new(world, concern, **kwargs):
    return services.concern_triage(
        request=request_as(world.lead),
        concern=concern,
        outcome="new_case",
        lead=world.lead,
        **kwargs,
    )


def test_the_same_name_and_date_of_birth_is_a_close_match_and_a_name_alone_is_not():
    person = Person(name="Maria Popescu", date_of_birth=BORN)

    [(_, close, _)] = matching.similar_people(
        {"name": "Popescu, Maria", "date_of_birth": BORN}, [person]
    )
    [(_, loose, _)] = matching.similar_people({"name": "Maria Popescu"}, [person])
    assert close >= matching.CLOSE_MATCH > loose >= matching.THRESHOLD


def test_a_close_match_needs_more_than_a_name_and_a_nationality():
    # close_matches narrows its candidates in SQL to a date of birth or an age: this holds it.
    assert matching.NAME_POINTS + matching.NATIONALITY_POINTS < matching.CLOSE_MATCH


@pytest.mark.parametrize(
    ("known", "new"),
    [
        ({"date_of_birth": dt.date(1995, 1, 10)}, {"estimated_age": 33}),  # 31 on 23 Nov 2026
        ({"estimated_age": 29}, {"estimated_age": 31}),
        ({"estimated_age": 31}, {"date_of_birth": dt.date(1993, 11, 24)}),  # 32
    ],
)
@time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC), tick=False)
def test_a_similar_age_and_a_shared_nationality_with_the_name_is_close(
    world, log_concern, known, new
):
    person = PersonFactory(
        name="Maria Popescu", nationalities="Romanian", created_by=world.lead, **known
    )
    CaseFactory(person=person, team=world.north, lead=world.lead)
    concern = log_concern(world.frontline, name="Maria Popescu", nationalities="Romanian", **new)

    assert [match for match, *_ in selectors.close_matches(concern.person)] == [person]


def test_an_age_three_years_apart_is_not_close(world, log_concern):
    person = PersonFactory(
        name="Maria Popescu", nationalities="Romanian", estimated_age=28, created_by=world.lead
    )
    CaseFactory(person=person, team=world.north, lead=world.lead)
    concern = log_concern(
        world.frontline, name="Maria Popescu", nationalities="Romanian", estimated_age=31
    )

    assert selectors.close_matches(concern.person) == []


@pytest.mark.parametrize("status", [CaseStatus.OPEN, CaseStatus.CLOSED])
def test_a_new_case_for_a_close_match_is_refused_without_confirmation(world, log_concern, status):
    known_case(world, status=status)
    concern = new_concern(world, log_concern)

    with pytest.raises(ValidationError) as refused:
        open_new(world, concern)

    assert "duplicates_checked" in refused.value.message_dict
    assert Case.objects.count() == 1
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.SUBMITTED


def test_a_new_case_opens_once_the_lead_confirms_exactly_those_matches(world, log_concern):
    existing = known_case(world)
    concern = new_concern(world, log_concern)

    open_new(world, concern, duplicates_checked=services.duplicates_token([existing]))

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CASE and concern.case != existing


def test_a_confirmation_is_stale_once_another_matching_case_appears(world, log_concern):
    existing = known_case(world)
    concern = new_concern(world, log_concern)
    token = services.duplicates_token([existing])
    known_case(world)  # a second Maria Popescu's case, opened while the form was open

    with pytest.raises(ValidationError):
        open_new(world, concern, duplicates_checked=token)


def test_a_name_alone_needs_no_confirmation(world, log_concern):
    known_case(world)
    concern = log_concern(world.frontline, name="Maria Popescu")  # no date of birth or age

    open_new(world, concern)

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CASE


def test_the_page_names_the_match_and_its_open_and_closed_cases(client, world, log_concern):
    open_case = known_case(world)
    closed = CaseFactory(
        person=open_case.person,
        team=world.north,
        lead=world.lead,
        status=CaseStatus.CLOSED,
        closed_at=timezone.now(),
    )
    concern = new_concern(world, log_concern)
    client.force_login(world.lead)

    html = client.get(triage_url(concern)).text

    assert f"Maria Popescu ({open_case.person.reference})" in html
    assert f"{open_case.reference}</a>, open, led by Lee Lead" in html
    assert f"{closed.reference}</a>, closed" in html
    assert f"Add this concern to {open_case.reference} instead" in html
    assert f"Add this concern to {closed.reference} instead" not in html
    assert "this concern is about someone else" in html


def test_open_a_new_case_without_ticking_the_confirmation_is_refused_on_the_page(
    client, world, log_concern
):
    known_case(world)
    concern = new_concern(world, log_concern)
    client.force_login(world.lead)
    url = triage_url(concern)
    page = client.get(url)
    token = page.context["duplicates_token"]

    refused = client.post(url, {"outcome": "new_case", "lead": str(world.lead.pk)})
    assert refused.status_code == 200
    assert "closely matches someone who already has a case" in refused.text
    assert Case.objects.count() == 1

    opened = client.post(
        url, {"outcome": "new_case", "lead": str(world.lead.pk), "duplicates_checked": token}
    )
    assert opened.status_code == 302
    assert Case.objects.count() == 2


def test_add_to_the_matched_case_instead_is_idempotent(client, world, log_concern):
    existing = known_case(world)
    concern = new_concern(world, log_concern)
    client.force_login(world.lead)
    form = {
        "submission_token": "t0ken-add-1",
        "outcome": "existing_case",
        "case": existing.reference,
    }

    first = client.post(triage_url(concern), form)
    second = client.post(triage_url(concern), form)
    services.concern_triage(
        request=request_as(world.lead), concern=concern, outcome="existing_case", case=existing
    )

    assert first["Location"] == second["Location"] == existing.get_absolute_url()
    concern.refresh_from_db()
    assert concern.case == existing
    added = existing.chronology.filter(title=f"Concern {concern.reference} added to the case")
    assert added.count() == 1


def test_a_closed_case_cannot_take_the_concern(world, log_concern):
    existing = known_case(world, status=CaseStatus.CLOSED)
    concern = new_concern(world, log_concern)

    with pytest.raises(ValidationError):
        services.concern_triage(
            request=request_as(world.lead),
            concern=concern,
            outcome="existing_case",
            case=existing,
        )


def test_a_match_in_a_team_the_lead_cannot_see_is_shown_without_its_details(
    client, world, log_concern
):
    hidden = known_case(world, team=world.south, lead=world.lead_south)
    concern = new_concern(world, log_concern)
    client.force_login(world.lead)

    html = client.get(triage_url(concern)).text

    assert "in a team whose records you cannot see" in html
    assert hidden.reference not in html and hidden.person.reference not in html
    assert "this concern is about someone else" in html
    assert selectors.close_matches(concern.person)[0][3] == [hidden]
