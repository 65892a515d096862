"""Reads of subject access requests. Every list starts from `requests_visible_to`."""

from django.db.models import Q, QuerySet

from cases.models import Person
from cases.selectors import cases_visible_to, concerns_visible_to
from referrals.models import Deadline, Reminder
from safeguard.access import LEADS

from .models import Bundle, Correction, RedactionItem, SubjectAccessRequest


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


def open_request_blocker(person) -> str | None:
    """retention.blockers: no disposal while the person, or a record merged into them, has an
    open request (answering it needs the records)."""
    request = (
        SubjectAccessRequest.objects.filter(
            Q(person=person) | Q(person__merged_into__survivor=person),
            status=SubjectAccessRequest.Status.OPEN,
        )
        .order_by("received_on")
        .first()
    )
    return None if request is None else f"Subject access request {request.reference} is open."


def erasure_plan(plan) -> None:
    """retention.erasure: a disposed person's requests keep their reference, dates by month and
    status (anonymised); their marked items, corrections' links and bundles (whose zips hold
    the whole record) go, the files with them."""
    requests = SubjectAccessRequest.objects.filter(person__in=plan.people)
    bundles = Bundle.objects.filter(request__in=requests)
    clocks = Deadline.objects.filter(pk__in=requests.values("deadline"))
    plan.deleted += [
        ("subject access reminders", Reminder.objects.filter(deadline__in=clocks)),
        ("subject access corrections", Correction.objects.filter(request__in=requests)),
        ("subject access items", RedactionItem.objects.filter(request__in=requests)),
        ("subject access bundles", bundles),
    ]
    plan.anonymised += [
        ("subject access requests", requests),
        ("subject access deadlines", clocks),
    ]
    plan.references |= set(requests.values_list("reference", flat=True))
    for bundle in bundles.exclude(file=""):
        plan.files.append((bundle.file.storage, bundle.file.name))


def request_references_for_deadline_lists(user) -> QuerySet:
    """The requests whose clocks `user`'s deadline lists show (referrals.owners): those their
    team answers, or they handle; leads and managers only. Read by team, not through the
    person's records as the request list is, so the lists of a million deadlines stay cheap:
    a row shows the request's reference, timer and team, nothing of the person, and opening
    it asks the records (requests_visible_to)."""
    if not user.is_authenticated or user.role not in LEADS:
        return SubjectAccessRequest.objects.none().values("reference")
    return SubjectAccessRequest.objects.filter(
        Q(team__in=user.teams.all()) | Q(handler=user)
    ).values("reference")
