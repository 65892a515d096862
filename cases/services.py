"""Changes to people, concerns and cases. Each is one transaction with its chronology entry and
audit event; views call these and nothing else to write."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from safeguard import audit

from . import closing, matching, selectors
from .models import (
    STARTING_PLAN,
    Addendum,
    Answer,
    Case,
    CaseClosure,
    CaseClosureCheck,
    CaseStatus,
    ChronologyEntry,
    Concern,
    ConcernDraft,
    ConcernLink,
    ConcernStatus,
    ExploitationType,
    Exploiter,
    ExploiterLink,
    Gender,
    Indicator,
    IndicatorObservation,
    Person,
    PersonMerge,
    PlanAgreement,
    RiskAssessment,
    SupportNeed,
    TriageOutcome,
)
from .signals import (
    case_closed,
    concern_submitted,
    concern_triaged,
    risk_assessed,
    support_need_changed,
)

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


def duplicates_token(cases: Iterable[Case]) -> str:
    """What a lead's "this is someone else" confirmation carries: a digest of the matched
    cases, so that it names exactly the matches the page showed (a case that matches since
    needs confirming again) without putting the reference of a case they may not see in it."""
    ids = ",".join(str(pk) for pk in sorted(case.pk for case in cases))
    return salted_hmac("cases.duplicates", ids, algorithm="sha256").hexdigest()


def _check_duplicates(person: Person, confirmed: str) -> None:
    matched = [case for _, _, _, cases in selectors.close_matches(person) for case in cases]
    if matched and not constant_time_compare(confirmed or "", duplicates_token(matched)):
        raise ValidationError(
            {
                "duplicates_checked": "This person closely matches someone who already has a "
                "case. Check the match below: add the concern to their case, or confirm "
                "that this is someone else."
            }
        )


@transaction.atomic
def case_open(
    *,
    request,
    person: Person,
    team,
    lead,
    concerns: Sequence[Concern],
    duplicates_checked: str = "",
) -> Case:
    """Open a case. If the person closely matches someone with a case, only with the lead's
    confirmation of exactly those matches (duplicates_token), checked here with the person's
    row locked, so a double click or a form left open while a match appeared cannot skip it."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_duplicates(person, duplicates_checked)
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
    duplicates_checked: str = "",
) -> Concern:
    """A lead's decision on a waiting concern."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if outcome == TriageOutcome.EXISTING_CASE and case is not None and concern.case_id == case.pk:
        return concern  # "add to this case" again, from a second click: already done
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
            duplicates_checked=duplicates_checked,
        )
    elif outcome == TriageOutcome.EXISTING_CASE:
        if case is None:
            raise ValidationError({"case": "Select the case to add this concern to"})
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.is_closed:
            raise ValidationError({"case": "That case is closed: choose an open case"})
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


# What the record that stays takes from the merged one where it has nothing of its own: a
# merge fills gaps and never overwrites, so nothing a lead has checked changes under them.
MERGE_FILLS = (
    "date_of_birth",
    "estimated_age",
    "nationalities",
    "languages",
    "interpreter_language",
    "safe_contact",
    "distinguishing_features",
)
ALIASES_MAX = Person._meta.get_field("aliases").max_length


def _merge_fill_gaps(survivor: Person, merged: Person) -> list[str]:
    """Copy into `survivor` what only `merged` knows (MERGE_FILLS, the gender, an age
    dispute and its settlement) and add `merged`'s name and aliases to its aliases, so that
    search and the duplicate check find the person by either record's names. The names that
    would not fit stay on the merged record, which is kept. Returns the fields changed."""
    changed = []
    for field in MERGE_FILLS:
        if getattr(survivor, field) in ("", None) and getattr(merged, field) not in ("", None):
            setattr(survivor, field, getattr(merged, field))
            changed.append(field)
    if survivor.gender == Gender.UNKNOWN and merged.gender != Gender.UNKNOWN:
        survivor.gender = merged.gender
        changed.append("gender")
    if merged.interpreter_needed and not survivor.interpreter_needed:
        survivor.interpreter_needed = True
        changed.append("interpreter_needed")
    if merged.age_disputed and not survivor.age_disputed:
        survivor.age_disputed = True
        changed.append("age_disputed")
    if merged.age_settled_as and not survivor.age_settled_as:
        for field in ("age_settled_as", "age_settled_on", "assessed_date_of_birth"):
            setattr(survivor, field, getattr(merged, field))
            changed.append(field)
    known = {n.casefold() for n in matching.names_of(survivor.name, survivor.aliases)}
    aliases = [n.strip() for n in survivor.aliases.split(",") if n.strip()]
    for name in matching.names_of(merged.name, merged.aliases):
        joined = ", ".join([*aliases, name])
        if name.casefold() not in known and len(joined) <= ALIASES_MAX:
            aliases.append(name)
            known.add(name.casefold())
    if ", ".join(aliases) != survivor.aliases:
        survivor.aliases = ", ".join(aliases)
        changed.append("aliases")
    if changed:
        survivor.save(update_fields=changed)
    return changed


@transaction.atomic
def person_merge(*, request, survivor: Person, merged: Person, reason: str) -> PersonMerge:
    """Make two records of one person one: `merged`'s concerns and cases (and with them
    their links for "similar reports") move to `survivor`; `merged` stays as a tombstone
    pointing at it. In every case's chronology, and audited on both references.

    Both rows are locked in id order, so two merges of the same records at once queue rather
    than deadlock, and the second then finds the first done; the one-to-one on
    PersonMerge.merged is the backstop."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why these are the same person"})
    if survivor.pk == merged.pk:
        raise ValidationError("Choose two different records to merge.")
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .filter(pk__in=[survivor.pk, merged.pk])
        .order_by("pk")
    }
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    done = PersonMerge.objects.filter(merged__in=[survivor, merged]).first()
    if done is not None:
        raise ValidationError(
            f"{done.merged.reference} has already been merged into {done.survivor.reference}."
        )
    cases = list(Case.objects.filter(person__in=[survivor, merged]).order_by("pk"))
    filled = _merge_fill_gaps(survivor, merged)
    Concern.objects.filter(person=merged).update(person=survivor)
    Case.objects.filter(person=merged).update(person=survivor)
    try:
        with transaction.atomic():
            merge = PersonMerge.objects.create(
                merged=merged, survivor=survivor, merged_by=request.user, reason=reason
            )
    except IntegrityError:
        raise ValidationError(f"{merged.reference} has already been merged.") from None
    for case in cases:
        chronology_add(
            case=case,
            author=request.user,
            title=f"Person record {merged.reference} merged into {survivor.reference}",
            text=reason,
        )
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=merged,
        changed_fields=["merged_into"],
        detail=f"merged into {survivor.reference}",
    )
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=survivor,
        changed_fields=["merged_from", "concerns", "cases", *filled],
        detail=f"merged from {merged.reference}",
    )
    return merge


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
        fields = set(row.changed_fields)
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
        support_need_changed.send(
            sender=SupportNeed,
            need=need,
            removed=False,
            owner_changed=creating or bool({"owner_user", "owner_organisation"} & fields),
        )
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
    risk_assessed.send(sender=RiskAssessment, assessment=assessment)
    return assessment


