"""Referral transitions and the deadlines they start and stop. One transaction each, with the
chronology entry and the audit event; a refused transition says why."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from cases import closing
from cases.models import (
    AgeAssessment,
    AgeMethod,
    Case,
    Concern,
    Person,
    SupportNeed,
    TriageOutcome,
)
from cases.services import chronology_add
from cases.signals import referral_submitted
from contacts.models import Organisation
from safeguard import audit, dates
from safeguard.choices import Nation, Pathway
from safeguard.dates import When, uk_day_start
from safeguard.models import OrganisationSettings

from . import deadlines, machines, readiness, rules
from .deadlines import PERIOD_TIMERS, Timer
from .models import (
    CompetentAuthority,
    Consent,
    Deadline,
    Decision,
    PoliceCooperation,
    Referral,
    Transition,
)

CHILD_NO_DTN = (
    "A child is never the subject of a Duty to Notify. Make a Children's Services referral, "
    "then an NRM referral: a child does not need to consent."
)
DTN_NOT_HELD = (
    "Your organisation does not hold the Duty to Notify (it applies to specified public "
    "authorities in England and Wales), so it cannot make this report."
)
PILOT_CHILDREN_ONLY = (
    "A devolved pilot panel decides only children's cases. Choose the Single Competent "
    "Authority, or the Immigration Enforcement Competent Authority for someone in immigration "
    "detention or facing deportation."
)
NO_AUTHORITY = "Choose the competent authority that decides this NRM referral"
GUARDIAN_ADULT = (
    "A guardian referral is for a child, and their age has been settled as an adult's (or they "
    "are known to be 18 or over). The child referrals made earlier stay on the case."
)
GUARDIAN_NOT_HERE = (
    "The Independent Child Trafficking Guardian service does not cover your organisation's "
    "area (organisation settings), so there is no guardian referral to make. Children's "
    "Services and the NRM referral still apply."
)
NOT_FIRST_RESPONDER = (
    "Only a first responder organisation can submit an NRM referral, and yours is not one. "
    "Contact a first responder from the directory to make it."
)


# How a referral clock stopped by a decision not to refer says so: the statistics leave these
# out of "time from identification to referral".
NO_REFERRAL = "no referral"


def _lengths() -> OrganisationSettings:
    return OrganisationSettings.load()


def deadline_start(
    *,
    timer: Timer,
    start: dt.datetime,
    case=None,
    concern=None,
    referral=None,
    assignee=None,
    due: dt.datetime | None = None,
    support_need=None,
    team=None,
    owner_reference: str = "",
) -> Deadline:
    """Start a timer at `start`. A counted timer's due time comes from its rule; one due on a
    chosen day (deadlines.CHOSEN_DAY_TIMERS) is given its `due`. A deadline of a record above
    referrals (a subject access request: referrals.owners) has no case or concern; it gives
    its `owner_reference`, its `team` and its `assignee`."""
    settings = _lengths()
    if timer in deadlines.CHOSEN_DAY_TIMERS:
        if due is None:
            raise ValueError(f"{timer} needs its due time")
        rule, source = deadlines.Rule(length=1), ""
    else:
        # The RG and CG timers take the length of the competent authority that decides.
        authority = referral.competent_authority if referral is not None else ""
        rule, source = rules.rule_and_source(settings, timer, authority)
        due = deadlines.due_at(timer, start, length=rule.length, nation=settings.nation)
    earliest = timer in deadlines.NOT_BEFORE_TIMERS
    first = (
        None
        if earliest
        else deadlines.first_reminder(
            due,
            timezone.now(),
            settings.nation,
            settings.reminder_before_working_days,
            period=timer in deadlines.PERIOD_TIMERS,
        )
    )
    return Deadline.objects.create(
        timer=timer,
        case=case,
        concern=concern,
        referral=referral,
        support_need=support_need,
        team=team,
        owner_reference=owner_reference,
        starts_at=start,
        due_at=due,
        authority=source,
        is_earliest=earliest,
        end_condition=rule.end if timer in deadlines.PERIOD_TIMERS else deadlines.End.FIXED,
        assignee=assignee or (case.lead if case else None),
        next_reminder_at=first.at if first else None,
        next_stage=first.stage if first else "",
        next_sequence=first.sequence if first else 0,
    )


def _next_sequence(deadline: Deadline) -> int:
    """Above every reminder sequence the deadline has used: a re-planned reminder keeps a
    key of its own (Reminder's unique deadline, stage, sequence, recipient)."""
    used = deadline.reminders.aggregate(top=Max("sequence"))["top"]
    return 0 if used is None else used + 1


def _replan(deadline: Deadline) -> None:
    """Plan the reminders of a deadline whose due time has just changed, from now."""
    settings = _lengths()
    first = (
        None
        if deadline.is_earliest
        else deadlines.first_reminder(
            deadline.due_at,
            timezone.now(),
            settings.nation,
            settings.reminder_before_working_days,
            period=deadline.is_period,
        )
    )
    offset = _next_sequence(deadline)
    deadline.next_reminder_at = first.at if first else None
    deadline.next_stage = first.stage if first else ""
    deadline.next_sequence = first.sequence + offset if first else 0


def deadline_move(*, deadline: Deadline, due: dt.datetime, reason: str) -> Deadline:
    """An open deadline's due time moved on (an extension): the earlier due time kept as
    `extended_from`, the reason added, and its reminders planned again for the new time."""
    if deadline.extended_from is None:
        deadline.extended_from = deadline.due_at
    deadline.due_at = due
    deadline.extended_reason = "\n".join(filter(None, [deadline.extended_reason, reason.strip()]))
    _replan(deadline)
    deadline.save(
        update_fields=[
            "due_at",
            "extended_from",
            "extended_reason",
            "next_reminder_at",
            "next_stage",
            "next_sequence",
        ]
    )
    return deadline


def periods_event(*, queryset, event_at: dt.datetime, why: str) -> None:
    """The ending event (the CG decision) has come for the open periods of `queryset`: each
    ends now if its end condition says so, or has ended already; otherwise it runs on to its
    day with the event noted."""
    for period in queryset.open().select_for_update():
        if deadlines.event_ends_period(
            period.end_condition, period.due_at, event_at
        ) or deadlines.period_has_ended(period.end_condition, period.due_at, event_at):
            period.satisfied_at, period.satisfied_by = timezone.now(), why
        period.event_at = event_at
        period.save(update_fields=["satisfied_at", "satisfied_by", "event_at"])


def deadline_reschedule(*, deadline: Deadline, due: dt.datetime) -> Deadline:
    """A deadline on a chosen day whose day was chosen again, earlier or later: not an
    extension (nothing was granted), so no earlier due time is kept; reminders are planned
    again for the new day, each with a key of its own."""
    deadline.due_at = due
    _replan(deadline)
    deadline.save(update_fields=["due_at", "next_reminder_at", "next_stage", "next_sequence"])
    return deadline


def deadlines_satisfy(queryset, why: str) -> int:
    """Meet every open deadline of `queryset`, saying what met it."""
    return queryset.open().update(satisfied_at=timezone.now(), satisfied_by=why)


# --- A case closing (cases.signals) ---------------------------------------------------------


def _case_deadlines(case: Case):
    """Every deadline of a case: its own, its referrals' and its concerns'."""
    return Deadline.objects.filter(Q(case=case) | Q(referral__case=case) | Q(concern__case=case))


def _deadline_words(deadline: Deadline) -> str:
    record = deadline.referral or deadline.concern
    of = f" ({record.reference})" if record is not None else ""
    due = dates.long_date(timezone.localtime(deadline.due_at).date())
    return f"{deadline.get_timer_display()}{of}: {due}"


def case_closing_facts(*, case: Case) -> dict:
    """What the closing checks need from here: open referrals, running deadlines, and the
    directory entries the case's referrals and sharing agreements name."""
    referrals = list(case.referrals.select_related("recipient"))
    still_open = [r for r in referrals if machines.allowed(r.pathway, r.status)]
    running = _case_deadlines(case).open().select_related("referral", "concern")
    agencies = {r.recipient_id: r.recipient.name for r in referrals if r.recipient_id}
    for agreement in case.sharing_agreements.filter(organisation__isnull=False).select_related(
        "organisation"
    ):
        agencies.setdefault(agreement.organisation_id, agreement.organisation.name)
    return {
        "open_referrals": [
            closing.Item(
                f"{r.reference} ({r.get_pathway_display()}, "
                f"{machines.STATUS_LABELS.get(r.status, r.status).lower()})",
                r.get_absolute_url(),
            )
            for r in still_open
        ],
        "running_deadlines": [closing.Item(_deadline_words(d)) for d in running],
        "agencies": agencies,
        "remaining": [f"referral {r.reference} still open" for r in still_open],
    }


def case_deadlines_stop(*, case: Case, why: str) -> list[str]:
    """Stop every open deadline of a closing case, in its transaction, saying why: the sweep
    reads open deadlines only, and a reminder already written is skipped at sending."""
    running = list(
        _case_deadlines(case)
        .open()
        .select_related("referral", "concern")
        .select_for_update(of=("self",))
    )
    Deadline.objects.filter(pk__in=[d.pk for d in running]).update(
        cancelled_at=timezone.now(), cancelled_reason=why, next_reminder_at=None
    )
    return [_deadline_words(d) for d in running]


# --- A risk assessment's review date (issue 19, item 4) -------------------------------------

REASSESSED = "risk assessed again"


def risk_review_start(*, assessment) -> Deadline:
    """The case's next risk review, reminded like any duty; the review the new assessment
    was for is met by it."""
    case = assessment.case
    deadlines_satisfy(Deadline.objects.filter(case=case, timer=Timer.RISK_REVIEW), REASSESSED)
    return deadline_start(
        timer=Timer.RISK_REVIEW,
        start=assessment.assessed_at,
        case=case,
        due=deadlines.end_of_day(assessment.review_on),
    )


# --- The 48-hour referral clock, started by a concern ----------------------------------------


def refer_clock_start(*, concern: Concern) -> Deadline:
    return deadline_start(
        timer=Timer.REFER, start=concern.identified_at, concern=concern, case=concern.case
    )


def refer_clock_on_triage(*, concern: Concern, outcome: str) -> None:
    """No referral (with a reason) stops the clock; a case takes it over."""
    clocks = Deadline.objects.filter(concern=concern, timer=Timer.REFER)
    if outcome in (TriageOutcome.NO_FURTHER_ACTION, TriageOutcome.SIGNPOSTED):
        deadlines_satisfy(clocks, f"{NO_REFERRAL}: {outcome}")
    elif concern.case_id:
        clocks.open().update(case=concern.case, assignee=concern.case.lead)


# --- A support task's target date (issue 19, item 3) ----------------------------------------

SUPPORT_TASK_DONE = "support task done"


def support_task_sync(
    *, need: SupportNeed, removed: bool = False, owner_changed: bool = True
) -> Deadline | None:
    """Keep the task's deadline in step with the task, in the caller's transaction: a task to
    do with a target date has one open deadline at the end of that day, chased by its owner
    (the case lead when an outside agency does it); done satisfies it; blocked, removed, no
    date any more, or a closed case cancels it. Who chases it follows the owner when the task
    is new or its owner changes, and not otherwise: a manager who gave the deadline to someone
    else (deadline_reassign) is not undone by the next save of the plan."""
    open_rows = (
        Deadline.objects.open()
        .filter(support_need_id=need.pk, timer=Timer.SUPPORT_TASK)
        .select_for_update()
    )
    current = open_rows.first()
    case = need.case
    wanted = (
        not removed
        and need.target_date is not None
        and need.status in (SupportNeed.Status.NOT_STARTED, SupportNeed.Status.IN_PROGRESS)
        and not case.is_closed
    )
    if not wanted:
        if need.status == SupportNeed.Status.DONE and not removed:
            deadlines_satisfy(open_rows, SUPPORT_TASK_DONE)
        else:
            open_rows.update(cancelled_at=timezone.now())
        return None
    due = deadlines.end_of_day(need.target_date)
    assignee = need.owner_user if need.owner_user_id else case.lead
    if current is None:
        return deadline_start(
            timer=Timer.SUPPORT_TASK,
            start=timezone.now(),
            due=due,
            case=case,
            assignee=assignee,
            support_need=need,
        )
    if current.due_at != due:
        deadline_reschedule(deadline=current, due=due)
    if owner_changed and current.assignee_id != assignee.pk:
        current.assignee = assignee
        current.save(update_fields=["assignee"])
    return current


def support_tasks_stop(*, case: Case) -> int:
    """A closed case's support tasks are reminded no more."""
    return (
        Deadline.objects.open()
        .filter(case=case, timer=Timer.SUPPORT_TASK)
        .update(cancelled_at=timezone.now())
    )


# --- Referrals ---------------------------------------------------------------------------------


def _is_child(case: Case) -> bool:
    return case.person.may_be_child()


def _check_pathway_allowed(case: Case, pathway: str) -> None:
    organisation = _lengths()
    if pathway == Pathway.DUTY_TO_NOTIFY:
        if _is_child(case):
            raise ValidationError({"pathway": CHILD_NO_DTN})
        if not (
            organisation.holds_duty_to_notify and organisation.nation == Nation.ENGLAND_AND_WALES
        ):
            raise ValidationError({"pathway": DTN_NOT_HELD})
    if pathway == Pathway.NRM and not organisation.is_first_responder:
        raise ValidationError({"pathway": NOT_FIRST_RESPONDER})
    if pathway == Pathway.GUARDIAN:
        if not _is_child(case):
            raise ValidationError({"pathway": GUARDIAN_ADULT})
        if not organisation.guardian_service_applies:
            raise ValidationError({"pathway": GUARDIAN_NOT_HERE})


# The pathways that start a child's case on its way: the guardian referral goes alongside them.
CHILD_PATHWAYS = frozenset({Pathway.CHILDRENS_SERVICES, Pathway.NRM})


def _guardian_clock_start(case: Case) -> Deadline | None:
    """A child's case gets one guardian referral clock, from its first Children's Services or
    NRM referral, where a guardianship service covers the organisation's area. The caller
    holds the case's row lock, so two referrals started at once start one clock (and the
    database refuses a second: one_guardian_clock_per_case)."""
    if not (_is_child(case) and _lengths().guardian_service_applies):
        return None
    if Deadline.objects.filter(case=case, timer=Timer.GUARDIAN_REFERRAL).exists():
        return None
    sent = case.referrals.filter(
        pathway=Pathway.GUARDIAN, status__in=[machines.SUBMITTED, machines.CLOSED]
    )
    if sent.exists():
        return None
    return deadline_start(timer=Timer.GUARDIAN_REFERRAL, start=timezone.now(), case=case)


def _check_authority(case: Case, authority: str) -> None:
    if authority and authority not in CompetentAuthority.values:
        raise ValidationError({"competent_authority": NO_AUTHORITY})
    if authority == CompetentAuthority.CHILD_PILOT and not _is_child(case):
        raise ValidationError({"competent_authority": PILOT_CHILDREN_ONLY})


@transaction.atomic
def referral_create(
    *,
    request,
    case: Case,
    pathway: str,
    recipient: Organisation | None,
    competent_authority: str = "",
    summary: str = "",
    named: bool = False,
) -> Referral:
    case = Case.objects.select_for_update().select_related("person", "lead").get(pk=case.pk)
    _check_pathway_allowed(case, pathway)
    # Only the NRM has a competent authority; another pathway's choice is not kept.
    competent_authority = competent_authority if pathway == Pathway.NRM else ""
    _check_authority(case, competent_authority)
    referral = Referral(
        case=case,
        pathway=pathway,
        recipient=recipient,
        competent_authority=competent_authority,
        summary=summary.strip(),
        named=named and pathway == Pathway.DUTY_TO_NOTIFY,
        created_by=request.user,
    )
    referral.reference = f"tmp-{uuid.uuid4().hex[:14]}"
    referral.save()
    referral.reference = f"RF-{timezone.localdate().year}-{referral.pk:06d}"
    referral.save(update_fields=["reference"])
    chronology_add(
        case=case,
        author=request.user,
        title=f"{referral.get_pathway_display()} referral started",
        text=f"Referral {referral.reference}",
    )
    audit.record(request, action=audit.Action.CREATE, obj=referral)
    if pathway in CHILD_PATHWAYS:
        _guardian_clock_start(case)
    return referral


EXPLAINED = ("explained_nrm", "explained_decisions", "explained_support", "explained_privacy")


@dataclass(frozen=True)
class Refusal:
    """What a refusal records, as the Home Office form asks it."""

    understands_no_support: bool
    declined_because: str
    police_cooperation: str


def _check_consent(
    *,
    given: bool,
    explained: dict[str, bool | None],
    explained_in: str,
    interpreter_used: bool,
    interpreter_language: str,
    interpreter: str,
    refusal: Refusal | None,
) -> None:
    errors: dict[str, str] = {}
    for name in EXPLAINED:
        if explained.get(name) is None:
            errors[name] = ConsentMessages.EXPLAINED[name]
    if not explained_in.strip():
        errors["explained_in"] = ConsentMessages.EXPLAINED_IN
    if interpreter_used and not interpreter_language.strip():
        errors["interpreter_language"] = ConsentMessages.INTERPRETER_LANGUAGE
    if interpreter_used and not interpreter.strip():
        errors["interpreter"] = ConsentMessages.INTERPRETER
    if given and explained.get("explained_nrm") is False:
        errors["explained_nrm"] = ConsentMessages.NOT_INFORMED
    if not given:
        if refusal is None or not refusal.understands_no_support:
            errors["understands_no_support"] = ConsentMessages.UNDERSTANDS
        if refusal is None or not refusal.declined_because.strip():
            errors["declined_because"] = ConsentMessages.DECLINED_BECAUSE
        if refusal is None or refusal.police_cooperation not in PoliceCooperation.values:
            errors["police_cooperation"] = ConsentMessages.POLICE
    if errors:
        raise ValidationError(errors)


class ConsentMessages:
    """What to fix, for the form and the service alike."""

    EXPLAINED = {
        "explained_nrm": "Select whether the NRM was explained to them",
        "explained_decisions": "Select whether the Reasonable Grounds and Conclusive Grounds "
        "decisions were explained to them",
        "explained_support": "Select whether the support on offer was explained to them",
        "explained_privacy": "Select whether the privacy notice was explained to them",
    }
    EXPLAINED_IN = "Enter the language it was explained in"
    INTERPRETER_LANGUAGE = "Enter the interpreter's language, or untick that one was used"
    INTERPRETER = "Enter the interpreter's name or agency, or untick that one was used"
    NOT_INFORMED = (
        "Consent is informed only once the NRM has been explained: explain it to them first, "
        "then record their answer"
    )
    UNDERSTANDS = (
        "Before recording a refusal, make sure they understand that without a referral they "
        "get no NRM support and no decision, and tick that they do"
    )
    DECLINED_BECAUSE = "Enter why they declined the referral"
    POLICE = "Select whether they will co-operate with the police"


@transaction.atomic
def consent_record(
    *,
    request,
    referral: Referral,
    given: bool,
    given_on: dt.date,
    how_explained: str,
    interpreter_used: bool,
    interpreter_language: str,
    witnessed_by: str,
    explained: dict[str, bool | None],
    explained_in: str,
    interpreter: str = "",
    refusal: Refusal | None = None,
) -> Consent:
    """An adult's answer to an NRM referral, with what they were told first and, for a
    refusal, what the Duty to Notify route needs. Recorded again, it replaces the answer."""
    _check_consent(
        given=given,
        explained=explained,
        explained_in=explained_in,
        interpreter_used=interpreter_used,
        interpreter_language=interpreter_language,
        interpreter=interpreter,
        refusal=refusal,
    )
    dates.check(given_on=(given_on, When.HAPPENED))
    declined = None if given else refusal
    consent, _ = Consent.objects.update_or_create(
        referral=referral,
        defaults={
            "given": given,
            "given_on": given_on,
            "how_explained": how_explained.strip(),
            **{name: explained[name] for name in EXPLAINED},
            "explained_in": explained_in.strip(),
            "interpreter_used": interpreter_used,
            "interpreter_language": interpreter_language.strip() if interpreter_used else "",
            "interpreter": interpreter.strip() if interpreter_used else "",
            "witnessed_by": witnessed_by.strip(),
            "understands_no_support": declined.understands_no_support if declined else None,
            "declined_because": declined.declined_because.strip() if declined else "",
            "police_cooperation": declined.police_cooperation if declined else "",
            "recorded_by": request.user,
            "recorded_at": timezone.now(),
        },
    )
    chronology_add(
        case=referral.case,
        author=request.user,
        title="Consent to the NRM referral " + ("given" if given else "declined"),
        text=f"On {given_on:%d %B %Y}. {consent.how_explained}",
    )
    audit.record(request, action=audit.Action.CHANGE, obj=referral, changed_fields=["consent"])
    return consent


def _check_submit(referral: Referral) -> None:
    if referral.recipient_id is None:
        raise ValidationError({"recipient": "Choose who the referral goes to before submitting"})
    case = referral.case
    if referral.pathway == Pathway.NRM:
        if not referral.competent_authority:
            raise ValidationError({"competent_authority": NO_AUTHORITY})
        # Age may have been settled since the referral was started.
        _check_authority(case, referral.competent_authority)
        if _is_child(case):
            sent = case.referrals.filter(
                pathway=Pathway.CHILDRENS_SERVICES, status__in=[machines.SUBMITTED, machines.CLOSED]
            )
            if not sent.exists():
                raise ValidationError(
                    "The person may be under 18: send the Children's Services referral first. "
                    "The NRM referral needs no consent from a child."
                )
        else:
            consent = Consent.objects.filter(referral=referral).first()
            if consent is None or not consent.given:
                raise ValidationError(
                    "An adult must give informed consent to an NRM referral. Record their "
                    "consent first: when, how it was explained, any interpreter and witness. "
                    "If they decline, consider the Duty to Notify instead."
                )
    _check_pathway_allowed(case, referral.pathway)


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update()
        .select_related("case", "case__person")
        .get(pk=referral.pk)
    )


