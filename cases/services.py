"""Changes to people, concerns and cases. Each is one transaction with its chronology entry and
audit event; views call these and nothing else to write."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguard import audit

from . import matching
from .models import (
    STARTING_PLAN,
    Addendum,
    Answer,
    Case,
    CaseStatus,
    ChronologyEntry,
    Concern,
    ConcernDraft,
    ConcernLink,
    ConcernStatus,
    ExitChecklist,
    ExploitationType,
    Exploiter,
    ExploiterLink,
    Indicator,
    IndicatorObservation,
    Person,
    PlanAgreement,
    RiskAssessment,
    SupportNeed,
    TriageOutcome,
)
from .signals import case_closed, concern_submitted, concern_triaged, support_need_changed

# Events other apps act on, inside the same transaction. referrals (which may import cases,
# not the other way round) starts and stops the 48-hour referral clock on them.


def _with_reference(obj, prefix: str) -> None:
    """Save `obj` and give it a reference made from its year and id: CN-2026-000042."""
    obj.reference = f"tmp-{uuid.uuid4().hex[:14]}"
    obj.save()
    obj.reference = f"{prefix}-{timezone.localdate().year}-{obj.pk:06d}"
    obj.save(update_fields=["reference"])


def chronology_add(
    *,
    case: Case,
    title: str,
    text: str = "",
    author=None,
    kind: str = ChronologyEntry.Kind.EVENT,
    at=None,
) -> ChronologyEntry:
    return ChronologyEntry.objects.create(
        case=case, title=title, text=text, author=author, kind=kind, at=at or timezone.now()
    )


@dataclass(frozen=True)
class Observation:
    indicator: Indicator
    answer: str
    note: str = ""


@dataclass(frozen=True)
class Link:
    kind: str
    value: str


@transaction.atomic
def concern_submit(
    *,
    request,
    person: Person,
    concern: Concern,
    exploitation_types: Iterable[ExploitationType],
    observations: Sequence[Observation],
    links: Sequence[Link],
    draft: ConcernDraft | None = None,
) -> Concern:
    """Record a concern (and the person, if new). From here on it can only gain addenda."""
    user = request.user
    if person.pk is None:
        person.created_by = user
        person.full_clean(exclude=["reference", "created_by"])
        _with_reference(person, "PN")
    concern.person = person
    concern.reporter = user
    if concern.team_id is None:
        team = user.teams.order_by("name").first()
        if team is None:
            raise ValidationError(
                "You are not in a team yet. Ask your administrator to add "
                "you to one, then submit again: your draft is saved."
            )
        concern.team = team
    concern.submitted_at = timezone.now()
    concern.full_clean(exclude=["reference", "person", "reporter", "team"])
    _with_reference(concern, "CN")
    concern.exploitation_types.set(exploitation_types)
    IndicatorObservation.objects.bulk_create(
        IndicatorObservation(concern=concern, indicator=o.indicator, answer=o.answer, note=o.note)
        for o in observations
        if o.answer in Answer.values
    )
    ConcernLink.objects.bulk_create(
        ConcernLink(
            concern=concern,
            kind=link.kind,
            value=link.value.strip(),
            normalised=matching.normalise_link(link.kind, link.value),
        )
        for link in links
        if link.value.strip()
    )
    if draft is not None:
        draft.delete()
    audit.record(request, action=audit.Action.CREATE, obj=concern)
    concern_submitted.send(sender=Concern, concern=concern)
    return concern


@transaction.atomic
def addendum_add(*, request, concern: Concern, text: str) -> Addendum:
    """A signed, timed correction or addition: the concern itself never changes."""
    addendum = Addendum(concern=concern, author=request.user, text=text.strip())
    addendum.full_clean(exclude=["concern", "author"])
    addendum.save()
    if concern.case_id:
        chronology_add(
            case=concern.case,
            author=request.user,
            title=f"Addendum to concern {concern.reference}",
            text=addendum.text,
        )
    audit.record(request, action=audit.Action.CHANGE, obj=concern, changed_fields=["addenda"])
    return addendum


@transaction.atomic
def case_open(*, request, person: Person, team, lead, concerns: Sequence[Concern]) -> Case:
    case = Case(person=person, team=team, lead=lead)
    _with_reference(case, "SG")
    chronology_add(
        case=case,
        author=request.user,
        title="Case opened",
        text=f"Lead: {lead.full_name}. Team: {team.name}.",
    )
    for concern in concerns:
        _attach(request, concern, case)
    audit.record(request, action=audit.Action.CREATE, obj=case)
    return case


def _attach(request, concern: Concern, case: Case) -> None:
    concern.case = case
    concern.status = ConcernStatus.CASE
    concern.save(update_fields=["case", "status"])
    chronology_add(
        case=case,
        author=concern.reporter,
        at=concern.observed_at,
        title=f"Concern {concern.reference} observed",
        text=concern.get_setting_display(),
    )
    chronology_add(
        case=case, author=request.user, title=f"Concern {concern.reference} added to the case"
    )


@transaction.atomic
def concern_triage(
    *,
    request,
    concern: Concern,
    outcome: str,
    reason: str = "",
    signposted_to=None,
    case: Case | None = None,
    lead=None,
) -> Concern:
    """A lead's decision on a waiting concern."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status != ConcernStatus.SUBMITTED:
        raise ValidationError("This concern has already been triaged.")
    concern.triaged_by = request.user
    concern.triaged_at = timezone.now()
    concern.triage_reason = reason.strip()
    if outcome == TriageOutcome.NO_FURTHER_ACTION:
        if not concern.triage_reason:
            raise ValidationError({"reason": "Enter why no further action is needed"})
        concern.status = ConcernStatus.NO_FURTHER_ACTION
    elif outcome == TriageOutcome.SIGNPOSTED:
        if signposted_to is None:
            raise ValidationError({"signposted_to": "Select the service you signposted to"})
        concern.signposted_to = signposted_to
        concern.status = ConcernStatus.SIGNPOSTED
    concern.save()
    if outcome == TriageOutcome.NEW_CASE:
        case = case_open(
            request=request,
            person=concern.person,
            team=concern.team,
            lead=lead or request.user,
            concerns=[concern],
        )
    elif outcome == TriageOutcome.EXISTING_CASE:
        if case is None:
            raise ValidationError({"case": "Select the case to add this concern to"})
        _attach(request, concern, case)
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=concern,
        changed_fields=["status", "triage"],
        detail=str(outcome),
    )
    concern_triaged.send(sender=Concern, concern=concern, outcome=outcome)
    return concern


