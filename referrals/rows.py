"""A deadline as a row of a list: what it is, whose it is, when it falls due and whether it is
overdue, in UK local time. The deadline pages and the lead's home page show the same rows.
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from safeguard import access

from . import owners
from .deadlines import UK, describe_remaining
from .models import Deadline


@dataclass(frozen=True)
class Row:
    deadline: Deadline
    label: str
    reference: str
    href: str
    team: str
    chaser: object  # the assignee, else the case's lead; None for a concern awaiting triage
    due: datetime  # UK local time
    remaining: str
    overdue: bool
    allowed_now: bool  # a "not before" marker whose moment has come
    is_period: bool  # a support period: it ends ("ends in ..."), it is never overdue
    action: str  # what a period asks of the lead before and at its end
    can_reassign: bool

    @property
    def due_text(self) -> str:
        return f"{self.due:%a} {self.due.day} {self.due:%b %Y, %H:%M}"


def deadline_row(deadline: Deadline, *, now: datetime, user) -> Row:
    case, concern = deadline.case, deadline.concern
    if case is not None:
        reference, href = case.reference, reverse("cases:case_detail", args=[case.reference])
    elif concern is not None:
        reference = concern.reference
        href = reverse("cases:concern_detail", args=[concern.reference])
    else:  # a deadline of a record of its own (a subject access request): owners.py
        reference, href = deadline.owner_reference, owners.path_of(deadline)
    past = deadline.due_at <= now
    return Row(
        deadline=deadline,
        label=deadline.get_timer_display(),
        reference=reference,
        href=href,
        team=(case or concern or deadline).team.name,
        chaser=deadline.assignee or (case.lead if case is not None else None),
        due=deadline.due_at.astimezone(UK),
        remaining=(
            deadline.period_text(now)
            if deadline.is_period
            else describe_remaining(deadline.due_at, now)
        ),
        overdue=deadline.is_overdue(now),
        allowed_now=deadline.is_earliest and past,
        is_period=deadline.is_period,
        action=deadline.action,
        can_reassign=access.may_reassign(user, deadline),
    )
