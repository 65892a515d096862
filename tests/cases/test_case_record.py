"""The case record the Competent Authority decides on: situations, who exploited them, the
police. Recorded once on the case, by its leads; read by whoever may read the case."""

import re

import pytest
from django.urls import reverse

from cases.models import (
    ChronologyEntry,
    ExploitationSituation,
    Exploiter,
    PoliceReport,
)
from safeguard.models import AuditEvent
from tests.cases.factories import CaseFactory

SITUATION = {
    "started_on_0": "3",
    "started_on_1": "2",
    "started_on_2": "2025",
    "ended_on_0": "",
    "ended_on_1": "",
    "ended_on_2": "",
    "dates_approximate": "on",
    "uk_places": "Leeds\nBradford",
    "countries": "Romania",
    "kinds": ["forced_work", "wages_taken"],
    "how_it_started": "Offered a job at a car wash by a cousin's friend.",
    "journey": "Coach to London, paid for by the recruiter.",
    "work_and_hours": "Washing cars, 7am to 9pm, seven days a week.",
    "living_conditions": "Eight men in a two-bedroom flat above the car wash.",
    "control": "Passport kept by the boss; told she owed £3,000.",
    "how_it_ended": "Left when a customer gave her the helpline number.",
    "under_18_during": "no",
}


@pytest.fixture
def case(world):
    return CaseFactory(
        person__name="Record Person",
        person__created_by=world.lead,
        team=world.north,
        lead=world.lead,
    )


def add(client, case, part, data):
    return client.post(reverse("cases:case_record_add", args=[case.reference, part]), data)


def test_a_lead_records_a_situation_and_everyone_on_the_case_reads_it(client, world, case):
    client.force_login(world.lead)

    response = add(client, case, "situation", SITUATION)

    assert response.status_code == 302
    situation = ExploitationSituation.objects.get(case=case)
    assert situation.kinds == ["forced_work", "wages_taken"]
    assert situation.started_on.isoformat() == "2025-02-03" and situation.ended_on is None
    page = client.get(reverse("cases:case_record", args=[case.reference])).text
    assert "Offered a job at a car wash" in page
    assert "Made to work; Pay or earnings taken from them" in page
    assert "3 February 2025" in page
    assert ChronologyEntry.objects.filter(
        case=case, title="Case record: exploitation situation added"
    ).exists()
    created = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, reference=case.reference)
    assert "exploitationsituation.control" in created.changed_fields
    assert "Passport" not in str(created.changed_fields) + created.detail


def test_a_situation_with_an_end_before_its_start_keeps_what_was_typed(client, world, case):
    client.force_login(world.lead)

    response = add(client, case, "situation", {**SITUATION, "ended_on_0": "1", "ended_on_1": "1",
                                                "ended_on_2": "2025"})  # fmt: skip

    assert response.status_code == 200
    assert "The end must be the same as or after the start" in response.text
    assert "Eight men in a two-bedroom flat" in response.text
    assert not ExploitationSituation.objects.exists()


def test_a_kind_not_on_the_list_is_refused_and_a_long_account_is_kept(client, world, case):
    client.force_login(world.lead)

    refused = add(client, case, "situation", {**SITUATION, "kinds": ["made_up"]})
    long = add(client, case, "situation", {**SITUATION, "how_it_started": "x" * 50_000})

    assert refused.status_code == 200 and "Select a valid choice" in refused.text
    assert long.status_code == 302
    assert len(ExploitationSituation.objects.get().how_it_started) == 50_000


def test_exploiters_and_police_are_recorded_and_changed(client, world, case):
    client.force_login(world.lead)
    add(client, case, "exploiter", {"names": "Marius", "gender": "male", "vehicles": "BD51 SMR"})
    police = {"reported": "yes", "forces": "West Yorkshire Police",
              "crime_reference": "13/123456/26", "cooperating": "not_sure"}  # fmt: skip
    add(client, case, "police", police)
    exploiter = Exploiter.objects.get(case=case)

    changed = client.post(
        reverse("cases:case_record_edit", args=[case.reference, "exploiter", exploiter.pk]),
        {"names": "Marius Pop", "gender": "male", "vehicles": "BD51 SMR"},
    )

    assert changed.status_code == 302
    assert Exploiter.objects.get().names == "Marius Pop"
    police = PoliceReport.objects.get(case=case)
    assert (police.get_reported_display(), police.crime_reference) == ("Yes", "13/123456/26")
    page = client.get(reverse("cases:case_record", args=[case.reference])).text
    assert "Marius Pop" in page and "West Yorkshire Police" in page


