"""Managers' statistics: every figure against a hand-built dataset with known answers, the
small-number suppression in exports, who may open them, and a query count that does not grow.

The clock is pinned at Monday 15 June 2026, 13:00 UK time (BST); the default period is the
twelve months July 2025 to June 2026.
"""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import statistics
from dashboards.statistics import Cell, Kind, Period, Scope
from referrals.deadlines import UK, Timer
from referrals.models import Decision
from referrals.services import NO_REFERRAL
from safeguard.choices import Pathway
from safeguard.models import AuditEvent
from tests.cases.factories import CaseFactory, ConcernFactory, PersonFactory
from tests.dates import uk
from tests.referrals.factories import DeadlineFactory, DecisionFactory, ReferralFactory

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DEFAULT = Period(dt.date(2025, 7, 1), dt.date(2026, 6, 15))
RG, CG = Decision.Kind.RG, Decision.Kind.CG
POSITIVE, NEGATIVE = Decision.Outcome.POSITIVE, Decision.Outcome.NEGATIVE


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=UK)


@pytest.fixture
def data(world, reference_data):
    """Seven concerns in the period (one outside it, one in a restricted case), five submitted
    referrals (one draft, one restricted), RG and CG decisions, referral clocks and overdue
    deadlines. The expected figures are worked out by hand in each test."""
    w, north, south = world, world.north, world.south
    adult = PersonFactory(
        created_by=w.lead,
        date_of_birth=dt.date(2000, 3, 10),
        gender="female",
        nationalities="Romanian",
    )
    child = PersonFactory(
        created_by=w.lead,
        date_of_birth=dt.date(2009, 6, 20),
        gender="male",
        nationalities="Vietnamese",
    )
    eighteen_that_day = PersonFactory(
        created_by=w.lead,
        date_of_birth=dt.date(2008, 6, 10),
        gender="male",
        nationalities="Albanian",
    )
    seventeen_that_day = PersonFactory(
        created_by=w.lead,
        date_of_birth=dt.date(2008, 6, 11),
        gender="female",
        nationalities="Albanian",
    )
    estimated_adult = PersonFactory(
        created_by=w.lead, estimated_age=30, gender="other", nationalities=""
    )
    disputed = PersonFactory(
        created_by=w.lead,
        estimated_age=19,
        age_disputed=True,
        gender="male",
        nationalities=" Eritrean ",
    )
    unknown = PersonFactory(created_by=w.lead, nationalities="Not known")
    hidden = PersonFactory(
        created_by=w.lead,
        date_of_birth=dt.date(1990, 1, 1),
        gender="female",
        nationalities="Hiddenland",
    )

    case_a = CaseFactory(person=adult, team=north, lead=w.lead)
    case_south = CaseFactory(person=estimated_adult, team=south, lead=w.lead_south)
    restricted = CaseFactory(person=hidden, team=north, lead=w.lead, restricted=True)

    def log(who, when, types=(), team=north, **kw):
        return ConcernFactory(
            reporter=w.frontline,
            team=team,
            person=who,
            submitted_at=when,
            exploitation_types=types,
            **kw,
        )

    c1 = log(adult, uk(2026, 1, 3, 9), ["sexual", "labour"], case=case_a)
    c2 = log(child, uk(2026, 2, 1), ["criminal"], observed_at=uk(2026, 1, 31))
    log(eighteen_that_day, uk(2026, 6, 10, 15), ["labour"])
    log(seventeen_that_day, uk(2026, 6, 10, 15))
    c5 = log(estimated_adult, uk(2026, 3, 1), ["labour"], team=south, case=case_south)
    c6 = log(disputed, uk(2026, 3, 2), ["domestic_servitude"])
    log(unknown, uk(2026, 3, 31, 23, 30))  # still March in UK time (22:30 UTC)
    log(adult, uk(2025, 6, 30, 23, 30), ["sexual"])  # before the period
    log(hidden, uk(2026, 2, 5), ["organ_harvesting"], case=restricted)

    rf1 = ReferralFactory(case=case_a, pathway=Pathway.NRM, submitted_at=uk(2026, 1, 5, 10))
    rf2 = ReferralFactory(case=case_a, pathway=Pathway.NRM, submitted_at=uk(2026, 2, 2, 10))
    ReferralFactory(case=case_south, pathway=Pathway.DUTY_TO_NOTIFY, submitted_at=uk(2026, 3, 3))
    ReferralFactory(case=case_a, pathway=Pathway.CHILDRENS_SERVICES, submitted_at=uk(2026, 3, 4))
    rf7 = ReferralFactory(case=case_a, pathway=Pathway.NRM, submitted_at=uk(2026, 4, 2, 10))
    ReferralFactory(case=case_a, pathway=Pathway.POLICE)  # a draft: never submitted
    rf_hidden = ReferralFactory(case=restricted, pathway=Pathway.NRM, submitted_at=uk(2026, 2, 6))

    # RG decisions: 4 days (in time), 14 days (late), 11 days across Easter (in time: Good
    # Friday and Easter Monday are not working days, so 5 working days end on 13 April).
    for ref, due, received in [
        (rf1, dt.date(2026, 1, 12), dt.date(2026, 1, 9)),
        (rf2, dt.date(2026, 2, 9), dt.date(2026, 2, 16)),
        (rf7, dt.date(2026, 4, 13), dt.date(2026, 4, 13)),
        (rf_hidden, dt.date(2026, 2, 13), dt.date(2026, 2, 10)),
    ]:
        DeadlineFactory(
            timer=Timer.RG_DECISION,
            case=ref.case,
            referral=ref,
            starts_at=ref.submitted_at,
            due_at=end_of(due),
            satisfied_at=dt.datetime.combine(received, dt.time(12), tzinfo=UK),
        )
    DecisionFactory(referral=rf1, kind=RG, outcome=POSITIVE, received_on=dt.date(2026, 1, 9))
    DecisionFactory(referral=rf2, kind=RG, outcome=NEGATIVE, received_on=dt.date(2026, 2, 16))
    DecisionFactory(referral=rf7, kind=RG, outcome=POSITIVE, received_on=dt.date(2026, 4, 13))
    DecisionFactory(referral=rf1, kind=CG, outcome=POSITIVE, received_on=dt.date(2026, 4, 20))
    DecisionFactory(referral=rf_hidden, kind=RG, outcome=NEGATIVE, received_on=dt.date(2026, 2, 10))
    # A later RG on reconsideration is not the first RG decision: not timed again.
    DecisionFactory(
        referral=rf2,
        kind=Decision.Kind.RECONSIDERATION,
        outcome=NEGATIVE,
        received_on=dt.date(2026, 3, 20),
    )

    # Referral clocks (48 hours): 24, 60 (late), 36 and 12 hours; one stopped by a decision
    # not to refer and one still running are not timed.
    for ref_concern, hours in [(c1, 24), (c2, 60), (c5, 36), (c6, 12)]:
        start = ref_concern.observed_at
        DeadlineFactory(
            timer=Timer.REFER,
            concern=ref_concern,
            case=ref_concern.case,
            starts_at=start,
            due_at=start + 48 * HOUR,
            satisfied_at=start + hours * HOUR,
            satisfied_by="NRM submitted",
        )
    nfa = log(unknown, uk(2026, 5, 1))
    DeadlineFactory(
        timer=Timer.REFER,
        concern=nfa,
        starts_at=uk(2026, 5, 1),
        due_at=uk(2026, 5, 3),
        satisfied_at=uk(2026, 5, 1, 2),
        satisfied_by=f"{NO_REFERRAL}: nfa",
    )
    DeadlineFactory(
        timer=Timer.REFER, concern=nfa, starts_at=uk(2026, 6, 14), due_at=uk(2026, 6, 16)
    )

    # Overdue at month ends: March 1, April 3, May 1, June (now) 1.
    DeadlineFactory(case=case_a, due_at=uk(2026, 3, 15), satisfied_at=uk(2026, 5, 2))
    DeadlineFactory(case=case_a, due_at=uk(2026, 4, 20))
    DeadlineFactory(case=case_a, due_at=uk(2026, 4, 1), cancelled_at=uk(2026, 5, 10))
    DeadlineFactory(timer=Timer.CG_NOT_BEFORE, case=case_a, due_at=uk(2026, 3, 1), is_earliest=True)
    DeadlineFactory(case=restricted, due_at=uk(2026, 3, 1))
    return world


