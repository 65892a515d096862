"""Reads of the directory. Every list starts from `organisations_listed`."""

import datetime as dt
from enum import StrEnum

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.utils import timezone

from safeguard.choices import Pathway

from .models import Category, OpeningHours, Organisation, Person, Tag


def _tagged(kind: str, code: str) -> Q:
    return Q(Exists(Tag.objects.filter(organisations=OuterRef("pk"), kind=kind, code=code)))


def with_category(code: str) -> Q:
    return _tagged(Tag.Kind.CATEGORY, code)


def receiving(pathway: str) -> Q:
    return _tagged(Tag.Kind.PATHWAY, pathway)


def open_at(moment: dt.datetime) -> Q:
    """Open at `moment`: 24/7, or an opening period covers the UK local time then.

    A period whose closing time is at or before its opening time runs past midnight into
    the next day (an out-of-hours line from 17:00 to 09:00).
    """
    local = timezone.localtime(moment)
    day, time, yesterday = local.weekday(), local.time(), (local.weekday() - 1) % 7
    overnight = Q(closes__lte=F("opens"))
    same_day = Q(weekday=day, opens__lte=time) & (Q(closes__gt=time) | overnight)
    from_yesterday = Q(weekday=yesterday, closes__gt=time) & overnight
    periods = OpeningHours.objects.filter(organisation=OuterRef("pk")).filter(
        same_day | from_yesterday
    )
    return Q(open_24_7=True) | Q(Exists(periods))


def _prefetched(queryset: QuerySet[Organisation], now: dt.datetime | None = None):
    """With what every list shows: tags, numbers, hours, people, and whether open now."""
    open_now = Case(
        When(open_at(now or timezone.now()), then=True), default=False, output_field=BooleanField()
    )
    return queryset.annotate(is_open_now=open_now).prefetch_related(
        "tags",
        "phones",
        "hours",
        Prefetch("people", queryset=Person.objects.prefetch_related("phones")),
    )


def organisations_listed(
    *,
    q: str = "",
    category: str = "",
    pathway: str = "",
    area: str = "",
    open_now: bool = False,
    first_responders: bool = False,
    needs_verification: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[Organisation]:
    """The directory, emergency entries first, then by name. Archived entries are left out."""
    entries = Organisation.objects.filter(archived=False)
    if q:
        words = q.split()
        for word in words:
            entries = entries.filter(
                Q(name__icontains=word)
                | Q(summary__icontains=word)
                | Q(areas__icontains=word)
                | Q(people__name__icontains=word)
                | Q(notes__icontains=word)
            )
        entries = entries.distinct()
    if category:
        entries = entries.filter(with_category(category))
    if pathway:
        entries = entries.filter(receiving(pathway))
    if area:
        entries = entries.filter(Q(coverage_national=True) | Q(areas__icontains=area.strip()))
    if open_now:
        entries = entries.filter(open_at(now or timezone.now()))
    if first_responders:
        entries = entries.filter(is_first_responder=True)
    if needs_verification:
        cutoff = timezone.localdate() - dt.timedelta(days=settings.CONTACT_VERIFY_AFTER_DAYS)
        entries = entries.filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=cutoff))
    emergency_first = Case(
        When(with_category(Category.EMERGENCY), then=0), default=1, output_field=IntegerField()
    )
    return _prefetched(entries.annotate(emergency_rank=emergency_first), now).order_by(
        "emergency_rank", "name"
    )


def organisations_needing_verification_count() -> int:
    return organisations_listed(needs_verification=True).count()


def organisations_on_card() -> QuerySet[Organisation]:
    """The safeguarding card: emergency entries and those chosen for it."""
    return organisations_listed().filter(Q(on_card=True) | with_category(Category.EMERGENCY))


class Situation(StrEnum):
    IMMEDIATE_DANGER = "immediate_danger"
    CHILD = "child"
    ADULT_CONSENTING = "adult_consenting"
    ADULT_DECLINING = "adult_declining"
    LABOUR_EXPLOITATION = "labour_exploitation"
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    CRIMINAL_EXPLOITATION = "criminal_exploitation"
    CRIMINAL_EXPLOITATION_CHILD = "criminal_exploitation_child"
    DOMESTIC_SERVITUDE = "domestic_servitude"
    ORGAN_HARVESTING = "organ_harvesting"
    INTERPRETER = "interpreter"
    SAFE_ACCOMMODATION = "safe_accommodation"