def test_a_police_report_needs_to_say_whether_it_was_reported(client, world, case):
    client.force_login(world.lead)

    response = add(client, case, "police", {"forces": "Merseyside Police"})

    assert "Select whether it was reported to the police" in response.text
    assert 'value="Merseyside Police"' in response.text


def test_the_same_form_sent_twice_records_one_situation(client, world, case):
    client.force_login(world.lead)
    page = client.get(reverse("cases:case_record_add", args=[case.reference, "situation"])).text
    token = re.search(r'name="submission_token" value="([^"]+)"', page).group(1)

    for _ in range(2):
        add(client, case, "situation", {**SITUATION, "submission_token": token})

    assert ExploitationSituation.objects.count() == 1


def test_a_part_of_another_case_or_an_unknown_part_is_not_found(client, world, case):
    other = CaseFactory(person=case.person, team=world.north, lead=world.lead)
    exploiter = Exploiter.objects.create(case=other, names="Someone")
    client.force_login(world.lead)

    wrong_case = reverse("cases:case_record_edit", args=[case.reference, "exploiter", exploiter.pk])
    unknown = reverse("cases:case_record_add", args=[case.reference, "pets"])

    assert client.get(wrong_case).status_code == 404
    assert client.get(unknown).status_code == 404


def test_frontline_reads_the_record_of_a_case_they_are_on_but_cannot_change_it(client, world, case):
    case.members.add(world.frontline)
    client.force_login(world.frontline)

    assert client.get(reverse("cases:case_record", args=[case.reference])).status_code == 200
    assert add(client, case, "situation", SITUATION).status_code == 403
    assert not ExploitationSituation.objects.exists()


def test_another_teams_lead_cannot_tell_the_record_exists(client, world, case):
    client.force_login(world.lead_south)

    assert client.get(reverse("cases:case_record", args=[case.reference])).status_code == 404
    assert add(client, case, "situation", SITUATION).status_code == 404


def test_a_part_the_case_has_one_of_is_changed_never_added_twice(client, world, case):
    from django.db import IntegrityError, transaction

    from cases.models import WhereNow

    client.force_login(world.lead)
    first = add(
        client, case, "where-now", {"where_now": "A refuge in Demo Town", "email_safe": "no"}
    )
    again = client.get(reverse("cases:case_record_add", args=[case.reference, "where-now"]))

    assert first.status_code == 302
    where = WhereNow.objects.get(case=case)
    assert again["Location"] == reverse(
        "cases:case_record_edit", args=[case.reference, "where-now", where.pk]
    )
    page = client.get(reverse("cases:case_record", args=[case.reference])).text
    assert "A refuge in Demo Town" in page and "Add where they are now" not in page
    with pytest.raises(IntegrityError), transaction.atomic():
        WhereNow.objects.create(case=case, where_now="A second answer")


def test_background_first_responder_and_interview_are_recorded(client, world, case):
    client.force_login(world.lead)

    add(client, case, "background", {"place_of_birth": "Demo City", "children": "0"})
    add(client, case, "first-responder", {"name": "Lee Lead", "organisation": "Demo Council",
        "local_authority_contacted_on_0": "1", "local_authority_contacted_on_1": "12",
        "local_authority_contacted_on_2": "2026"})  # fmt: skip
    add(client, case, "interview", {"judgement": "Consistent, and frightened of the employer."})

    page = client.get(reverse("cases:case_record", args=[case.reference])).text
    assert "Demo City" in page and "How many children they have" in page
    assert "Demo Council" in page and "1 December 2026" in page
    assert "frightened of the employer" in page


def test_a_number_of_children_that_is_not_a_number_keeps_what_was_typed(client, world, case):
    client.force_login(world.lead)

    response = add(client, case, "background", {"place_of_birth": "Demo City", "children": "two"})

    assert "Enter how many children, as a number" in response.text
    assert 'value="Demo City"' in response.text


def test_a_second_part_the_case_has_one_of_is_refused_with_a_message_not_an_error(world, case):
    from django.core.exceptions import ValidationError

    from cases import services
    from cases.models import Interview
    from tests.auth import request_as

    Interview.objects.create(case=case, judgement="First answer")

    with pytest.raises(ValidationError, match="already has its interview"):
        services.case_record_save(
            request=request_as(world.lead),
            part=Interview(case=case, judgement="Sent from another tab"),
            changed_fields=["judgement"],
        )
    assert list(Interview.objects.values_list("judgement", flat=True)) == ["First answer"]
