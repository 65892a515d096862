import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.models import (
    REFER_TIMER,
    Addendum,
    Answer,
    Case,
    Concern,
    ConcernDraft,
    ConcernStatus,
    Indicator,
    Person,
    RiskAssessment,
    SupportNeed,
)
from referrals.deadlines import Timer
from safeguard.access import Action, actions_on
from safeguard.models import AuditEvent, OrganisationSettings
from tests.auth import request_as, sign_in

# --- Who is a child ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "child"),
    [
        (dt.date(2026, 3, 26), True),  # the day before the 18th birthday
        (dt.date(2026, 3, 27), False),  # the 18th birthday
        (dt.date(2026, 3, 28), False),
    ],
)
def test_someone_is_a_child_until_their_18th_birthday(day, child):
    assert Person(date_of_birth=dt.date(2008, 3, 27)).may_be_child(day) is child


def test_born_on_29_february_turns_18_on_1_march_in_a_common_year():
    person = Person(date_of_birth=dt.date(2008, 2, 29))

    assert person.may_be_child(dt.date(2026, 2, 28))
    assert not person.may_be_child(dt.date(2026, 3, 1))


@pytest.mark.parametrize(
    ("fields", "child"),
    [
        ({"estimated_age": 17}, True),
        ({"estimated_age": 18}, False),
        ({}, True),  # age not known: treated as a child until it is settled
        ({"estimated_age": 25, "age_disputed": True}, True),
        ({"date_of_birth": dt.date(1990, 1, 1), "age_disputed": True}, True),
    ],
)
def test_unknown_or_disputed_age_is_treated_as_a_child(fields, child):
    assert Person(**fields).may_be_child(dt.date(2026, 11, 23)) is child


# --- Logging a concern, as a person does it ----------------------------------------------------


def start(client, danger="no"):
    response = client.post(reverse("cases:concern_start"), {"immediate_danger": danger})
    return ConcernDraft.objects.latest("pk"), response


PERSON = {
    "action": "continue",
    "name": "Ana Popescu",
    "aliases": "Anna",
    "date_of_birth": "1996-05-04",
    "gender": "female",
    "nationalities": "Romanian",
    "languages": "Romanian",
    "interpreter_needed": "on",
    "interpreter_language": "Romanian",
}


def what(**overrides):
    data = {
        "action": "continue",
        "step": "what",
        "observed_date": "2026-11-22",
        "observed_time": "21:15",
        "location": "Hotel reception",
        "setting": "hotel",
        "observer_account": "A man answered every question put to her.",
        "persons_words": "He keeps my passport.",
        "exploitation_types": ["sexual"],
        "ind_situational-spoken-for": "observed",
        "link_vehicle_0": "ab12 cde",
    }
    data.update(overrides)
    return data


def submit(client, url, what_data=None, **check):
    """The second step sent, then "check your answers" submitted: the concern is made."""
    assert client.post(url + "?step=what", what_data or what())["Location"] == url + "?step=check"
    return client.post(url + "?step=check", {"action": "submit", **check})


@pytest.fixture
def frontline_client(client, world, reference_data):
    sign_in(client, world.frontline)
    return client


