"""Reads of people, concerns and cases. Every list starts from a `*_visible_to` selector.

These say in queries what `safeguard.access.RECORD_RULES` says per record; a test checks
the two agree for every role and record.
"""

import datetime as dt
import functools
import operator

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from safeguard.choices import Role
from safeguard.models import User

from . import matching
from .models import (
    REFER_TIMER,
    Case,
    CaseStatus,
    Concern,
    ConcernDraft,
    ConcernLink,
    ConcernStatus,
    ExploiterLink,
    Person,
    PersonMerge,
)


def _teams_of(user) -> QuerySet:
    return User.teams.through.objects.filter(user=user).values("team_id")


def _named_on(user) -> QuerySet:
    return Case.members.through.objects.filter(user=user).values("case_id")


def case_visibility(user, prefix: str = "") -> Q:
    """Cases `user` may view: theirs as lead or member; their teams' unless restricted.

    Said of the case's own columns (and two small subqueries, the user's teams and the cases
    naming them), so that a list of something else on cases (deadlines, concerns) checks each
    row's case through the join it already makes, and no row is repeated: `prefix` is the
    path from that model to its case ("case__")."""
    p = prefix
    named = Q(**{f"{p}lead": user}) | Q(**{f"{p}id__in": _named_on(user)})
    if user.role == Role.MANAGER:
        return named | Q(**{f"{p}restricted": False})
    if user.role == Role.LEAD:
        return named | Q(**{f"{p}restricted": False, f"{p}team__in": _teams_of(user)})
    if user.role == Role.FRONTLINE:
        return named
    return Q(pk__in=[])


def concern_visibility(user, prefix: str = "") -> Q:
    """Concerns `user` may view, said of the concern's columns and its case's (as case_visibility):
    their own; those in a case they may view; a manager every concern not yet in a case, and
    a lead those of their teams."""
    p = prefix
    if user.role == Role.ADMIN:
        return Q(pk__in=[])
    own = Q(**{f"{p}reporter": user})
    in_case = Q(**{f"{p}case__isnull": False}) & case_visibility(user, f"{p}case__")
    if user.role == Role.FRONTLINE:
        return own | in_case
    no_case = Q(**{f"{p}case__isnull": True})
    if user.role == Role.MANAGER:
        return own | in_case | no_case
    if user.role == Role.LEAD:
        return own | in_case | (no_case & Q(**{f"{p}team__in": _teams_of(user)}))
    return own | in_case


def cases_visible_to(user) -> QuerySet[Case]:
    return Case.objects.filter(case_visibility(user))


def restricted_cases_known_to(user) -> QuerySet[Case]:
    """Restricted cases a manager is not named on: they may know these exist, nothing more."""
    if user.role != Role.MANAGER:
        return Case.objects.none()
    return Case.objects.filter(restricted=True).exclude(Q(lead=user) | Q(members=user))


def concerns_visible_to(user) -> QuerySet[Concern]:
    if user.role == Role.ADMIN:
        return Concern.objects.none()
    return Concern.objects.filter(concern_visibility(user))


def people_visible_to(user) -> QuerySet[Person]:
    return Person.objects.filter(
        Q(Exists(concerns_visible_to(user).filter(person=OuterRef("pk"))))
        | Q(Exists(cases_visible_to(user).filter(person=OuterRef("pk"))))
    )


def close_matches(person: Person) -> list[tuple[Person, int, list[str], list[Case]]]:
    """Other people with a case (open or closed) who match `person` at least
    matching.CLOSE_MATCH, best first, each with their cases, newest first: whoever may see
    them. This is the check a new case must pass, so it is not limited to what the lead may
    see; a page shows the cases the lead may not see without their details."""
    if not (person.name or person.aliases):
        return []
    # A name and a nationality score less than CLOSE_MATCH, so a close match also has the
    # same date of birth or a similar age: in SQL, a net wide enough for those, so that the
    # matcher reads the few people it may find rather than every one.
    today = timezone.localdate()
    near = Q(pk__in=[])
    if person.date_of_birth:
        near |= Q(date_of_birth=person.date_of_birth)
    age = person.age_on(today)
    if age is not None:
        low, high = age - matching.AGE_TOLERANCE_YEARS, age + matching.AGE_TOLERANCE_YEARS
        near |= Q(
            date_of_birth__gt=today - dt.timedelta(days=366 * (high + 1) + 1),
            date_of_birth__lte=today - dt.timedelta(days=365 * (low - 1)),
        ) | Q(date_of_birth__isnull=True, estimated_age__range=(low, high))
    candidates = Person.objects.filter(near, cases__isnull=False).exclude(pk=person.pk).distinct()
    found = matching.similar_people(
        {
            "name": person.name,
            "aliases": person.aliases,
            "date_of_birth": person.date_of_birth,
            "estimated_age": person.estimated_age,
            "nationalities": person.nationalities,
        },
        candidates,
        today=today,
    )
    close = [
        (match, score, reasons) for match, score, reasons in found if score >= matching.CLOSE_MATCH
    ]
    # The cases of the few close matches only, in one query (not of every candidate read).
    cases: dict[int, list[Case]] = {}
    for case in Case.objects.filter(person__in=[match for match, _, _ in close]).order_by(
        "-opened_at"
    ):
        cases.setdefault(case.person_id, []).append(case)
    return [(match, score, reasons, cases.get(match.pk, [])) for match, score, reasons in close]


