"""Reads that views share. Lists start here."""

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate

from . import audit
from .dates import UK, uk_day_bounds
from .models import AuditEvent


def audit_events(
    *,
    actor=None,
    action: str = "",
    reference: str = "",
    person: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, filtered. Dates are whole UK days, inclusive. `person`
    is a person's reference: events about any of their records (audit.references_of_person)."""
    events = AuditEvent.objects.select_related("actor")
    if actor is not None:
        events = events.filter(actor=actor)
    if action:
        events = events.filter(action=action)
    if reference:
        events = events.filter(reference__iexact=reference.strip())
    if person:
        events = events.filter(reference__in=audit.references_of_person(person))
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


def audit_viewers_by_day(*, object_type: str, object_id: str) -> QuerySet:
    """Who has looked at a record: one row per person per UK day (a lead who opens a case 20
    times in an afternoon is one row, "20 times"), newest day first, counted in the database
    so the panel is one query however many views there are. Each row has actor_id,
    actor_name, day, views, first and last (instants), and full_views (how many saw more than
    that the record exists)."""
    return (
        audit_viewers_of(object_type=object_type, object_id=object_id)
        .order_by()
        .annotate(day=TruncDate("at", tzinfo=UK))
        .values("actor_id", "day")
        .annotate(
            actor_name=F("actor__full_name"),
            views=Count("id"),
            first=Min("at"),
            last=Max("at"),
            full_views=Count("id", filter=~Q(detail="existence only")),
        )
        .order_by("-day", "-last", "actor_id")
    )