def test_immediate_danger_is_asked_first_and_999_is_recorded(frontline_client):
    draft, response = start(frontline_client, danger="yes")

    assert response["Location"] == reverse("cases:draft_call_999", args=[draft.pk])
    page = frontline_client.get(response["Location"]).content.decode()
    assert "Call 999 now" in page and 'href="tel:999"' in page
    frontline_client.post(reverse("cases:draft_call_999", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.data["called_999_at"]


def test_the_danger_question_must_be_answered(frontline_client):
    html = frontline_client.post(reverse("cases:concern_start"), {}).content.decode()

    assert "Select yes if anyone is in immediate danger" in html


def test_a_whole_concern_about_an_adult(frontline_client, world):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    assert frontline_client.post(url + "?step=person", PERSON)["Location"] == url + "?step=what"

    response = submit(frontline_client, url)

    concern = Concern.objects.get()
    assert response["Location"] == reverse("cases:concern_next_steps", args=[concern.reference])
    assert concern.person.name == "Ana Popescu" and concern.person.interpreter_needed
    assert concern.reporter == world.frontline and concern.team == world.north
    assert concern.persons_words == "He keeps my passport."
    assert [o.indicator.code for o in concern.observations.all()] == ["situational-spoken-for"]
    assert concern.links.get().normalised == "AB12CDE"
    assert not ConcernDraft.objects.exists()
    assert AuditEvent.objects.filter(action="create", object_id=str(concern.pk)).exists()
    steps = frontline_client.get(response["Location"]).content.decode()
    assert "ask whether they agree to a referral" in steps
    assert "Tuesday 24 November 2026, 21:15" in steps  # 48 hours from 21:15 on the 22nd


@time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC), tick=False)
def test_every_page_shows_the_refer_clock_of_the_organisations_own_length(
    client, log_concern, world
):
    organisation = OrganisationSettings.load()
    organisation.refer_hours = 24
    organisation.save()
    concern = log_concern(
        world.frontline, name="X", observed_at=dt.datetime(2026, 11, 22, 21, 15, tzinfo=dt.UTC)
    )

    assert concern.refer_due_at == dt.datetime(2026, 11, 23, 21, 15, tzinfo=dt.UTC)
    client.force_login(world.lead)
    queue = client.get(reverse("cases:triage_queue")).text
    triage = client.get(reverse("cases:concern_triage", args=[concern.reference])).text
    client.force_login(world.frontline)
    steps = client.get(reverse("cases:concern_next_steps", args=[concern.reference])).text
    assert "23 Nov 21:15" in queue and "(11 hours 15 minutes left)" in queue
    assert "23 November 21:15" in triage
    assert "Monday 23 November 2026, 21:15" in steps and "24 hours after" in steps


def test_the_refer_timer_cases_reads_is_the_one_referrals_keeps():
    assert REFER_TIMER == Timer.REFER


@time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC), tick=False)
def test_the_refer_clock_is_48_hours_from_identification(log_concern, world):
    concern = log_concern(
        world.frontline, name="X", observed_at=dt.datetime(2026, 11, 22, 21, 15, tzinfo=dt.UTC)
    )

    assert concern.refer_due_at == dt.datetime(2026, 11, 24, 21, 15, tzinfo=dt.UTC)


def test_a_child_gets_the_child_pathway_and_child_questions(frontline_client):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", {**PERSON, "date_of_birth": "2010-01-01"})

    page = frontline_client.get(url + "?step=what").content.decode()
    child_item = Indicator.objects.filter(applies_to="children").first()
    assert child_item.text.replace("'", "&#x27;") in page

    response = submit(frontline_client, url)
    steps = frontline_client.get(response["Location"]).content.decode()
    assert "treat them as a child" in steps
    assert "Children's Services first" in steps
    assert "Never use the Duty to Notify for a child" in steps


def test_adult_questions_leave_out_child_specific_ones(frontline_client):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", PERSON)

    page = frontline_client.get(url + "?step=what").content.decode()

    for item in Indicator.objects.filter(applies_to="children"):
        assert item.text.replace("'", "&#x27;") not in page


def test_errors_say_what_to_fix_and_keep_everything_typed(frontline_client):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", PERSON)

    html = frontline_client.post(
        url + "?step=what",
        what(
            location="",
            observed_date_0="40",
            observed_date_1="13",
            observed_date_2="2026",
            observer_account="",
        ),
    ).content.decode()

    assert "Enter where this happened" in html
    assert "Enter a real date" in html
    assert "Enter what you saw, heard or were told" in html
    assert 'value="40"' in html and 'value="13"' in html and "He keeps my passport." in html
    assert not Concern.objects.exists()


