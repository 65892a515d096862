"""Reads of subject access requests. Every list starts from `requests_visible_to`."""

from django.db.models import QuerySet

from cases.models import Person
from cases.selectors import cases_visible_to, concerns_visible_to
from safeguard.access import LEADS

from .models import SubjectAccessRequest


def requests_visible_to(user) -> QuerySet[SubjectAccessRequest]:
    """The requests of people whose records `user` may see: leads and managers only (the page
    rule says the same), through the cases and concerns they may see."""
    if not user.is_authenticated or user.role not in LEADS:
        return SubjectAccessRequest.objects.none()
    people = (
        Person.objects.filter(cases__in=cases_visible_to(user))
        .values("pk")
        .union(Person.objects.filter(concerns__in=concerns_visible_to(user)).values("pk"))
    )
    return SubjectAccessRequest.objects.filter(person__in=people).select_related(
        "person", "handler", "deadline"
    )


def open_request_for(person) -> SubjectAccessRequest | None:
    """The person's open subject access request, if any: while one is open their records are
    not disposed of (retention.blockers, wired at merge)."""
    return (
        SubjectAccessRequest.objects.filter(person=person, status=SubjectAccessRequest.Status.OPEN)
        .order_by("received_on")
        .first()
    )


def request_references_of_people(references: set[str]) -> list[str]:
    """The audit trail's "a person's records" (safeguard.audit.person_records): the requests
    of people whose references are known."""
    return list(
        SubjectAccessRequest.objects.filter(person__reference__in=references).values_list(
            "reference", flat=True
        )
    )
