"""Reads that views share. Lists start here."""

from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

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
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        next_day = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        events = events.filter(at__lt=next_day)
    return events


def audit_viewers_of(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Who has looked at a record, and when: the panel on a case page."""
    return audit_events(action=AuditEvent.Action.VIEW).filter(
        object_type=object_type, object_id=str(object_id)
    )