def test_check_your_answers_shows_everything_with_change_links_before_anything_is_made(
    frontline_client,
):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", PERSON)
    frontline_client.post(
        url + "?step=what", what(**{"note_situational-spoken-for": "Her boss answered for her"})
    )

    page = frontline_client.get(url + "?step=check").text

    assert not Concern.objects.exists()
    assert "Check your answers" in page and "govuk-summary-list" in page
    for answer in ("Ana Popescu", "Romanian", "Hotel reception", "Hotel or short-let"):
        assert answer in page
    assert "22 November 2026" in page and "21:15" in page
    assert "Someone else answers for them" in page and "Her boss answered for her" in page
    assert "AB12 CDE" in page.upper()
    assert f'href="{url}?step=person#id_name"' in page
    assert f'href="{url}?step=what#id_observed_date_0"' in page
    assert f'href="{url}?step=what#signs"' in page


def test_a_ticked_sign_is_recorded_as_seen_with_its_note_and_unticked_ones_not_at_all(
    frontline_client,
):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", PERSON)

    submit(
        frontline_client,
        url,
        what(
            **{
                "ind_situational-long-hours": "observed",
                "note_situational-long-hours": "From 7am to 9pm",
                "note_situational-documents-held": "Typed, then the box was left unticked",
            }
        ),
    )

    observations = {o.indicator.code: o for o in Concern.objects.get().observations.all()}
    assert set(observations) == {"situational-spoken-for", "situational-long-hours"}
    assert {o.answer for o in observations.values()} == {Answer.OBSERVED}
    assert observations["situational-long-hours"].note == "From 7am to 9pm"


def test_unticking_a_sign_is_kept_in_the_draft(frontline_client):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", PERSON)
    autosave = reverse("cases:draft_autosave", args=[draft.pk])
    frontline_client.post(autosave, {"step": "what", "ind_situational-long-hours": "observed"})

    frontline_client.post(autosave, {"step": "what", "location": "Car wash"})

    draft.refresh_from_db()
    assert "ind_situational-long-hours" not in draft.data
    assert draft.data["location"] == "Car wash"
    assert 'value="observed" data-aria-controls' in frontline_client.get(url + "?step=what").text
    assert " checked" not in frontline_client.get(url + "?step=what").text.split("Signs you")[1]


def test_a_sign_is_one_checkbox_with_its_note_box_on_the_page_and_older_drafts_still_read(
    frontline_client,
):
    draft, _ = start(frontline_client)
    draft.data.update(
        {**PERSON, "ind_situational-spoken-for": "observed", "ind_situational-coached": "unsure"}
    )
    draft.save()
    url = reverse("cases:draft_edit", args=[draft.pk])

    page = frontline_client.get(url + "?step=what").text

    assert 'type="radio"' not in page.split("Signs you noticed")[1]
    signs = Indicator.objects.current().exclude(applies_to="children")
    assert page.count('class="govuk-checkboxes__input" id="id_ind_') == signs.count()
    assert page.count('id="id_note_') == signs.count()  # every note box, for no JavaScript
    ticked = re.search(r'<input[^>]*name="ind_situational-spoken-for"[^>]*>', page).group(0)
    unsure = re.search(r'<input[^>]*name="ind_situational-coached"[^>]*>', page).group(0)
    assert "checked" in ticked and "checked" not in unsure
    # The group with a ticked sign starts open; its note shows, the others' are hidden.
    assert 'conditional-id_ind_situational-spoken-for">' in page
    assert "Situational and environmental (1 ticked)" in page


def test_the_start_and_the_questions_prompt_victim_centred_practice(frontline_client):
    page = frontline_client.get(reverse("cases:concern_start")).text
    assert "on their own, away from anyone who came with them" in page
    assert "professional one you trust" in page and "same gender" in page
    assert "Do not open with passports, visas or immigration status" in page

    draft, _ = start(frontline_client)
    page = frontline_client.get(reverse("cases:draft_edit", args=[draft.pk]) + "?step=what").text
    assert "How did you come to the UK?" in page
    assert "pay for the journey" in page
    assert "made you do things you did not want to do" in page


