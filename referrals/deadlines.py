"""Deadline arithmetic for the case timers (DOMAIN.md "Timers"). Pure: no ORM, no settings,
no clock. Callers pass the start instant, the organisation's length and nation, and "now".

Every input datetime must be aware (ValueError otherwise); every output is an aware UTC
datetime. Days are counted in UK local time (Europe/London), so a date is always the local
date of an instant, whatever its offset.

How each basis counts (state the same in the product's help):

- CLOCK_HOURS: exactly N real hours after the start instant. 48 hours across a clock change
  is still 48 hours, so the local wall-clock time of the result moves by an hour.
- WORKING_DAYS: the local date of the start is day 0, whatever kind of day it is; the
  deadline is the end of the Nth working day after it. A working day is Monday to Friday and
  not a bank holiday of the organisation's nation (the `holidays` package's GB subdivisions,
  including substitute days and one-off proclaimed holidays). A start on a weekend or a
  bank holiday therefore counts from the next working days.
- DAYS_BEGINNING_WITH: "a period of N days beginning with" the start date: the start date
  is day 1; the period ends at the end of day N (start date + N - 1).
- DAYS_WITHIN: "within N days of" the start: the start date is day 0; the window closes at
  the end of start date + N. For the same N it ends one day later than DAYS_BEGINNING_WITH.
- CHOSEN_DAY: the end of a day someone chose (a risk assessment's review date, a support
  task's target date; issue 19, items 3 and 4), local time, whatever kind of day it is: no
  length and no counting; `end_of_day` gives the instant. A target on a Sunday stays on the
  Sunday; its "before" reminder falls on the working day before it.
- CALENDAR_MONTHS: N calendar months from the start's local date, as the ICO counts a subject
  access request's month: due at the end of the same day of the month N months on (received
  3 September, due 3 October); where that month has no such day, its last day (received
  31 January, due 28 or 29 February); and where that day is a weekend or a bank holiday of the
  nation, the next working day.
- NOT_BEFORE_DAYS: "not before N days after" the start: the start date is day 0 and day N
  is the first day on which the event is allowed, so the instant is the *start* (00:00
  local) of start date + N. It is the earliest permitted moment, not something that can
  be overdue: a positive RG on 1 March with 30 days lets a CG decision be made from
  00:00 on 31 March, which is also the first day after a 30-day recovery period beginning
  with 1 March.

"End of a day" is its last representable instant, 23:59:59.999999 local (shown as 23:59).
A deadline is overdue once now is later than it.

Timer bases: refer, clock hours; RG decision, place of safety and the child trafficking
guardian referral (started with a child's first Children's Services or NRM referral), working
days; recovery
period and move-on support, days beginning with the decision day (DOMAIN.md states this for
recovery; move-on is a support period counted the same way); reconsideration, within N days
of the decision; CG not before, not before N days after the positive RG.

Kinds (issue 18, item 6): a DUTY is something someone must do by a time (refer, chase the RG
decision, request reconsideration): once its time passes it is overdue. A PERIOD is support
that runs until an end (recovery, move-on, place of safety): when it ends nothing is late;
what matters is what the lead does before and at its end (PERIOD_ACTIONS). An EARLIEST
marker (CG not before) is the first moment something may happen.

End conditions (item 2): a period's day is counted from its length and basis as above; its
end condition says what else may end it (`End`, `period_end`): only its day (FIXED), the
event (EVENT: the CG decision; the day is then when to check on it), the later of the two
(LATER: "at least until the day, and until the CG decision") or the earlier (EARLIER).
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# The same zone as safeguard.dates.UK: this module imports nothing of the project (it is pure).
UK = ZoneInfo("Europe/London")

NATIONS = frozenset({"ENG", "SCT", "NIR"})

# 09:00 local: when a working day is taken to begin, for reminders sent "next working day".
WORKING_DAY_STARTS = time(9)


class Timer(StrEnum):
    REFER = "refer"
    RG_DECISION = "rg_decision"
    RECOVERY_PERIOD = "recovery_period"
    CG_NOT_BEFORE = "cg_not_before"
    RECONSIDERATION = "reconsideration"
    MOVE_ON = "move_on"
    PLACE_OF_SAFETY = "place_of_safety"
    GUARDIAN_REFERRAL = "guardian_referral"
    RISK_REVIEW = "risk_review"
    SUPPORT_TASK = "support_task"
    SUBJECT_ACCESS = "subject_access"


# The referral clock's length is the organisation's own target (seed 003), not a legal deadline:
# its label says so wherever it is shown (issue 18, item 7).
LOCAL_TARGET = "your organisation's own target"
# The guardian referral's too: guidance asks for it alongside the NRM referral (England and Wales)
# or as soon as reasonably practicable (Scotland) but sets no number.
LOCAL_TARGET_TIMERS = frozenset({Timer.REFER, Timer.GUARDIAN_REFERRAL})

TIMER_LABELS: dict[Timer, str] = {
    Timer.REFER: f"Referral due ({LOCAL_TARGET})",
    Timer.RG_DECISION: "Reasonable Grounds decision expected",
    Timer.RECOVERY_PERIOD: "Recovery period ends",
    Timer.CG_NOT_BEFORE: "Conclusive Grounds not before",
    Timer.RECONSIDERATION: "Reconsideration request window closes",
    Timer.MOVE_ON: "Move-on support ends",
    Timer.PLACE_OF_SAFETY: "Place of safety ends",
    Timer.GUARDIAN_REFERRAL: f"Child trafficking guardian referral due ({LOCAL_TARGET})",
    Timer.RISK_REVIEW: "Risk assessment review due",
    Timer.SUPPORT_TASK: "Support task target date",
    Timer.SUBJECT_ACCESS: "Subject access request to be answered",
}


class Basis(StrEnum):
    CLOCK_HOURS = "clock_hours"
    WORKING_DAYS = "working_days"
    DAYS_BEGINNING_WITH = "days_beginning_with"
    DAYS_WITHIN = "days_within"
    NOT_BEFORE_DAYS = "not_before_days"
    CHOSEN_DAY = "chosen_day"
    CALENDAR_MONTHS = "calendar_months"


TIMER_BASIS: dict[Timer, Basis] = {
    Timer.REFER: Basis.CLOCK_HOURS,
    Timer.RG_DECISION: Basis.WORKING_DAYS,
    Timer.RECOVERY_PERIOD: Basis.DAYS_BEGINNING_WITH,
    Timer.CG_NOT_BEFORE: Basis.NOT_BEFORE_DAYS,
    Timer.RECONSIDERATION: Basis.DAYS_WITHIN,
    Timer.MOVE_ON: Basis.DAYS_BEGINNING_WITH,
    Timer.PLACE_OF_SAFETY: Basis.WORKING_DAYS,
    Timer.GUARDIAN_REFERRAL: Basis.WORKING_DAYS,
    Timer.RISK_REVIEW: Basis.CHOSEN_DAY,
    Timer.SUPPORT_TASK: Basis.CHOSEN_DAY,
    Timer.SUBJECT_ACCESS: Basis.CALENDAR_MONTHS,
}

# Timers whose day is chosen when they start, not counted from a length.
CHOSEN_DAY_TIMERS = frozenset(t for t, basis in TIMER_BASIS.items() if basis is Basis.CHOSEN_DAY)

# The timers whose length is the competent authority's to set (issue 18, item 3): its
# Reasonable Grounds decision and the earliest day of its Conclusive Grounds decision. Their
# basis (above) is the same whoever decides; only the length differs (referrals.rules).
AUTHORITY_TIMERS = frozenset({Timer.RG_DECISION, Timer.CG_NOT_BEFORE})

# The others: counted from their start with a length (referrals.rules).
COUNTED_TIMERS = frozenset(Timer) - CHOSEN_DAY_TIMERS

# Their instant is the earliest moment something may happen, never "overdue": the reminder
# engine should announce it, not chase or escalate it.
NOT_BEFORE_TIMERS = frozenset(
    t for t, basis in TIMER_BASIS.items() if basis is Basis.NOT_BEFORE_DAYS
)


class Kind(StrEnum):
    DUTY = "duty"  # someone must act by then: overdue once it has passed
    PERIOD = "period"  # support runs until then: it ends, it is never overdue
    EARLIEST = "earliest"  # the first moment something may happen


TIMER_KIND: dict[Timer, Kind] = {
    Timer.REFER: Kind.DUTY,
    Timer.RG_DECISION: Kind.DUTY,
    Timer.RECOVERY_PERIOD: Kind.PERIOD,
    Timer.CG_NOT_BEFORE: Kind.EARLIEST,
    Timer.RECONSIDERATION: Kind.DUTY,
    Timer.MOVE_ON: Kind.PERIOD,
    Timer.PLACE_OF_SAFETY: Kind.PERIOD,
    Timer.GUARDIAN_REFERRAL: Kind.DUTY,
    Timer.RISK_REVIEW: Kind.DUTY,
    Timer.SUPPORT_TASK: Kind.DUTY,
    Timer.SUBJECT_ACCESS: Kind.DUTY,
}
DUTY_TIMERS = frozenset(t for t, kind in TIMER_KIND.items() if kind is Kind.DUTY)
PERIOD_TIMERS = frozenset(t for t, kind in TIMER_KIND.items() if kind is Kind.PERIOD)

# What the lead must do before and at a period's end: shown beside "ends in ..." and in its
# reminders, instead of "overdue".
PERIOD_ACTIONS: dict[Timer, str] = {
    Timer.RECOVERY_PERIOD: (
        "Check whether the Conclusive Grounds decision has come; plan move-on support, or ask "
        "for an extension if they still need support"
    ),
    Timer.MOVE_ON: "Make sure their exit plan is in place and the agencies involved know",
    Timer.PLACE_OF_SAFETY: (
        "Arrange where they will stay next, and check for the Reasonable Grounds decision"
    ),
}

# The duty each DUTY timer asks of the lead, for its help text and reminders.
DUTY_ACTIONS: dict[Timer, str] = {
    Timer.REFER: "Make the NRM referral or Duty to Notify, or record why there will be none",
    Timer.RG_DECISION: "Chase the competent authority for its Reasonable Grounds decision",
    Timer.RECONSIDERATION: "Request reconsideration of the negative decision, if they want it",
    Timer.GUARDIAN_REFERRAL: (
        "Refer the child to the guardianship service, alongside the NRM referral"
    ),
    Timer.RISK_REVIEW: "Review the risk with them and record a new risk assessment",
    Timer.SUPPORT_TASK: "Check the support task is done, or agree a new target date",
    Timer.SUBJECT_ACCESS: (
        "Send the person their records, with other people's details redacted, or tell them why "
        "it will take longer"
    ),
}

# The subject access clock is the law's, not the organisation's (UK GDPR Article 12(3)): one
# month from receipt, extendable by two further months for a complex request (three in all),
# the person told why within the first month.
SUBJECT_ACCESS_MONTHS = 1
SUBJECT_ACCESS_EXTENDED_MONTHS = SUBJECT_ACCESS_MONTHS + 2


@dataclass(frozen=True)
class GuardianService:
    """A nation's guardianship service for trafficked children (sources in referrals.help)."""

    name: str
    run_by: str
    national: bool  # covers the whole nation; otherwise only the areas where it has started