@transaction.atomic
def case_note_add(*, request, case: Case, title: str, text: str) -> ChronologyEntry:
    entry = chronology_add(
        case=case,
        author=request.user,
        kind=ChronologyEntry.Kind.NOTE,
        title=title.strip() or "Note",
        text=text.strip(),
    )
    audit.record(request, action=audit.Action.CHANGE, obj=case, changed_fields=["chronology"])
    return entry


@transaction.atomic
def case_set_restriction(*, request, case: Case, restricted: bool, members) -> Case:
    case.restricted = restricted
    case.save(update_fields=["restricted"])
    case.members.set(members)
    chronology_add(
        case=case,
        author=request.user,
        title="Case restricted to named people" if restricted else "Restriction removed",
    )
    audit.record(
        request, action=audit.Action.CHANGE, obj=case, changed_fields=["restricted", "members"]
    )
    return case


@dataclass(frozen=True)
class PlanRow:
    """One row of the support plan page: the task with what was typed applied, the version
    the page showed (None for a new one), and whether it is to be removed."""

    need: SupportNeed
    seen_version: int | None = None
    remove: bool = False
    changed_fields: tuple[str, ...] = ()


class PlanChangedMeanwhile(ValidationError):
    """Someone else saved or removed some of these tasks since the page was opened: `rows`
    are their positions on the page."""

    def __init__(self, rows: list[int]):
        super().__init__(
            "Someone else changed this support plan after you opened it. Nothing has been "
            "saved: check the tasks marked below, then save again.",
            code="stale",
        )
        self.rows = rows


def _on_the_plan(need: SupportNeed) -> str:
    return f"{need.get_domain_display()}: {need.need} ({need.get_status_display()})"