def test_save_and_come_back_later_from_check_your_answers_keeps_the_draft(frontline_client):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", PERSON)
    frontline_client.post(url + "?step=what", what())

    response = frontline_client.post(url + "?step=check", {"action": "save"})

    assert response["Location"] == reverse("cases:my_concerns")
    assert not Concern.objects.exists()
    assert ConcernDraft.objects.get().data["location"] == "Hotel reception"


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_lost(frontline_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", PERSON)

    fake = SimpleUploadedFile("passport.jpg", b"not really a jpeg", content_type="image/jpeg")
    html = submit(frontline_client, url, photo=fake).content.decode()

    assert "must be a JPG, PNG or WebP" in html
    assert not Concern.objects.exists()
    assert "He keeps my passport." in html  # the answers, checked again


def test_a_double_submit_creates_one_concern(frontline_client):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", PERSON)

    first = submit(frontline_client, url)
    second = frontline_client.post(url + "?step=check", {"action": "submit"})

    assert Concern.objects.count() == 1
    assert second["Location"] == first["Location"]


def test_a_draft_survives_the_session_running_out(client, world, reference_data):
    start_at = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start_at, tick=False):
        sign_in(client, world.frontline)
        draft, _ = start(client)
        url = reverse("cases:draft_edit", args=[draft.pk])
        client.post(reverse("cases:draft_autosave", args=[draft.pk]), {"name": "Ana Popescu"})
    # 40 minutes without a request: the session has ended when the next part is sent.
    with time_machine.travel(start_at + dt.timedelta(minutes=40), tick=False):
        response = client.post(url + "?step=person", {**PERSON, "aliases": "Typed late"})
        assert response["Location"].startswith(reverse("account_login"))
        sign_in(client, world.frontline)
        page = client.get(url + "?step=person").content.decode()

    assert 'value="Ana Popescu"' in page and 'value="Typed late"' in page
    draft.refresh_from_db()
    assert draft.data["aliases"] == "Typed late"


@pytest.mark.parametrize("accept", ["application/json", "*/*"])
def test_an_autosave_after_the_session_ran_out_keeps_its_text_for_after_sign_in(
    client, world, reference_data, accept
):
    start_at = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start_at, tick=False):
        sign_in(client, world.frontline)
        draft, _ = start(client)
        url = reverse("cases:draft_edit", args=[draft.pk]) + "?step=what"
    # 40 minutes without a request, then the page's script sends what was typed meanwhile.
    with time_machine.travel(start_at + dt.timedelta(minutes=40), tick=False):
        response = client.post(
            reverse("cases:draft_autosave", args=[draft.pk]),
            {"observer_account": "Typed while signed out"},
            HTTP_ACCEPT=accept,
        )
        if accept == "application/json":  # the script is told, and where to sign in
            assert response.status_code == 401
            assert response.json() == {"signed_out": True, "sign_in": reverse("account_login")}
        else:
            assert response["Location"].startswith(reverse("account_login"))
        sign_in(client, world.frontline)
        page = client.get(url).content.decode()

    assert "Typed while signed out" in page
    assert "what you had typed was kept" in page
    draft.refresh_from_db()
    assert draft.data["observer_account"] == "Typed while signed out"


def test_nobody_else_can_open_someone_elses_draft(client, world, reference_data):
    sign_in(client, world.frontline)
    draft, _ = start(client)
    client.force_login(world.lead)

    assert client.get(reverse("cases:draft_edit", args=[draft.pk])).status_code == 404


# --- After submission: immutable, with addenda -------------------------------------------------


def test_a_submitted_concern_only_gains_signed_and_timed_addenda(client, world, log_concern):
    concern = log_concern(world.frontline, name="Ana")
    client.force_login(world.frontline)

    client.post(
        reverse("cases:concern_addendum", args=[concern.reference]),
        {"text": "Her first name is spelt Anna."},
    )

    before = Concern.objects.get(pk=concern.pk)
    assert before.observer_account == concern.observer_account
    addendum = Addendum.objects.get()
    assert (addendum.author, addendum.text) == (world.frontline, "Her first name is spelt Anna.")
    html = client.get(reverse("cases:concern_detail", args=[concern.reference])).content.decode()
    assert "Her first name is spelt Anna." in html and concern.observer_account in html