# England and Wales: the Independent Child Trafficking Guardian service, in about two thirds of
# local authority areas (all of Wales), so whether it covers an organisation's area is a
# setting. Scotland and Northern Ireland: a statutory service for the whole nation.
GUARDIAN_SERVICES: dict[str, GuardianService] = {
    "ENG": GuardianService(
        "the Independent Child Trafficking Guardian (ICTG) service", "Barnardo's", national=False
    ),
    "SCT": GuardianService(
        "Guardianship Scotland (Independent Child Trafficking Guardians)",
        "the Scottish Refugee Council and Aberlour Children's Charity",
        national=True,
    ),
    "NIR": GuardianService(
        "the Independent Guardian Service", "Barnardo's Northern Ireland", national=True
    ),
}


class End(StrEnum):
    FIXED = "fixed"  # on its day, whatever happens
    EVENT = "event"  # at the event; its day is only when to check whether it has come
    LATER = "later"  # at least until its day, and until the event
    EARLIER = "earlier"  # on its day, or at the event if that comes first


# The event that may end a period, in words (a period not named here ends only on its day).
END_EVENTS: dict[Timer, str] = {Timer.RECOVERY_PERIOD: "the Conclusive Grounds decision"}


@dataclass(frozen=True)
class Rule:
    """How long a timer runs for an organisation, and what ends it. Built from the
    organisation's settings, with a competent authority's own lengths laid over them for
    AUTHORITY_TIMERS (referrals.rules): the arithmetic here is the same for every source."""

    length: int
    end: End = End.FIXED


