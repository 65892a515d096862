"""The timer arithmetic, pinned at its boundaries (DOMAIN.md "Timers", STYLE.md 2, 13, 17).

Every expected date was checked against the `holidays` package (GB subdivisions ENG, SCT,
NIR) and a calendar. Clock changes used: 2026-03-29 01:00 UTC (GMT to BST) and
2026-10-25 01:00 UTC (BST to GMT). No test touches the database or the clock.
"""

import ast
import datetime as dt
from pathlib import Path

import pytest

from referrals import deadlines
from referrals.deadlines import (
    CHOSEN_DAY_TIMERS,
    NOT_BEFORE_TIMERS,
    RECOVERY_PRESETS,
    TIMER_BASIS,
    TIMER_LABELS,
    UK,
    Basis,
    Timer,
    add_clock_hours,
    describe_remaining,
    due_at,
    end_of_days_within,
    end_of_period_beginning_with,
    end_of_working_days,
    is_working_day,
    next_working_day_start,
    remaining,
    start_of_day_not_before,
    working_day_before,
)
from safeguard.choices import Nation

ENG, SCT, NIR = "ENG", "SCT", "NIR"
MICRO = dt.timedelta(microseconds=1)

# OrganisationSettings defaults.
DEFAULT_LENGTHS = {
    Timer.REFER: 48,
    Timer.RG_DECISION: 5,
    Timer.RECOVERY_PERIOD: 45,
    Timer.CG_NOT_BEFORE: 30,
    Timer.RECONSIDERATION: 30,
    Timer.MOVE_ON: 45,
    Timer.PLACE_OF_SAFETY: 3,
    Timer.GUARDIAN_REFERRAL: 2,
    Timer.SUBJECT_ACCESS: 1,
}
# The timers counted from a length; a risk review is due on the day the lead chose.
COUNTED = [t for t in Timer if t not in CHOSEN_DAY_TIMERS]


def uk(*args):
    """A UK local wall-clock time (fold=0 in the repeated October hour)."""
    return dt.datetime(*args, tzinfo=UK)


def end_of(year, month, day):
    return dt.datetime(year, month, day, 23, 59, 59, 999999, tzinfo=UK)


def d(year, month, day):
    return dt.date(year, month, day)


def wall(moment):
    """The UK local date and time of day an instant shows on a clock."""
    local = moment.astimezone(UK)
    return local.date(), local.time()


def assert_utc(value):
    assert value.tzinfo is dt.UTC


# --- the tables ---------------------------------------------------------------------------


def test_timer_basis_covers_every_timer():
    assert set(TIMER_BASIS) == set(Timer)


def test_timer_labels_cover_every_timer():
    assert set(TIMER_LABELS) == set(Timer)


@pytest.mark.parametrize(
    ("timer", "basis"),
    [
        (Timer.REFER, Basis.CLOCK_HOURS),
        (Timer.RG_DECISION, Basis.WORKING_DAYS),
        (Timer.RECOVERY_PERIOD, Basis.DAYS_BEGINNING_WITH),
        (Timer.CG_NOT_BEFORE, Basis.NOT_BEFORE_DAYS),
        (Timer.RECONSIDERATION, Basis.DAYS_WITHIN),
        (Timer.MOVE_ON, Basis.DAYS_BEGINNING_WITH),
        (Timer.PLACE_OF_SAFETY, Basis.WORKING_DAYS),
    ],
)
def test_each_timer_counts_on_the_basis_domain_gives_it(timer, basis):
    assert TIMER_BASIS[timer] is basis


@pytest.mark.parametrize(
    ("timer", "label"),
    [
        (Timer.REFER, "Referral due (your organisation's own target)"),
        (Timer.RG_DECISION, "Reasonable Grounds decision expected"),
        (Timer.RECOVERY_PERIOD, "Recovery period ends"),
        (Timer.CG_NOT_BEFORE, "Conclusive Grounds not before"),
        (Timer.RECONSIDERATION, "Reconsideration request window closes"),
        (Timer.MOVE_ON, "Move-on support ends"),
        (Timer.PLACE_OF_SAFETY, "Place of safety ends"),
    ],
)
def test_timer_labels_are_plain_english(timer, label):
    assert TIMER_LABELS[timer] == label


def test_only_cg_not_before_is_an_earliest_moment_rather_than_a_deadline():
    assert frozenset({Timer.CG_NOT_BEFORE}) == NOT_BEFORE_TIMERS


def test_timer_values_are_the_stored_strings():
    assert [t.value for t in Timer] == [
        "refer",
        "rg_decision",
        "recovery_period",
        "cg_not_before",
        "reconsideration",
        "move_on",
        "place_of_safety",
        "guardian_referral",
        "risk_review",
        "support_task",
        "subject_access",
    ]


def test_recovery_presets_are_each_nations_statutory_minimum():
    assert RECOVERY_PRESETS == {ENG: 30, SCT: 90, NIR: 45}


def test_recovery_presets_cover_every_nation_choice():
    assert set(RECOVERY_PRESETS) == set(Nation.values)