def _step(referral: Referral, action: str, service: str) -> machines.Step:
    """The declared step, if the referral may take it now and `service` is the one that
    records it; otherwise the refusal, in plain words."""
    refusal = machines.why_not(referral.pathway, referral.status, action)
    if refusal:
        raise ValidationError(refusal)
    step = machines.allowed(referral.pathway, referral.status)[action]
    if step.service != service:
        raise ValueError(f"{action!r} is recorded by {step.service}, not {service}")
    return step


def _check_needs(step: machines.Step, *, reason: str, decided_on: dt.date | None) -> None:
    if "decided_on" in step.needs:
        if decided_on is None:
            raise ValidationError({"decided_on": "Enter the date the decision was received"})
        dates.check(decided_on=(decided_on, When.HAPPENED))
    if "reason" in step.needs and not reason.strip():
        raise ValidationError({"reason": REASON_NEEDED.get(_reason_key(step), REASON_NEEDED[""])})


# What a step that needs a reason asks for, by its service (or its decision's kind).
REASON_NEEDED = {
    "": "Enter why the referral is being withdrawn",
    "referral_person_withdraw": "Enter what the person said, or how they withdrew",
    "referral_reconsideration_extend": (
        "Enter the exceptional circumstances that justify the extension"
    ),
    "disqualification": (
        "Enter the competent authority's reasons for the disqualification, as its decision "
        "letter gives them"
    ),
    "revision": "Enter why the decision was revised (reconsideration or new information)",
}
CHILD_CANNOT_WITHDRAW = (
    "The person may be under 18, and a child does not withdraw from the NRM. If the child "
    "or someone on their behalf asks for it, talk to the competent authority and the "
    "child's local authority."
)


