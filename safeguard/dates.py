"""The UK calendar day as instants: where a day starts, and the instants a range of days
covers. Pure (no ORM), for filters, periods and timers alike; stored times are UTC."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def uk_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the UK (00:00 GMT or BST, as the day falls)."""
    return datetime.combine(day, time.min, tzinfo=UK)


def uk_day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """From the start of `first` to the start of the day after `last`: a range of whole days,
    both included, as [start, end). Either side may be open (None); the last day the calendar
    has (31 December 9999) has no day after it, so a range ending then is open-ended."""
    start = uk_day_start(first) if first else None
    end = uk_day_start(last + timedelta(days=1)) if last and last < date.max else None
    return start, end
