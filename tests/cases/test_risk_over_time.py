"""Risk over time (issue 19, item 4): the assessments' trend in words, the latest on the
case overview with its date, and each review date reminded by the deadline engine."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases import risk, services
from cases.models import RiskAssessment, RiskLevel
from referrals import tasks
from referrals.deadlines import Timer, end_of_day
from referrals.models import Deadline, Reminder
from safeguard.choices import Nation
from safeguard.models import OrganisationSettings
from tests.auth import request_as
from tests.cases.factories import case_in

UK = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=UK)  # a Tuesday
H, M, L = RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW
SUMMARY = "Synthetic: the exploiter knows where she lives."


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(world):
    org = OrganisationSettings.load()
    org.nation = Nation.ENGLAND_AND_WALES
    org.save()
    return case_in(world, name="Synthetic Miss G")


def assess(case, user, level, review_on):
    return services.risk_assessment_add(
        request=request_as(user),
        assessment=RiskAssessment(case=case, level=level, summary=SUMMARY, review_on=review_on),
    )


@pytest.mark.parametrize(
    ("levels", "direction", "text", "fallen"),
    [
        ([], "none", "No risk assessment is recorded.", False),
        ([H], "none", "One assessment so far: High.", False),
        ([L], "none", "One assessment so far: Low.", True),
        ([H, M, L], "fallen", "Fallen from High to Low over 3 assessments.", True),
        ([H, L, H], "unchanged", "Still High, as at the first of 3 assessments.", False),
        ([M, H], "risen", "Risen from Medium to High over 2 assessments.", False),
        ([H, "not_assessed", M], "fallen", "Fallen from High to Medium over 2 assessments.", True),
    ],
)  # fmt: skip
def test_the_trend_says_in_words_where_risk_went_from_the_first_to_the_latest(
    levels, direction, text, fallen
):
    trend = risk.trend(levels)

    assert (trend.direction, trend.text, trend.has_fallen) == (direction, text, fallen)


def test_each_assessment_says_how_it_moved_from_the_one_before():
    assert risk.changes([H, M, M, H]) == [
        "First assessment",
        "↓ Fallen from High",
        "→ No change",
        "↑ Risen from Medium",
    ]


def test_the_risk_page_shows_the_assessments_oldest_first_with_the_trend(
    client, world, case, frozen
):
    assess(case, world.lead, H, NOW.date() + dt.timedelta(days=14))
    frozen.move_to(NOW + dt.timedelta(days=14))
    assess(case, world.lead, L, NOW.date() + dt.timedelta(days=60))
    client.force_login(world.lead)

    page = client.get(reverse("cases:case_risk", kwargs={"reference": case.reference})).text

    assert "Fallen from High to Low over 2 assessments." in page
    assert page.index("10 Mar 2026") < page.index("24 Mar 2026")
    assert "↓ Fallen from High" in page


def test_the_overview_shows_the_latest_assessment_with_its_date_and_the_trend(
    client, world, case, frozen
):
    assess(case, world.lead, H, NOW.date() + dt.timedelta(days=14))
    frozen.move_to(NOW + dt.timedelta(days=14))
    assess(case, world.lead, M, NOW.date() + dt.timedelta(days=60))
    client.force_login(world.lead)

    page = client.get(reverse("cases:case_detail", kwargs={"reference": case.reference})).text

    assert "Last assessed on 24 March 2026 by Lee Lead" in page
    assert "Fallen from High to Medium over 2 assessments." in page


def test_a_review_date_is_a_deadline_reminded_without_content_and_met_by_the_next_assessment(
    world, case, frozen, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    queued = []
    monkeypatch.setattr(tasks.send_reminder, "delay", queued.append)
    review_on = dt.date(2026, 3, 20)  # a Friday
    first = assess(case, world.lead, H, review_on)

    review = Deadline.objects.get(case=case, timer=Timer.RISK_REVIEW)
    assert review.due_at == end_of_day(review_on)
    assert review.assignee == world.lead

    def sweep_at(moment):
        frozen.move_to(moment)
        with django_capture_on_commit_callbacks(execute=True):
            tasks.sweep()
        for pk in queued:
            tasks.send_reminder.run(pk)
        queued.clear()

    sweep_at(review.next_reminder_at - dt.timedelta(minutes=1))
    assert not Reminder.objects.filter(deadline=review).exists()
    sweep_at(review.next_reminder_at)
    assert Reminder.objects.filter(deadline=review, status=Reminder.Status.SENT).count() == 1
    sweep_at(review.due_at)
    sweep_at(review.due_at + dt.timedelta(days=3))  # overdue: chased
    assert Reminder.objects.filter(deadline=review, stage="overdue").exists()
    assert mailoutbox
    for message in mailoutbox:
        assert SUMMARY not in message.body and "Miss G" not in message.body
        assert case.reference in message.body

    assess(case, world.lead, M, dt.date(2026, 4, 30))

    review.refresh_from_db()
    assert review.satisfied_by == "risk assessed again"
    following = Deadline.objects.open().get(case=case, timer=Timer.RISK_REVIEW)
    assert following.due_at == end_of_day(dt.date(2026, 4, 30))
    assert first.pk != following.pk