def _reason_key(step: machines.Step) -> str:
    if step.decision and step.decision[0] == "disqualification":
        return "disqualification"
    return "revision" if step.revises and "reason" in step.needs else step.service


def _check_step(step: machines.Step, referral: Referral, *, reason: str, decided_on) -> None:
    """What a step needs, in plain words: its fields, an adult for an adult's step, and a
    revised decision dated no earlier than the one it revises."""
    if step.adults_only and _is_child(referral.case):
        raise ValidationError(CHILD_CANNOT_WITHDRAW)
    _check_needs(step, reason=reason, decided_on=decided_on)
    earlier = _revised_decision(referral, step)
    if earlier is not None and decided_on is not None and decided_on < earlier.received_on:
        raise ValidationError(
            {
                "decided_on": "A revised decision cannot be dated before the decision it "
                f"revises ({earlier.received_on:%-d %B %Y})"
            }
        )


def _revised_decision(referral: Referral, step: machines.Step) -> Decision | None:
    """The latest decision of the step's kind not yet revised: the one a further or revised
    decision supersedes."""
    if not step.revises or step.decision is None:
        return None
    return (
        referral.decisions.filter(kind=step.decision[0], revised_by__isnull=True)
        .order_by("-received_on", "-recorded_at", "-pk")
        .first()
    )


