"""Writes with the rules of a subject access request: recording it (its clock starts), checking
identity, extending it, deciding what is redacted, building and releasing the bundle, adding
the corrections the person asks for. One transaction each, with the audit event."""

import datetime as dt
import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from kombu.exceptions import OperationalError

from cases.models import Concern, Person
from cases.services import addendum_add
from referrals import deadlines
from referrals.deadlines import Timer
from referrals.services import deadline_move, deadline_start, deadlines_satisfy
from safeguard import audit
from safeguard.access import Action, actions_on
from safeguard.dates import uk_day_start
from safeguard.models import OrganisationSettings

from . import collect
from .models import Bundle, Correction, Decision, RedactionItem, SubjectAccessRequest

logger = logging.getLogger(__name__)

CLOSED = "This request has been answered or withdrawn: nothing about it can change now."
ALREADY_OPEN = "This person already has an open subject access request: answer that one."
NOT_EVERY_RECORD = (
    "You cannot export every record about this person (a restricted case, or one of another "
    "team's): ask its lead to add you, or ask a manager who can, to prepare the bundle."
)
UNDECIDED = (
    "Every marked item needs a decision (redact or release, with a reason) before the bundle "
    "is released: {count} still to decide."
)
STALE = (
    "Decisions changed after this bundle was prepared: prepare it again, check it, then release."
)
NOT_READY = "Release a bundle that has been prepared and checked."
NO_IDENTITY = "Check their identity before releasing their records."
ALREADY_EXTENDED = "This request has already been extended: two months is the most the law allows."
TOO_LATE_TO_EXTEND = (
    "The first month has passed: an extension has to be decided, and the person told why, "
    "within the first month."
)


def _locked(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    """The request's row, locked: decisions and the release wait for each other."""
    locked = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if locked.is_closed:
        raise ValidationError(CLOSED)
    return locked


@transaction.atomic
def request_record(
    *,
    request,
    person: Person,
    team,
    handler,
    requester: str,
    requester_name: str,
    how_received: str,
    received_on: dt.date,
) -> SubjectAccessRequest:
    """Record a request and start its one-month clock from the day it was received."""
    if SubjectAccessRequest.objects.filter(
        person=person, status=SubjectAccessRequest.Status.OPEN
    ).exists():
        raise ValidationError(ALREADY_OPEN)
    sar = SubjectAccessRequest(
        person=person,
        team=team,
        handler=handler,
        requester=requester,
        requester_name=requester_name.strip(),
        how_received=how_received.strip(),
        received_on=received_on,
        created_by=request.user,
        reference=f"tmp-{uuid.uuid4().hex[:14]}",
    )
    sar.full_clean(exclude=["reference"])
    sar.save()
    sar.reference = f"SAR-{timezone.localdate().year}-{sar.pk:06d}"
    sar.deadline = deadline_start(
        timer=Timer.SUBJECT_ACCESS,
        start=uk_day_start(received_on),
        assignee=handler,
        team=team,
        owner_reference=sar.reference,
    )
    sar.save(update_fields=["reference", "deadline"])
    audit.record(request, action=audit.Action.CREATE, obj=sar)
    return sar


@transaction.atomic
def identity_check(*, request, sar: SubjectAccessRequest, how: str) -> SubjectAccessRequest:
    sar = _locked(sar)
    if not how.strip():
        raise ValidationError({"identity_how": "Say how their identity was checked"})
    sar.identity_checked, sar.identity_how = True, how.strip()
    sar.identity_checked_by, sar.identity_checked_at = request.user, timezone.now()
    sar.save(
        update_fields=[
            "identity_checked",
            "identity_how",
            "identity_checked_by",
            "identity_checked_at",
        ]
    )
    audit.record(request, action=audit.Action.CHANGE, obj=sar, changed_fields=["identity"])
    return sar


@transaction.atomic
def request_extend(*, request, sar: SubjectAccessRequest, reason: str) -> SubjectAccessRequest:
    """A complex request: two further months (three from receipt), with the reason, decided
    within the first month."""
    sar = _locked(sar)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the request needs longer"})
    deadline = sar.deadline
    if deadline.extended_from is not None:
        raise ValidationError(ALREADY_EXTENDED)
    if timezone.now() > deadline.due_at:
        raise ValidationError(TOO_LATE_TO_EXTEND)
    due = deadlines.due_at(
        Timer.SUBJECT_ACCESS,
        deadline.starts_at,
        length=deadlines.SUBJECT_ACCESS_EXTENDED_MONTHS,
        nation=OrganisationSettings.load().nation,
    )
    deadline_move(deadline=deadline, due=due, reason=reason)
    audit.record(request, action=audit.Action.CHANGE, obj=sar, changed_fields=["deadline"])
    return sar


def _check_every_record(user, person: Person) -> None:
    records = [*person.concerns.select_related("case"), *person.cases.all()]
    if not all(Action.EXPORT in actions_on(user, record) for record in records):
        raise ValidationError(NOT_EVERY_RECORD)


def items_collect(sar: SubjectAccessRequest) -> collect.Collected:
    """Read the person's records and mark every piece of other people's information not marked
    yet (a record added since the last look brings its own items, undecided)."""
    collected = collect.collect(sar.person)
    have = set(
        RedactionItem.objects.filter(request=sar).values_list("source_model", "source_id", "field")
    )
    RedactionItem.objects.bulk_create(
        [
            RedactionItem(
                request=sar,
                kind=mark.kind,
                label=mark.label[:200],
                source_model=mark.source_model,
                source_id=mark.source_id,
                field=mark.field,
            )
            for mark in collected.marks
            if (mark.source_model, mark.source_id, mark.field) not in have
        ],
        ignore_conflicts=True,
    )
    return collected


@transaction.atomic
def items_review(*, request, sar: SubjectAccessRequest) -> int:
    """Mark the items for decision (before any bundle is asked for)."""
    sar = _locked(sar)
    _check_every_record(request.user, sar.person)
    items_collect(sar)
    return sar.redaction_items.count()


@transaction.atomic
def item_decide(
    *, request, sar: SubjectAccessRequest, item: RedactionItem, decision: str, reason: str
) -> RedactionItem:
    """Who decided, what and why. Under the request's lock, so that a release cannot slip in
    between; a released request's decisions stay as they were released."""
    sar = _locked(sar)
    item = RedactionItem.objects.select_for_update().get(pk=item.pk, request=sar)
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose whether to redact or release it"})
    if not reason.strip():
        raise ValidationError({"reason": "Say why"})
    item.decision, item.reason = decision, reason.strip()
    item.decided_by, item.decided_at = request.user, timezone.now()
    item.full_clean()
    item.save()
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=sar,
        changed_fields=["redaction"],
        detail=f"Item {item.pk}: {decision}",
    )
    return item