def figure(world, slug, period=DEFAULT, team=None):
    return statistics.figure(slug, Scope(user=world.manager, period=period, now=NOW, team=team))


def table(result) -> dict[str, list[str]]:
    return {label: [cell.display() for cell in cells] for label, cells in result.rows}


# --- Each figure -------------------------------------------------------------------------------


def test_concerns_and_referrals_by_uk_month_over_the_last_twelve_months(data):
    result = table(figure(data, "by-month"))

    assert list(result)[::11] == ["Jul 2025", "Jun 2026"]
    assert len(result) == 12
    assert result["Jan 2026"] == ["1", "1"]
    assert result["Feb 2026"] == ["1", "1"]  # the restricted case's are left out
    # 23:30 on 31 March is March in the UK, though April had begun nowhere.
    assert result["Mar 2026"] == ["3", "2"]
    assert result["Apr 2026"] == ["0", "1"]
    assert result["May 2026"] == ["1", "0"]
    assert result["Jun 2026"] == ["2", "0"]
    assert result["Dec 2025"] == ["0", "0"]


def test_concerns_by_exploitation_type_count_each_type_named(data):
    result = table(figure(data, "exploitation-type"))

    assert result["Sexual exploitation"] == ["1"]
    assert result["Labour exploitation"] == ["3"]
    assert result["Criminal exploitation (including county lines)"] == ["1"]
    assert result["Domestic servitude"] == ["1"]
    assert result["Organ harvesting"] == ["0"]  # only in the restricted case
    assert result["None recorded"] == ["3"]


