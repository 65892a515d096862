"""What disposing of a person's records erases, and what it keeps anonymised.

Erased (rows deleted): what is only about the person and adds nothing to the statistics:
the case record's parts (account, exploiters and their details, police, where they are,
background, first responder, interview), the chronology, the support plan and its
agreements, risk assessments, consents to share, age assessments, addenda, the details
"similar reports" compare, evidence documents and prepared documents with their files, the
reminders of their deadlines, and the notifications that link to their records.

Kept, anonymised (rows updated): the person, their concerns, cases, closures, referrals,
consents, decisions, transitions and deadlines, so that the statistics page counts them as
before. Of each such row only codes stay: exploitation types, gender, age group, pathway,
statuses, outcomes, references; every free text is replaced by ERASED (or stays empty), every
JSON value goes back to its default, every date becomes the first of its UK month. A
deadline moves whole to the start of the month it started in, so the time it ran stays.

A person's age group (adult, child or not known, as the statistics count it on the day the
exploitation was first observed) is kept as an estimated age of 18 or 17; a disputed age
stays disputed. Their date of birth goes.

Merged records (cases.PersonMerge) go with the person they were merged into.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from cases import models as cases
from documents.models import DocumentJob, EvidenceDocument
from referrals import models as referrals
from safeguard.models import Notification

from .dates import UK, month_start

ERASED = "Erased"
# Codes, not words: what the statistics and the state machines read.
KEEP_FIELDS = {
    "reference",
    "status",
    "from_status",
    "to_status",
    "action",
    "timer",
    "end_condition",
    "next_stage",
    "authority",
    "satisfied_by",
    "code",
}
DEADLINE_TIMES = (
    "starts_at",
    "due_at",
    "event_at",
    "satisfied_at",
    "cancelled_at",
    "extended_from",
    "next_reminder_at",
)
ADULT_AGE, CHILD_AGE = 18, 17


@dataclass
class Plan:
    """The rows and files one disposal takes: a dry run lists it, the disposal carries it out."""

    people: list[cases.Person]
    references: set[str]
    deleted: list[tuple[str, models.QuerySet]] = field(default_factory=list)
    anonymised: list[tuple[str, models.QuerySet]] = field(default_factory=list)
    files: list[tuple[object, str]] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """How many rows of each kind go or are anonymised, and how many files go."""
        return {
            "deleted": {label: rows.count() for label, rows in self.deleted},
            "anonymised": {label: rows.count() for label, rows in self.anonymised},
            "files": {"files in storage": len(self.files)},
        }


def _people(person: cases.Person) -> list[cases.Person]:
    people, frontier = [person], [person]
    while frontier:
        merged = list(cases.Person.objects.filter(merged_into__survivor__in=frontier))
        people += merged
        frontier = merged
    return people


# What other apps hold about a person (subject access requests, say), each a callable that
# adds to a disposal's plan: contribute(plan) appends to plan.deleted, plan.anonymised and
# plan.files. Registered in AppConfig.ready, so that retention imports none of them. Their
# deletions go first: their rows may point at the rows this app deletes.
Contributor = Callable[["Plan"], None]
_contributors: list[Contributor] = []


def contributes(contributor: Contributor) -> Contributor:
    if contributor not in _contributors:
        _contributors.append(contributor)
    return contributor


def plan_for(person: cases.Person) -> Plan:
    people = _people(person)
    concerns = cases.Concern.objects.filter(person__in=people)
    case_rows = cases.Case.objects.filter(person__in=people)
    referral_rows = referrals.Referral.objects.filter(case__in=case_rows)
    deadlines = referrals.Deadline.objects.filter(
        Q(case__in=case_rows) | Q(concern__in=concerns) | Q(referral__in=referral_rows)
    )
    references = {
        *(p.reference for p in people),
        *concerns.values_list("reference", flat=True),
        *case_rows.values_list("reference", flat=True),
        *referral_rows.values_list("reference", flat=True),
    }
    links = Q()
    for reference in references:
        links |= Q(url__contains=f"/{reference}/")
    plan = Plan(people=people, references=references)
    by_case = {"case__in": case_rows}
    plan.deleted = [
        ("reminders", referrals.Reminder.objects.filter(deadline__in=deadlines)),
        (
            "notifications",
            Notification.objects.filter(links) if links else Notification.objects.none(),
        ),
        ("closing checks", cases.CaseClosureCheck.objects.filter(closure__case__in=case_rows)),
        (
            "similar-report details of concerns",
            cases.ConcernLink.objects.filter(concern__in=concerns),
        ),
        ("exploiters' similar-report details", cases.ExploiterLink.objects.filter(**by_case)),
        ("exploiters", cases.Exploiter.objects.filter(**by_case)),
        ("exploitation situations", cases.ExploitationSituation.objects.filter(**by_case)),
        ("police reports", cases.PoliceReport.objects.filter(**by_case)),
        ("where they are now", cases.WhereNow.objects.filter(**by_case)),
        ("background", cases.Background.objects.filter(**by_case)),
        ("first responder details", cases.FirstResponder.objects.filter(**by_case)),
        ("interview", cases.Interview.objects.filter(**by_case)),
        ("chronology entries", cases.ChronologyEntry.objects.filter(**by_case)),
        ("support plan tasks", cases.SupportNeed.objects.filter(**by_case)),
        ("support plan agreements", cases.PlanAgreement.objects.filter(**by_case)),
        ("risk assessments", cases.RiskAssessment.objects.filter(**by_case)),
        ("consents to share", referrals.ConsentToShare.objects.filter(**by_case)),
        ("evidence documents", EvidenceDocument.objects.filter(**by_case)),
        ("prepared documents", DocumentJob.objects.filter(**by_case)),
        ("addenda", cases.Addendum.objects.filter(concern__in=concerns)),
        ("age assessments", cases.AgeAssessment.objects.filter(person__in=people)),
    ]
    plan.anonymised = [
        ("people", cases.Person.objects.filter(pk__in=[p.pk for p in people])),
        ("merges", cases.PersonMerge.objects.filter(merged__in=people)),
        ("concerns", concerns),
        ("indicator answers", cases.IndicatorObservation.objects.filter(concern__in=concerns)),
        ("cases", case_rows),
        ("case closures", cases.CaseClosure.objects.filter(**by_case)),
        ("referrals", referral_rows),
        ("consents", referrals.Consent.objects.filter(referral__in=referral_rows)),
        ("decisions", referrals.Decision.objects.filter(referral__in=referral_rows)),
        ("referral steps", referrals.Transition.objects.filter(referral__in=referral_rows)),
        ("deadlines", deadlines),
    ]
    own_deleted, plan.deleted = plan.deleted, []
    for contributor in _contributors:
        contributor(plan)
    plan.deleted += own_deleted
    for person_row in people:
        if person_row.photo:
            plan.files.append((person_row.photo.storage, person_row.photo.name))
    for model in (EvidenceDocument, DocumentJob):
        for row in model.objects.filter(**by_case).exclude(file=""):
            plan.files.append((row.file.storage, row.file.name))
    return plan


def _anonymous_values(row: models.Model) -> dict:
    values = {}
    for model_field in row._meta.concrete_fields:
        name = model_field.name
        if model_field.primary_key or model_field.is_relation or name in KEEP_FIELDS:
            continue
        if model_field.choices:
            continue
        value = getattr(row, model_field.attname)
        if isinstance(model_field, models.FileField):
            values[name] = ""
        elif isinstance(model_field, models.JSONField):
            values[name] = model_field.get_default()
        elif isinstance(model_field, (models.CharField, models.TextField)):
            # A non-empty text becomes ERASED rather than empty, so that a constraint that a
            # reason be given still holds; an empty one stays empty.
            values[name] = ERASED if value else ""
        elif isinstance(model_field, models.DateTimeField):
            values[name] = month_start(value) if value else value
        elif isinstance(model_field, models.DateField):
            values[name] = value.replace(day=1) if value else value
    return values


def _age_group_age(person: cases.Person, first_seen: dt.datetime | None) -> int | None:
    if person.age_disputed or first_seen is None:
        return None
    age = person.age_on(first_seen.astimezone(UK).date())
    if age is None:
        return None
    return ADULT_AGE if age >= 18 else CHILD_AGE


def carry_out(plan: Plan) -> dict[str, dict[str, int]]:
    """Erase and anonymise, in the caller's transaction (the files are the caller's to delete
    after commit). Returns the counts the tombstone records."""
    counts = plan.counts()
    for _label, rows in plan.deleted:
        rows.delete()
    for label, rows in plan.anonymised:
        for row in rows:
            values = _anonymous_values(row)
            if label == "people":
                first = (
                    cases.Concern.objects.filter(person__in=plan.people)
                    .order_by("observed_at")
                    .values_list("observed_at", flat=True)
                    .first()
                )
                values.update(
                    date_of_birth=None,
                    assessed_date_of_birth=None,
                    age_settled_as="",
                    age_settled_on=None,
                    estimated_age=_age_group_age(row, first),
                )
            elif label.endswith("deadlines"):
                shift = row.starts_at - month_start(row.starts_at)
                for name in DEADLINE_TIMES:
                    moment = getattr(row, name)
                    values[name] = moment - shift if moment else moment
            type(row).objects.filter(pk=row.pk).update(**values)
    return counts
