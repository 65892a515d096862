"""Changes to the directory. Each runs in one transaction and is audited by field name."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from safeguard import audit

from .models import OpeningHours, Organisation, Person, Phone, Tag


@dataclass(frozen=True)
class PhoneEntry:
    label: str
    number: str  # already normalised (contacts.phones.normalise)


@dataclass(frozen=True)
class Period:
    weekday: int
    opens: dt.time
    closes: dt.time


def _set_tags(organisation: Organisation, kind: str, codes: Iterable[str]) -> bool:
    wanted = set(codes)
    if set(organisation.codes(kind)) == wanted:
        return False
    others = [tag for tag in organisation.tags.all() if tag.kind != kind]
    tags = [Tag.objects.get_or_create(kind=kind, code=code)[0] for code in sorted(wanted)]
    organisation.tags.set(others + tags)
    return True


def _set_phones(owner: Organisation | Person, entries: Sequence[PhoneEntry]) -> bool:
    field = "person" if isinstance(owner, Person) else "organisation"
    current = Phone.objects.filter(**{field: owner})
    before = [(p.label, p.number) for p in current]
    after = [(e.label, e.number) for e in entries]
    if before == after:
        return False
    current.delete()
    Phone.objects.bulk_create(
        Phone(**{field: owner}, label=e.label, number=e.number, order=n)
        for n, e in enumerate(entries)
    )
    return True


def _set_hours(organisation: Organisation, periods: Sequence[Period]) -> bool:
    before = [(h.weekday, h.opens, h.closes) for h in organisation.hours.all()]
    after = sorted((p.weekday, p.opens, p.closes) for p in periods)
    if sorted(before) == after:
        return False
    organisation.hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(organisation=organisation, weekday=d, opens=o, closes=c) for d, o, c in after
    )
    return True


@transaction.atomic
def organisation_save(
    *,
    request,
    organisation: Organisation,
    changed_fields: Iterable[str],
    categories: Iterable[str],
    pathways: Iterable[str],
    phones: Sequence[PhoneEntry],
    hours: Sequence[Period],
) -> Organisation:
    """Create or update a directory entry with its categories, pathways, phones and hours."""
    creating = organisation.pk is None
    organisation.full_clean()
    organisation.save()
    changed = set(changed_fields)
    if _set_tags(organisation, Tag.Kind.CATEGORY, categories):
        changed.add("categories")
    if _set_tags(organisation, Tag.Kind.PATHWAY, pathways):
        changed.add("pathways")
    if _set_phones(organisation, phones):
        changed.add("phones")
    if _set_hours(organisation, hours):
        changed.add("hours")
    if creating or changed:
        audit.record(
            request,
            action=audit.Action.CREATE if creating else audit.Action.CHANGE,
            obj=organisation,
            changed_fields=changed,
        )
    return organisation


@transaction.atomic
def organisation_verify(*, request, organisation: Organisation) -> None:
    """A lead or administrator has checked the entry is still right."""
    organisation.last_verified_on = timezone.localdate()
    organisation.last_verified_by = request.user
    organisation.save(update_fields=["last_verified_on", "last_verified_by", "updated_at"])
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=organisation,
        changed_fields=["last_verified_on", "last_verified_by"],
        detail="verified",
    )


@transaction.atomic
def person_save(
    *, request, person: Person, changed_fields: Iterable[str], phones: Sequence[PhoneEntry]
) -> Person:
    creating = person.pk is None
    person.full_clean()
    person.save()
    changed = set(changed_fields)
    if _set_phones(person, phones):
        changed.add("phones")
    if creating or changed:
        audit.record(
            request,
            action=audit.Action.CREATE if creating else audit.Action.CHANGE,
            obj=person.organisation,
            changed_fields={f"person.{name}" for name in changed} or {"people"},
            detail=f"person {person.pk}",
        )
    return person


@transaction.atomic
def person_remove(*, request, person: Person) -> None:
    organisation, pk = person.organisation, person.pk
    person.delete()
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=organisation,
        changed_fields=["people"],
        detail=f"removed person {pk}",
    )
