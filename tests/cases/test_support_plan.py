"""The support plan as tasks (issue 19, item 3): the whole plan on one page, the usual starting
plan, the person's say on it, and what the database refuses. Its reminders:
tests/referrals/test_support_tasks.py."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import STARTING_PLAN, PlanAgreement, SupportDomain, SupportNeed
from contacts.models import Organisation
from safeguard.models import AuditEvent
from tests.auth import request_as
from tests.cases.factories import case_in, support_plan_data
from tests.factories import UserFactory

NAME = "Ana Example"
LATER = timezone.localdate() + dt.timedelta(days=30)


def url(name, case):
    return reverse(f"cases:{name}", kwargs={"reference": case.reference})


@pytest.fixture
def case(world):
    return case_in(world, name=NAME)


@pytest.fixture
def agency(db):
    return Organisation.objects.create(name="Riverside Law Centre")


@pytest.fixture
def need(case):
    return SupportNeed.objects.create(case=case, domain=SupportDomain.SAFETY, need="A safe room")


# --- One page for the whole plan --------------------------------------------------------------


def test_several_tasks_are_added_and_changed_in_one_save(client, world, case, need, agency):
    client.force_login(world.lead)

    response = client.post(
        url("case_support_plan", case),
        support_plan_data(
            {"status": "in_progress", "owner_user": world.lead.pk, "target_date": LATER},
            {
                "domain": SupportDomain.LEGAL,
                "need": "Immigration advice",
                "owner_organisation": agency.pk,
            },
            {"domain": SupportDomain.HEALTH, "need": "Register with a GP"},
            existing=[need],
        ),
    )

    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.status, need.owner_user, need.target_date, need.version) == (
        "in_progress",
        world.lead,
        LATER,
        2,
    )
    legal = SupportNeed.objects.get(domain=SupportDomain.LEGAL)
    assert legal.owner_organisation == agency and legal.owner_name == "Riverside Law Centre"
    assert case.support_needs.count() == 3
    entry = case.chronology.get()
    assert entry.title == "Support plan updated: 2 added, 1 changed"
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE)
    assert event.reference == case.reference
    said = f"{event.changed_fields} {event.detail}"
    assert NAME not in said and "Immigration advice" not in said
    assert "support.status" in event.changed_fields


def test_errors_are_shown_by_row_and_nothing_is_saved_or_lost(client, world, case, need):
    client.force_login(world.lead)

    response = client.post(
        url("case_support_plan", case),
        support_plan_data(
            {"status": "blocked"},
            {"domain": SupportDomain.HEALTH, "need": "Dentist", "status": "in_progress"},
            existing=[need],
        ),
    )

    assert response.status_code == 200
    text = response.text
    assert 'href="#id_form-0-blocked_reason"' in text
    assert "Enter what is holding it up" in text
    assert 'href="#id_form-1-owner_user"' in text
    assert 'value="Dentist"' in text
    need.refresh_from_db()
    assert need.status == "not_started" and case.support_needs.count() == 1
    assert not case.chronology.exists()


def test_a_task_has_one_owner_at_most(client, world, case, agency):
    client.force_login(world.lead)

    response = client.post(
        url("case_support_plan", case),
        support_plan_data(
            {
                "domain": SupportDomain.LEGAL,
                "need": "Advice",
                "owner_user": world.lead.pk,
                "owner_organisation": agency.pk,
            }
        ),
    )

    assert "Choose one owner" in response.text
    assert not SupportNeed.objects.exists()


def test_add_another_task_works_without_javascript_and_keeps_what_was_typed(
    client, world, case, need
):
    client.force_login(world.lead)
    data = support_plan_data(
        {"need": "A safe room, near her school"},
        {"domain": SupportDomain.HEALTH, "need": "GP"},
        existing=[need],
    )

    response = client.post(url("case_support_plan", case), {**data, "add_row": "1"})

    assert response.status_code == 200
    assert 'value="A safe room, near her school"' in response.text
    assert 'value="GP"' in response.text
    assert 'name="form-2-need"' in response.text
    assert 'name="form-TOTAL_FORMS" value="3"' in response.text
    assert "There is a problem" not in response.text
    need.refresh_from_db()
    assert need.need == "A safe room" and case.support_needs.count() == 1


def test_a_task_is_removed_and_the_removal_recorded(client, world, case, need):
    client.force_login(world.lead)

    client.post(
        url("case_support_plan", case), support_plan_data({"DELETE": "on"}, existing=[need])
    )

    assert not case.support_needs.exists()
    assert "Removed Safety: A safe room" in case.chronology.get().text


def test_a_double_submit_saves_once(client, world, case):
    client.force_login(world.lead)
    data = support_plan_data({"domain": SupportDomain.HEALTH, "need": "GP"}, token="plan-once")

    first = client.post(url("case_support_plan", case), data)
    second = client.post(url("case_support_plan", case), data)

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert case.support_needs.count() == 1


def test_a_task_changed_by_someone_else_meanwhile_is_not_overwritten(client, world, case, need):
    other = UserFactory(full_name="Oli Other", role=world.lead.role, teams=[world.north])
    client.force_login(world.lead)
    opened = support_plan_data({"status": "done"}, existing=[need])
    theirs = SupportNeed.objects.get(pk=need.pk)
    theirs.need = "A room at the refuge"
    services.support_plan_save(
        request=request_as(other),
        case=case,
        rows=[services.PlanRow(need=theirs, seen_version=1, changed_fields=("need",))],
    )

    response = client.post(url("case_support_plan", case), opened)

    assert response.status_code == 200
    assert "Someone else changed this support plan after you opened it" in response.text
    assert "Now saved: A room at the refuge (not started)" in response.text
    need.refresh_from_db()
    assert (need.need, need.status, need.version) == ("A room at the refuge", "not_started", 2)
    # Seen, and saved again on purpose: what they typed now stands.
    again = {k: v for k, v in opened.items()}
    again["form-0-seen_version"] = "2"
    client.post(url("case_support_plan", case), again)
    need.refresh_from_db()
    assert need.status == "done" and need.done_at is not None


def test_done_is_timed_and_undone_clears_it(world, case, need):
    request = request_as(world.lead)
    need.status = "done"
    services.support_plan_save(
        request=request,
        case=case,
        rows=[services.PlanRow(need=need, seen_version=1, changed_fields=("status",))],
    )
    assert need.done_at is not None
    need.status = "in_progress"
    need.owner_user = world.lead
    services.support_plan_save(
        request=request,
        case=case,
        rows=[services.PlanRow(need=need, seen_version=2, changed_fields=("status",))],
    )
    need.refresh_from_db()
    assert need.done_at is None


@pytest.mark.parametrize("tasks", [1, 30])
def test_the_plan_page_reads_the_same_number_of_times_for_one_task_or_thirty(
    client, world, case, tasks, django_assert_max_num_queries
):
    SupportNeed.objects.bulk_create(
        SupportNeed(case=case, domain=SupportDomain.HEALTH, need=f"Task {n}") for n in range(tasks)
    )
    client.force_login(world.lead)

    with django_assert_max_num_queries(12):
        response = client.get(url("case_support_plan", case))

    assert response.text.count('name="form-') > tasks * 8


# --- The usual starting plan ------------------------------------------------------------------


def test_the_usual_plan_adds_the_areas_and_risk_steps_once_however_often_pressed(
    client, world, case
):
    client.force_login(world.lead)

    client.post(url("case_support_start", case))
    client.post(url("case_support_start", case))

    needs = list(case.support_needs.all())
    assert len(needs) == len(STARTING_PLAN) == 9
    assert {n.status for n in needs} == {"not_started"}
    assert {n.domain for n in needs} == {
        SupportDomain.SAFETY,
        SupportDomain.INCOME,
        SupportDomain.EMOTIONAL,
        SupportDomain.HEALTH,
        SupportDomain.LEGAL,
        SupportDomain.RISK_REDUCTION,
    }
    assert sum(n.domain == SupportDomain.RISK_REDUCTION for n in needs) == 4
    assert case.chronology.count() == 1
    text = client.get(url("case_support", case)).text
    assert "Knows their rights in the UK" in text


def test_the_usual_plan_leaves_what_is_already_there(world, case):
    request = request_as(world.lead)
    services.support_plan_start(request=request, case=case)
    SupportNeed.objects.filter(case=case, code="rr_police").delete()
    case.support_needs.filter(code="safety").update(status="done")

    made = services.support_plan_start(request=request, case=case)

    assert [n.code for n in made] == ["rr_police"]
    assert case.support_needs.get(code="safety").status == "done"


def test_the_database_holds_each_starting_item_once_a_case(case):
    SupportNeed.objects.create(case=case, code="safety", domain="safety", need="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportNeed.objects.create(case=case, code="safety", domain="safety", need="y")
    # Needs a lead wrote have no code and may repeat.
    SupportNeed.objects.create(case=case, domain="safety", need="x")
    SupportNeed.objects.create(case=case, domain="safety", need="x")


def test_the_database_refuses_blocked_without_a_reason_and_two_owners(world, case, agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportNeed.objects.create(case=case, domain="safety", need="x", status="blocked")
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportNeed.objects.create(
            case=case, domain="safety", need="x", owner_user=world.lead, owner_organisation=agency
        )


# --- Their say on the plan --------------------------------------------------------------------


def agreement_body(**fields):
    today = timezone.localdate()
    return {
        "on_0": str(today.day),
        "on_1": str(today.month),
        "on_2": str(today.year),
        **fields,
    }


def test_their_agreement_is_recorded_and_the_latest_stands_with_history_kept(client, world, case):
    client.force_login(world.lead)

    client.post(
        url("case_support_agreement", case),
        agreement_body(outcome="declined", reason="Wants to talk to her sister first"),
    )
    client.post(
        url("case_support_agreement", case), agreement_body(outcome="agreed", how="interpreter")
    )

    assert PlanAgreement.objects.filter(case=case).count() == 2
    text = client.get(url("case_support", case)).text
    assert "They agreed to the plan on" in text and "with an interpreter" in text
    assert "Wants to talk to her sister first" in text  # in the earlier records
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE, reference=case.reference).count()
        == 2
    )


def test_not_agreeing_needs_their_reason(client, world, case):
    client.force_login(world.lead)

    response = client.post(url("case_support_agreement", case), agreement_body(outcome="declined"))

    assert "Enter why they did not agree" in response.text
    assert not PlanAgreement.objects.exists()


def test_the_database_refuses_an_agreement_without_how_or_a_refusal_without_why(world, case):
    day = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAgreement.objects.create(case=case, outcome="agreed", on=day, recorded_by=world.lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAgreement.objects.create(case=case, outcome="declined", on=day, recorded_by=world.lead)


# --- The migration ------------------------------------------------------------------------------


def test_the_migration_keeps_every_status_and_the_typed_owner_and_links_an_exact_match(
    world, case, agency
):
    mapped = {}
    for status in ("not_started", "in_progress", "done"):
        mapped[status] = SupportNeed.objects.create(
            case=case, domain="legal", need=status, status=status, owner="riverside law centre"
        )
    person = SupportNeed.objects.create(case=case, domain="safety", need="x", owner="lee lead")
    twice = SupportNeed.objects.create(case=case, domain="safety", need="y", owner="Sam Same")
    unknown = SupportNeed.objects.create(case=case, domain="safety", need="z", owner="A friend")
    UserFactory(full_name="Sam Same")
    UserFactory(full_name="Sam Same")

    migration = import_module("cases.migrations.0009_support_plan_as_tasks")
    migration.owners_from_what_was_typed(apps, None)

    for status, need in mapped.items():
        need.refresh_from_db()
        assert (need.status, need.owner_organisation, need.owner) == (
            status,
            agency,
            "riverside law centre",
        )
        assert need.done_at is None
    person.refresh_from_db()
    twice.refresh_from_db()
    unknown.refresh_from_db()
    assert person.owner_user == world.lead
    assert twice.owner_user is None  # two people of that name: which one is not guessed
    assert (unknown.owner_user, unknown.owner_organisation, unknown.owner) == (
        None,
        None,
        "A friend",
    )