def with_refer_due(concerns: QuerySet[Concern]) -> QuerySet[Concern]:
    """Each concern with `refer_due_at`, its refer deadline's time, in the list's one query
    (a subquery per listed concern through the deadlines' concern index: no GROUP BY)."""
    deadline = Concern._meta.get_field("deadlines").related_model  # cases imports no referrals
    clock = (
        deadline.objects.filter(concern=OuterRef("pk"), timer=REFER_TIMER)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return concerns.annotate(refer_due_at=Subquery(clock))


def waiting_for_triage(user) -> QuerySet[Concern]:
    """Concerns waiting for a lead's decision (for counts: triage_queue lists them)."""
    return concerns_visible_to(user).filter(status=ConcernStatus.SUBMITTED)


def triage_queue(user) -> QuerySet[Concern]:
    """Concerns waiting for a lead's decision, oldest first."""
    return with_refer_due(
        waiting_for_triage(user)
        .select_related("person", "reporter", "team")
        .order_by("submitted_at", "pk")
    )


def open_cases_for(user) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .filter(status=CaseStatus.OPEN)
        .select_related("person", "lead", "team")
        .order_by("-opened_at")
    )


def drafts_of(user) -> QuerySet[ConcernDraft]:
    return ConcernDraft.objects.filter(author=user)


def _named(word: str) -> Q:
    return Q(name__icontains=word) | Q(aliases__icontains=word) | Q(reference__iexact=word)


def _named_all(words: list[str]) -> Q:
    return functools.reduce(operator.and_, (_named(word) for word in words))


def _cases_matching(words: list[str]) -> QuerySet:
    """Ids of cases for which each word is the case's reference or matches its person.

    Only one word can be a case's reference (ignoring case), so such a case either has a
    person matching every word, or has one word as its reference (and the rest as its
    reference or its person's). Each branch starts from an index (cases 0011), and their
    UNION is a handful of ids; the same test written as one OR per word, across the case and
    its person, is a filter over the join of both whole tables.
    """
    each_word = functools.reduce(
        operator.and_,
        (
            Q(reference__iexact=word)
            | Q(person__name__icontains=word)
            | Q(person__aliases__icontains=word)
            | Q(person__reference__iexact=word)
            for word in words
        ),
    )
    by_person = Case.objects.filter(person__in=Person.objects.filter(_named_all(words)))
    by_reference = [
        Case.objects.filter(each_word, reference__iexact=word) for word in dict.fromkeys(words)
    ]
    return by_person.values("pk").union(*(branch.values("pk") for branch in by_reference))


def search(user, query: str) -> dict:
    """People and cases the user may see whose names, aliases or references match."""
    words = query.split()
    people = people_visible_to(user)
    cases = cases_visible_to(user).select_related("person", "lead")
    if words:
        people = people.filter(_named_all(words))
        cases = cases.filter(pk__in=_cases_matching(words))
    return {"people": list(people[:50]), "cases": list(cases[:50])}


def similar_reports(user, concern: Concern):
    """Other concerns the user may see that share a vehicle, address, phone or exploiter."""
    keys = list(concern.links.values_list("kind", "normalised"))
    if not keys:
        return []
    matches = ConcernLink.objects.none()
    for kind, value in keys:
        matches = matches | ConcernLink.objects.filter(kind=kind, normalised=value)
    return list(
        ConcernLink.objects.filter(pk__in=matches.values("pk"))
        .exclude(concern=concern)
        .filter(concern__in=concerns_visible_to(user))
        .select_related("concern", "concern__person")
        .order_by("-concern__submitted_at")[:20]
    )


# How many matches a list shows: a detail such as a common nickname may be widely shared, and
# a page stays one screen of references however many there are.
SIMILAR_LIMIT = 20