def _record_step(
    *,
    request,
    referral: Referral,
    action: str,
    step: machines.Step,
    reason: str = "",
    decided_on: dt.date | None = None,
) -> Referral:
    """What every step does, as its declaration says: the decision, the clocks it meets and
    starts, the status and its transition, the chronology and the audit event."""
    now = timezone.now()
    case = referral.case
    mine = Deadline.objects.filter(referral=referral)
    if step.decision is not None:
        kind, outcome = step.decision
        Decision.objects.create(
            referral=referral,
            kind=kind,
            outcome=outcome,
            received_on=decided_on,
            recorded_by=request.user,
            note=reason.strip(),
            revises=_revised_decision(referral, step),
        )
    if step.stops_refer_clock:
        why = f"{referral.get_pathway_display()} submitted"
        deadlines_satisfy(Deadline.objects.filter(timer=Timer.REFER, concern__case=case), why)
        deadlines_satisfy(Deadline.objects.filter(timer=Timer.REFER, case=case), why)
    if step.satisfies:
        deadlines_satisfy(mine.filter(timer__in=step.satisfies), step.satisfied_because)
    if step.satisfies_on_case:
        on_case = Deadline.objects.filter(case=case, timer__in=step.satisfies_on_case)
        deadlines_satisfy(on_case, step.satisfied_because)
    if step.ends_periods:
        # A decision is made on a day: the period "ends with the day on which" it is made.
        periods_event(
            queryset=mine.filter(timer__in=step.ends_periods),
            event_at=deadlines.end_of_day(decided_on),
            why=step.satisfied_because,
        )
    nation = _lengths().nation
    if nation in step.ends_support_in:
        # Support ends here and now: an ended period, not a late one, and never reminded of.
        deadlines_satisfy(mine.filter(timer__in=sorted(PERIOD_TIMERS)), step.satisfied_because)
    if step.cancels:
        mine.filter(timer__in=step.cancels).open().update(cancelled_at=now)
    if step.cancels_timers:
        mine.open().update(cancelled_at=now)
    # A decision's clocks count from the day it was made; the RG clock from the submission.
    start = uk_day_start(decided_on) if step.decision is not None else now
    for starts in step.starts:
        if not starts.nations or nation in starts.nations:
            deadline_start(timer=starts.timer, start=start, case=case, referral=referral)
    Transition.objects.create(
        referral=referral,
        action=action,
        from_status=referral.status,
        to_status=step.to,
        by=request.user,
        at=now,
        reason=reason.strip(),
    )
    referral.status = step.to
    referral.save()
    chronology_add(
        case=case,
        author=request.user,
        title=f"{referral.get_pathway_display()}: {machines.STATUS_LABELS[step.to].lower()}",
        text=reason.strip() or f"Referral {referral.reference}",
    )
    audit.record(
        request, action=audit.Action.CHANGE, obj=referral, changed_fields=["status"], detail=action
    )
    return referral