def test_age_at_exploitation_counts_the_18th_birthday_as_adult_and_a_disputed_age_as_child(
    data,
):
    assert table(figure(data, "age-group")) == {
        "Adult": ["3"],  # born 2000; 18 on the day seen; estimated 30
        "Child": ["3"],  # 16; 17 the day before their birthday; disputed (estimated 19)
        "Not known": ["2"],
    }


def test_concerns_by_gender(data):
    assert table(figure(data, "gender")) == {
        "Female": ["2"],
        "Male": ["3"],
        "Another gender": ["1"],
        "Not known": ["2"],
    }


def test_nationalities_as_recorded_most_common_first(data):
    assert table(figure(data, "nationality")) == {
        "Albanian": ["2"],
        "Not known": ["2"],
        "Eritrean": ["1"],  # spaces typed around it do not make another nationality
        "Romanian": ["1"],
        "Vietnamese": ["1"],
        "Other nationalities": ["0"],
        "Not recorded": ["1"],
    }


def test_nationalities_beyond_the_top_ten_are_counted_together(world):
    for index in range(12):
        for _ in range(12 - index):
            who = PersonFactory(created_by=world.lead, nationalities=f"Nation{index:02d}")
            ConcernFactory(
                reporter=world.frontline, team=world.north, person=who, submitted_at=uk(2026, 5, 1)
            )

    rows = table(figure(world, "nationality"))

    assert list(rows)[:10] == [f"Nation{index:02d}" for index in range(10)]
    assert rows["Nation00"] == ["12"]
    assert rows["Other nationalities"] == ["3"]  # Nation10 (2) and Nation11 (1)


def test_referrals_by_pathway_count_submitted_referrals_only(data):
    result = table(figure(data, "pathway"))

    assert result["National Referral Mechanism (NRM)"] == ["3"]
    assert result["Duty to Notify (MS1)"] == ["1"]
    assert result["Children's Services referral"] == ["1"]
    assert result["Police report"] == ["0"]  # a draft


