"""Who has viewed this case: one row per person per UK day, with a count (issue 19, item 6)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguard.models import AuditEvent
from safeguard.selectors import audit_viewers_by_day
from tests.cases.factories import case_in

pytestmark = pytest.mark.django_db

AFTERNOON = dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.UTC)


def viewed(case, user, at, detail=""):
    AuditEvent.objects.create(
        actor=user,
        action=AuditEvent.Action.VIEW,
        object_type="case",
        object_id=str(case.pk),
        reference=case.reference,
        at=at,
        detail=detail,
    )


def rows(case):
    return [
        (row["actor_name"], row["day"], row["views"])
        for row in audit_viewers_by_day(object_type="case", object_id=case.pk)
    ]


def test_twenty_views_in_an_afternoon_are_one_row_with_a_count(world):
    case = case_in(world)
    for minute in range(20):
        viewed(case, world.lead, AFTERNOON + dt.timedelta(minutes=7 * minute))
    viewed(case, world.manager, AFTERNOON)

    [lead, manager] = sorted(
        audit_viewers_by_day(object_type="case", object_id=case.pk), key=lambda r: r["views"]
    )[::-1]

    assert (lead["actor_name"], lead["views"]) == ("Lee Lead", 20)
    assert lead["first"] == AFTERNOON
    assert lead["last"] == AFTERNOON + dt.timedelta(minutes=133)
    assert (manager["actor_name"], manager["views"]) == ("Mo Manager", 1)


@pytest.mark.parametrize(
    ("late", "early", "days"),
    [
        # Summer: 23:30 UTC is 00:30 the next day in the UK.
        (
            dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC),
            dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC),
            2,
        ),
        # Winter: UK time is UTC, both are 1 January.
        (
            dt.datetime(2026, 1, 1, 22, 30, tzinfo=dt.UTC),
            dt.datetime(2026, 1, 1, 23, 30, tzinfo=dt.UTC),
            1,
        ),
    ],
)
def test_the_day_is_the_uk_day_across_midnight(world, late, early, days):
    case = case_in(world)
    viewed(case, world.lead, late)
    viewed(case, world.lead, early)

    assert len(rows(case)) == days


def test_the_day_the_clocks_go_back_is_one_day_of_25_hours(world):
    case = case_in(world)
    viewed(case, world.lead, dt.datetime(2026, 10, 24, 22, 59, tzinfo=dt.UTC))  # 23:59 BST, 24th
    viewed(case, world.lead, dt.datetime(2026, 10, 24, 23, 0, tzinfo=dt.UTC))  # 00:00 BST, 25th
    viewed(case, world.lead, dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC))  # 01:30 BST
    viewed(case, world.lead, dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC))  # 01:30 GMT
    viewed(case, world.lead, dt.datetime(2026, 10, 25, 23, 59, tzinfo=dt.UTC))  # 23:59 GMT

    assert rows(case) == [
        ("Lee Lead", dt.date(2026, 10, 25), 4),
        ("Lee Lead", dt.date(2026, 10, 24), 1),
    ]


def test_the_day_the_clocks_go_forward_is_one_day_of_23_hours(world):
    case = case_in(world)
    viewed(case, world.lead, dt.datetime(2026, 3, 28, 23, 59, tzinfo=dt.UTC))  # 23:59 GMT, 28th
    viewed(case, world.lead, dt.datetime(2026, 3, 29, 0, 0, tzinfo=dt.UTC))  # 00:00 GMT, 29th
    viewed(case, world.lead, dt.datetime(2026, 3, 29, 22, 59, tzinfo=dt.UTC))  # 23:59 BST
    viewed(case, world.lead, dt.datetime(2026, 3, 29, 23, 0, tzinfo=dt.UTC))  # 00:00 BST, 30th

    assert rows(case) == [
        ("Lee Lead", dt.date(2026, 3, 30), 1),
        ("Lee Lead", dt.date(2026, 3, 29), 2),
        ("Lee Lead", dt.date(2026, 3, 28), 1),
    ]


def test_the_panel_shows_the_count_and_the_first_and_last_uk_times(client, world):
    case = case_in(world)
    summer = dt.datetime(2026, 7, 1, 12, 5, tzinfo=dt.UTC)
    for n in range(20):
        viewed(case, world.manager, summer + dt.timedelta(minutes=10 * n))
    viewed(case, world.manager, summer + dt.timedelta(days=1), detail="existence only")
    client.force_login(world.lead)

    with time_machine.travel(dt.datetime(2026, 7, 3, 9, tzinfo=dt.UTC), tick=False):
        html = client.get(reverse("cases:case_detail", args=[case.reference])).text

    panel = html[html.index('id="viewers"') :]
    assert "Lee Lead,\n              3 Jul 2026" in panel
    assert "Mo Manager,\n              1 Jul 2026:" in panel
    assert "20 times" in panel and "13:05</time> to" in panel and "16:15</time>" in panel
    assert panel.count("Mo Manager") == 2
    assert "once at" in panel and "(saw only that it is restricted)" in panel


def test_the_panel_is_one_query_however_many_views(world, client, django_assert_num_queries):
    case = case_in(world)
    client.force_login(world.lead)
    page = reverse("cases:case_detail", args=[case.reference])

    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        return len(queries)

    viewed(case, world.manager, AFTERNOON)
    with django_assert_num_queries(1):
        list(audit_viewers_by_day(object_type="case", object_id=case.pk)[:20])
    page_queries()  # the first request of a session makes its own
    few = page_queries()
    for n in range(50):
        viewed(case, world.lead if n % 2 else world.manager, AFTERNOON - dt.timedelta(hours=n))

    assert page_queries() == few