# Today's recovery period by nation (issue 18, item 1; sources in the help page):
# England and Wales, at least 30 days beginning with the positive RG and until the CG decision
# (statutory guidance from 30 January 2023; Modern Slavery Act 2015 s.50A); Scotland, 90 days
# or until the CG decision if earlier (Human Trafficking and Exploitation (Scotland) Act 2015
# s.9(2), SSI 2018/90 reg. 2); Northern Ireland, 45 days (or longer) and until the CG decision
# (Human Trafficking and Exploitation (Criminal Justice and Support for Victims) Act (NI) 2015
# s.18(3) and (4)). The seeds' 45 days everywhere is the rule before 2023.
RECOVERY_DEFAULTS: dict[str, Rule] = {
    "ENG": Rule(30, End.LATER),
    "SCT": Rule(90, End.EARLIER),
    "NIR": Rule(45, End.LATER),
}
RECOVERY_PRESETS = {nation: rule.length for nation, rule in RECOVERY_DEFAULTS.items()}


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {value!r}")
    return value


def _length(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"a timer length must be a whole number of at least 1, not {n!r}")
    return n


def _nation(nation: str) -> str:
    if nation not in NATIONS:
        raise ValueError(f"unknown nation {nation!r}: expected one of {sorted(NATIONS)}")
    return nation


