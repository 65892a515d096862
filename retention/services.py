"""Retention decisions and disposal (issue 21): one service each, in one transaction.

Reviews and disposals of one person are serialised on the person's row (SELECT ... FOR
UPDATE): a legal hold recorded while a disposal waits in the queue either commits first, and
the disposal then finds it and refuses, or waits for the disposal to finish, and then finds
the person already disposed of. Nothing is disposed of without a manager's approving review,
and the disposal asks every blocker (retention.blockers) again under that lock.

The append-only tables are never updated or deleted: a disposal inserts its audit events and
its Disposal row, and erases only ordinary tables, which the app's least-privilege role may
change (safeguard/management/commands/grant_app_role.py). So it needs no way round the
triggers, and none is made: the audit trail names records by reference only, so it holds
nothing to erase.
"""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import ConcernDraft, Person
from safeguard import audit
from safeguard.models import Notification

from . import blockers, erasure, selectors
from .models import Decision, Disposal, RetentionReview
from .schedule import Kind

logger = logging.getLogger(__name__)


@transaction.atomic
def review_record(
    *,
    request,
    person: Person,
    decision: str,
    reason: str,
    next_review_on: dt.date | None = None,
    hold_ground: str = "",
    hold_requested_by: str = "",
) -> RetentionReview:
    """A manager's decision on a person whose retention date has passed: keep until a later
    review, put on legal hold, lift the hold, or approve disposal (queued after commit)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if Disposal.objects.filter(person=person).exists():
        raise ValidationError("Their records have already been disposed of")
    latest = selectors.latest_review(person)
    on_hold = latest is not None and latest.decision == Decision.HOLD
    today = timezone.localdate()
    if decision == Decision.RELEASE and not on_hold:
        raise ValidationError("Their records are not on legal hold")
    if decision == Decision.KEEP and next_review_on is not None and next_review_on <= today:
        raise ValidationError({"next_review_on": "The next review must be after today"})
    if decision == Decision.DISPOSE:
        due = selectors.due_for(person)
        if due is None or due.due_on > today:
            raise ValidationError("Their records have not passed their retention date")
        refused = blockers.reasons(person)
        if refused:
            raise ValidationError(refused)
    review = RetentionReview(
        person=person,
        decision=decision,
        reason=reason.strip(),
        next_review_on=next_review_on if decision == Decision.KEEP else None,
        hold_ground=hold_ground if decision == Decision.HOLD else "",
        hold_requested_by=hold_requested_by.strip() if decision == Decision.HOLD else "",
        reviewed_by=request.user,
    )
    review.full_clean()
    review.save()
    audit.record(
        request,
        action=audit.Action.CREATE,
        obj=review,
        reference=person.reference,
        detail=f"retention review: {review.get_decision_display().lower()}",
    )
    if decision == Decision.DISPOSE:
        from . import tasks

        transaction.on_commit(lambda: tasks.person_dispose.delay(review.pk))
    return review


def disposal_plan(person: Person) -> dict[str, dict[str, int]]:
    """The dry run: what a disposal would take, as counts, changing nothing."""
    return erasure.plan_for(person).counts()


def _delete_files(files) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            # The rows are gone already; a file left behind is logged (by name, which is
            # ours, never the uploader's) for an administrator to remove.
            logger.exception("Disposal could not delete a file from storage: %s", name)


def person_dispose(*, review_id: int) -> str:
    """Carry out an approved disposal: erase the person's records and anonymise what the
    statistics count, in one transaction; delete their files after it commits. Refused (and
    the refusal audited) when a later review, a legal hold or any blocker stands in the way.
    Idempotent: a second run finds the Disposal row."""
    with transaction.atomic():
        review = RetentionReview.objects.get(pk=review_id)
        person = Person.objects.select_for_update().get(pk=review.person_id)
        if Disposal.objects.filter(person=person).exists():
            return "already disposed"
        latest = selectors.latest_review(person)
        refused = blockers.reasons(person)
        if review.decision != Decision.DISPOSE or latest.pk != review.pk:
            refused.insert(0, "A later review replaced the approval")
        if refused:
            audit.record(
                action=audit.Action.CHANGE,
                object_type="retentionreview",
                object_id=str(review.pk),
                reference=person.reference,
                detail="disposal refused: " + "; ".join(refused),
            )
            return "refused"
        plan = erasure.plan_for(person)
        counts = erasure.carry_out(plan)
        Disposal.objects.create(person=person, review=review, counts=counts)
        gone = sum(counts["deleted"].values())
        kept = sum(counts["anonymised"].values())
        audit.record(
            action=audit.Action.CHANGE,
            object_type="person",
            object_id=str(person.pk),
            reference=person.reference,
            changed_fields=[f"{kind}: {label}" for kind in counts for label in counts[kind]],
            detail=(
                f"disposed of (tombstone): retention review {review.pk} approved by user "
                f"{review.reviewed_by_id}; {gone} rows erased, {kept} anonymised, "
                f"{len(plan.files)} files deleted; records " + ", ".join(sorted(plan.references))
            ),
        )
        files = list(plan.files)
        transaction.on_commit(lambda: _delete_files(files))
    return "disposed"


def drafts_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the drafts of concerns not saved for the schedule's length (Kind.DRAFT), each
    author told in the service (without what the draft said), each deletion audited by the
    draft's number. Locked and skipped if someone is saving one at that moment."""
    now = now or timezone.now()
    length = selectors.rules()[Kind.DRAFT].length
    cutoff = now - dt.timedelta(days=length)
    deleted = 0
    for draft_id in ConcernDraft.objects.filter(updated_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            draft = (
                ConcernDraft.objects.select_for_update(skip_locked=True)
                .filter(pk=draft_id, updated_at__lt=cutoff)
                .first()
            )
            if draft is None:
                continue
            started = timezone.localtime(draft.created_at)
            Notification.objects.create(
                user_id=draft.author_id,
                title=f"A draft concern you started on {started:%-d %B %Y} was deleted: it had "
                f"not been changed for {length} days.",
                url=reverse("cases:my_concerns"),
            )
            audit.record(
                action=audit.Action.DELETE,
                obj=draft,
                detail=f"draft deleted after {length} days unchanged (retention schedule)",
            )
            draft.delete()
            deleted += 1
    return deleted
