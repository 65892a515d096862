"""Reads that views share. Lists start here."""

from django.db.models import QuerySet

from .dates import uk_day_bounds
from .models import AuditEvent


def audit_events(
    *, actor=None, action: str = "", reference: str = "", date_from=None, date_to=None
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, filtered. Dates are whole UK days, inclusive."""
    events = AuditEvent.objects.select_related("actor")
    if actor is not None:
        events = events.filter(actor=actor)
    if action:
        events = events.filter(action=action)
    if reference:
        events = events.filter(reference__iexact=reference.strip())
    start, end = uk_day_bounds(date_from, date_to)
    if start:
        events = events.filter(at__gte=start)
    if end:
        events = events.filter(at__lt=end)
    return events


def audit_viewers_of(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Who has looked at a record, and when: the panel on a case page."""
    return audit_events(action=AuditEvent.Action.VIEW).filter(
        object_type=object_type, object_id=str(object_id)
    )