@transaction.atomic
def support_plan_save(*, request, case: Case, rows: Sequence[PlanRow]) -> list[SupportNeed]:
    """Add, change and remove several tasks of a case's support plan at once: all or none.

    The case's tasks are locked first; a task whose version is no longer the one the page
    showed was changed meanwhile by someone else, and nothing is saved (PlanChangedMeanwhile).
    Each saved or removed task tells referrals, which keeps its target date's deadline in step
    in this transaction."""
    if case.is_closed:
        raise ValidationError("This case is closed: its support plan can no longer change.")
    current = {need.pk: need for need in SupportNeed.objects.select_for_update().filter(case=case)}
    stale = [
        i
        for i, row in enumerate(rows)
        if row.need.pk is not None
        and (row.need.pk not in current or current[row.need.pk].version != row.seen_version)
    ]
    if stale:
        raise PlanChangedMeanwhile(stale)
    now = timezone.now()
    added, changed, removed, saved = [], [], [], []
    for row in rows:
        need = row.need
        if row.remove:
            if need.pk is None:
                continue
            support_need_changed.send(sender=SupportNeed, need=need, removed=True)
            removed.append(_on_the_plan(current[need.pk]))
            need.delete()
            continue
        if need.pk is not None and not row.changed_fields:
            continue
        creating = need.pk is None
        need.case = case
        if need.status == SupportNeed.Status.DONE:
            need.done_at = need.done_at or now
        else:
            need.done_at = None
        if need.status != SupportNeed.Status.BLOCKED:
            need.blocked_reason = ""
        need.blocked_reason = need.blocked_reason.strip()
        if not creating:
            need.version = current[need.pk].version + 1
        need.full_clean(exclude=["case"])
        need.save()
        support_need_changed.send(sender=SupportNeed, need=need, removed=False)
        (added if creating else changed).append(_on_the_plan(need))
        saved.append(need)
    if added or changed or removed:
        counts = [
            f"{len(items)} {word}"
            for items, word in ((added, "added"), (changed, "changed"), (removed, "removed"))
            if items
        ]
        chronology_add(
            case=case,
            author=request.user,
            title=f"Support plan updated: {', '.join(counts)}",
            text="\n".join(
                [*(f"Added {t}" for t in added), *(f"Changed {t}" for t in changed)]
                + [f"Removed {t}" for t in removed]
            ),
        )
        fields = {f"support.{f}" for row in rows for f in row.changed_fields}
        if removed:
            fields.add("support.removed")
        audit.record(
            request, action=audit.Action.CHANGE, obj=case, changed_fields=fields or {"support"}
        )
    return saved


@transaction.atomic
def support_plan_start(*, request, case: Case) -> list[SupportNeed]:
    """Add the usual starting plan's items the case does not have yet, as tasks not started.
    Pressed twice, or in two tabs at once, each item is there once: the unique (case, code)
    holds, and what is already there is left as it is."""
    if case.is_closed:
        raise ValidationError("This case is closed: its support plan can no longer change.")
    Case.objects.select_for_update().filter(pk=case.pk).first()
    have = set(case.support_needs.exclude(code="").values_list("code", flat=True))
    made = []
    for code, domain, need in STARTING_PLAN:
        if code in have:
            continue
        task = SupportNeed(case=case, code=code, domain=domain, need=need)
        task.full_clean(exclude=["case"])
        try:
            with transaction.atomic():
                task.save()
        except IntegrityError:
            continue  # added meanwhile by another request
        made.append(task)
    if made:
        chronology_add(
            case=case,
            author=request.user,
            title=f"Support plan started from the usual plan: {len(made)} added",
            text="\n".join(_on_the_plan(t) for t in made),
        )
        audit.record(request, action=audit.Action.CHANGE, obj=case, changed_fields={"support"})
    return made


