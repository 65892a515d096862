"""Retention dates: pure arithmetic on the schedule's units, and the month an anonymised date
is truncated to."""

import datetime as dt

from referrals.deadlines import UK
from referrals.deadlines import add_calendar_months as add_months

from .schedule import Unit

__all__ = ["UK", "add_months", "month_start", "retention_date"]


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