@transaction.atomic
def referral_submit(
    *,
    request,
    referral: Referral,
    external_reference: str = "",
    reason: str = "",
    confirm_missing: bool = False,
) -> Referral:
    """Sent to the receiving agency: checked complete first (recipient, competent authority,
    a child's Children's Services referral, an adult's consent). Answers the form asks that
    are still missing never block it, but recording it without them is confirmed, unless the
    person is in immediate danger (referrals.readiness)."""
    referral = _locked(referral)
    step = _step(referral, "submit", "referral_submit")
    _check_submit(referral)
    ready = readiness.referral_readiness(referral)
    if ready.needs_confirmation and not confirm_missing:
        count = len(ready.missing)
        raise ValidationError(
            {
                "confirm_missing": f"{count} answer{'s are' if count != 1 else ' is'} missing. "
                "Add them, or confirm that you are recording it as submitted without them"
            }
        )
    referral.submitted_at = timezone.now()
    if external_reference.strip():
        referral.external_reference = external_reference.strip()
    referral = _record_step(
        request=request, referral=referral, action="submit", step=step, reason=reason
    )
    referral_submitted.send(sender=Referral, case=referral.case)
    return referral


@transaction.atomic
def referral_decision_record(
    *, request, referral: Referral, action: str, decided_on: dt.date | None, reason: str = ""
) -> Referral:
    """A Competent Authority's decision (Reasonable Grounds, Conclusive Grounds, or that a
    negative one stands on reconsideration), with the day it was received."""
    referral = _locked(referral)
    step = _step(referral, action, "referral_decision_record")
    _check_step(step, referral, reason=reason, decided_on=decided_on)
    return _record_step(
        request=request,
        referral=referral,
        action=action,
        step=step,
        reason=reason,
        decided_on=decided_on,
    )