def _local_date(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def _local(day: date, at: time) -> datetime:
    # The UK changes its clocks on Sundays at 01:00 UTC, so a working day never has a gap
    # or a repeated hour; the UTC round-trip normalises the odd case anyway.
    return datetime.combine(day, at, tzinfo=UK).astimezone(UTC)


def _end_of(day: date) -> datetime:
    return _local(day, time.max)


def end_of_day(day: date) -> datetime:
    """The last instant of a UK day, in UTC: when "the day on which a decision is made" ends."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError("end_of_day takes a date")
    return _end_of(day)


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=nation, years=year))


def is_working_day(day: date, nation: str) -> bool:
    """Monday to Friday and not a bank holiday (or substitute day) of the nation."""
    if isinstance(day, datetime):
        # A datetime's date depends on its offset; the caller must choose the local date.
        raise TypeError("is_working_day takes a date; use the UK local date of an instant")
    _nation(nation)
    return day.weekday() < 5 and day not in _bank_holidays(nation, day.year)


def add_clock_hours(start: datetime, hours: int) -> datetime:
    """Exactly `hours` real hours after `start` (aware arithmetic in UTC, not wall time)."""
    return _aware(start, "start").astimezone(UTC) + timedelta(hours=_length(hours))


def end_of_working_days(start: datetime, n: int, nation: str) -> datetime:
    """End of the nth working day after the start's local date (day 0)."""
    day = _local_date(_aware(start, "start"))
    _length(n)
    _nation(nation)
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            counted += 1
    return _end_of(day)


def started_before_working_days_passed(now: datetime, n: int, nation: str) -> datetime:
    """The instant C such that, for any start, `end_of_working_days(start, n) < now` exactly
    when `start < C`: the cut-off a query uses for "waiting longer than n working days".

    The end of the nth working day after a start's date has passed when n working days lie
    strictly between that date and today; so C is 00:00 local on the nth working day before
    today's local date. Lets the database filter on one instant instead of testing each row.
    """
    day = _local_date(_aware(now, "now"))
    _length(n)
    _nation(nation)
    counted = 0
    while counted < n:
        day -= timedelta(days=1)
        if is_working_day(day, nation):
            counted += 1
    return _local(day, time.min)


def end_of_period_beginning_with(start: datetime, n: int) -> datetime:
    """End of day n of a period whose day 1 is the start's local date."""
    day = _local_date(_aware(start, "start"))
    return _end_of(day + timedelta(days=_length(n) - 1))


def end_of_days_within(start: datetime, n: int) -> datetime:
    """End of the nth day after the start's local date (day 0)."""
    day = _local_date(_aware(start, "start"))
    return _end_of(day + timedelta(days=_length(n)))


def add_calendar_months(day: date, n: int) -> date:
    """The same day of the month n months on; the month's last day where it has no such day
    (31 January plus one month is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + n
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_calendar_months(start: datetime, n: int, nation: str) -> datetime:
    """End of the day n calendar months after the start's local date: the same day of the
    month, or the month's last day where it has no such day, moved on to the next working
    day where it falls on a weekend or a bank holiday."""
    day = _local_date(_aware(start, "start"))
    _length(n)
    _nation(nation)
    target = add_calendar_months(day, n)
    while not is_working_day(target, nation):
        target += timedelta(days=1)
    return _end_of(target)


def start_of_day_not_before(start: datetime, n: int) -> datetime:
    """00:00 local on the nth day after the start's local date: the earliest allowed instant."""
    day = _local_date(_aware(start, "start"))
    return _local(day + timedelta(days=_length(n)), time.min)


def period_end(end: End | str, day: datetime, event: datetime | None = None) -> datetime | None:
    """When a period with this end condition ends: `day` is its counted day (due_at), `event`
    when the ending event came, if it has. None while the end waits for an event that has not
    come (EVENT, or LATER whatever the day).
    """
    end, day = End(end), _aware(day, "day").astimezone(UTC)
    event = _aware(event, "event").astimezone(UTC) if event is not None else None
    match end:
        case End.FIXED:
            return day
        case End.EVENT:
            return event
        case End.LATER:
            return None if event is None else max(day, event)
        case End.EARLIER:
            return day if event is None else min(day, event)


def period_has_ended(
    end: End | str, day: datetime, now: datetime, event: datetime | None = None
) -> bool:
    """Whether the period is over at `now` (an end exactly at now counts as over)."""
    ends = period_end(end, day, event)
    return ends is not None and ends <= _aware(now, "now").astimezone(UTC)


def event_ends_period(end: End | str, day: datetime, event: datetime) -> bool:
    """Whether the event, coming at `event`, ends the period there and then: what a CG
    decision does to the recovery period. A LATER period whose day is still to come runs on
    to its day; a FIXED one always runs to its day."""
    return period_end(end, day, event) == _aware(event, "event").astimezone(UTC)


def due_at(timer: Timer | str, start: datetime, *, length: int, nation: str) -> datetime:
    """The timer's instant (UTC) for a clock started at `start`, counted per TIMER_BASIS."""
    basis = TIMER_BASIS[Timer(timer)]
    _nation(nation)
    match basis:
        case Basis.CLOCK_HOURS:
            return add_clock_hours(start, length)
        case Basis.WORKING_DAYS:
            return end_of_working_days(start, length, nation)
        case Basis.DAYS_BEGINNING_WITH:
            return end_of_period_beginning_with(start, length)
        case Basis.DAYS_WITHIN:
            return end_of_days_within(start, length)
        case Basis.NOT_BEFORE_DAYS:
            return start_of_day_not_before(start, length)
        case Basis.CALENDAR_MONTHS:
            return end_of_calendar_months(start, length, nation)
        case Basis.CHOSEN_DAY:
            raise ValueError(f"{timer} has no length: it is due at the end of the day chosen")


def working_day_before(moment: datetime, nation: str) -> datetime:
    """The same local time of day on the last working day before the moment's local date."""
    local = _aware(moment, "moment").astimezone(UK)
    day = local.date() - timedelta(days=1)
    while not is_working_day(day, nation):
        day -= timedelta(days=1)
    return _local(day, local.time())


def next_working_day_start(moment: datetime, nation: str) -> datetime:
    """09:00 local on the first working day after the moment's local date."""
    day = _local_date(_aware(moment, "moment")) + timedelta(days=1)
    while not is_working_day(day, nation):
        day += timedelta(days=1)
    return _local(day, WORKING_DAY_STARTS)


def remaining(due: datetime, now: datetime) -> timedelta:
    """Real time from now until due; negative once overdue."""
    # In UTC: subtracting two datetimes that share a tzinfo gives wall-clock time, which is
    # an hour out across a clock change.
    return _aware(due, "due").astimezone(UTC) - _aware(now, "now").astimezone(UTC)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _span(delta: timedelta) -> str:
    # Whole units, truncated, in real elapsed time (a "day" is 24 hours), two largest units.
    minutes = delta // timedelta(minutes=1)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        parts = [_plural(days, "day")] + ([_plural(hours, "hour")] if hours else [])
    elif hours:
        parts = [_plural(hours, "hour")] + ([_plural(minutes, "minute")] if minutes else [])
    else:
        parts = [_plural(minutes, "minute")]
    return " ".join(parts)


def describe_remaining(due: datetime, now: datetime) -> str:
    """Plain words, so the meaning never depends on colour: "2 days 3 hours left",
    "due now" (less than a minute either side), "overdue by 1 day 2 hours"."""
    left = remaining(due, now)
    if abs(left) < timedelta(minutes=1):
        return "due now"
    if left > timedelta(0):
        return f"{_span(left)} left"
    return f"overdue by {_span(-left)}"


def _day_words(moment: datetime) -> str:
    local = moment.astimezone(UK)
    return f"{local:%a} {local.day} {local:%b %Y}"


def describe_end(end: End | str, day: datetime, event_name: str = "") -> str:
    """The end condition in words: "at least until Mon 30 Mar 2026, and until the Conclusive
    Grounds decision"; "until Fri 29 May 2026, or the Conclusive Grounds decision if that comes
    first"; "until the Conclusive Grounds decision (check on it by ...)"; "until ...".
    """
    end, on = End(end), _day_words(day)
    if not event_name or end is End.FIXED:
        return f"until {on}"
    match end:
        case End.EVENT:
            return f"until {event_name} (check on it by {on})"
        case End.LATER:
            return f"at least until {on}, and until {event_name}"
        case End.EARLIER:
            return f"until {on}, or {event_name} if that comes first"


def describe_period(
    end: End | str, day: datetime, now: datetime, event: datetime | None = None, event_name=""
) -> str:
    """A period's state in words, never "overdue": "ends in 3 days", "ended 35 days ago", or,
    for one whose day has passed while it waits for its event, "30 days passed 2 days ago;
    it continues until the Conclusive Grounds decision"."""
    ends = period_end(end, day, event)
    if ends is None:
        left = remaining(day, now)
        if left > timedelta(0):
            return f"{_span(left)} to its day; it continues until {event_name or 'the event'}"
        return f"its day passed {_span(-left)} ago; it continues until {event_name or 'the event'}"
    left = remaining(ends, now)
    if abs(left) < timedelta(minutes=1):
        return "ends now"
    if left > timedelta(0):
        return f"ends in {_span(left)}"
    return f"ended {_span(-left)} ago"


# --- Reminders ---------------------------------------------------------------------------------


class Stage(StrEnum):
    BEFORE = "before"  # a working day (by default) before it falls due
    DUE = "due"  # when it falls due
    OVERDUE = "overdue"  # each working day while overdue, from 09:00; copied to the manager


@dataclass(frozen=True)
class NextReminder:
    stage: Stage
    # 0 for "before" and "due", then 1, 2, ... for each overdue working day; a deadline whose
    # due time moved (an extension) starts again above the sequences it has used, so that
    # each reminder keeps a key of its own.
    sequence: int
    at: datetime


def first_reminder(
    due: datetime, now: datetime, nation: str, before_working_days: int = 1, *, period=False
) -> NextReminder | None:
    """The first reminder a new deadline needs: the earliest stage not already past. A period
    that has already ended when it is recorded needs none (nothing is late)."""
    due, now = _aware(due, "due"), _aware(now, "now")
    before = due
    for _ in range(before_working_days):
        before = working_day_before(before, nation)
    if before_working_days and now < before:
        return NextReminder(Stage.BEFORE, 0, before.astimezone(UTC))
    if now < due:
        return NextReminder(Stage.DUE, 0, due.astimezone(UTC))
    if period:
        return None
    # Already overdue when it was created: say so at once.
    return NextReminder(Stage.OVERDUE, 1, now.astimezone(UTC))


def reminder_after(
    sent: NextReminder, due: datetime, nation: str, *, period: bool = False
) -> NextReminder | None:
    """The reminder that follows `sent`: due, then each working day's overdue reminder. A
    period is reminded of ahead of its end and at it, never chased after it (None)."""
    if sent.stage == Stage.BEFORE:
        return NextReminder(Stage.DUE, sent.sequence, _aware(due, "due").astimezone(UTC))
    if period:
        return None
    base = due if sent.stage == Stage.DUE else sent.at
    return NextReminder(
        Stage.OVERDUE, sent.sequence + 1, next_working_day_start(base, nation).astimezone(UTC)
    )