SITUATION_LABELS = {
    Situation.IMMEDIATE_DANGER: "Someone is in immediate danger",
    Situation.CHILD: "The person may be under 18",
    Situation.ADULT_CONSENTING: "An adult agrees to a referral",
    Situation.ADULT_DECLINING: "An adult does not agree to a referral",
    Situation.LABOUR_EXPLOITATION: "Labour exploitation",
    Situation.SEXUAL_EXPLOITATION: "Sexual exploitation",
    Situation.CRIMINAL_EXPLOITATION: "Criminal exploitation or county lines",
    Situation.CRIMINAL_EXPLOITATION_CHILD: "A child in criminal exploitation or county lines",
    Situation.DOMESTIC_SERVITUDE: "Domestic servitude",
    Situation.ORGAN_HARVESTING: "Organ harvesting",
    Situation.INTERPRETER: "The person needs an interpreter",
    Situation.SAFE_ACCOMMODATION: "The person needs somewhere safe to stay",
}

POLICE_NOT_999 = with_category(Category.POLICE) & ~with_category(Category.EMERGENCY)

# Who to call, in order, for each situation. Each step is a filter; an entry appears once,
# at its first step. Within a step, local services come before national ones.
WHO_TO_CALL: dict[Situation, list[Q]] = {
    Situation.IMMEDIATE_DANGER: [with_category(Category.EMERGENCY)],
    # Children's Services first; the guardianship service alongside the NRM referral.
    Situation.CHILD: [
        with_category(Category.CHILDRENS_SERVICES) | receiving(Pathway.CHILDRENS_SERVICES),
        receiving(Pathway.GUARDIAN),
        POLICE_NOT_999,
        with_category(Category.HELPLINE),
    ],
    Situation.ADULT_CONSENTING: [
        receiving(Pathway.NRM) & Q(is_first_responder=True),
        with_category(Category.VICTIM_SUPPORT),
        with_category(Category.HELPLINE),
    ],
    Situation.ADULT_DECLINING: [
        receiving(Pathway.DUTY_TO_NOTIFY),
        with_category(Category.HELPLINE),
        with_category(Category.LEGAL),
    ],
    # The GLAA (a first responder for labour abuse) before general employment advice.
    Situation.LABOUR_EXPLOITATION: [
        with_category(Category.LABOUR_RIGHTS) & Q(is_first_responder=True),
        with_category(Category.HELPLINE),
        with_category(Category.LABOUR_RIGHTS),
        POLICE_NOT_999,
    ],
    # A crime against the person: the police and specialist support, never a labour body.
    Situation.SEXUAL_EXPLOITATION: [
        POLICE_NOT_999,
        with_category(Category.VICTIM_SUPPORT),
        with_category(Category.HELPLINE),
        with_category(Category.HEALTH),
    ],
    # The person may be charged with what they were made to do: legal advice early.
    Situation.CRIMINAL_EXPLOITATION: [
        POLICE_NOT_999,
        with_category(Category.LEGAL),
        with_category(Category.HELPLINE),
    ],
    Situation.CRIMINAL_EXPLOITATION_CHILD: [
        POLICE_NOT_999,
        with_category(Category.CHILDRENS_SERVICES) | receiving(Pathway.CHILDRENS_SERVICES),
        with_category(Category.HELPLINE),
    ],
    # Kept in a private home, often on a visa tied to the household: the police and the
    # helpline, then support and immigration advice.
    Situation.DOMESTIC_SERVITUDE: [
        POLICE_NOT_999,
        with_category(Category.HELPLINE),
        with_category(Category.VICTIM_SUPPORT),
        with_category(Category.LEGAL),
    ],
    Situation.ORGAN_HARVESTING: [
        POLICE_NOT_999,
        with_category(Category.HEALTH),
        with_category(Category.HELPLINE),
    ],
    # The helpline has interpreters of its own.
    Situation.INTERPRETER: [
        with_category(Category.INTERPRETING),
        with_category(Category.HELPLINE),
    ],
    Situation.SAFE_ACCOMMODATION: [
        with_category(Category.VICTIM_SUPPORT),
        with_category(Category.ADULT_SOCIAL_CARE),
        with_category(Category.HELPLINE),
    ],
}


def who_to_call(
    situation: Situation | str, *, now: dt.datetime | None = None
) -> list[Organisation]:
    """The directory entries for a situation, in the order to try them."""
    steps = WHO_TO_CALL[Situation(situation)]
    rank = Case(
        *[When(step, then=n) for n, step in enumerate(steps)],
        default=None,
        output_field=IntegerField(),
    )
    entries = (
        Organisation.objects.filter(archived=False)
        .annotate(step=rank)
        .filter(step__isnull=False)
        .order_by("step", "coverage_national", "name")
    )
    return list(_prefetched(entries, now))
