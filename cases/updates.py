"""What the person who raised a concern hears of it (issue 19, item 5).

Frontline staff who log a concern usually cannot see the case it becomes. They are told the
stage it has reached and when, in-app and on "Your concerns", and nothing else: no name, no
detail, no decision's outcome, nothing from the record. Each stage is told once per concern,
which the database holds to (ReporterUpdate's unique key), so a repeated event tells no one
twice.

The receivers in cases.receivers call these on the events that reach each stage.
"""

from django.db import IntegrityError, transaction
from django.urls import reverse

from safeguard.models import Notification

from .models import Case, Concern, ConcernStatus, ReporterStage, ReporterUpdate

# Each message names the concern by its reference, which its reporter already holds.
MESSAGES: dict[str, str] = {
    ReporterStage.TRIAGED: "Your concern {reference} has been looked at by the safeguarding team.",
    ReporterStage.CASE_OPENED: "The safeguarding team has taken your concern {reference} on "
    "as a case.",
    ReporterStage.REFERRED: "The safeguarding team has made a referral about your concern "
    "{reference}.",
    ReporterStage.CLOSED: "The safeguarding team has finished its work on your concern "
    "{reference}.",
}

# A restricted case is kept to the people named on it, often because someone close to the
# person, or to the concern, must not learn how it goes. Its reporter hears only that their
# concern reached the team; later stages would say how the case is going.
TOLD_WHILE_RESTRICTED = frozenset({ReporterStage.TRIAGED})


def _may_tell(concern: Concern, stage: str) -> bool:
    case = concern.case if concern.case_id else None
    return stage in TOLD_WHILE_RESTRICTED or case is None or not case.restricted


def concern_stage_tell(*, concern: Concern, stage: str) -> ReporterUpdate | None:
    """Tell `concern`'s reporter it has reached `stage`, unless they have been told already
    or its case is restricted. The row and the notification are made together in a savepoint:
    the second of two at once waits on the unique key, then finds it taken and tells no one."""
    if not _may_tell(concern, stage):
        return None
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                user_id=concern.reporter_id,
                title=MESSAGES[stage].format(reference=concern.reference),
                url=reverse("cases:my_concerns"),
            )
            return ReporterUpdate.objects.create(
                concern=concern, stage=stage, at=note.created_at, notification=note
            )
    except IntegrityError:
        return None


def case_stage_tell(*, case: Case, stage: str) -> list[ReporterUpdate]:
    """Tell the reporter of each of the case's concerns, once per concern."""
    if stage not in TOLD_WHILE_RESTRICTED and case.restricted:
        return []
    told = []
    for concern in case.concerns.order_by("pk"):
        concern.case = case
        update = concern_stage_tell(concern=concern, stage=stage)
        if update is not None:
            told.append(update)
    return told


def latest_stage(concern: Concern) -> tuple[str, object]:
    """What "Your concerns" shows for a concern: the last stage told and its time, or that it
    waits to be looked at. Reads the prefetched `updates`."""
    updates = list(concern.updates.all())
    if not updates:
        if concern.status != ConcernStatus.SUBMITTED:
            # Triaged without a stage told (rows made before the stages were): looked at.
            return ReporterStage.TRIAGED.label, concern.triaged_at or concern.submitted_at
        return "Waiting to be looked at", concern.submitted_at
    last = updates[-1]
    return last.get_stage_display(), last.at
