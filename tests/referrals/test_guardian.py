# ruff: noqa: F811 (the `recipient` fixture, imported)
"""Children (issue 18, item 5): the guardian referral as a step of a child's case, with its own
clock, wherever a guardianship service covers the organisation's area; and an age dispute that
keeps the child's treatment until an age assessment settles it."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases.models import AgeAssessment, Case, Person
from referrals import help, rules, services
from referrals.deadlines import (
    GUARDIAN_SERVICES,
    LOCAL_TARGET,
    TIMER_BASIS,
    TIMER_KIND,
    TIMER_LABELS,
    UK,
    Basis,
    Kind,
    Timer,
    due_at,
)
from referrals.models import Deadline
from safeguard.choices import Nation, Pathway
from safeguard.models import OrganisationSettings
from tests.auth import request_as
from tests.referrals.test_referrals import act, consent, open_case, recipient, start  # noqa: F401

MICRO = dt.timedelta(microseconds=1)


def uk(*args):
    return dt.datetime(*args, tzinfo=UK)


def end_of(y, m, d):
    return uk(y, m, d, 23, 59, 59, 999999).astimezone(dt.UTC)


# --- The pure rule -----------------------------------------------------------------------------


def test_the_guardian_referral_is_a_duty_counted_in_working_days_and_a_local_target():
    assert TIMER_KIND[Timer.GUARDIAN_REFERRAL] is Kind.DUTY
    assert TIMER_BASIS[Timer.GUARDIAN_REFERRAL] is Basis.WORKING_DAYS
    assert LOCAL_TARGET in TIMER_LABELS[Timer.GUARDIAN_REFERRAL]


@pytest.mark.parametrize(
    ("start", "nation", "due"),
    [
        # Thursday before Easter 2026: Good Friday is a holiday in all three nations, Easter
        # Monday in England and Wales and Northern Ireland but not in Scotland.
        (uk(2026, 4, 2, 15, 0), "ENG", end_of(2026, 4, 8)),
        (uk(2026, 4, 2, 15, 0), "SCT", end_of(2026, 4, 7)),
        (uk(2026, 4, 2, 15, 0), "NIR", end_of(2026, 4, 8)),
        # St Patrick's Day, Tuesday 17 March 2026: Northern Ireland only.
        (uk(2026, 3, 16, 9, 0), "ENG", end_of(2026, 3, 18)),
        (uk(2026, 3, 16, 9, 0), "SCT", end_of(2026, 3, 18)),
        (uk(2026, 3, 16, 9, 0), "NIR", end_of(2026, 3, 19)),
        # St Andrew's Day, Monday 30 November 2026: Scotland only.
        (uk(2026, 11, 27, 16, 0), "ENG", end_of(2026, 12, 1)),
        (uk(2026, 11, 27, 16, 0), "SCT", end_of(2026, 12, 2)),
        (uk(2026, 11, 27, 16, 0), "NIR", end_of(2026, 12, 1)),
        # Started on a Saturday: counted from Monday, in every nation.
        (uk(2026, 6, 13, 11, 0), "ENG", end_of(2026, 6, 16)),
        # ... except Scotland, whose Monday 15 June 2026 is a one-off proclaimed holiday.
        (uk(2026, 6, 13, 11, 0), "SCT", end_of(2026, 6, 17)),
        (uk(2026, 6, 13, 11, 0), "NIR", end_of(2026, 6, 16)),
        # Across the clock change (BST ends Sunday 25 October 2026): still the local day's end.
        (uk(2026, 10, 23, 17, 0), "ENG", end_of(2026, 10, 27)),
    ],
)
def test_guardian_referral_is_due_at_the_end_of_the_second_working_day_in_each_nation(
    start, nation, due
):
    assert due_at(Timer.GUARDIAN_REFERRAL, start, length=2, nation=nation) == due


def test_each_nation_has_its_guardianship_service_and_only_england_and_wales_is_by_area():
    assert {n: s.national for n, s in GUARDIAN_SERVICES.items()} == {
        "ENG": False,
        "SCT": True,
        "NIR": True,
    }
    assert "Independent Child Trafficking Guardian" in GUARDIAN_SERVICES["ENG"].name
    assert "Guardianship Scotland" in GUARDIAN_SERVICES["SCT"].name
    assert "Independent Guardian Service" in GUARDIAN_SERVICES["NIR"].name


@pytest.mark.parametrize(
    ("nation", "cited"),
    [
        ("ENG", "Interim guidance for Independent Child Trafficking Guardians"),
        ("SCT", "Human Trafficking and Exploitation (Scotland) Act 2015, s.11"),
        ("NIR", "(Northern Ireland) 2015, s.21"),
    ],
)
def test_the_help_page_row_cites_each_nations_source(nation, cited):
    settings = OrganisationSettings(nation=nation)
    rows = {row.timer: row for row in help.help_rows(rules.rules_for(settings), nation)}
    assert set(rows) == set(Timer)
    row = rows[Timer.GUARDIAN_REFERRAL]
    assert cited in row.source and "local target" in row.source
    assert row.length == "2 working days"


def test_the_help_page_says_where_the_service_does_not_cover_the_area():
    settings = OrganisationSettings(nation="ENG", guardian_service_covers_area=False)
    rows = help.help_rows(rules.rules_for(settings), "ENG", guardian_covers_area=False)
    row = next(r for r in rows if r.timer is Timer.GUARDIAN_REFERRAL)
    assert row.applies.startswith("Not started here")


def test_scotland_and_northern_ireland_always_have_their_service():
    for nation in (Nation.SCOTLAND, Nation.NORTHERN_IRELAND):
        assert OrganisationSettings(nation=nation, guardian_service_covers_area=False)
        assert OrganisationSettings(
            nation=nation, guardian_service_covers_area=False
        ).guardian_service_applies
    assert not OrganisationSettings(
        nation=Nation.ENGLAND_AND_WALES, guardian_service_covers_area=False
    ).guardian_service_applies


# --- The step on a child's case ------------------------------------------------------------------

NOW = uk(2026, 11, 25, 10, 0)  # Wednesday: due at the end of Friday 27 November


def child_case(world, log_concern, **person):
    person.setdefault("date_of_birth", dt.date(2010, 5, 5))
    return open_case(world, log_concern, **person)


def guardian_clocks(case):
    return Deadline.objects.filter(case=case, timer=Timer.GUARDIAN_REFERRAL)


@pytest.mark.parametrize("nation", ["ENG", "SCT", "NIR"])
def test_a_childs_first_childrens_services_referral_starts_one_guardian_clock(
    world, log_concern, organisation, recipient, nation
):
    organisation.nation = nation
    organisation.holds_duty_to_notify = False
    organisation.save()
    with time_machine.travel(NOW, tick=False):
        case = child_case(world, log_concern)
        start(world, case, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)
        start(world, case, pathway=Pathway.NRM, recipient=recipient)

    clock = guardian_clocks(case).get()
    assert clock.due_at == end_of(2026, 11, 27)
    assert clock.assignee == world.lead


def test_the_guardian_clock_is_overdue_just_after_its_time_not_at_it(
    world, log_concern, organisation, recipient
):
    with time_machine.travel(NOW, tick=False):
        case = child_case(world, log_concern)
        start(world, case, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)
    clock = guardian_clocks(case).get()

    assert not clock.is_overdue(clock.due_at - MICRO)
    assert not clock.is_overdue(clock.due_at)
    assert clock.is_overdue(clock.due_at + MICRO)


def test_the_overdue_view_lists_a_late_guardian_referral(
    client, world, log_concern, organisation, recipient
):
    with time_machine.travel(NOW, tick=False):
        case = child_case(world, log_concern)
        start(world, case, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)
    client.force_login(world.manager)
    with time_machine.travel(end_of(2026, 11, 27) + dt.timedelta(hours=1), tick=False):
        page = client.get(reverse("referrals:overdue")).content.decode()
    assert "Child trafficking guardian referral due" in page


def test_sending_the_guardian_referral_meets_the_clock(world, log_concern, organisation, recipient):
    case = child_case(world, log_concern)
    start(world, case, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)
    guardian = start(world, case, pathway=Pathway.GUARDIAN, recipient=recipient)
    act(world, guardian, "submit")

    clock = guardian_clocks(case).get()
    assert clock.satisfied_at is not None and clock.satisfied_by == "guardian referral sent"
    # Alongside the NRM referral, not one: the referral clock runs on.
    assert Deadline.objects.filter(timer=Timer.REFER, satisfied_at__isnull=True).exists()


def test_a_guardian_referral_sent_first_means_no_clock_starts(
    world, log_concern, organisation, recipient
):
    case = child_case(world, log_concern)
    act(world, start(world, case, pathway=Pathway.GUARDIAN, recipient=recipient), "submit")
    start(world, case, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)
    assert not guardian_clocks(case).exists()


def test_no_guardian_clock_or_referral_where_the_service_does_not_cover_the_area(
    world, log_concern, organisation, recipient
):
    organisation.guardian_service_covers_area = False
    organisation.save()
    case = child_case(world, log_concern)
    start(world, case, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)

    assert not guardian_clocks(case).exists()
    with pytest.raises(ValidationError, match="does not cover your organisation's area"):
        start(world, case, pathway=Pathway.GUARDIAN, recipient=recipient)


def test_no_guardian_referral_for_an_adult(world, log_concern, organisation, recipient):
    case = open_case(world, log_concern)
    start(world, case, pathway=Pathway.NRM, recipient=recipient)

    assert not guardian_clocks(case).exists()
    with pytest.raises(ValidationError, match="A guardian referral is for a child"):
        start(world, case, pathway=Pathway.GUARDIAN, recipient=recipient)


def test_the_database_refuses_a_second_guardian_clock(world, log_concern, organisation, recipient):
    case = child_case(world, log_concern)
    start(world, case, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)
    clock = guardian_clocks(case).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(
            timer=Timer.GUARDIAN_REFERRAL, case=case, starts_at=clock.starts_at, due_at=clock.due_at
        )


def test_the_start_form_offers_the_guardian_referral_by_its_service_name_only_for_a_child(
    client, world, log_concern, organisation
):
    client.force_login(world.lead)
    child = child_case(world, log_concern)
    adult = open_case(world, log_concern, name="Bo")

    child_page = client.get(reverse("referrals:case_referrals", args=[child.reference]))
    adult_page = client.get(reverse("referrals:case_referrals", args=[adult.reference]))

    assert "Guardian referral: the Independent Child Trafficking Guardian (ICTG) service" in (
        child_page.content.decode()
    )
    assert 'value="guardian"' not in adult_page.content.decode()


# --- An age dispute, settled ---------------------------------------------------------------------

SETTLED_ADULT = services.AgeSettlement(
    assessed_on=dt.date(2026, 11, 20),
    method="local_authority",
    assessed_by="Northtown Children's Services",
    outcome="adult",
    assessed_date_of_birth=dt.date(2005, 1, 1),
)


def settle(world, case, settled=SETTLED_ADULT):
    return services.age_dispute_settle(request=request_as(world.lead), case=case, settled=settled)


def disputed_case(world, log_concern):
    return open_case(world, log_concern, date_of_birth=None, estimated_age=19, age_disputed=True)


def test_a_disputed_age_keeps_the_childs_treatment_until_it_is_settled(
    world, log_concern, organisation, recipient
):
    case = disputed_case(world, log_concern)
    assert case.person.may_be_child()
    with pytest.raises(ValidationError, match="never the subject of a Duty to Notify"):
        start(world, case, pathway=Pathway.DUTY_TO_NOTIFY, recipient=recipient)
    childrens = start(world, case, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)
    act(world, childrens, "submit")
    nrm = start(world, case, pathway=Pathway.NRM, recipient=recipient)
    assert guardian_clocks(case).open().exists()

    settle(world, case)
    case.refresh_from_db()

    assert not case.person.may_be_child()
    # The adult rules from now on: consent for the NRM, a Duty to Notify possible.
    with pytest.raises(ValidationError, match="must give informed consent"):
        act(world, nrm, "submit")
    consent(world, nrm)
    assert act(world, nrm, "submit").status == "submitted"
    start(world, case, pathway=Pathway.DUTY_TO_NOTIFY, recipient=recipient)
    # The guardian clock stops; the child referral made earlier stays as it was.
    assert guardian_clocks(case).get().satisfied_by == "age assessed as an adult"
    childrens.refresh_from_db()
    assert childrens.status == "submitted"
    assert case.person.age_disputed  # that it was disputed stays on the record


def test_settled_as_a_child_they_stay_a_child_until_their_assessed_18th_birthday(
    world, log_concern, organisation
):
    case = disputed_case(world, log_concern)
    settle(
        world,
        case,
        services.AgeSettlement(
            assessed_on=dt.date(2026, 11, 20),
            method="local_authority",
            assessed_by="Northtown Children's Services",
            outcome="child",
            assessed_date_of_birth=dt.date(2010, 3, 1),
        ),
    )
    person = Person.objects.get(pk=case.person_id)

    assert person.may_be_child(dt.date(2028, 2, 29))
    assert not person.may_be_child(dt.date(2028, 3, 1))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"assessed_on": None}, "assessed_on"),
        ({"assessed_by": "  "}, "assessed_by"),
        ({"method": "guess"}, "method"),
        ({"outcome": "child", "assessed_date_of_birth": None}, "assessed_date_of_birth"),
        (
            {"outcome": "child", "assessed_date_of_birth": dt.date(2005, 1, 1)},
            "assessed_date_of_birth",
        ),
        ({"assessed_date_of_birth": dt.date(2010, 1, 1)}, "assessed_date_of_birth"),
    ],
)
def test_a_settlement_is_refused_without_what_it_needs(
    world, log_concern, organisation, changes, field
):
    case = disputed_case(world, log_concern)
    settled = services.AgeSettlement(**{**SETTLED_ADULT.__dict__, **changes})
    with pytest.raises(ValidationError) as refused:
        settle(world, case, settled)
    assert field in refused.value.message_dict
    assert not AgeAssessment.objects.exists()


def test_an_adult_never_disputed_has_no_age_to_settle(world, log_concern, organisation):
    case = open_case(world, log_concern)
    with pytest.raises(ValidationError, match="not in question"):
        settle(world, case)


def test_settling_twice_records_one_assessment(world, log_concern, organisation):
    case = disputed_case(world, log_concern)
    settle(world, case)
    with pytest.raises(ValidationError, match="already recorded"):
        settle(world, case)
    assert AgeAssessment.objects.count() == 1


def test_the_database_keeps_a_settlement_whole(world, log_concern, organisation):
    person = disputed_case(world, log_concern).person
    person.age_settled_as = "child"
    person.age_settled_on = dt.date(2026, 11, 20)
    with pytest.raises(IntegrityError), transaction.atomic():
        person.save()


def test_the_age_form_keeps_what_was_typed_and_records_once(
    client, world, log_concern, organisation
):
    case = disputed_case(world, log_concern)
    client.force_login(world.lead)
    address = reverse("referrals:age_settle", args=[case.reference])
    data = {
        "submission_token": "age-1",
        "assessed_on_0": "20",
        "assessed_on_1": "11",
        "assessed_on_2": "2026",
        "method": "local_authority",
        "assessed_by": "Northtown Children's Services",
        "outcome": "child",
    }

    refused = client.post(address, data)  # a child's outcome needs the date of birth
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Northtown Children&#x27;s Services" in page
    assert "Enter the date of birth the assessment gives a child" in page

    data.update(
        assessed_date_of_birth_0="1", assessed_date_of_birth_1="3", assessed_date_of_birth_2="2010"
    )
    first = client.post(address, data)
    again = client.post(address, data)
    assert first.status_code == again.status_code == 302
    assert AgeAssessment.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"assessed_on_0": "40", "assessed_on_1": "13", "assessed_on_2": "x"},
        {"method": "x" * 500, "outcome": "martian", "assessed_by": "y" * 500},
    ],
)
def test_nonsense_on_the_age_form_is_a_form_error_not_a_500(
    client, world, log_concern, organisation, data
):
    case = disputed_case(world, log_concern)
    client.force_login(world.lead)
    response = client.post(reverse("referrals:age_settle", args=[case.reference]), data)
    assert response.status_code == 400
    assert not AgeAssessment.objects.exists()


def test_frontline_cannot_settle_an_age(client, world, log_concern, organisation):
    case = disputed_case(world, log_concern)
    client.force_login(world.frontline)
    data = {"assessed_on_0": "20", "assessed_on_1": "11", "assessed_on_2": "2026"}
    response = client.post(reverse("referrals:age_settle", args=[case.reference]), data)
    assert response.status_code in (403, 404)
    assert not AgeAssessment.objects.exists()


def test_no_guardian_referral_needed_stops_the_clock_with_the_reason(
    client, world, log_concern, organisation, recipient
):
    case = child_case(world, log_concern)
    start(world, case, pathway=Pathway.CHILDRENS_SERVICES, recipient=recipient)
    client.force_login(world.lead)
    address = reverse("referrals:guardian_not_needed", args=[case.reference])

    refused = client.post(address, {"reason": "  "})
    assert refused.status_code == 400 and guardian_clocks(case).open().exists()

    data = {"reason": "Their local authority is not an ICTG site", "submission_token": "g-1"}
    assert client.post(address, data).status_code == 302
    assert client.post(address, data).status_code == 302  # the repeat: one record
    clock = guardian_clocks(case).get()
    assert clock.satisfied_by == "no guardian referral needed"
    assert case.chronology.filter(title="No guardian referral needed").count() == 1


def test_no_guardian_referral_needed_without_an_open_clock_is_refused(
    world, log_concern, organisation
):
    case = child_case(world, log_concern)
    with pytest.raises(ValidationError, match="no open guardian referral deadline"):
        services.guardian_referral_not_needed(
            request=request_as(world.lead), case=case, reason="Has a parent here"
        )


def test_once_settled_the_form_answers_say_how_and_no_longer_disputed(
    world, log_concern, organisation, recipient
):
    from referrals import readiness

    case = disputed_case(world, log_concern)
    settle(world, case)
    person = Person.objects.get(pk=case.person_id)

    assert readiness._under_18(person) == (
        "No: settled as an adult by an age assessment on 20 November 2026"
    )
    assert readiness._age_group(person) == "Adult (18 or over)"
    assert readiness._date_of_birth(person) == "1 January 2005 (from their age assessment)"


def test_two_child_referrals_started_at_once_start_one_guardian_clock(
    transactional_db, world, log_concern, organisation, recipient
):
    from tests.concurrently import race, signed_in_client

    case = child_case(world, log_concern)
    page = reverse("referrals:case_referrals", args=[case.reference])
    lead, colleague = signed_in_client(world.lead), signed_in_client(world.lead)

    # Two leads' tabs, one Children's Services and one NRM referral, queued behind the case.
    first, second = race(
        lambda: Case.objects.select_for_update().get(pk=case.pk),
        lambda: lead.post(page, {"pathway": "childrens_services", "recipient": recipient.pk}),
        lambda: colleague.post(
            page, {"pathway": "nrm", "recipient": recipient.pk, "competent_authority": "sca"}
        ),
    )

    assert (first.status_code, second.status_code) == (302, 302)
    assert guardian_clocks(case).count() == 1