def test_rg_and_cg_outcomes(data):
    assert table(figure(data, "outcomes")) == {
        "Reasonable Grounds": ["2", "1"],
        "Conclusive Grounds": ["1", "0"],
    }


def test_time_from_identification_to_referral_median_and_90th_percentile(data):
    # 12, 24, 36, 60 hours: median (24 + 36) / 2; 90th percentile 36 + 0.7 * (60 - 36).
    assert table(figure(data, "time-to-referral")) == {
        "Identification to referral": ["4", "30.0", "52.8"]
    }


def test_time_from_referral_to_first_rg_decision_in_days(data):
    # 4, 11, 14 days: median 11; 90th percentile 11 + 0.8 * 3.
    assert table(figure(data, "time-to-rg")) == {"Referral to RG decision": ["3", "11.0", "13.4"]}


def test_percentiles_agree_with_postgresql_percentile_cont(data):
    if connection.vendor != "postgresql":
        pytest.skip("percentile_cont is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v),"
            " percentile_cont(0.9) WITHIN GROUP (ORDER BY v) FROM unnest(%s::float[]) AS v",
            [[12.0, 24.0, 36.0, 60.0]],
        )
        expected = [f"{value:.1f}" for value in cursor.fetchone()]
    assert table(figure(data, "time-to-referral"))["Identification to referral"][1:] == expected


def test_shares_within_48_hours_and_within_5_working_days(data):
    assert table(figure(data, "within-target")) == {
        "Referred within 48 hours": ["3", "4", "75%"],
        "RG decision within 5 working days": ["2", "3", "67%"],
    }


def test_overdue_deadlines_counted_at_each_month_end(data):
    result = table(figure(data, "overdue"))

    assert len(result) == 12
    assert result["Feb 2026"] == ["0"]
    assert result["Mar 2026"] == ["1"]
    assert result["Apr 2026"] == ["3"]  # one met in May, one still open, one cancelled in May
    assert result["May 2026"] == ["1"]
    assert result["Jun 2026"] == ["1"]  # now, not the end of June


def test_a_team_and_a_shorter_period_narrow_every_figure(data):
    spring = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))

    assert table(figure(data, "by-month", spring, data.south)) == {"Mar 2026": ["1", "1"]}
    assert table(figure(data, "gender", spring, data.south))["Another gender"] == ["1"]
    assert table(figure(data, "pathway", spring))["Duty to Notify (MS1)"] == ["1"]
    assert table(figure(data, "time-to-referral", spring)) == {
        "Identification to referral": ["2", "24.0", "33.6"]  # 12 and 36 hours
    }


def test_an_empty_period_says_there_is_no_data():
    empty = Cell(None, Kind.HOURS, base=0)
    assert empty.display() == "No data"
    assert empty.exported() == ""