def test_there_is_no_way_to_edit_or_delete_a_submitted_concern():
    from django.contrib import admin

    from cases.urls import urlpatterns

    concern_pages = [p.name for p in urlpatterns if str(p.pattern).startswith("concerns/<")]
    assert concern_pages == [
        "concern_detail",
        "concern_next_steps",
        "concern_addendum",
        "concern_triage",
    ]
    assert not admin.site.is_registered(Concern)


# --- Triage ------------------------------------------------------------------------------------


def test_triage_queue_is_oldest_first_and_limited_to_the_leads_teams(log_concern, world):
    old = log_concern(world.frontline, name="Older")
    Concern.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - dt.timedelta(days=2))
    new = log_concern(world.frontline, name="Newer")
    world.lead_south.teams.set([world.south])

    assert list(selectors.triage_queue(world.lead)) == [old, new]
    assert list(selectors.triage_queue(world.lead_south)) == []


def test_triage_queue_shows_a_page_at_a_time_oldest_first(client, world, log_concern):
    """However many concerns wait, a page lists TRIAGE_PER_PAGE of them, oldest first, says
    how many wait, and links to the newer ones; nothing is left off."""
    from cases.views.triage import TRIAGE_PER_PAGE

    waiting = [log_concern(world.frontline, name=f"Person {n}") for n in range(TRIAGE_PER_PAGE + 1)]
    for age, concern in enumerate(reversed(waiting)):  # the first logged is the oldest
        Concern.objects.filter(pk=concern.pk).update(
            submitted_at=timezone.now() - dt.timedelta(hours=age + 1)
        )
    client.force_login(world.lead)

    first = client.get(reverse("cases:triage_queue")).content.decode()
    second = client.get(reverse("cases:triage_queue"), {"page": 2}).content.decode()

    assert f"{len(waiting)} concerns waiting: 1 to {TRIAGE_PER_PAGE} shown" in first
    assert waiting[0].reference in first and waiting[-1].reference not in first
    assert waiting[-1].reference in second and waiting[0].reference not in second
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_no_further_action_needs_a_reason(client, world, log_concern):
    concern = log_concern(world.frontline, name="Ana")
    client.force_login(world.lead)
    url = reverse("cases:concern_triage", args=[concern.reference])

    html = client.post(url, {"outcome": "nfa", "reason": ""}).content.decode()
    assert "Enter why no further action is needed" in html

    client.post(url, {"outcome": "nfa", "reason": "Known to be safe: verified with her."})
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NO_FURTHER_ACTION
    assert concern.triaged_by == world.lead


def test_a_new_case_is_opened_with_a_chronology(client, world, log_concern):
    concern = log_concern(world.frontline, name="Ana")
    client.force_login(world.lead)

    response = client.post(
        reverse("cases:concern_triage", args=[concern.reference]),
        {"outcome": "new_case", "lead": str(world.lead.pk)},
    )

    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case_detail", args=[case.reference])
    assert (case.person, case.lead, case.team) == (concern.person, world.lead, world.north)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CASE and concern.case == case
    titles = [entry.title for entry in case.chronology.all()]
    assert "Case opened" in titles and f"Concern {concern.reference} observed" in titles


def test_a_concern_is_triaged_once(client, world, log_concern):
    concern = log_concern(world.frontline, name="Ana")
    client.force_login(world.lead)
    url = reverse("cases:concern_triage", args=[concern.reference])
    client.post(url, {"outcome": "nfa", "reason": "Safe"})

    client.post(url, {"outcome": "new_case", "lead": str(world.lead.pk)})

    assert not Case.objects.exists()


def test_possible_duplicates_are_shown_before_a_new_case(client, world, log_concern):
    log_concern(world.frontline, name="Maria Popescu", date_of_birth=dt.date(1996, 5, 4))
    concern = log_concern(world.frontline, name="Popescu, Maria", date_of_birth=dt.date(1996, 5, 4))
    client.force_login(world.lead)

    html = client.get(reverse("cases:concern_triage", args=[concern.reference])).content.decode()

    assert "This person may already be known" in html
    assert "same date of birth" in html


