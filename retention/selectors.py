"""Reads of the retention schedule: each kind's length, and the people whose records have
passed their retention date (the managers' due list). A person's records are reviewed and
disposed of together: they are due only when every concern and case of theirs is, counted
from the date each kind names (retention.schedule), and never while one is open."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch

from cases.models import Case, CaseStatus, Concern, ConcernStatus, Person, PersonMerge
from cases.selectors import cases_visible_to, concerns_visible_to

from .dates import UK, retention_date
from .models import Decision, Disposal, RetentionReview, RetentionRule
from .schedule import BY_KIND, SCHEDULE, Kind


def rules() -> dict[str, RetentionRule]:
    """Every kind's row, made from the schedule's default if a row is missing (a database
    emptied by a committing test; the migration seeds them)."""
    found = {rule.kind: rule for rule in RetentionRule.objects.all()}
    for declared in SCHEDULE:
        if declared.kind not in found:
            found[declared.kind], _ = RetentionRule.objects.get_or_create(
                kind=declared.kind, defaults={"length": declared.default}
            )
    return found


@dataclass(frozen=True)
class Counted:
    """One record of a person's and the retention date it gives."""

    reference: str
    kind: Kind
    counted_from: dt.datetime
    due_on: dt.date


@dataclass(frozen=True)
class Due:
    person: Person
    records: tuple[Counted, ...]
    latest: RetentionReview | None

    @property
    def due_on(self) -> dt.date:
        return max(record.due_on for record in self.records)

    @property
    def deciding(self) -> Counted:
        """The record whose date is the latest: the one the person's date is counted from."""
        return max(self.records, key=lambda record: record.due_on)

    @property
    def on_hold(self) -> bool:
        return self.latest is not None and self.latest.decision == Decision.HOLD

    @property
    def disposal_approved(self) -> bool:
        return self.latest is not None and self.latest.decision == Decision.DISPOSE

    def needs_review(self, today: dt.date) -> bool:
        """On the list to decide: past its date, not held, not already approved, and not kept
        until a later review date."""
        if self.due_on > today or self.on_hold or self.disposal_approved:
            return False
        if self.latest is not None and self.latest.decision == Decision.KEEP:
            return self.latest.next_review_on <= today
        return True


def latest_review(person: Person) -> RetentionReview | None:
    return RetentionReview.objects.filter(person=person).first()


def reviews_of(person: Person) -> list[RetentionReview]:
    return list(RetentionReview.objects.filter(person=person).select_related("reviewed_by"))


def _counted(person: Person, lengths: dict[str, RetentionRule]) -> tuple[Counted, ...] | None:
    """Each concern and case's retention date; None while any is open or waiting."""
    records: list[Counted] = []

    def add(reference: str, kind: Kind, start: dt.datetime) -> None:
        rule = lengths[kind]
        due = retention_date(start, rule.length, BY_KIND[kind].unit)
        records.append(Counted(reference, kind, start, due))

    for case in person.cases.all():
        if case.status != CaseStatus.CLOSED or case.closed_at is None:
            return None
        child = person.may_be_child(case.opened_at.astimezone(UK).date())
        add(case.reference, Kind.CASE_CHILD if child else Kind.CASE_ADULT, case.closed_at)
    for concern in person.concerns.all():
        if concern.case_id:
            continue  # counted with its case
        if concern.status == ConcernStatus.NO_FURTHER_ACTION:
            add(concern.reference, Kind.CONCERN_NFA, concern.triaged_at)
        elif concern.status == ConcernStatus.SIGNPOSTED:
            add(concern.reference, Kind.CONCERN_SIGNPOSTED, concern.triaged_at)
        else:
            return None
    return tuple(records) or None


def people_past_retention(today: dt.date) -> list[Due]:
    """Everyone whose records have all passed their retention date by `today`, with their
    latest review: the due list and the held list read it. People already disposed of, and
    records merged into another (reviewed with the survivor), are left out."""
    open_records = Exists(
        Case.objects.filter(person=OuterRef("pk"), status=CaseStatus.OPEN)
    ) | Exists(Concern.objects.filter(person=OuterRef("pk"), status=ConcernStatus.SUBMITTED))
    people = (
        Person.objects.exclude(pk__in=Disposal.objects.values("person"))
        .exclude(pk__in=PersonMerge.objects.values("merged"))
        .exclude(open_records)
        .filter(Exists(Concern.objects.filter(person=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("cases", queryset=Case.objects.order_by()),
            Prefetch("concerns", queryset=Concern.objects.order_by()),
        )
        .order_by("reference")
    )
    lengths = rules()
    latest: dict[int, RetentionReview] = {}
    # Oldest first, so each person's latest is the one left (portable: no DISTINCT ON).
    for review in RetentionReview.objects.order_by("reviewed_at", "id"):
        latest[review.person_id] = review
    due = []
    for person in people:
        records = _counted(person, lengths)
        if records is None:
            continue
        row = Due(person, records, latest.get(person.pk))
        if row.due_on <= today:
            due.append(row)
    return sorted(due, key=lambda row: (row.due_on, row.person.reference))


def due_for(person: Person) -> Due | None:
    """One person's row, whether or not it is past its date; None while a record is open."""
    person = Person.objects.filter(pk=person.pk).prefetch_related("cases", "concerns").get()
    records = _counted(person, rules())
    return None if records is None else Due(person, records, latest_review(person))


def disposal_of(person: Person) -> Disposal | None:
    return Disposal.objects.filter(person=person).first()


def approvals_waiting() -> list[int]:
    """The approving reviews that are each person's latest and not yet carried out."""
    latest: dict[int, RetentionReview] = {}
    for review in RetentionReview.objects.exclude(
        person__in=Disposal.objects.values("person")
    ).order_by("reviewed_at", "id"):
        latest[review.person_id] = review
    return [review.pk for review in latest.values() if review.decision == Decision.DISPOSE]


def people_visible_to(user, person_ids: list[int]) -> set[int]:
    """Which of `person_ids` have a case or a concern `user` may see (cases.selectors, the
    record policy's scoping): those whose records they may open and so review. Two queries,
    whatever the number of people."""
    cases = cases_visible_to(user).filter(person_id__in=person_ids)
    concerns = concerns_visible_to(user).filter(person_id__in=person_ids)
    return set(cases.values_list("person_id", flat=True)) | set(
        concerns.values_list("person_id", flat=True)
    )