@transaction.atomic
def plan_agreement_record(*, request, agreement: PlanAgreement) -> PlanAgreement:
    """The person's say on their plan, as told to the worker: kept beside the earlier ones."""
    case = agreement.case
    if case.is_closed:
        raise ValidationError("This case is closed: its support plan can no longer change.")
    agreement.recorded_by = request.user
    agreement.reason = agreement.reason.strip()
    if agreement.outcome == PlanAgreement.Outcome.DECLINED:
        agreement.how = ""
    agreement.full_clean(exclude=["case", "recorded_by"])
    agreement.save()
    chronology_add(
        case=case,
        author=request.user,
        title=f"Support plan: {agreement.get_outcome_display().lower()}",
        text=(
            agreement.get_how_display()
            if agreement.outcome == PlanAgreement.Outcome.AGREED
            else agreement.reason
        ),
    )
    audit.record(request, action=audit.Action.CHANGE, obj=case, changed_fields={"plan_agreements"})
    return agreement


@transaction.atomic
def risk_assessment_add(*, request, assessment: RiskAssessment) -> RiskAssessment:
    assessment.assessed_by = request.user
    assessment.full_clean(exclude=["case", "assessed_by"])
    assessment.save()
    case = assessment.case
    case.risk_level = assessment.level
    case.save(update_fields=["risk_level"])
    chronology_add(
        case=case,
        author=request.user,
        title=f"Risk assessed: {assessment.get_level_display()}",
        text=f"Review by {assessment.review_on:%d %B %Y}.",
    )
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=case,
        changed_fields=["risk_level", "risk_assessments"],
    )
    return assessment


@transaction.atomic
def case_close(*, request, case: Case, checklist: Iterable[str], reason: str) -> Case:
    """Close a case once every exit check is done, with the reason recorded."""
    done = set(checklist)
    missing = [label for value, label in ExitChecklist.choices if value not in done]
    errors = {}
    if missing:
        errors["checklist"] = "Confirm every exit check before closing: " + "; ".join(
            m.lower() for m in missing
        )
    if not reason.strip():
        errors["reason"] = "Enter why the case is being closed"
    if errors:
        raise ValidationError(errors)
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.close_reason = reason.strip()
    case.save(update_fields=["status", "closed_at", "close_reason"])
    chronology_add(case=case, author=request.user, title="Case closed", text=case.close_reason)
    case_closed.send(sender=Case, case=case)
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=case,
        changed_fields=["status", "closed_at", "close_reason"],
    )
    return case


@transaction.atomic
def case_record_save(*, request, part, changed_fields: Iterable[str]):
    """Save a part of the case record (a situation, an exploiter, a police report): checked,
    in the chronology, and audited by the names of the fields that changed, never their
    values."""
    creating = part.pk is None
    part.full_clean(exclude=["case"])
    what = part._meta.verbose_name
    try:
        with transaction.atomic():
            part.save()
            if isinstance(part, Exploiter):
                exploiter_links_sync(exploiter=part)
    except IntegrityError:
        # A part the case has one of, added meanwhile in another tab: its unique key held.
        raise ValidationError(
            f"The case already has its {what}: change that one instead."
        ) from None
    chronology_add(
        case=part.case,
        author=request.user,
        title=f"Case record: {what} {'added' if creating else 'updated'}",
    )
    prefix = part._meta.model_name
    audit.record(
        request,
        action=audit.Action.CREATE if creating else audit.Action.CHANGE,
        obj=part.case,
        changed_fields={f"{prefix}.{f}" for f in changed_fields} or {prefix},
    )
    return part


def exploiter_links_sync(*, exploiter: Exploiter) -> None:
    """Rebuild the exploiter's details for "similar reports" from what it now says, in the
    caller's transaction: a detail taken out of the record matches nothing from then on.

    Two saves of one exploiter at once cannot interleave here: each has just updated the
    exploiter's row, which holds the other until it commits, and the delete below then sees
    what the first one wrote (the unique key on exploiter, kind and form is the backstop)."""
    ExploiterLink.objects.filter(exploiter=exploiter).delete()
    ExploiterLink.objects.bulk_create(
        ExploiterLink(
            exploiter=exploiter, case_id=exploiter.case_id, kind=kind, value=value, normalised=form
        )
        for kind, value, form in matching.exploiter_details(
            names=exploiter.names,
            nicknames=exploiter.nicknames,
            vehicles=exploiter.vehicles,
            phones=exploiter.phones,
            addresses=exploiter.addresses,
        )
    )