def test_module_is_pure_no_django_import():
    tree = ast.parse(Path(deadlines.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= {
        "calendar",
        "dataclasses",
        "datetime",
        "enum",
        "functools",
        "zoneinfo",
        "holidays",
    }


# --- working days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "nation", "working"),
    [
        # Ordinary days and weekends.
        (d(2026, 6, 10), ENG, True),
        (d(2026, 6, 13), ENG, False),  # Saturday
        (d(2026, 6, 14), SCT, False),  # Sunday
        # Easter 2026: Good Friday everywhere; Easter Monday not in Scotland.
        (d(2026, 4, 3), ENG, False),
        (d(2026, 4, 3), SCT, False),
        (d(2026, 4, 3), NIR, False),
        (d(2026, 4, 6), ENG, False),
        (d(2026, 4, 6), NIR, False),
        (d(2026, 4, 6), SCT, True),
        # Early May, late May (spring) and August bank holidays.
        (d(2026, 5, 4), ENG, False),
        (d(2026, 5, 25), ENG, False),
        (d(2026, 5, 25), SCT, False),
        (d(2026, 8, 31), ENG, False),
        (d(2026, 8, 31), NIR, False),
        (d(2026, 8, 31), SCT, True),
        (d(2026, 8, 3), SCT, False),  # first Monday of August, Scotland only
        (d(2026, 8, 3), ENG, True),
        # 2 January, Scotland only; in 2027 it is a Saturday, so Monday 4 January instead.
        (d(2026, 1, 2), SCT, False),
        (d(2026, 1, 2), ENG, True),
        (d(2026, 1, 2), NIR, True),
        (d(2027, 1, 4), SCT, False),
        (d(2027, 1, 4), ENG, True),
        # St Andrew's Day: 2025 is a Sunday, so Monday 1 December; 2026 is a Monday.
        (d(2025, 12, 1), SCT, False),
        (d(2025, 12, 1), ENG, True),
        (d(2026, 11, 30), SCT, False),
        (d(2026, 11, 30), NIR, True),
        # One-off proclaimed holiday in Scotland.
        (d(2026, 6, 15), SCT, False),
        (d(2026, 6, 15), ENG, True),
        (d(2026, 6, 15), NIR, True),
        # Northern Ireland: St Patrick's Day and 12 July (a Sunday in 2026: Monday 13 July).
        (d(2026, 3, 17), NIR, False),
        (d(2026, 3, 17), ENG, True),
        (d(2026, 3, 17), SCT, True),
        (d(2026, 7, 13), NIR, False),
        (d(2026, 7, 13), ENG, True),
        (d(2027, 7, 12), NIR, False),
        (d(2027, 7, 12), SCT, True),
        # Year end 2026: Boxing Day is a Saturday, so Monday 28 December everywhere.
        (d(2026, 12, 24), ENG, True),
        (d(2026, 12, 25), ENG, False),
        (d(2026, 12, 28), ENG, False),
        (d(2026, 12, 28), SCT, False),
        (d(2026, 12, 28), NIR, False),
        (d(2026, 12, 29), ENG, True),
        (d(2027, 1, 1), NIR, False),
    ],
)
def test_is_working_day_follows_each_nations_bank_holidays(day, nation, working):
    assert is_working_day(day, nation) is working


@pytest.mark.parametrize(("nation", "days_off"), [(ENG, 8), (SCT, 9), (NIR, 10)])
def test_weekday_bank_holidays_per_nation_match_domain_in_2025(nation, days_off):
    # DOMAIN.md: England & Wales 8, Scotland 9, Northern Ireland 10 (St Andrew's Day and
    # 12 July 2025 fall at weekends and are replaced by a Monday, so still 9 and 10).
    year = [d(2025, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    weekdays_off = [day for day in year if day.weekday() < 5 and not is_working_day(day, nation)]
    assert len(weekdays_off) == days_off


def test_is_working_day_refuses_a_datetime_whose_date_depends_on_its_offset():
    with pytest.raises(TypeError):
        is_working_day(uk(2026, 6, 10, 12), ENG)


@pytest.mark.parametrize("nation", ["GB", "WLS", "eng", ""])
def test_is_working_day_refuses_an_unknown_nation(nation):
    with pytest.raises(ValueError, match="unknown nation"):
        is_working_day(d(2026, 6, 10), nation)


# --- clock hours --------------------------------------------------------------------------


def test_refer_deadline_is_48_hours_later_on_an_ordinary_day():
    start = uk(2026, 6, 10, 10, 0)
    due = add_clock_hours(start, 48)
    assert due == uk(2026, 6, 12, 10, 0)
    assert_utc(due)


def test_refer_deadline_across_the_october_clock_change_is_48_real_hours():
    start = uk(2026, 10, 24, 10, 0)  # Saturday, BST
    due = add_clock_hours(start, 48)
    assert due - start == dt.timedelta(hours=48)
    assert due == dt.datetime(2026, 10, 26, 9, 0, tzinfo=dt.UTC)
    # The wall clock went back an hour in between: 10:00 BST becomes 09:00 GMT.
    assert wall(due) == (d(2026, 10, 26), dt.time(9, 0))


def test_refer_deadline_across_the_march_clock_change_is_48_real_hours():
    start = uk(2026, 3, 28, 12, 0)  # Saturday, GMT
    due = add_clock_hours(start, 48)
    assert due - start == dt.timedelta(hours=48)
    assert due == dt.datetime(2026, 3, 30, 12, 0, tzinfo=dt.UTC)
    # The wall clock went forward an hour in between: 12:00 GMT becomes 13:00 BST.
    assert wall(due) == (d(2026, 3, 30), dt.time(13, 0))


def test_refer_deadline_from_the_repeated_october_hour_respects_fold():
    first = add_clock_hours(uk(2026, 10, 25, 1, 30), 48)  # 01:30 BST = 00:30 UTC
    second = add_clock_hours(uk(2026, 10, 25, 1, 30).replace(fold=1), 48)  # 01:30 GMT
    assert first == dt.datetime(2026, 10, 27, 0, 30, tzinfo=dt.UTC)
    assert second - first == dt.timedelta(hours=1)


def test_refer_deadline_does_not_care_which_offset_the_start_was_given_in():
    in_paris = dt.datetime(2026, 6, 10, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert add_clock_hours(in_paris, 48) == uk(2026, 6, 12, 10, 0)


def test_refer_deadline_ignores_weekends_and_bank_holidays():
    start = uk(2026, 4, 2, 17, 0)  # Thursday before Good Friday
    assert add_clock_hours(start, 48) == uk(2026, 4, 4, 17, 0)


# --- working-day deadlines ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "nation", "due"),
    [
        # Friday afternoon: day 0 is the Friday, the 5th working day the next Friday.
        (uk(2026, 6, 12, 16, 30), 5, ENG, end_of(2026, 6, 19)),
        (uk(2026, 6, 8, 9, 0), 5, ENG, end_of(2026, 6, 15)),
        # Weekend starts count from Monday.
        (uk(2026, 6, 13, 10, 0), 5, ENG, end_of(2026, 6, 19)),
        (uk(2026, 6, 14, 23, 0), 5, ENG, end_of(2026, 6, 19)),
        # Scotland's one-off holiday on Monday 15 June 2026.
        (uk(2026, 6, 12, 16, 30), 5, SCT, end_of(2026, 6, 22)),
        (uk(2026, 6, 8, 9, 0), 5, SCT, end_of(2026, 6, 16)),
        (uk(2026, 6, 12, 16, 30), 5, NIR, end_of(2026, 6, 19)),
        # Start on a bank holiday: Spring Bank Holiday 25 May 2026.
        (uk(2026, 5, 25, 11, 0), 5, ENG, end_of(2026, 6, 1)),
        (uk(2026, 5, 22, 15, 0), 5, ENG, end_of(2026, 6, 1)),
        # August: late summer Monday (31 Aug) in England; first Monday (3 Aug) in Scotland.
        (uk(2026, 8, 27, 10, 0), 5, ENG, end_of(2026, 9, 4)),
        (uk(2026, 8, 27, 10, 0), 5, SCT, end_of(2026, 9, 3)),
        (uk(2026, 7, 31, 10, 0), 5, SCT, end_of(2026, 8, 10)),
        (uk(2026, 7, 31, 10, 0), 5, ENG, end_of(2026, 8, 7)),
        # New Year: 1 January everywhere, 2 January in Scotland too; across the year end.
        (uk(2025, 12, 31, 10, 0), 5, SCT, end_of(2026, 1, 9)),
        (uk(2025, 12, 31, 10, 0), 5, ENG, end_of(2026, 1, 8)),
        # St Andrew's Day on a Sunday (2025): the substitute Monday 1 December.
        (uk(2025, 11, 28, 10, 0), 5, SCT, end_of(2025, 12, 8)),
        (uk(2025, 11, 28, 10, 0), 5, ENG, end_of(2025, 12, 5)),
        (uk(2026, 11, 27, 10, 0), 5, SCT, end_of(2026, 12, 7)),
        # St Patrick's Day (Tuesday 17 March 2026).
        (uk(2026, 3, 16, 10, 0), 5, NIR, end_of(2026, 3, 24)),
        (uk(2026, 3, 16, 10, 0), 5, ENG, end_of(2026, 3, 23)),
        # 12 July: a Sunday in 2026, so Monday 13 July; a Monday in 2027.
        (uk(2026, 7, 10, 10, 0), 5, NIR, end_of(2026, 7, 20)),
        (uk(2026, 7, 10, 10, 0), 5, ENG, end_of(2026, 7, 17)),
        (uk(2027, 7, 9, 10, 0), 5, NIR, end_of(2027, 7, 19)),
        # Year end 2026: 24 (1), 25 Christmas, 28 Boxing Day substitute, 29 (2), 30 (3),
        # 31 (4), 1 Jan, 4 Jan (5); Scotland also has 4 Jan 2027 off (2 Jan was a Saturday).
        (uk(2026, 12, 23, 10, 0), 5, ENG, end_of(2027, 1, 4)),
        (uk(2026, 12, 23, 10, 0), 5, NIR, end_of(2027, 1, 4)),
        (uk(2026, 12, 23, 10, 0), 5, SCT, end_of(2027, 1, 5)),
        (uk(2026, 12, 23, 10, 0), 1, ENG, end_of(2026, 12, 24)),
        (uk(2026, 12, 23, 10, 0), 2, ENG, end_of(2026, 12, 29)),
        # One working day.
        (uk(2026, 6, 12, 16, 30), 1, ENG, end_of(2026, 6, 15)),
        (uk(2026, 6, 12, 16, 30), 1, SCT, end_of(2026, 6, 16)),
    ],
)
def test_working_day_deadline_ends_at_the_end_of_the_nth_working_day(start, n, nation, due):
    result = end_of_working_days(start, n, nation)
    assert result == due
    assert_utc(result)


@pytest.mark.parametrize(
    ("nation", "due"),
    [(ENG, end_of(2026, 4, 13)), (NIR, end_of(2026, 4, 13)), (SCT, end_of(2026, 4, 10))],
)
def test_rg_deadline_skips_easter_monday_in_england_but_not_scotland(nation, due):
    # Thursday 2 April 2026; Good Friday 3 April; Easter Monday 6 April (not in Scotland).
    assert end_of_working_days(uk(2026, 4, 2, 10, 0), 5, nation) == due


@pytest.mark.parametrize(
    ("nation", "due"),
    [(ENG, end_of(2026, 4, 13)), (SCT, end_of(2026, 4, 10))],
)
def test_rg_deadline_from_easter_sunday_counts_easter_monday_only_in_scotland(nation, due):
    assert end_of_working_days(uk(2026, 4, 5, 12, 0), 5, nation) == due


@pytest.mark.parametrize(
    ("nation", "due"),
    [(ENG, end_of(2026, 4, 9)), (SCT, end_of(2026, 4, 8))],
)
def test_place_of_safety_started_on_good_friday_lasts_three_working_days(nation, due):
    assert end_of_working_days(uk(2026, 4, 3, 20, 0), 3, nation) == due


def test_working_day_clock_starting_at_local_midnight_counts_from_that_day():
    # 00:00 BST on Monday 8 June is still Sunday 7 June in UTC: the local date decides.
    midnight = uk(2026, 6, 8, 0, 0)
    assert midnight.astimezone(dt.UTC).date() == d(2026, 6, 7)
    assert end_of_working_days(midnight, 5, ENG) == end_of(2026, 6, 15)
    assert end_of_working_days(midnight - MICRO, 5, ENG) == end_of(2026, 6, 12)


def test_working_day_deadline_in_gmt_is_the_last_instant_before_utc_midnight():
    due = end_of_working_days(uk(2026, 10, 22, 10, 0), 5, ENG)  # across the change to GMT
    assert due == dt.datetime(2026, 10, 29, 23, 59, 59, 999999, tzinfo=dt.UTC)


def test_working_day_deadline_in_bst_is_an_hour_before_utc_midnight():
    due = end_of_working_days(uk(2026, 3, 23, 10, 0), 5, ENG)  # across the change to BST
    assert due == dt.datetime(2026, 3, 30, 22, 59, 59, 999999, tzinfo=dt.UTC)


# --- calendar-day periods -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "ends"),
    [
        # DOMAIN.md's example: 45 days beginning with 1 March end with 14 April.
        (uk(2026, 3, 1, 10, 0), 45, end_of(2026, 4, 14)),
        (uk(2026, 3, 1, 0, 0), 45, end_of(2026, 4, 14)),
        (uk(2026, 3, 1, 23, 59), 45, end_of(2026, 4, 14)),
        # Presets: England & Wales 30, Scotland 90, Northern Ireland 45.
        (uk(2026, 3, 1, 10, 0), RECOVERY_PRESETS[ENG], end_of(2026, 3, 30)),
        (uk(2026, 3, 1, 10, 0), RECOVERY_PRESETS[SCT], end_of(2026, 5, 29)),
        (uk(2026, 3, 1, 10, 0), RECOVERY_PRESETS[NIR], end_of(2026, 4, 14)),
        # A one-day period is the decision day itself.
        (uk(2026, 3, 1, 10, 0), 1, end_of(2026, 3, 1)),
        # Leap year February.
        (uk(2028, 2, 1, 10, 0), 30, end_of(2028, 3, 1)),
        # Across the year end.
        (uk(2026, 12, 1, 10, 0), 45, end_of(2027, 1, 14)),
    ],
)
def test_period_beginning_with_the_decision_day_counts_it_as_day_one(start, n, ends):
    result = end_of_period_beginning_with(start, n)
    assert result == ends
    assert_utc(result)


@pytest.mark.parametrize(
    ("start", "n", "closes"),
    [
        (uk(2026, 3, 1, 10, 0), 30, end_of(2026, 3, 31)),
        (uk(2026, 1, 15, 10, 0), 30, end_of(2026, 2, 14)),
        (uk(2026, 1, 15, 0, 0), 30, end_of(2026, 2, 14)),
        (uk(2026, 3, 1, 10, 0), 1, end_of(2026, 3, 2)),
        # Calendar days: a window may close on Christmas Day, with no roll-forward.
        (uk(2025, 11, 25, 10, 0), 30, end_of(2025, 12, 25)),
    ],
)
def test_window_within_n_days_counts_the_decision_day_as_day_zero(start, n, closes):
    result = end_of_days_within(start, n)
    assert result == closes
    assert_utc(result)


@pytest.mark.parametrize("n", [1, 30, 45, 90])
def test_within_ends_one_day_later_than_beginning_with(n):
    start = uk(2026, 6, 10, 15, 0)  # no clock change within 91 days
    within = end_of_days_within(start, n)
    beginning_with = end_of_period_beginning_with(start, n)
    assert within - beginning_with == dt.timedelta(days=1)


def test_recovery_period_ending_in_bst_after_a_gmt_decision_ends_at_local_midnight():
    due = end_of_period_beginning_with(uk(2026, 3, 1, 10, 0), 45)
    assert due == dt.datetime(2026, 4, 14, 22, 59, 59, 999999, tzinfo=dt.UTC)
    assert (due + MICRO).astimezone(UK) == uk(2026, 4, 15, 0, 0)


@pytest.mark.parametrize(
    ("start", "n", "earliest"),
    [
        (uk(2026, 3, 1, 10, 0), 30, uk(2026, 3, 31, 0, 0)),
        (uk(2026, 3, 1, 23, 59), 30, uk(2026, 3, 31, 0, 0)),
        (uk(2026, 1, 15, 10, 0), 30, uk(2026, 2, 14, 0, 0)),
        (uk(2026, 3, 1, 10, 0), 1, uk(2026, 3, 2, 0, 0)),
    ],
)
def test_cg_not_before_is_the_start_of_the_day_n_days_after_the_rg(start, n, earliest):
    result = start_of_day_not_before(start, n)
    assert result == earliest
    assert_utc(result)


def test_cg_not_before_falls_just_after_a_recovery_period_of_the_same_length():
    rg = uk(2026, 3, 1, 10, 0)
    assert start_of_day_not_before(rg, 30) == end_of_period_beginning_with(rg, 30) + MICRO


def test_cg_not_before_in_bst_is_local_midnight_not_utc_midnight():
    earliest = start_of_day_not_before(uk(2026, 3, 1, 10, 0), 30)
    assert earliest == dt.datetime(2026, 3, 30, 23, 0, tzinfo=dt.UTC)


# --- due_at ---------------------------------------------------------------------------------

RG_FRIDAY = uk(2026, 6, 12, 16, 30)


@pytest.mark.parametrize(
    ("timer", "start", "nation", "due"),
    [
        (Timer.REFER, uk(2026, 6, 10, 10, 0), ENG, uk(2026, 6, 12, 10, 0)),
        (Timer.RG_DECISION, RG_FRIDAY, ENG, end_of(2026, 6, 19)),
        (Timer.RG_DECISION, RG_FRIDAY, SCT, end_of(2026, 6, 22)),
        (Timer.RECOVERY_PERIOD, uk(2026, 3, 1, 10, 0), ENG, end_of(2026, 4, 14)),
        (Timer.CG_NOT_BEFORE, uk(2026, 3, 1, 10, 0), ENG, uk(2026, 3, 31, 0, 0)),
        (Timer.RECONSIDERATION, uk(2026, 3, 1, 10, 0), ENG, end_of(2026, 3, 31)),
        (Timer.MOVE_ON, uk(2026, 3, 1, 10, 0), ENG, end_of(2026, 4, 14)),
        (Timer.PLACE_OF_SAFETY, RG_FRIDAY, ENG, end_of(2026, 6, 17)),
        (Timer.PLACE_OF_SAFETY, RG_FRIDAY, SCT, end_of(2026, 6, 18)),
    ],
)
def test_due_at_uses_each_timers_basis_with_default_lengths(timer, start, nation, due):
    result = due_at(timer, start, length=DEFAULT_LENGTHS[timer], nation=nation)
    assert result == due
    assert_utc(result)


def test_due_at_accepts_the_stored_string_value_of_a_timer():
    assert due_at("rg_decision", RG_FRIDAY, length=5, nation=ENG) == end_of(2026, 6, 19)


def test_due_at_uses_the_organisations_recovery_preset():
    start = uk(2026, 3, 1, 10, 0)
    by_nation = {
        nation: due_at(Timer.RECOVERY_PERIOD, start, length=days, nation=nation)
        for nation, days in RECOVERY_PRESETS.items()
    }
    assert by_nation == {
        ENG: end_of(2026, 3, 30),
        SCT: end_of(2026, 5, 29),
        NIR: end_of(2026, 4, 14),
    }


def test_due_at_refuses_an_unknown_timer():
    with pytest.raises(ValueError):
        due_at("made_up", RG_FRIDAY, length=5, nation=ENG)


def test_a_chosen_day_timer_has_no_length_to_count():
    with pytest.raises(ValueError, match="has no length"):
        due_at(Timer.RISK_REVIEW, RG_FRIDAY, length=28, nation=ENG)


def test_due_at_refuses_an_unknown_nation_even_for_clock_hours():
    with pytest.raises(ValueError, match="unknown nation"):
        due_at(Timer.REFER, RG_FRIDAY, length=48, nation="XX")


# The timers counted from a start; a support task is due on the day chosen for it.
COUNTED = [t for t in Timer if t not in deadlines.CHOSEN_DAY_TIMERS]


@pytest.mark.parametrize("timer", COUNTED)
@pytest.mark.parametrize("length", [0, -1, True, 2.5])
def test_due_at_refuses_a_length_that_is_not_a_positive_whole_number(timer, length):
    with pytest.raises(ValueError, match="length"):
        due_at(timer, RG_FRIDAY, length=length, nation=ENG)


DAY_DEADLINES = [
    t for t in COUNTED if TIMER_BASIS[t] not in {Basis.CLOCK_HOURS, Basis.NOT_BEFORE_DAYS}
]


@pytest.mark.parametrize("timer", DAY_DEADLINES)
def test_day_deadlines_end_at_the_last_instant_of_their_local_day(timer):
    due = due_at(timer, uk(2026, 3, 1, 10, 0), length=DEFAULT_LENGTHS[timer], nation=ENG)
    local = due.astimezone(UK)
    assert local.time() == dt.time(23, 59, 59, 999999)
    assert (due + MICRO).astimezone(UK).time() == dt.time(0, 0)
    assert (due + MICRO).astimezone(UK).date() == local.date() + dt.timedelta(days=1)


@pytest.mark.parametrize("timer", COUNTED)
@pytest.mark.parametrize(
    ("offset", "left"),
    [
        (-dt.timedelta(hours=1), "1 hour left"),
        (-MICRO, "due now"),
        (dt.timedelta(0), "due now"),
        (MICRO, "due now"),
        (dt.timedelta(hours=1), "overdue by 1 hour"),
    ],
)
def test_every_timer_reads_correctly_just_before_at_and_after_its_due_time(timer, offset, left):
    due = due_at(timer, RG_FRIDAY, length=DEFAULT_LENGTHS[timer], nation=ENG)
    now = due + offset
    assert describe_remaining(due, now) == left
    assert (remaining(due, now) < dt.timedelta(0)) is (offset > dt.timedelta(0))


# --- refusing naive datetimes -------------------------------------------------------------

NAIVE = uk(2026, 6, 12, 16, 30).replace(tzinfo=None)


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_clock_hours(NAIVE, 48),
        lambda: end_of_working_days(NAIVE, 5, ENG),
        lambda: end_of_period_beginning_with(NAIVE, 45),
        lambda: end_of_days_within(NAIVE, 30),
        lambda: start_of_day_not_before(NAIVE, 30),
        lambda: due_at(Timer.REFER, NAIVE, length=48, nation=ENG),
        lambda: due_at(Timer.RG_DECISION, NAIVE, length=5, nation=ENG),
        lambda: working_day_before(NAIVE, ENG),
        lambda: next_working_day_start(NAIVE, ENG),
        lambda: remaining(NAIVE, RG_FRIDAY),
        lambda: remaining(RG_FRIDAY, NAIVE),
        lambda: describe_remaining(NAIVE, RG_FRIDAY),
        lambda: describe_remaining(RG_FRIDAY, NAIVE),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_a_date_is_refused_where_an_instant_is_needed():
    with pytest.raises(TypeError):
        end_of_period_beginning_with(d(2026, 3, 1), 45)


# --- reminders' helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "nation", "before"),
    [
        (uk(2026, 6, 10, 14, 0), ENG, uk(2026, 6, 9, 14, 0)),
        # Over a weekend.
        (uk(2026, 6, 15, 14, 0), ENG, uk(2026, 6, 12, 14, 0)),
        (uk(2026, 6, 14, 14, 0), ENG, uk(2026, 6, 12, 14, 0)),
        # Over Scotland's one-off holiday and the weekend before it.
        (uk(2026, 6, 16, 10, 0), SCT, uk(2026, 6, 12, 10, 0)),
        (uk(2026, 6, 16, 10, 0), ENG, uk(2026, 6, 15, 10, 0)),
        # Over Easter: Monday and Good Friday in England, only Good Friday in Scotland.
        (uk(2026, 4, 7, 9, 0), ENG, uk(2026, 4, 2, 9, 0)),
        (uk(2026, 4, 7, 9, 0), SCT, uk(2026, 4, 6, 9, 0)),
        # Over Christmas 2026 and New Year's Day 2027.
        (uk(2026, 12, 29, 10, 0), ENG, uk(2026, 12, 24, 10, 0)),
        (uk(2027, 1, 4, 10, 0), ENG, uk(2026, 12, 31, 10, 0)),
        (uk(2027, 1, 5, 10, 0), SCT, uk(2026, 12, 31, 10, 0)),
        # A deadline at the end of a day is reminded at the end of the day before.
        (end_of(2026, 6, 19), ENG, end_of(2026, 6, 18)),
        # Over the 12 July substitute in Northern Ireland.
        (uk(2026, 7, 14, 10, 0), NIR, uk(2026, 7, 10, 10, 0)),
    ],
)
def test_working_day_before_keeps_the_local_time_on_the_previous_working_day(
    moment, nation, before
):
    result = working_day_before(moment, nation)
    assert result == before
    assert_utc(result)


def test_working_day_before_over_the_october_clock_change_keeps_local_time():
    monday = uk(2026, 10, 26, 9, 0)  # GMT
    friday = working_day_before(monday, ENG)
    assert wall(friday) == (d(2026, 10, 23), dt.time(9, 0))
    assert monday - friday == dt.timedelta(hours=73)


@pytest.mark.parametrize(
    ("moment", "nation", "start"),
    [
        (uk(2026, 6, 10, 14, 0), ENG, uk(2026, 6, 11, 9, 0)),
        (uk(2026, 6, 12, 17, 0), ENG, uk(2026, 6, 15, 9, 0)),
        (uk(2026, 6, 12, 17, 0), SCT, uk(2026, 6, 16, 9, 0)),
        (uk(2026, 6, 13, 10, 0), ENG, uk(2026, 6, 15, 9, 0)),
        # Strictly the next day, even before 09:00 on a working day.
        (uk(2026, 6, 15, 8, 0), ENG, uk(2026, 6, 16, 9, 0)),
        (uk(2026, 4, 2, 17, 0), ENG, uk(2026, 4, 7, 9, 0)),
        (uk(2026, 4, 2, 17, 0), SCT, uk(2026, 4, 6, 9, 0)),
        (uk(2026, 12, 24, 17, 0), ENG, uk(2026, 12, 29, 9, 0)),
        (uk(2026, 12, 31, 17, 0), SCT, uk(2027, 1, 5, 9, 0)),
        (end_of(2026, 3, 16), NIR, uk(2026, 3, 18, 9, 0)),
        # Across the October change: 09:00 GMT is 09:00 UTC.
        (uk(2026, 10, 23, 17, 0), ENG, dt.datetime(2026, 10, 26, 9, 0, tzinfo=dt.UTC)),
    ],
)
def test_next_working_day_start_is_nine_oclock_local_on_the_next_working_day(moment, nation, start):
    result = next_working_day_start(moment, nation)
    assert result == start
    assert_utc(result)


@pytest.mark.parametrize("call", [working_day_before, next_working_day_start])
def test_reminder_helpers_refuse_an_unknown_nation(call):
    with pytest.raises(ValueError, match="unknown nation"):
        call(RG_FRIDAY, "XX")


# --- remaining time in words --------------------------------------------------------------

# In UTC, so that DUE - timedelta is real time, not wall-clock time.
DUE = end_of(2026, 6, 19).astimezone(dt.UTC)


def test_remaining_is_real_time_and_negative_once_overdue():
    assert remaining(DUE, DUE - dt.timedelta(hours=5)) == dt.timedelta(hours=5)
    assert remaining(DUE, DUE + dt.timedelta(hours=5)) == -dt.timedelta(hours=5)
    assert remaining(DUE, DUE) == dt.timedelta(0)


@pytest.mark.parametrize(
    ("left", "words"),
    [
        (dt.timedelta(days=2, hours=3), "2 days 3 hours left"),
        (dt.timedelta(days=2, hours=3, minutes=59, seconds=59), "2 days 3 hours left"),
        (dt.timedelta(days=2), "2 days left"),
        (dt.timedelta(days=1, hours=1), "1 day 1 hour left"),
        (dt.timedelta(days=1), "1 day left"),
        (dt.timedelta(hours=23, minutes=59), "23 hours 59 minutes left"),
        (dt.timedelta(hours=5), "5 hours left"),
        (dt.timedelta(hours=5, minutes=20), "5 hours 20 minutes left"),
        (dt.timedelta(hours=1, minutes=1), "1 hour 1 minute left"),
        (dt.timedelta(hours=1), "1 hour left"),
        (dt.timedelta(minutes=59, seconds=59), "59 minutes left"),
        (dt.timedelta(minutes=2), "2 minutes left"),
        (dt.timedelta(minutes=1), "1 minute left"),
        (dt.timedelta(seconds=59, microseconds=999999), "due now"),
        (dt.timedelta(seconds=1), "due now"),
        (dt.timedelta(0), "due now"),
        (-dt.timedelta(seconds=1), "due now"),
        (-dt.timedelta(seconds=59, microseconds=999999), "due now"),
        (-dt.timedelta(minutes=1), "overdue by 1 minute"),
        (-dt.timedelta(minutes=45), "overdue by 45 minutes"),
        (-dt.timedelta(hours=1), "overdue by 1 hour"),
        (-dt.timedelta(hours=26), "overdue by 1 day 2 hours"),
        (-dt.timedelta(days=1, hours=2, minutes=30), "overdue by 1 day 2 hours"),
        (-dt.timedelta(days=3), "overdue by 3 days"),
        (-dt.timedelta(days=45), "overdue by 45 days"),
    ],
)
def test_describe_remaining_says_it_in_words(left, words):
    assert describe_remaining(DUE, DUE - left) == words


def test_remaining_between_two_uk_local_times_is_real_time_across_the_clock_change():
    # Python subtracts datetimes sharing a tzinfo by wall clock (48 hours here); 49 is real.
    assert remaining(uk(2026, 10, 26, 9, 0), uk(2026, 10, 24, 9, 0)) == dt.timedelta(hours=49)
    assert remaining(uk(2026, 3, 30, 9, 0), uk(2026, 3, 28, 9, 0)) == dt.timedelta(hours=47)


def test_describe_remaining_counts_real_hours_across_the_clock_change():
    due = uk(2026, 10, 26, 9, 0)  # Monday, GMT
    # Saturday 09:00 BST to Monday 09:00 GMT is 49 hours, not two days.
    assert describe_remaining(due, uk(2026, 10, 24, 9, 0)) == "2 days 1 hour left"
    assert describe_remaining(due, uk(2026, 10, 25, 9, 0)) == "1 day left"


def test_friday_referral_reads_correctly_through_its_rg_week():
    due = due_at(Timer.RG_DECISION, RG_FRIDAY, length=5, nation=ENG)
    assert describe_remaining(due, RG_FRIDAY) == "7 days 7 hours left"
    assert describe_remaining(due, uk(2026, 6, 19, 9, 0)) == "14 hours 59 minutes left"
    assert describe_remaining(due, uk(2026, 6, 19, 23, 59)) == "due now"
    assert describe_remaining(due, uk(2026, 6, 20, 0, 0)) == "due now"
    assert describe_remaining(due, uk(2026, 6, 20, 0, 1)) == "overdue by 1 minute"
    assert describe_remaining(due, uk(2026, 6, 22, 9, 0)) == "overdue by 2 days 9 hours"


@pytest.mark.parametrize("nation", ["ENG", "SCT", "NIR"])
@pytest.mark.parametrize("n", [1, 2, 5])
def test_the_waited_cut_off_agrees_with_end_of_working_days_for_every_start(nation, n):
    """`start < cut-off` exactly when the nth working day after the start has ended, for
    starts every 3 hours across Easter, the May bank holidays, a clock change and Christmas."""
    from referrals.deadlines import end_of_working_days, started_before_working_days_passed

    first = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    nows = [first + dt.timedelta(hours=7 * k) for k in range(0, 24 * 45, 5)]
    nows += [
        dt.datetime(2026, 12, 20, tzinfo=dt.UTC) + dt.timedelta(hours=5 * k) for k in range(60)
    ]
    for now in nows:
        cut_off = started_before_working_days_passed(now, n, nation)
        for hours in range(0, 24 * 16, 3):
            start = now - dt.timedelta(hours=hours)
            assert (start < cut_off) == (end_of_working_days(start, n, nation) < now), (now, start)


# --- a day chosen, not counted (a support task's target date, issue 19 item 3) ----------------


def test_a_support_task_is_a_duty_due_on_its_chosen_day():
    assert TIMER_BASIS[Timer.SUPPORT_TASK] is Basis.CHOSEN_DAY
    assert deadlines.TIMER_KIND[Timer.SUPPORT_TASK] is deadlines.Kind.DUTY
    assert frozenset({Timer.RISK_REVIEW, Timer.SUPPORT_TASK}) == deadlines.CHOSEN_DAY_TIMERS


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 6, 12),  # a Friday in summer time
        dt.date(2026, 12, 25),  # Christmas Day: a bank holiday stays the day chosen
        dt.date(2026, 3, 29),  # the Sunday the clocks go forward
        dt.date(2026, 10, 25),  # the Sunday they go back
    ],
)
def test_a_chosen_day_is_due_at_its_last_local_instant_whatever_day_it_is(day):
    due = deadlines.end_of_day(day)
    assert due.tzinfo is dt.UTC
    local = due.astimezone(UK)
    assert (local.date(), local.time()) == (day, dt.time(23, 59, 59, 999999))
    assert (due + MICRO).astimezone(UK).date() == day + dt.timedelta(days=1)


def test_a_chosen_day_is_not_counted_from_a_start():
    with pytest.raises(ValueError, match="day chosen"):
        due_at(Timer.SUPPORT_TASK, RG_FRIDAY, length=1, nation=ENG)


def test_a_chosen_day_takes_a_date_not_an_instant():
    with pytest.raises(TypeError):
        deadlines.end_of_day(RG_FRIDAY)