def test_similar_reports_share_a_normalised_detail(client, world, log_concern):
    first = log_concern(world.frontline, name="A", links=[("vehicle", "AB12 CDE")])
    second = log_concern(world.frontline, name="B", links=[("vehicle", "ab12cde")])
    log_concern(world.frontline, name="C", links=[("vehicle", "XY99 ZZZ")])
    client.force_login(world.lead)

    html = client.get(reverse("cases:concern_detail", args=[second.reference])).content.decode()

    assert first.reference in html and "shares vehicle" in html


@pytest.mark.parametrize("count", [1, 20])
def test_triage_queue_query_count_does_not_grow(
    client, world, log_concern, count, django_assert_max_num_queries
):
    for n in range(count):
        log_concern(world.frontline, name=f"Person {n}")
    client.force_login(world.lead)
    client.get(reverse("home"))

    with django_assert_max_num_queries(8):
        client.get(reverse("cases:triage_queue"))


# --- Access ------------------------------------------------------------------------------------


def test_concerns_are_seen_only_by_their_reporter_team_leads_and_managers(
    client, world, log_concern
):
    from tests.factories import UserFactory

    concern = log_concern(world.frontline, name="Ana")
    other_frontline = UserFactory(role="frontline", teams=[world.north])
    url = reverse("cases:concern_detail", args=[concern.reference])
    expected = {
        world.frontline: 200,
        world.lead: 200,
        world.manager: 200,
        world.lead_south: 404,
        other_frontline: 404,
        world.admin: 403,
    }

    for user, status in expected.items():
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_selectors_agree_with_the_record_rules(world, log_concern):
    from cases import services

    concerns = [log_concern(world.frontline, name=f"P{n}") for n in range(3)]
    case = services.case_open(
        request=request_as(world.lead),
        person=concerns[0].person,
        team=world.north,
        lead=world.lead,
        concerns=[concerns[0]],
    )
    restricted = services.case_open(
        request=request_as(world.lead),
        person=concerns[1].person,
        team=world.north,
        lead=world.lead,
        concerns=[concerns[1]],
    )
    services.case_set_restriction(
        request=request_as(world.lead), case=restricted, restricted=True, members=[]
    )
    for user in [world.frontline, world.lead, world.lead_south, world.manager, world.admin]:
        visible_concerns = set(selectors.concerns_visible_to(user))
        for concern in Concern.objects.all():
            assert (concern in visible_concerns) == (Action.VIEW in actions_on(user, concern)), (
                user,
                concern,
            )
        visible_cases = set(selectors.cases_visible_to(user))
        for each in [case, restricted]:
            each.refresh_from_db()
            assert (each in visible_cases) == (Action.VIEW in actions_on(user, each)), (user, each)


def test_search_finds_only_what_the_user_may_see_and_is_audited(client, world, log_concern):
    log_concern(world.frontline, name="Ana Popescu", aliases="Anka")
    client.force_login(world.lead_south)
    html = client.post(reverse("cases:search"), {"q": "anka"}).content.decode()
    assert "Ana Popescu" not in html

    client.force_login(world.lead)
    html = client.post(reverse("cases:search"), {"q": "anka"}).content.decode()
    assert "Ana Popescu" in html
    searches = AuditEvent.objects.filter(action="search").order_by("at", "pk")
    assert [(event.actor, event.detail) for event in searches] == [
        (world.lead_south, "0 results"),
        (world.lead, "1 result"),
    ]


def test_search_words_never_reach_the_address_or_the_audit_trail(client, world, log_concern):
    log_concern(world.frontline, name="Ana Popescu", aliases="Anka")
    client.force_login(world.lead)

    page = client.get(reverse("cases:search"))
    form = re.search(r'<form method="(\w+)"', page.text)
    assert form.group(1) == "post"
    # An address made by hand (an old bookmark) runs no search and records none.
    by_address = client.get(reverse("cases:search"), {"q": "Ana Popescu"})
    assert "Ana Popescu" not in by_address.text.replace('value="Ana Popescu"', "")
    assert not AuditEvent.objects.filter(action="search").exists()

    client.post(reverse("cases:search"), {"q": "Ana Popescu"})
    event = AuditEvent.objects.get(action="search")
    assert "Ana" not in event.detail and "Popescu" not in event.detail
    assert "Ana" not in event.path


