"""The audit trail: one function writes every event; nothing updates or deletes one.

Events name records by type, id and reference (a case reference, never a person's name), and
changes by the names of the fields that changed, never their values.
"""

from collections.abc import Iterable

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