def _sharing(links: QuerySet) -> Q:
    """Rows of the same kind and compared form as one of `links` (a subquery: one query)."""
    return Q(Exists(links.filter(kind=OuterRef("kind"), normalised=OuterRef("normalised"))))


def similar_case_records(user, concern: Concern) -> list[dict]:
    """Case records the user may see (other than the concern's own case) whose exploiters
    share a vehicle, address, phone or name with the concern: each as the case's reference,
    the kind of detail and the detail as the concern has it, once a case and detail."""
    own = ConcernLink.objects.filter(concern=concern)
    found = (
        ExploiterLink.objects.filter(_sharing(own), case__in=cases_visible_to(user))
        .exclude(case_id=concern.case_id)
        .annotate(reference=F("case__reference"), opened_at=F("case__opened_at"))
        .values("reference", "opened_at", "kind", "normalised")
        .distinct()
        .order_by("-opened_at", "reference", "kind", "normalised")[:SIMILAR_LIMIT]
    )
    typed = {(link.kind, link.normalised): link for link in concern.links.all()}
    return [
        {
            "reference": row["reference"],
            "kind": typed[row["kind"], row["normalised"]].get_kind_display(),
            "value": typed[row["kind"], row["normalised"]].value,
        }
        for row in found
    ]


def exploiters_similar_reports(user, case: Case) -> dict[int, dict[str, list[dict]]]:
    """For each of the case's exploiters (by id) that shares a detail with other reports the
    user may see: "concerns" outside this case, and other "cases" whose exploiters share one,
    at most SIMILAR_LIMIT of each, newest first. Each match is the record's reference, the kind
    of detail and the detail as this exploiter has it, once a record and detail. Three queries
    however many exploiters and matches there are."""
    own = ExploiterLink.objects.filter(case=case)
    typed: dict[tuple[str, str], list[ExploiterLink]] = {}
    for link in own:
        typed.setdefault((link.kind, link.normalised), []).append(link)
    if not typed:
        return {}
    concerns = (
        ConcernLink.objects.filter(_sharing(own), concern__in=concerns_visible_to(user))
        .exclude(concern__case=case)
        .annotate(reference=F("concern__reference"), at=F("concern__submitted_at"))
        .values("reference", "at", "kind", "normalised")
        .distinct()
        .order_by("-at", "reference", "kind", "normalised")[: SIMILAR_LIMIT * len(typed)]
    )
    cases = (
        ExploiterLink.objects.filter(_sharing(own), case__in=cases_visible_to(user))
        .exclude(case=case)
        .annotate(reference=F("case__reference"), at=F("case__opened_at"))
        .values("reference", "at", "kind", "normalised")
        .distinct()
        .order_by("-at", "reference", "kind", "normalised")[: SIMILAR_LIMIT * len(typed)]
    )
    found: dict[int, dict[str, list[dict]]] = {}
    for record, rows in (("concerns", concerns), ("cases", cases)):
        for row in rows:
            for link in typed[row["kind"], row["normalised"]]:
                matches = found.setdefault(link.exploiter_id, {"concerns": [], "cases": []})
                if len(matches[record]) < SIMILAR_LIMIT:
                    matches[record].append(
                        {
                            "reference": row["reference"],
                            "kind": link.get_kind_display(),
                            "value": link.value,
                        }
                    )
    return found


def person_record_references(references: set[str]) -> set[str]:
    """For the audit log's person filter (safeguard.audit.references_of_person): the
    references of the concerns and cases of the people among `references`, and of the
    records merged into them or they into (a merged record's old events are theirs too)."""
    people = Person.objects.filter(reference__in=references)
    merges = PersonMerge.objects.filter(Q(merged__in=people) | Q(survivor__in=people))
    pairs = merges.values_list("merged__reference", "survivor__reference")
    return {
        *(reference for pair in pairs for reference in pair),
        *Concern.objects.filter(person__in=people).values_list("reference", flat=True),
        *Case.objects.filter(person__in=people).values_list("reference", flat=True),
    }


def merges_of(person: Person) -> dict:
    """What a page says about merges: the record this one was merged into, if any, and the
    records merged into it, newest first (one query)."""
    merges = list(
        PersonMerge.objects.filter(Q(merged=person) | Q(survivor=person)).select_related(
            "survivor", "merged", "merged_by"
        )
    )
    return {
        "into": next((merge for merge in merges if merge.merged_id == person.pk), None),
        "from": [merge for merge in merges if merge.survivor_id == person.pk],
    }