def test_a_photo_is_served_only_through_the_access_check_and_each_view_audited(
    client, world, log_concern, settings, tmp_path
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from cases import photos
    from tests.factories import UserFactory
    from tests.storage import keep_private_files_in

    keep_private_files_in(settings, tmp_path / "private")
    concern = log_concern(world.frontline, name="Ana")
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(image, "JPEG")
    photos.save_photo(concern.person, SimpleUploadedFile("ana.jpg", image.getvalue()))
    url = reverse("cases:person_photo", args=[concern.person.reference])

    client.force_login(world.frontline)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store"
    assert (
        AuditEvent.objects.filter(
            action="view", object_type="person", actor=world.frontline
        ).count()
        == 1
    )

    client.force_login(UserFactory(role="frontline", teams=[world.north]))
    assert client.get(url).status_code == 404
    client.force_login(world.lead_south)
    assert client.get(url).status_code == 404


# --- Impossible dates (issue 14) ---------------------------------------------------------------


def test_a_concern_observed_in_year_1_is_refused_with_the_range_and_keeps_what_was_typed(
    frontline_client,
):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", PERSON)

    html = frontline_client.post(url + "?step=what", what(observed_date="0001-01-01")).text

    assert "The date must be between 1 January 1900 and today" in html
    assert "He keeps my passport." in html
    assert not Concern.objects.exists()


def test_a_date_of_birth_before_1900_is_refused_with_the_range(frontline_client):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])

    html = frontline_client.post(url + "?step=person", {**PERSON, "date_of_birth": "1899-12-31"})

    assert "The date must be between 1 January 1900 and today" in html.text
    assert 'value="Ana Popescu"' in html.text


def test_the_service_refuses_a_concern_observed_before_1900(log_concern, world):
    with pytest.raises(ValidationError, match="between 1 January 1900 and today"):
        log_concern(world.frontline, observed_at=dt.datetime(1, 1, 2, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (Person(date_of_birth=dt.date(1899, 12, 31)), "date_of_birth"),
        (SupportNeed(target_date=dt.date(9999, 12, 31)), "target_date"),
        (RiskAssessment(review_on=dt.date(1, 1, 1)), "review_on"),
    ],
)
def test_records_refuse_a_date_out_of_range_when_the_services_check_them(record, field):
    with pytest.raises(ValidationError) as refused:
        record.clean()

    assert "must be between 1 January 1900 and" in refused.value.message_dict[field][0]


def test_a_date_typed_into_a_draft_is_in_its_boxes_when_the_draft_is_opened_again(
    frontline_client,
):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    autosave = reverse("cases:draft_autosave", args=[draft.pk])
    frontline_client.post(autosave, {"date_of_birth_0": "11", "date_of_birth_1": "2",
                                     "date_of_birth_2": "1994"})  # fmt: skip

    page = frontline_client.get(url + "?step=person").text

    assert 'name="date_of_birth_0" value="11"' in page
    assert 'name="date_of_birth_2" value="1994"' in page


def test_opened_before_a_step_is_finished_check_your_answers_sends_back_with_what_to_fix(
    frontline_client,
):
    draft, _ = start(frontline_client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    frontline_client.post(url + "?step=person", PERSON)
    # The second step saved (as autosave or "save and come back later" would) without a place.
    frontline_client.post(url + "?step=what", what(action="save", location=""))

    sent_back = frontline_client.get(url + "?step=check")
    assert sent_back["Location"] == url + "?step=what&errors=1"
    page = frontline_client.get(sent_back["Location"]).text

    assert "There is a problem" in page  # the error summary, with what to fix
    assert "Hotel reception" not in page  # the place was not typed ...
    assert "A man answered every question put to her." in page  # ... the rest is kept
    assert not Concern.objects.exists()
