"""The person who raised a concern hears the stage it reaches (issue 19, item 5): triaged,
taken on as a case, referred, closed. Once per concern and stage, in-app and on "Your
concerns", with nothing from the record; a restricted case tells them no more than that it
reached the team."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import closing, selectors, services, updates
from cases.models import ReporterStage, ReporterUpdate, TriageOutcome
from contacts.models import Organisation
from referrals import services as referral_services
from safeguard.choices import Pathway
from safeguard.models import Notification
from tests.auth import request_as

UK = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=UK)
NAME = "Maria Popescu"
# What the record holds that the reporter must never be sent back.
RECORD_WORDS = [
    "Maria",
    "Popescu",
    "Station Road",
    "passport",
    "Lee Lead",
    "North team",
    "Moved to a refuge",
    "Synthetic Support Service",
    "No further action",
    "Signpost",
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def service(db):
    return Organisation.objects.create(name="Synthetic Support Service", coverage_national=True)


def triage(world, concern, outcome=TriageOutcome.NEW_CASE, **fields):
    # These tests are not about duplicates: the lead confirms whatever matched.
    matched = [c for *_, cases in selectors.close_matches(concern.person) for c in cases]
    fields.setdefault("duplicates_checked", services.duplicates_token(matched))
    return services.concern_triage(
        request=request_as(world.lead), concern=concern, outcome=outcome, **fields
    )


def refer(world, case, recipient):
    referral = referral_services.referral_create(
        request=request_as(world.lead),
        case=case,
        pathway=Pathway.SUPPORT_SERVICE,
        recipient=recipient,
    )
    return referral_services.referral_transition(
        request=request_as(world.lead), referral=referral, action="submit", confirm_missing=True
    )


def close(world, case):
    unmet = closing.unmet(
        closing.closing_checks(case, closing.case_facts(case), closing.Confirmed())
    )
    return services.case_close(
        request=request_as(world.lead),
        case=case,
        reason="Moved to a refuge out of the area",
        confirmed=closing.Confirmed(),
        overrides={check.code: "Handed over to the refuge" for check in unmet},
    )


def reopen(world, case):
    services.case_reopen(request=request_as(world.lead), case=case, reason="New information")


def told(user):
    return list(Notification.objects.filter(user=user).order_by("created_at", "pk"))


def assert_content_free(notes):
    for note in notes:
        for word in RECORD_WORDS:
            assert word.lower() not in note.title.lower(), (word, note.title)
        assert note.url == reverse("cases:my_concerns")


def stages(concern):
    return list(concern.updates.values_list("stage", flat=True))


def test_each_stage_tells_the_reporter_once_without_content(world, log_concern, service):
    concern = log_concern(world.frontline, name=NAME, estimated_age=30)

    triage(world, concern)
    concern.refresh_from_db()
    refer(world, concern.case, service)
    refer(world, concern.case, service)  # a second referral is not a new stage
    close(world, concern.case)

    notes = told(world.frontline)
    assert [n.title for n in notes] == [
        f"Your concern {concern.reference} has been looked at by the safeguarding team.",
        f"The safeguarding team has taken your concern {concern.reference} on as a case.",
        f"The safeguarding team has made a referral about your concern {concern.reference}.",
        f"The safeguarding team has finished its work on your concern {concern.reference}.",
    ]
    assert_content_free(notes)
    assert stages(concern) == ["triaged", "case_opened", "referred", "closed"]
    assert not Notification.objects.exclude(user=world.frontline).exists()


def test_no_further_action_tells_only_that_it_was_looked_at(world, log_concern):
    concern = log_concern(world.frontline, name=NAME, estimated_age=30)

    triage(world, concern, TriageOutcome.NO_FURTHER_ACTION, reason="No indicators")

    [note] = told(world.frontline)
    assert note.title.endswith("has been looked at by the safeguarding team.")
    assert_content_free([note])


def test_a_stage_told_again_tells_no_one_and_the_database_refuses_a_second_row(world, log_concern):
    concern = log_concern(world.frontline, name=NAME, estimated_age=30)
    triage(world, concern, TriageOutcome.NO_FURTHER_ACTION, reason="No indicators")

    again = updates.concern_stage_tell(concern=concern, stage=ReporterStage.TRIAGED)

    assert again is None
    assert len(told(world.frontline)) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ReporterUpdate.objects.create(concern=concern, stage=ReporterStage.TRIAGED)


def test_a_concern_added_to_an_existing_case_hears_each_later_stage_once(
    world, log_concern, service
):
    first = log_concern(world.frontline, name=NAME, estimated_age=30)
    triage(world, first)
    first.refresh_from_db()
    refer(world, first.case, service)
    second = log_concern(world.manager, person=first.person)

    triage(world, second, TriageOutcome.EXISTING_CASE, case=first.case)
    triage(world, second, TriageOutcome.EXISTING_CASE, case=first.case)  # a second click
    # A referral made before the concern was added is not its news.
    assert stages(second) == ["triaged", "case_opened"]
    refer(world, first.case, service)
    close(world, first.case)

    assert stages(second) == ["triaged", "case_opened", "referred", "closed"]
    assert len(told(world.manager)) == 4
    assert stages(first) == ["triaged", "case_opened", "referred", "closed"]
    assert len(told(world.frontline)) == 4


def test_merged_records_still_tell_each_concern_once(world, log_concern, service):
    one = log_concern(world.frontline, name=NAME, estimated_age=30)
    two = log_concern(world.frontline, name="Popescu, Maria", estimated_age=30)
    triage(world, one)
    triage(world, two)
    one.refresh_from_db()
    two.refresh_from_db()

    services.person_merge(
        request=request_as(world.lead), survivor=one.person, merged=two.person, reason="Same"
    )
    refer(world, one.case, service)
    refer(world, two.case, service)
    close(world, one.case)

    assert stages(one) == ["triaged", "case_opened", "referred", "closed"]
    assert stages(two) == ["triaged", "case_opened", "referred"]
    assert len(told(world.frontline)) == 7


def test_a_case_reopened_and_closed_again_is_not_told_as_closed_twice(world, log_concern, frozen):
    concern = log_concern(world.frontline, name=NAME, estimated_age=30)
    triage(world, concern)
    concern.refresh_from_db()
    close(world, concern.case)
    frozen.shift(dt.timedelta(days=3))

    reopen(world, concern.case)
    close(world, concern.case)

    assert stages(concern) == ["triaged", "case_opened", "closed"]
    assert concern.updates.get(stage=ReporterStage.CLOSED).at == NOW
    assert len(told(world.frontline)) == 3


def test_a_restricted_case_tells_its_reporter_nothing_after_it_reached_the_team(
    world, log_concern, service
):
    concern = log_concern(world.frontline, name=NAME, estimated_age=30)
    triage(world, concern)
    concern.refresh_from_db()
    services.case_set_restriction(
        request=request_as(world.lead), case=concern.case, restricted=True, members=[]
    )
    later = log_concern(world.manager, person=concern.person)

    triage(world, later, TriageOutcome.EXISTING_CASE, case=concern.case)
    refer(world, concern.case, service)
    close(world, concern.case)

    assert stages(concern) == ["triaged", "case_opened"]
    assert stages(later) == ["triaged"]


def test_your_concerns_shows_each_concerns_stage_and_date(world, log_concern, client, frozen):
    waiting = log_concern(world.frontline, name=NAME, estimated_age=30)
    frozen.shift(dt.timedelta(days=1))
    taken_on = log_concern(world.frontline, name="Another Person", estimated_age=30)
    triage(world, taken_on)
    client.force_login(world.frontline)

    text = client.get(reverse("cases:my_concerns")).text

    waiting_row = text[text.index(waiting.reference) :]
    taken_row = text[text.index(taken_on.reference) : text.index(waiting.reference)]
    assert "Taken on as a case" in taken_row and "11 Mar 2026" in taken_row
    assert "Waiting to be looked at" in waiting_row and "10 Mar 2026" in waiting_row
    assert "Looked at by the safeguarding team" not in taken_row  # only the latest


def test_your_concerns_asks_the_same_queries_for_one_concern_and_for_twenty(
    world, log_concern, client
):
    client.force_login(world.frontline)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cases:my_concerns")).status_code == 200
        return len(queries)

    triage(world, log_concern(world.frontline, name=NAME, estimated_age=30))
    one = count()
    for n in range(19):
        triage(world, log_concern(world.frontline, name=f"Person {n}", estimated_age=30))

    assert count() == one


def test_the_reporter_still_cannot_open_the_case(world, log_concern, client):
    concern = log_concern(world.frontline, name=NAME, estimated_age=30)
    triage(world, concern)
    concern.refresh_from_db()
    client.force_login(world.frontline)

    response = client.get(reverse("cases:case_detail", args=[concern.case.reference]))
    notes = client.get(reverse("notifications")).text

    assert response.status_code == 404
    assert concern.case.reference not in notes
    assert NAME not in notes
