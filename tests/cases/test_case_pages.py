"""The case pages: who reaches each one, and what leads and managers do there."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    CaseStatus,
    ChronologyEntry,
    Concern,
    RiskLevel,
    Setting,
    SupportDomain,
    SupportNeed,
)
from safeguard.models import AuditEvent, Role
from tests.cases.factories import case_in, support_plan_data
from tests.factories import UserFactory

# Every case page, by URL name; the add/edit/members/close pages are for leads and managers.
READ_PAGES = ["case_detail", "case_chronology", "case_support", "case_risk"]
LEAD_PAGES = ["case_support_plan", "case_support_agreement", "case_members", "case_close"]


def url(name, case, **kwargs):
    return reverse(f"cases:{name}", kwargs={"reference": case.reference, **kwargs})


def page_urls(case, names):
    return [url(name, case) for name in names]


@pytest.fixture
def case(world):
    return case_in(world, name="Ana Example")


@pytest.fixture
def need(case):
    return SupportNeed.objects.create(
        case=case, domain=SupportDomain.ACCOMMODATION, need="A safe place to stay"
    )


# --- Who reaches the pages ---------------------------------------------------------------------


def test_every_case_page_renders_for_the_lead_of_the_cases_team(client, world, case, need):
    client.force_login(world.lead)

    for address in page_urls(case, READ_PAGES + LEAD_PAGES):
        response = client.get(address)
        assert response.status_code == 200, address
        assert case.reference in response.text


def test_page_titles_name_the_case_reference_never_the_person(client, world, case):
    client.force_login(world.lead)

    for address in page_urls(case, READ_PAGES + LEAD_PAGES):
        title = re.search(r"<title>(.*?)</title>", client.get(address).text, re.S).group(1)
        assert case.reference in title
        assert "Ana" not in title


def test_frontline_not_named_on_a_case_cannot_tell_it_exists(client, world, case, need):
    client.force_login(world.frontline)

    for address in page_urls(case, READ_PAGES):
        assert client.get(address).status_code == 404, address
    assert client.post(url("case_chronology", case), {"text": "x"}).status_code == 404
    # Pages only leads and managers use are refused by role, the same for every case.
    for address in page_urls(case, LEAD_PAGES):
        assert client.get(address).status_code == 403, address
    assert client.post(url("case_support_start", case)).status_code == 403
    assert ChronologyEntry.objects.filter(case=case).count() == 0


def test_frontline_named_on_the_case_reads_it_and_may_add_notes(client, world, case):
    case.members.add(world.frontline)
    client.force_login(world.frontline)

    response = client.get(url("case_detail", case))

    assert response.status_code == 200
    assert "Ana Example" in response.text
    assert "Close this case" not in response.text
    for address in page_urls(case, READ_PAGES):
        assert client.get(address).status_code == 200, address
    assert "Add a note" in client.get(url("case_chronology", case)).text


def test_a_lead_of_another_team_cannot_tell_the_case_exists(client, world, case, need):
    client.force_login(world.lead_south)

    for address in page_urls(case, READ_PAGES + LEAD_PAGES):
        assert client.get(address).status_code == 404, address
    assert client.post(url("case_risk", case), {}).status_code == 404


def test_restricted_case_is_hidden_from_a_lead_of_its_team_not_named_on_it(client, world):
    other_lead = UserFactory(full_name="Rhea Restricted", role=Role.LEAD, teams=[world.north])
    case = case_in(world, name="Ana Example", lead=other_lead, restricted=True)
    client.force_login(world.lead)

    for address in page_urls(case, READ_PAGES + LEAD_PAGES):
        assert client.get(address).status_code == 404, address
    assert case.reference not in client.get(reverse("cases:case_list")).text


def test_manager_not_named_on_a_restricted_case_sees_only_that_it_exists_and_who_leads_it(
    client, world
):
    other_lead = UserFactory(full_name="Rhea Restricted", role=Role.LEAD, teams=[world.north])
    case = case_in(world, name="Dana Hidden", lead=other_lead, restricted=True)
    ChronologyEntry.objects.create(case=case, kind="note", title="Moved to a safe house")
    client.force_login(world.manager)

    response = client.get(url("case_detail", case))
    assert response.status_code == 200
    assert "This case is restricted" in response.text
    assert "Rhea Restricted" in response.text
    assert "North team" in response.text
    assert "Dana" not in response.text
    assert "safe house" not in response.text
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, actor=world.manager)
    assert event.detail == "existence only"
    # Only the overview answers with the existence page; every other tab is not found.
    for address in page_urls(case, [*READ_PAGES[1:], *LEAD_PAGES]):
        assert client.get(address).status_code == 404, address


# --- Overview ----------------------------------------------------------------------------------


def test_overview_shows_the_person_the_case_and_its_concerns(client, world, case):
    case.person.aliases = "Anna E"
    case.person.interpreter_needed = True
    case.person.interpreter_language = "Romanian"
    case.person.save()
    concern = Concern.objects.create(
        reference="CN-T-000001",
        person=case.person,
        reporter=world.frontline,
        team=world.north,
        observed_at=timezone.now() - dt.timedelta(days=2),
        location="Station Road",
        setting=Setting.HOTEL,
        observer_account="Seen with a man who held her passport.",
        case=case,
        status="case",
    )
    client.force_login(world.lead)

    text = client.get(url("case_detail", case)).text

    assert "Anna E" in text
    assert "Adult" in text
    assert "Needed: Romanian" in text
    assert reverse("cases:concern_detail", kwargs={"reference": concern.reference}) in text
    assert "Hotel or short-let" in text


def test_overview_flags_a_risk_review_that_is_overdue(client, world, case):
    case.risk_assessments.create(
        assessed_by=world.lead,
        level=RiskLevel.HIGH,
        summary="Exploiter still in the area.",
        review_on=timezone.localdate() - dt.timedelta(days=1),
    )
    client.force_login(world.lead)

    assert "Review overdue" in client.get(url("case_detail", case)).text


def test_who_has_viewed_panel_lists_a_view_by_another_user(client, world, case):
    case.members.add(world.frontline)
    client.force_login(world.frontline)
    client.get(url("case_detail", case))

    client.force_login(world.lead)
    text = client.get(url("case_detail", case)).text

    assert "Who has viewed this case" in text
    assert "Fran Frontline" in text


def test_who_has_viewed_panel_is_not_shown_to_a_frontline_member(client, world, case):
    case.members.add(world.frontline)
    client.force_login(world.frontline)

    assert "Who has viewed this case" not in client.get(url("case_detail", case)).text


def test_who_has_viewed_panel_is_shown_to_managers_but_not_other_leads_of_the_team(client, world):
    other_lead = UserFactory(full_name="Rhea Restricted", role=Role.LEAD, teams=[world.north])
    case = case_in(world, name="Ana Example", lead=other_lead)

    client.force_login(world.manager)
    assert "Who has viewed this case" in client.get(url("case_detail", case)).text
    client.force_login(world.lead)
    assert "Who has viewed this case" not in client.get(url("case_detail", case)).text


# --- Chronology --------------------------------------------------------------------------------


def test_a_note_appears_in_the_chronology_and_is_audited(client, world, case):
    client.force_login(world.lead)

    response = client.post(
        url("case_chronology", case),
        {"title": "Call with solicitor", "text": "Asylum interview moved to Friday."},
        follow=True,
    )

    assert "Asylum interview moved to Friday." in response.text
    entry = case.chronology.get()
    assert (entry.kind, entry.author, entry.title) == ("note", world.lead, "Call with solicitor")
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE)
    assert (event.object_type, event.object_id, event.changed_fields) == (
        "case",
        str(case.pk),
        ["chronology"],
    )


def test_a_note_without_text_is_refused_with_the_error_summary(client, world, case):
    client.force_login(world.lead)

    response = client.post(url("case_chronology", case), {"title": "Kept title", "text": ""})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'href="#id_text"' in response.text
    assert 'value="Kept title"' in response.text
    assert not case.chronology.exists()


def test_sending_the_same_note_twice_adds_it_once(client, world, case):
    client.force_login(world.lead)
    data = {"submission_token": "abc123", "text": "Seen at the clinic."}

    client.post(url("case_chronology", case), data)
    client.post(url("case_chronology", case), data)

    assert case.chronology.count() == 1


# --- Support plan ------------------------------------------------------------------------------


def test_support_need_with_a_date_that_is_not_real_keeps_what_was_typed(client, world, case):
    client.force_login(world.lead)

    response = client.post(
        url("case_support_plan", case),
        support_plan_data(
            {
                "domain": SupportDomain.HEALTH,
                "need": "Antenatal appointment",
                "target_date": ("31", "2", "2026"),
            }
        ),
    )

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'href="#id_form-0-target_date_0"' in response.text
    assert "Enter a real date, like 27 3 2026" in response.text
    assert 'value="Antenatal appointment"' in response.text
    assert 'value="31"' in response.text
    assert "<title>Error: " in response.text
    assert not SupportNeed.objects.exists()


def test_support_need_is_added_and_listed_under_its_domain(client, world, case):
    client.force_login(world.lead)

    client.post(
        url("case_support_plan", case),
        support_plan_data(
            {
                "domain": SupportDomain.LEGAL,
                "need": "Immigration advice",
                "owner_user": world.lead.pk,
                "target_date": dt.date(2030, 3, 27),
                "status": SupportNeed.Status.IN_PROGRESS,
            }
        ),
    )
    text = client.get(url("case_support", case)).text

    need = SupportNeed.objects.get()
    assert need.target_date == dt.date(2030, 3, 27)
    assert "Legal and immigration advice" in text
    assert "In progress" in text


def test_support_need_can_be_changed(client, world, case, need):
    client.force_login(world.lead)

    response = client.get(url("case_support_plan", case))
    assert 'value="A safe place to stay"' in response.text
    client.post(
        url("case_support_plan", case),
        support_plan_data({"status": SupportNeed.Status.DONE}, existing=[need]),
    )

    need.refresh_from_db()
    assert need.status == SupportNeed.Status.DONE


def test_support_need_of_another_case_is_not_changed_through_this_one(client, world, case, need):
    other = case_in(world, name="Ana Example")
    theirs = SupportNeed.objects.create(case=other, domain=SupportDomain.SAFETY, need="x")
    client.force_login(world.lead)

    response = client.post(
        url("case_support_plan", case),
        support_plan_data({"id": theirs.pk, "need": "Changed"}, existing=[need]),
    )

    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.need == "x"


# --- Risk --------------------------------------------------------------------------------------


def risk_answers(**answers):
    review = timezone.localdate() + dt.timedelta(days=28)
    return {
        "level": RiskLevel.HIGH,
        "community_safe": "no",
        "family_risk": "not_known",
        "public_funds": "yes",
        "summary": "Exploiter lives nearby.",
        "review_on_0": str(review.day),
        "review_on_1": str(review.month),
        "review_on_2": str(review.year),
        **answers,
    }


def test_a_risk_assessment_sets_the_cases_risk_level(client, world, case):
    client.force_login(world.lead)

    response = client.post(url("case_risk", case), risk_answers(), follow=True)

    case.refresh_from_db()
    assert case.risk_level == RiskLevel.HIGH
    assessment = case.risk_assessments.get()
    assert (assessment.community_safe, assessment.family_risk, assessment.public_funds) == (
        False,
        None,
        True,
    )
    assert "Exploiter lives nearby." in response.text


def test_a_risk_assessment_answered_yes_and_no_keeps_the_answers(client, world, case):
    client.force_login(world.lead)

    client.post(url("case_risk", case), risk_answers(community_safe="yes", family_risk="no"))

    assessment = case.risk_assessments.get()
    assert (assessment.community_safe, assessment.family_risk) == (True, False)


def test_a_risk_assessment_without_answers_shows_every_error(client, world, case):
    client.force_login(world.lead)

    response = client.post(url("case_risk", case), {"summary": "Kept summary"})

    assert response.status_code == 200
    assert 'href="#id_level_1"' in response.text
    assert 'href="#id_review_on_0"' in response.text
    assert "Enter the date to review this assessment by" in response.text
    assert "Kept summary" in response.text
    assert not case.risk_assessments.exists()


# --- Members -----------------------------------------------------------------------------------


def test_the_case_lead_restricts_the_case_to_named_people(client, world, case):
    client.force_login(world.lead)

    client.post(url("case_members", case), {"restricted": "on", "members": [world.frontline.pk]})

    case.refresh_from_db()
    assert case.restricted
    assert list(case.members.all()) == [world.frontline]
    text = client.get(url("case_members", case)).text
    assert re.search(rf'value="{world.frontline.pk}"\s+checked', text)
    assert "Case restricted to named people" in client.get(url("case_chronology", case)).text


def test_administrators_are_not_offered_as_members(client, world, case):
    client.force_login(world.lead)

    text = client.get(url("case_members", case)).text

    assert "Fran Frontline" in text
    assert "Ada Admin" not in text


def test_a_lead_who_does_not_lead_the_case_cannot_change_its_members(client, world):
    other_lead = UserFactory(full_name="Rhea Restricted", role=Role.LEAD, teams=[world.north])
    case = case_in(world, name="Ana Example", lead=other_lead)
    client.force_login(world.lead)

    assert "Change who can see it" not in client.get(url("case_members", case)).text
    response = client.post(url("case_members", case), {"restricted": "on"})

    assert response.status_code == 404
    case.refresh_from_db()
    assert not case.restricted


# --- Closing -----------------------------------------------------------------------------------


def test_a_closed_case_offers_no_changes_and_refuses_them(client, world, case):
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.close_reason = "Moved away"
    case.save()
    client.force_login(world.lead)

    assert "Add a note" not in client.get(url("case_chronology", case)).text
    assert "Change the plan" not in client.get(url("case_support", case)).text
    response = client.post(url("case_chronology", case), {"text": "Late note"})

    assert response.status_code == 302
    assert not case.chronology.exists()


# --- The list ----------------------------------------------------------------------------------


def test_case_list_shows_visible_open_cases_with_age_group(client, world):
    case_in(world, name="Ana Example")
    child = case_in(world, name="Bo Young")
    child.person.estimated_age = 15
    child.person.save()
    case_in(world, name="Cy South", team=world.south, lead=world.lead_south)
    client.force_login(world.lead)

    text = client.get(reverse("cases:case_list")).text

    assert "Ana Example" in text
    assert "Bo Young" in text
    assert "Child or age disputed" in text
    assert "Cy South" not in text


def test_case_list_filters_to_my_cases(client, world):
    other_lead = UserFactory(full_name="Rhea Other", role=Role.LEAD, teams=[world.north])
    case_in(world, name="Ana Example")
    case_in(world, name="Bo Theirs", lead=other_lead)
    client.force_login(world.lead)

    text = client.get(reverse("cases:case_list"), {"mine": "on"}).text

    assert "Ana Example" in text
    assert "Bo Theirs" not in text


def test_case_list_tells_a_manager_how_many_restricted_cases_are_not_shown(client, world):
    case_in(world, name="Dana Hidden", restricted=True)
    case_in(world, name="Eve Hidden", restricted=True)
    client.force_login(world.manager)

    text = client.get(reverse("cases:case_list")).text

    assert "2 restricted cases not shown" in text
    assert "Hidden" not in text


@pytest.mark.parametrize("role", ["lead", "manager"])
def test_case_list_queries_do_not_grow_with_the_number_of_cases(
    client, world, role, django_assert_max_num_queries
):
    client.force_login(getattr(world, role))
    case_in(world, name="Ana Example")
    client.get(reverse("cases:case_list"))  # the session settles on the first request

    with django_assert_max_num_queries(50) as one:
        client.get(reverse("cases:case_list"))
    for _ in range(19):
        case_in(world, name="Ana Example", members=[world.frontline])
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("cases:case_list"))

    assert response.text.count("Ana Example") == 20


# --- Dates out of range (issue 14) -------------------------------------------------------------


def test_support_need_target_date_with_a_huge_year_says_what_to_fix(client, world, case):
    client.force_login(world.lead)

    response = client.post(
        url("case_support_plan", case),
        support_plan_data(
            {
                "domain": SupportDomain.HEALTH,
                "need": "Antenatal appointment",
                "target_date": ("1", "2", "99999999999"),
            }
        ),
    )

    assert response.status_code == 200
    assert 'href="#id_form-0-target_date_0"' in response.text
    assert "Enter a real date, like 27 3 2026" in response.text
    assert 'value="99999999999"' in response.text
    assert not SupportNeed.objects.exists()


def test_support_need_target_date_more_than_ten_years_ahead_says_the_range(client, world, case):
    client.force_login(world.lead)
    far = timezone.localdate().year + 11

    response = client.post(
        url("case_support_plan", case),
        support_plan_data(
            {
                "domain": SupportDomain.HEALTH,
                "need": "Antenatal appointment",
                "target_date": ("1", "2", str(far)),
            }
        ),
    )

    assert response.status_code == 200
    assert "The date must be between 1 January 1900 and " in response.text
    assert not SupportNeed.objects.exists()


def test_risk_review_date_with_a_huge_day_says_what_to_fix(client, world, case):
    client.force_login(world.lead)

    response = client.post(url("case_risk", case), risk_answers(review_on_0="99999999999"))

    assert response.status_code == 200
    assert "Enter a real date, like 27 3 2026" in response.text
    assert "Exploiter lives nearby." in response.text
    assert not case.risk_assessments.exists()