@transaction.atomic
def referral_reconsideration_request(*, request, referral: Referral, reason: str = "") -> Referral:
    referral = _locked(referral)
    step = _step(referral, "request_reconsideration", "referral_reconsideration_request")
    return _record_step(
        request=request,
        referral=referral,
        action="request_reconsideration",
        step=step,
        reason=reason,
    )


@transaction.atomic
def referral_withdraw(*, request, referral: Referral, reason: str) -> Referral:
    """Withdrawn, with why: none of its clocks is chased any more."""
    referral = _locked(referral)
    step = _step(referral, "withdraw", "referral_withdraw")
    _check_needs(step, reason=reason, decided_on=None)
    return _record_step(
        request=request, referral=referral, action="withdraw", step=step, reason=reason
    )


@transaction.atomic
def referral_person_withdraw(
    *, request, referral: Referral, decided_on: dt.date | None, reason: str
) -> Referral:
    """The person withdrew from the NRM (an adult's choice; not a referral withdrawn in
    error): no further decision or support, so its periods end and nothing more is chased.
    `decided_on` is the day they withdrew."""
    referral = _locked(referral)
    step = _step(referral, "person_withdraws", "referral_person_withdraw")
    _check_step(step, referral, reason=reason, decided_on=decided_on)
    reason = f"Withdrew on {decided_on:%-d %B %Y}. {reason.strip()}"
    return _record_step(
        request=request, referral=referral, action="person_withdraws", step=step, reason=reason
    )


@transaction.atomic
def referral_reconsideration_extend(
    *, request, referral: Referral, new_last_day: dt.date | None, reason: str
) -> Referral:
    """The reconsideration window extended in exceptional circumstances, with the reason and
    the new last day for the request: recorded as a transition to the same status, the old
    last day kept, its reminders planned again."""
    referral = _locked(referral)
    action = "extend_reconsideration"
    step = _step(referral, action, "referral_reconsideration_extend")
    if new_last_day is None:
        raise ValidationError({"new_last_day": "Enter the new last day for the request"})
    dates.check(new_last_day=(new_last_day, When.PLANNED))
    if not reason.strip():
        raise ValidationError({"reason": REASON_NEEDED[step.service]})
    window = (
        Deadline.objects.filter(referral=referral, timer=step.extends)
        .open()
        .select_for_update()
        .order_by("-starts_at")
        .first()
    )
    if window is None:
        raise ValidationError("There is no open reconsideration window to extend.")
    if new_last_day < timezone.localdate():
        raise ValidationError({"new_last_day": "Enter today or a later day"})
    due = deadlines.end_of_day(new_last_day)
    if due <= window.due_at:
        last = timezone.localtime(window.due_at)
        raise ValidationError(
            {"new_last_day": f"Enter a day after the current last day, {last:%-d %B %Y}"}
        )
    before = window.due_at
    deadline_move(deadline=window, due=due, reason=reason)
    Transition.objects.create(
        referral=referral,
        action=action,
        from_status=referral.status,
        to_status=step.to,
        by=request.user,
        reason=reason.strip(),
    )
    referral.save(update_fields=["updated_at"])
    chronology_add(
        case=referral.case,
        author=request.user,
        title=f"Reconsideration window extended to {new_last_day:%-d %B %Y}",
        text=f"Extended from {timezone.localtime(before):%-d %B %Y}: {reason.strip()}",
    )
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=referral,
        changed_fields=["deadline"],
        detail=action,
    )
    return referral


@transaction.atomic
def referral_close(*, request, referral: Referral, reason: str = "") -> Referral:
    """The receiving agency's answer recorded (a pathway other than the NRM)."""
    referral = _locked(referral)
    step = _step(referral, "close", "referral_close")
    return _record_step(
        request=request, referral=referral, action="close", step=step, reason=reason
    )


@transaction.atomic
def referral_transition(
    *,
    request,
    referral: Referral,
    action: str,
    reason: str = "",
    decided_on: dt.date | None = None,
    external_reference: str = "",
    confirm_missing: bool = False,
    new_last_day: dt.date | None = None,
) -> Referral:
    """The step named `action`, by the service its declaration names (the referral page's one
    form posts here). Fields a step does not ask for are ignored."""
    referral = _locked(referral)  # the status now, not the caller's copy of it
    refusal = machines.why_not(referral.pathway, referral.status, action)
    if refusal:
        raise ValidationError(refusal)
    step = machines.allowed(referral.pathway, referral.status)[action]
    fields = {
        "reason": reason,
        "decided_on": decided_on,
        "external_reference": external_reference,
        "action": action,
        "confirm_missing": confirm_missing,
        "new_last_day": new_last_day,
    }
    wanted = {
        "referral_submit": ("external_reference", "reason", "confirm_missing"),
        "referral_decision_record": ("action", "decided_on", "reason"),
        "referral_reconsideration_request": ("reason",),
        "referral_withdraw": ("reason",),
        "referral_person_withdraw": ("decided_on", "reason"),
        "referral_reconsideration_extend": ("new_last_day", "reason"),
        "referral_close": ("reason",),
    }[step.service]
    service = globals()[step.service]
    return service(request=request, referral=referral, **{k: fields[k] for k in wanted})


