"""Rows built directly, for figures with known answers: no services, so no clock starts or
chronology unless a test adds it. Synthetic names only."""

import datetime as dt
import itertools

from cases.models import Case, Concern, ConcernStatus, ExploitationType, Person, Setting
from referrals.deadlines import UK, Timer
from referrals.models import Deadline, Decision, Referral

_numbers = itertools.count(1)


def uk(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UK)


def person(by, **fields) -> Person:
    number = next(_numbers)
    return Person.objects.create(
        reference=f"PN-S-{number:06d}", name=f"Synthetic Name{number}", created_by=by, **fields
    )


def concern(
    reporter, *, team, who, submitted_at, observed_at=None, types=(), case=None, status=None
) -> Concern:
    number = next(_numbers)
    made = Concern.objects.create(
        reference=f"CN-S-{number:06d}",
        person=who,
        reporter=reporter,
        team=team,
        observed_at=observed_at or submitted_at,
        submitted_at=submitted_at,
        location="Synthetic Street",
        setting=Setting.HOTEL,
        observer_account="Synthetic account.",
        case=case,
        status=status or (ConcernStatus.CASE if case else ConcernStatus.SUBMITTED),
    )
    made.exploitation_types.set(ExploitationType.objects.filter(code__in=types))
    return made


def case(*, who, team, lead, restricted=False, members=(), status="open") -> Case:
    number = next(_numbers)
    made = Case.objects.create(
        reference=f"SG-S-{number:06d}",
        person=who,
        team=team,
        lead=lead,
        restricted=restricted,
        status=status,
    )
    made.members.set(members)
    return made


def referral(on, *, pathway, submitted_at=None, status="submitted", by=None) -> Referral:
    number = next(_numbers)
    return Referral.objects.create(
        reference=f"RF-S-{number:06d}",
        case=on,
        pathway=pathway,
        status=status if submitted_at else "draft",
        created_by=by or on.lead,
        submitted_at=submitted_at,
    )


def decision(on, *, kind, outcome, received_on) -> Decision:
    return Decision.objects.create(
        referral=on, kind=kind, outcome=outcome, received_on=received_on, recorded_by=on.case.lead
    )


def deadline(*, timer=Timer.RECOVERY_PERIOD, starts_at=None, due_at, **fields) -> Deadline:
    return Deadline.objects.create(
        timer=timer, starts_at=starts_at or due_at - dt.timedelta(days=2), due_at=due_at, **fields
    )
