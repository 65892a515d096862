"""Retention dates: pure arithmetic on the schedule's units, and the month an anonymised date
is truncated to."""

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from .schedule import Unit

UK = ZoneInfo("Europe/London")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day where it has no such day (31 January
    plus one month is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_date(start: dt.datetime, length: int, unit: Unit) -> dt.date:
    """The UK day from which a record counted from `start` is due for review."""
    day = start.astimezone(UK).date()
    match unit:
        case Unit.MONTHS:
            return add_months(day, length)
        case Unit.DAYS:
            return day + dt.timedelta(days=length)
        case Unit.HOURS:
            return (start + dt.timedelta(hours=length)).astimezone(UK).date()
    raise ValueError(unit)


def month_start(value: dt.datetime) -> dt.datetime:
    """The first instant of `value`'s UK month: what an anonymised record keeps of a time."""
    local = value.astimezone(UK)
    return dt.datetime(local.year, local.month, 1, tzinfo=UK)