def send_to_worker(bundle_id: str) -> bool:
    from . import tasks

    try:
        tasks.build_bundle.delay(bundle_id)
    except (OperationalError, OSError):
        logger.warning("Bundle %s not sent: broker unreachable; requeued later", bundle_id)
        return False
    return True


@transaction.atomic
def bundle_request(*, request, sar: SubjectAccessRequest) -> Bundle:
    """Ask a worker to build the bundle, with the decisions made so far (an undecided item is
    redacted in the build, and the release waits for it)."""
    sar = _locked(sar)
    _check_every_record(request.user, sar.person)
    items_collect(sar)
    bundle = Bundle.objects.create(request=sar, requested_by=request.user)
    audit.record(
        request, action=audit.Action.EXPORT, obj=bundle, detail="Subject access bundle requested"
    )
    transaction.on_commit(lambda: send_to_worker(str(bundle.pk)))
    return bundle


@transaction.atomic
def request_release(*, request, sar: SubjectAccessRequest, bundle: Bundle) -> SubjectAccessRequest:
    """Release the bundle to the person: refused while any marked item is undecided (counted
    under the request's lock, after marking whatever has been added to the record since), or
    if decisions changed after the bundle was built. Stops the clock."""
    sar = _locked(sar)
    if not sar.identity_checked:
        raise ValidationError(NO_IDENTITY)
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk, request=sar)
    if bundle.status != Bundle.Status.READY:
        raise ValidationError(NOT_READY)
    items_collect(sar)
    undecided = sar.redaction_items.filter(decision="").count()
    if undecided:
        raise ValidationError(UNDECIDED.format(count=undecided))
    latest = sar.redaction_items.aggregate(decided=Max("decided_at"), created=Max("created_at"))
    changes = [t for t in latest.values() if t is not None]
    if changes and max(changes) > bundle.started_at:
        raise ValidationError(STALE)
    now = timezone.now()
    bundle.status = Bundle.Status.RELEASED
    bundle.save(update_fields=["status"])
    sar.status, sar.released_at, sar.released_by = (
        SubjectAccessRequest.Status.RELEASED,
        now,
        (request.user),
    )
    sar.full_clean()
    sar.save(update_fields=["status", "released_at", "released_by"])
    deadlines_satisfy(type(sar.deadline).objects.filter(pk=sar.deadline_id), "bundle released")
    audit.record(
        request,
        action=audit.Action.EXPORT,
        obj=bundle,
        detail=f"Subject access bundle released ({bundle.redacted} items redacted)",
    )
    return sar


@transaction.atomic
def correction_add(
    *, request, sar: SubjectAccessRequest, concern: Concern, text: str
) -> Correction:
    """The person says something in their record is wrong: an addendum to the concern, which
    itself never changes."""
    sar = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if concern.person_id != sar.person_id:
        raise ValidationError({"concern": "Choose one of this person's concerns"})
    if not text.strip():
        raise ValidationError({"text": "Enter the correction they asked for"})
    addendum = addendum_add(
        request=request,
        concern=concern,
        text=f"Correction asked for by the person (subject access request {sar.reference}): "
        f"{text.strip()}",
    )
    correction = Correction.objects.create(request=sar, addendum=addendum)
    audit.record(request, action=audit.Action.CHANGE, obj=sar, changed_fields=["corrections"])
    return correction
