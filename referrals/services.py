"""Referral transitions and the deadlines they start and stop. One transaction each, with the
chronology entry and the audit event; a refused transition says why."""

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case, Concern, TriageOutcome
from cases.services import chronology_add
from contacts.models import Organisation
from safeguard import audit, dates
from safeguard.choices import Nation, Pathway
from safeguard.dates import When
from safeguard.models import OrganisationSettings

from . import deadlines, machines
from .deadlines import Timer
from .models import Consent, Deadline, Decision, Referral, Transition

CHILD_NO_DTN = (
    "A child is never the subject of a Duty to Notify. Make a Children's Services referral, "
    "then an NRM referral: a child does not need to consent."
)
DTN_NOT_HELD = (
    "Your organisation does not hold the Duty to Notify (it applies to specified public "
    "authorities in England and Wales), so it cannot make this report."
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


def _start_deadline(
    *, timer: Timer, start: dt.datetime, case=None, concern=None, referral=None, assignee=None
) -> Deadline:
    settings = _lengths()
    length = {
        Timer.REFER: settings.refer_hours,
        Timer.RG_DECISION: settings.rg_working_days,
        Timer.RECOVERY_PERIOD: settings.recovery_days,
        Timer.CG_NOT_BEFORE: settings.cg_not_before_days,
        Timer.RECONSIDERATION: settings.reconsideration_days,
        Timer.MOVE_ON: settings.move_on_days,
        Timer.PLACE_OF_SAFETY: settings.place_of_safety_working_days,
    }[timer]
    due = deadlines.due_at(timer, start, length=length, nation=settings.nation)
    earliest = timer in deadlines.NOT_BEFORE_TIMERS
    first = (
        None
        if earliest
        else deadlines.first_reminder(
            due, timezone.now(), settings.nation, settings.reminder_before_working_days
        )
    )
    return Deadline.objects.create(
        timer=timer,
        case=case,
        concern=concern,
        referral=referral,
        starts_at=start,
        due_at=due,
        is_earliest=earliest,
        assignee=assignee or (case.lead if case else None),
        next_reminder_at=first.at if first else None,
        next_stage=first.stage if first else "",
        next_sequence=first.sequence if first else 0,
    )


def _satisfy(queryset, why: str) -> int:
    return queryset.open().update(satisfied_at=timezone.now(), satisfied_by=why)


# --- The 48-hour referral clock, started by a concern ----------------------------------------


def refer_clock_start(*, concern: Concern) -> Deadline:
    return _start_deadline(
        timer=Timer.REFER, start=concern.identified_at, concern=concern, case=concern.case
    )


def refer_clock_on_triage(*, concern: Concern, outcome: str) -> None:
    """No referral (with a reason) stops the clock; a case takes it over."""
    clocks = Deadline.objects.filter(concern=concern, timer=Timer.REFER)
    if outcome in (TriageOutcome.NO_FURTHER_ACTION, TriageOutcome.SIGNPOSTED):
        _satisfy(clocks, f"{NO_REFERRAL}: {outcome}")
    elif concern.case_id:
        clocks.open().update(case=concern.case, assignee=concern.case.lead)


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
    _check_pathway_allowed(case, pathway)
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
    return referral


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
) -> Consent:
    if interpreter_used and not interpreter_language.strip():
        raise ValidationError({"interpreter_language": "Enter the interpreter's language"})
    dates.check(given_on=(given_on, When.HAPPENED))
    consent, _ = Consent.objects.update_or_create(
        referral=referral,
        defaults={
            "given": given,
            "given_on": given_on,
            "how_explained": how_explained.strip(),
            "interpreter_used": interpreter_used,
            "interpreter_language": interpreter_language.strip(),
            "witnessed_by": witnessed_by.strip(),
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
            raise ValidationError(
                {"competent_authority": "Choose the competent authority the referral goes to"}
            )
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


DECISIONS = {
    "rg_positive": (Decision.Kind.RG, Decision.Outcome.POSITIVE),
    "rg_negative": (Decision.Kind.RG, Decision.Outcome.NEGATIVE),
    "cg_positive": (Decision.Kind.CG, Decision.Outcome.POSITIVE),
    "cg_negative": (Decision.Kind.CG, Decision.Outcome.NEGATIVE),
    "reconsideration_upheld": (Decision.Kind.RECONSIDERATION, Decision.Outcome.NEGATIVE),
}


def _local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=deadlines.UK)


@transaction.atomic
def referral_transition(
    *,
    request,
    referral: Referral,
    action: str,
    reason: str = "",
    decided_on: dt.date | None = None,
    external_reference: str = "",
) -> Referral:
    """Move a referral along its pathway: status, decision, deadlines, chronology, audit."""
    referral = (
        Referral.objects.select_for_update()
        .select_related("case", "case__person")
        .get(pk=referral.pk)
    )
    refusal = machines.why_not(referral.pathway, referral.status, action)
    if refusal:
        raise ValidationError(refusal)
    now = timezone.now()
    case = referral.case
    if action in DECISIONS:
        if decided_on is None:
            raise ValidationError({"decided_on": "Enter the date the decision was received"})
        dates.check(decided_on=(decided_on, When.HAPPENED))
    if action == "withdraw" and not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is being withdrawn"})
    if action == "submit":
        _check_submit(referral)
        referral.submitted_at = now
        if external_reference.strip():
            referral.external_reference = external_reference.strip()
        if referral.pathway in (Pathway.NRM, Pathway.DUTY_TO_NOTIFY):
            _satisfy(
                Deadline.objects.filter(timer=Timer.REFER, concern__case=case),
                f"{referral.get_pathway_display()} submitted",
            )
            _satisfy(
                Deadline.objects.filter(timer=Timer.REFER, case=case),
                f"{referral.get_pathway_display()} submitted",
            )
        if referral.pathway == Pathway.NRM:
            _start_deadline(timer=Timer.RG_DECISION, start=now, case=case, referral=referral)
    mine = Deadline.objects.filter(referral=referral)
    if action in DECISIONS:
        kind, outcome = DECISIONS[action]
        Decision.objects.create(
            referral=referral,
            kind=kind,
            outcome=outcome,
            received_on=decided_on,
            recorded_by=request.user,
            note=reason.strip(),
        )
        start = _local_start(decided_on)
        if action == "rg_positive":
            _satisfy(
                mine.filter(timer__in=[Timer.RG_DECISION, Timer.RECONSIDERATION]),
                "Reasonable Grounds decision received",
            )
            _start_deadline(timer=Timer.RECOVERY_PERIOD, start=start, case=case, referral=referral)
            _start_deadline(timer=Timer.CG_NOT_BEFORE, start=start, case=case, referral=referral)
        elif action in ("rg_negative", "cg_negative"):
            _satisfy(mine.filter(timer=Timer.RG_DECISION), "decision received")
            _start_deadline(timer=Timer.RECONSIDERATION, start=start, case=case, referral=referral)
        elif action == "cg_positive":
            _satisfy(
                mine.filter(
                    timer__in=[Timer.RECOVERY_PERIOD, Timer.CG_NOT_BEFORE, Timer.RECONSIDERATION]
                ),
                "Conclusive Grounds decision received",
            )
            if _lengths().nation == Nation.ENGLAND_AND_WALES:
                _start_deadline(timer=Timer.MOVE_ON, start=start, case=case, referral=referral)
        elif action == "reconsideration_upheld":
            _satisfy(mine, "negative decision upheld")
    elif action == "request_reconsideration":
        _satisfy(mine.filter(timer=Timer.RECONSIDERATION), "reconsideration requested")
    elif action == "withdraw":
        mine.open().update(cancelled_at=now)
    step = machines.allowed(referral.pathway, referral.status)[action]
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
def recovery_extend(*, request, deadline: Deadline, days: int, reason: str) -> Deadline:
    """A recovery period is extendable, with a reason."""
    if deadline.timer != Timer.RECOVERY_PERIOD or not deadline.is_open:
        raise ValidationError("Only an open recovery period can be extended.")
    if days < 1:
        raise ValidationError({"days": "Enter a number of days, 1 or more"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the recovery period is extended"})
    deadline.due_at = deadline.due_at + dt.timedelta(days=days)
    deadline.extended_reason = "\n".join(filter(None, [deadline.extended_reason, reason.strip()]))
    deadline.save(update_fields=["due_at", "extended_reason"])
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
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=deadline.case or deadline.concern,
        changed_fields=["deadline.assignee"],
        detail=deadline.timer,
    )
    return deadline