@transaction.atomic
def recovery_extend(*, request, deadline: Deadline, days: int, reason: str) -> Deadline:
    """A recovery period is extendable, with a reason: its earlier end kept, its reminders
    planned again for the new one."""
    deadline = (
        Deadline.objects.select_for_update(of=("self",)).select_related("case").get(pk=deadline.pk)
    )
    if deadline.timer != Timer.RECOVERY_PERIOD or not deadline.is_open:
        raise ValidationError("Only an open recovery period can be extended.")
    if days < 1:
        raise ValidationError({"days": "Enter a number of days, 1 or more"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the recovery period is extended"})
    # Moved by days of the calendar, not by 24-hour steps: across a clock change the period
    # still ends at the end of a UK day.
    last_day = timezone.localtime(deadline.due_at).date() + dt.timedelta(days=days)
    deadline_move(deadline=deadline, due=deadlines.end_of_day(last_day), reason=reason)
    if deadline.case_id:
        chronology_add(
            case=deadline.case,
            author=request.user,
            title=f"Recovery period extended by {days} days",
            text=reason.strip(),
        )
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=deadline.referral or deadline.case,
        changed_fields=["recovery_period"],
    )
    return deadline


@transaction.atomic
def deadline_reassign(*, request, deadline: Deadline, assignee) -> Deadline:
    deadline.assignee = assignee
    deadline.save(update_fields=["assignee"])
    owner = deadline.case or deadline.concern  # None for a record of its own (owners.py)
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=owner,
        object_type="" if owner else "deadline",
        object_id="" if owner else str(deadline.pk),
        reference=deadline.reference,
        changed_fields=["deadline.assignee"],
        detail=deadline.timer,
    )
    return deadline


GUARDIAN_NO_CLOCK = "This case has no open guardian referral deadline."


