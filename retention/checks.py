"""The blockers this app registers (retention.blockers)."""

from cases.models import CaseStatus, ConcernStatus

from . import selectors
from .models import Decision


def legal_hold(person) -> str | None:
    latest = selectors.latest_review(person)
    if latest is not None and latest.decision == Decision.HOLD:
        return f"Their records are on legal hold ({latest.get_hold_ground_display().lower()})"
    return None


def open_again(person) -> str | None:
    if (
        person.cases.filter(status=CaseStatus.OPEN).exists()
        or person.concerns.filter(status=ConcernStatus.SUBMITTED).exists()
    ):
        return "A case or concern of theirs is open"
    return None
