"""Dates in the UK: the range a date typed into the app may fall in (one rule, for every form
and model), and a UK calendar day as instants (where a day starts, what a range of days
covers), for filters, periods and timers alike; stored times are UTC.

Nothing we record happened before 1900, and something that has happened (a date of birth,
when a concern was seen, a consent, a decision, when someone was last seen) cannot be in the
future; something planned (a target, a review, the end of a report's period) is at most ten
years ahead. A year 1 decision would make its deadlines due in year 1, overdue at once and
reminded; year 9999 overflows the day after it.
"""

import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

UK = ZoneInfo("Europe/London")
EARLIEST = dt.date(1900, 1, 1)
YEARS_AHEAD = 10


class When(StrEnum):
    HAPPENED = "happened"  # from 1900 to today
    PLANNED = "planned"  # from 1900 to ten years from today


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def latest(when: When, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    if when == When.HAPPENED:
        return today
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February, ten years on, is usually not a day
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def range_message(when: When, what: str = "The date") -> str:
    end = "today" if when == When.HAPPENED else long_date(latest(when))
    return f"{what} must be between {long_date(EARLIEST)} and {end}"


@deconstructible
class DateRangeValidator:
    """Refuses a date (or a datetime, by its UK day) outside the range for `when`."""

    code = "date_range"

    def __init__(self, when: When, what: str = "The date"):
        self.when, self.what = When(when), what

    def __call__(self, value) -> None:
        if value is None:
            return
        try:
            day = timezone.localdate(value) if isinstance(value, dt.datetime) else value
        except OverflowError:  # the first or last moment a datetime can hold, moved to UK time
            day = dt.date.min
        if not EARLIEST <= day <= latest(self.when):
            raise ValidationError(range_message(self.when, self.what), code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, DateRangeValidator) and (self.when, self.what) == (
            other.when,
            other.what,
        )


def check(**dates: tuple[dt.date | dt.datetime | None, When]) -> None:
    """For a model's clean() (the services call full_clean) and the services that check their
    own arguments: each date, by field name, in its range; the errors by field."""
    errors = {}
    for name, (value, when) in dates.items():
        try:
            DateRangeValidator(when)(value)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


def uk_day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the UK (00:00 GMT or BST, as the day falls)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=UK)


def uk_day_bounds(
    first: dt.date | None, last: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """From the start of `first` to the start of the day after `last`: a range of whole days,
    both included, as [start, end). Either side may be open (None); the last day the calendar
    has (31 December 9999) has no day after it, so a range ending then is open-ended."""
    start = uk_day_start(first) if first else None
    end = uk_day_start(last + dt.timedelta(days=1)) if last and last < dt.date.max else None
    return start, end