CASE_CLOSED = "Case closed"


@transaction.atomic
def case_close(
    *,
    request,
    case: Case,
    reason: str,
    confirmed: closing.Confirmed,
    overrides: dict[str, str],
) -> CaseClosure:
    """Close a case: every closing check met, or overridden with a reason of its own.

    The checks are asked again under the case's row lock, so two leads closing at once (or a
    double submit) make one closure, and a referral opened meanwhile is seen. Every running
    deadline of the case stops, in this transaction, with the reason."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.is_closed:
        raise ValidationError("This case has been closed already.")
    checks = closing.closing_checks(case, closing.case_facts(case), confirmed)
    overrides = {code: text.strip() for code, text in overrides.items()}
    errors = {
        check.override_field: f"{check.label}: {check.detail} Resolve it, or say why the "
        "case can close anyway"
        for check in closing.unmet(checks)
        if not overrides.get(check.code)
    }
    if not reason.strip():
        errors["reason"] = "Enter why the case is being closed"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    closure = CaseClosure.objects.create(
        case=case,
        closed_at=now,
        closed_by=request.user,
        reason=reason.strip(),
        signposted_to=confirmed.signposted_to.strip(),
    )
    CaseClosureCheck.objects.bulk_create(
        CaseClosureCheck(
            closure=closure,
            code=check.code,
            met=check.met,
            detail=check.detail,
            override_reason="" if check.met else overrides[check.code],
        )
        for check in checks
    )
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    case.close_reason = closure.reason
    case.save(update_fields=["status", "closed_at", "close_reason"])
    stopped = []
    for _receiver, words in case_closed.send(
        sender=Case, case=case, why=f"{CASE_CLOSED}: {closure.reason}"
    ):
        stopped += words
    closure.stopped = stopped
    closure.save(update_fields=["stopped"])
    overridden = [c for c in checks if not c.met]
    text = closure.reason
    if overridden:
        text += "\n\nClosed although:\n" + "\n".join(
            f"{c.label.lower()}: {overrides[c.code]}" for c in overridden
        )
    if stopped:
        text += "\n\nStopped: " + "; ".join(stopped)
    chronology_add(case=case, author=request.user, title="Case closed", text=text)
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=case,
        changed_fields=["status", "closed_at", "close_reason", "closures"],
    )
    return closure


@transaction.atomic
def case_reopen(*, request, case: Case, reason: str) -> CaseClosure | None:
    """Reopen a closed case, with the reason. Nothing stopped at closing starts again by
    itself: the reopening page lists it for the lead to restart what still applies."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_closed:
        raise ValidationError("This case is open already.")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the case is being reopened"})
    closure = case.closures.filter(reopened_at__isnull=True).first()
    if closure is not None:
        closure.reopened_at = timezone.now()
        closure.reopened_by = request.user
        closure.reopen_reason = reason.strip()
        closure.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    case.status = CaseStatus.OPEN
    case.closed_at = None
    case.close_reason = ""
    case.save(update_fields=["status", "closed_at", "close_reason"])
    chronology_add(case=case, author=request.user, title="Case reopened", text=reason.strip())
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=case,
        changed_fields=["status", "closed_at", "close_reason", "closures"],
        detail="reopened",
    )
    return closure


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