# --- Suppression -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "exported"),
    [
        (Cell(0), "0"),
        (Cell(1), "<5"),
        (Cell(4), "<5"),
        (Cell(5), "5"),
        (Cell(37), "37"),
        (Cell(12.5, Kind.HOURS, base=4), "<5"),
        (Cell(12.5, Kind.HOURS, base=5), "12.5"),
        (Cell(75.0, Kind.PERCENT, base=3), "<5"),
        (Cell(62.5, Kind.PERCENT, base=5), "62"),
    ],
)
def test_exports_show_one_to_four_as_less_than_five_and_keep_zero(cell, exported):
    assert cell.exported() == exported


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_csv_export_suppresses_small_counts_and_names_nobody(client, data):
    for _ in range(5):
        who = PersonFactory(created_by=data.lead, gender="male")
        ConcernFactory(
            reporter=data.frontline, team=data.north, person=who, submitted_at=uk(2026, 5, 2)
        )
    client.force_login(data.manager)

    response = client.get(reverse("dashboards:statistics_export", args=["gender"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="statistics-gender-20250701-20260615.csv"'
    )
    assert csv_rows(response) == [
        ["Gender", "Concerns"],
        ["Female", "<5"],
        ["Male", "8"],
        ["Another gender", "<5"],
        ["Not known", "<5"],
    ]
    assert "Synthetic Name" not in response.content.decode()


def test_derived_figures_resting_on_few_records_are_suppressed_in_exports(client, data):
    client.force_login(data.manager)

    rows = csv_rows(client.get(reverse("dashboards:statistics_export", args=["within-target"])))

    assert rows == [
        ["Target", "Within target", "All", "Share (%)"],
        ["Referred within 48 hours", "<5", "<5", "<5"],
        ["RG decision within 5 working days", "<5", "<5", "<5"],
    ]


def test_each_export_is_audited_with_its_figure_and_filter(client, data):
    client.force_login(data.manager)

    client.get(
        reverse("dashboards:statistics_export", args=["pathway"]),
        {"start": "2026-03-01", "end": "2026-03-31", "team": data.south.pk},
    )

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, actor=data.manager)
    assert event.object_type == "statistics"
    assert event.reference == "pathway"
    assert event.detail == f"start=2026-03-01&end=2026-03-31&team={data.south.pk}"


def test_an_unknown_figure_is_not_found(client, world):
    client.force_login(world.manager)

    response = client.get(reverse("dashboards:statistics_export", args=["names"]))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_each_figure_as_a_chart_and_a_table_with_its_download(client, data):
    client.force_login(data.manager)

    content = client.get(reverse("dashboards:statistics")).content.decode()

    for slug in statistics.FIGURES:
        assert f'id="{slug}-chart-title"' in content
        assert f"/statistics/{slug}.csv?start=2025-07-01&amp;end=2026-06-15" in content
    assert content.count('role="img"') == len(statistics.FIGURES)
    assert content.count('<table class="govuk-table">') == len(statistics.FIGURES)
    assert "Synthetic Name" not in content and "SG-F-" not in content and "CN-F-" not in content
    # GOV.UK's date input: day, month and year boxes, filled from the period.
    assert 'name="start_0" value="1"' in content and 'name="start_2" value="2025"' in content


def test_an_invalid_period_shows_the_error_and_no_figures(client, world):
    client.force_login(world.manager)

    response = client.get(
        reverse("dashboards:statistics"), {"start": "2026-05-01", "end": "2026-04-01"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "The last day must be the same as or after the first day" in content
    assert 'role="img"' not in content


@pytest.mark.parametrize("role", ["frontline", "lead", "lead_south", "admin"])
def test_only_managers_open_statistics_and_exports(client, world, role):
    client.force_login(getattr(world, role))

    assert client.get(reverse("dashboards:statistics")).status_code == 403
    export = reverse("dashboards:statistics_export", args=["gender"])
    assert client.get(export).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("dashboards:statistics"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboards:statistics")).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_with_ten_times_the_data(client, data):
    client.force_login(data.manager)
    client.get(reverse("dashboards:statistics"))
    small = _queries(client)

    case_a = data.lead.led_cases.filter(restricted=False).first()
    for index in range(60):
        who = PersonFactory(
            created_by=data.lead, gender="female", nationalities=f"Land{index % 15}"
        )
        when = uk(2026, 1 + index % 5, 1 + index % 27)
        c = ConcernFactory(
            reporter=data.frontline,
            team=data.north,
            person=who,
            submitted_at=when,
            exploitation_types=["labour"],
        )
        ref = ReferralFactory(case=case_a, pathway=Pathway.NRM, submitted_at=c.submitted_at + HOUR)
        DecisionFactory(referral=ref, kind=RG, outcome=POSITIVE, received_on=c.submitted_at.date())
        DeadlineFactory(
            timer=Timer.REFER,
            concern=c,
            starts_at=c.submitted_at,
            due_at=c.submitted_at + 48 * HOUR,
            satisfied_at=c.submitted_at + HOUR,
            satisfied_by="NRM submitted",
        )

    assert _queries(client) == small
    assert small <= 40
