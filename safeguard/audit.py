"""The audit trail: one function writes every event; nothing updates or deletes one.

Events name records by type, id and reference (a case reference, never a person's name), and
changes by the names of the fields that changed, never their values.
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import models

from .models import AuditEvent

Action = AuditEvent.Action


def client_ip(request) -> str | None:
    """The address of the person's browser: REMOTE_ADDR, or the proxy's X-Forwarded-For."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The last hop is the one our own proxy added; earlier ones are the client's say-so.
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def record(
    request=None,
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    reference: str = "",
    changed_fields: Iterable[str] = (),
    detail: str = "",
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(obj.pk)
        reference = reference or getattr(obj, "audit_reference", "")
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        reference=reference,
        changed_fields=sorted(changed_fields),
        detail=detail[:500],
        path=request.path[:300] if request is not None else "",
        ip=client_ip(request) if request is not None else None,
        request_id=getattr(request, "request_id", "") if request is not None else "",
    )


# --- A person's records ------------------------------------------------------------------------

# Which records are about one person is the domain apps' knowledge, and safeguard imports none
# of them: each app registers a function (in its AppConfig.ready) that, given references
# already known to be the person's, answers further ones (cases: the person's concerns and
# cases, and people merged into them; referrals: a case's referrals).
_PersonRecords = Callable[[set[str]], Iterable[str]]
_person_records: list[_PersonRecords] = []


def person_records(find: _PersonRecords) -> _PersonRecords:
    if find not in _person_records:
        _person_records.append(find)
    return find


def references_of_person(reference: str) -> set[str]:
    """Every reference the audit trail may name one person's records by: their own, their
    concerns', cases', referrals'. Followed until nothing new turns up, so no app needs to
    run before another (a handful of queries: a person has few records)."""
    known = {reference.strip().upper()}
    while True:
        found = set(known)
        for find in _person_records:
            found.update(find(known))
        if found == known:
            return known
        known = found