@transaction.atomic
def guardian_referral_not_needed(*, request, case: Case, reason: str) -> Deadline:
    """No guardian referral for this child, and why: their local authority is not one the
    service covers (an organisation across several areas), or they are not eligible (in
    Scotland and Northern Ireland, someone in the UK has parental responsibility for them).
    Stops the case's guardian referral clock, as "no referral" stops the referral clock."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why no guardian referral is needed"})
    case = Case.objects.select_for_update().get(pk=case.pk)
    clock = Deadline.objects.filter(case=case, timer=Timer.GUARDIAN_REFERRAL).open().first()
    if clock is None:
        raise ValidationError(GUARDIAN_NO_CLOCK)
    clock.satisfied_at, clock.satisfied_by = timezone.now(), "no guardian referral needed"
    clock.save(update_fields=["satisfied_at", "satisfied_by"])
    chronology_add(
        case=case, author=request.user, title="No guardian referral needed", text=reason.strip()
    )
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=case,
        changed_fields=["deadline"],
        detail=Timer.GUARDIAN_REFERRAL,
    )
    return clock


# --- An age dispute, settled -------------------------------------------------------------------


AGE_NOT_IN_QUESTION = (
    "Their age is not in question: they are recorded as an adult, with no dispute. An age "
    "assessment is recorded only for someone treated as a child or whose age was disputed."
)
AGE_ALREADY_RECORDED = "This age assessment is already recorded."


@dataclass(frozen=True)
class AgeSettlement:
    assessed_on: dt.date | None
    method: str
    assessed_by: str
    outcome: str
    assessed_date_of_birth: dt.date | None = None
    note: str = ""


def _check_settlement(settled: AgeSettlement) -> None:
    errors: dict[str, str] = {}
    if settled.assessed_on is None:
        errors["assessed_on"] = "Enter the date of the age assessment"
    if settled.method not in AgeMethod.values:
        errors["method"] = "Select how their age was settled"
    if not settled.assessed_by.strip():
        errors["assessed_by"] = "Enter who assessed their age (the local authority, or who else)"
    if settled.outcome not in ("adult", "child"):
        errors["outcome"] = "Select whether they were assessed as an adult or a child"
    if errors:
        raise ValidationError(errors)
    dates.check(
        assessed_on=(settled.assessed_on, When.HAPPENED),
        assessed_date_of_birth=(settled.assessed_date_of_birth, When.HAPPENED),
    )
    born = settled.assessed_date_of_birth
    if settled.outcome == "child" and born is None:
        raise ValidationError(
            {"assessed_date_of_birth": "Enter the date of birth the assessment gives a child"}
        )
    if born is not None:
        if born > settled.assessed_on:
            raise ValidationError(
                {"assessed_date_of_birth": "The date of birth must be before the assessment"}
            )
        age = Person(date_of_birth=born).age_on(settled.assessed_on)
        if (age >= 18) != (settled.outcome == "adult"):
            raise ValidationError(
                {
                    "assessed_date_of_birth": f"That date of birth makes them {age} on the day "
                    f"of the assessment, so not {'an adult' if age < 18 else 'a child'}: check "
                    "the date or the outcome"
                }
            )


@transaction.atomic
def age_dispute_settle(*, request, case: Case, settled: AgeSettlement) -> AgeAssessment:
    """The one way a disputed or unknown age is settled: an assessment recorded with its date,
    how it was done, by whom and its outcome. Until then the case keeps a child's treatment
    (no consent asked, never a Duty to Notify, Children's Services first, the guardian
    referral). Settled as an adult, the adult rules apply from now on: a new NRM referral needs
    their consent, and the guardian referral clock stops; the child referrals already made,
    and their decisions, stay in the record as they were."""
    _check_settlement(settled)
    person = Person.objects.select_for_update().get(pk=case.person_id)
    if not (person.age_disputed or person.age_settled_as or person.may_be_child()):
        raise ValidationError(AGE_NOT_IN_QUESTION)
    duplicate = AgeAssessment.objects.filter(
        person=person, assessed_on=settled.assessed_on, outcome=settled.outcome
    )
    if duplicate.exists():
        raise ValidationError(AGE_ALREADY_RECORDED)
    assessment = AgeAssessment(
        person=person,
        assessed_on=settled.assessed_on,
        method=settled.method,
        assessed_by=settled.assessed_by.strip(),
        outcome=settled.outcome,
        assessed_date_of_birth=settled.assessed_date_of_birth,
        note=settled.note.strip(),
        recorded_by=request.user,
    )
    assessment.full_clean(exclude=["person", "recorded_by"])
    assessment.save()
    person.age_settled_as = settled.outcome
    person.age_settled_on = settled.assessed_on
    person.assessed_date_of_birth = settled.assessed_date_of_birth
    person.save(update_fields=["age_settled_as", "age_settled_on", "assessed_date_of_birth"])
    outcome = "an adult" if settled.outcome == "adult" else "a child"
    if not person.may_be_child():
        clocks = Deadline.objects.filter(
            case__person=person, case__status="open", timer=Timer.GUARDIAN_REFERRAL
        )
        deadlines_satisfy(clocks, "age assessed as an adult")
    for each in person.cases.filter(status="open"):
        chronology_add(
            case=each,
            author=request.user,
            title=f"Age settled: assessed as {outcome}",
            text=f"{assessment.get_method_display()}, by {assessment.assessed_by}, on "
            f"{settled.assessed_on:%d %B %Y}. {assessment.note}".strip(),
        )
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=case,
        changed_fields=["person.age_settled_as"],
        detail=settled.outcome,
    )
    return assessment


# Which authority decides can change while the decisions are still to come (a case moved
# from the SCA to the IECA, or a panel's child case); once the CG decision is in, it was
# that authority's, and a correction would rewrite history.
AUTHORITY_MAY_CHANGE = frozenset({machines.DRAFT, machines.SUBMITTED, machines.RG_POSITIVE})
NOTHING_CORRECTED = "Change who it goes to or the competent authority, or cancel"


@transaction.atomic
def referral_correct(
    *, request, referral: Referral, recipient: Organisation | None, competent_authority: str,
    reason: str,
) -> Referral:  # fmt: skip
    """Correct who the referral went to, or which competent authority decides it, with why.

    The open Reasonable Grounds and Conclusive Grounds timers are counted again from their
    start under the new authority's rule, and their reminders planned again; one whose last
    day was extended keeps it, as the authority granted it. Recorded in the case's chronology
    with both values, and audited by field name."""
    referral = _locked(referral)
    if referral.case.is_closed:
        raise ValidationError("The case is closed: reopen it to correct the referral.")
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = "Enter why it is being corrected"
    competent_authority = competent_authority if referral.pathway == Pathway.NRM else ""
    authority_changed = competent_authority != referral.competent_authority
    if authority_changed:
        if referral.status not in AUTHORITY_MAY_CHANGE:
            errors["competent_authority"] = (
                "The Conclusive Grounds decision is recorded: the authority that made it stays"
            )
        elif referral.pathway == Pathway.NRM and not competent_authority:
            errors["competent_authority"] = NO_AUTHORITY
        else:
            try:
                _check_authority(referral.case, competent_authority)
            except ValidationError as error:
                errors.update(error.message_dict)
    recipient_changed = (recipient.pk if recipient else None) != referral.recipient_id
    if referral.submitted_at and recipient is None and recipient_changed:
        errors["recipient"] = "A submitted referral went to someone: choose who"
    if not errors and not (authority_changed or recipient_changed):
        errors["recipient"] = NOTHING_CORRECTED
    if errors:
        raise ValidationError(errors)

    changes, fields = [], []
    if recipient_changed:
        was = referral.recipient.name if referral.recipient else "nobody yet"
        changes.append(f"Goes to {recipient.name if recipient else 'nobody yet'} (was {was})")
        referral.recipient = recipient
        fields.append("recipient")
    if authority_changed:
        labels = dict(CompetentAuthority.choices)
        was = labels.get(referral.competent_authority, "none")
        changes.append(f"Decided by {labels[competent_authority]} (was {was})")
        referral.competent_authority = competent_authority
        fields.append("competent_authority")
    referral.save(update_fields=[*fields, "updated_at"])
    if authority_changed:
        _recount_authority_timers(referral)
    chronology_add(
        case=referral.case,
        author=request.user,
        title=f"Referral {referral.reference} corrected",
        text="\n".join([*changes, f"Why: {reason}"]),
    )
    audit.record(request, action=audit.Action.CHANGE, obj=referral, changed_fields=fields)
    return referral


def _recount_authority_timers(referral: Referral) -> None:
    settings = _lengths()
    for deadline in (
        Deadline.objects.open()
        .filter(referral=referral, timer__in=deadlines.AUTHORITY_TIMERS, extended_from=None)
        .select_for_update()
    ):
        rule, source = rules.rule_and_source(settings, deadline.timer, referral.competent_authority)
        deadline.due_at = deadlines.due_at(
            deadline.timer, deadline.starts_at, length=rule.length, nation=settings.nation
        )
        deadline.authority = source
        _replan(deadline)
        deadline.save(
            update_fields=["due_at", "authority", "next_reminder_at", "next_stage", "next_sequence"]
        )
