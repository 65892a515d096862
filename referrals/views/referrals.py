"""A case's referrals, and each referral: its steps, decisions, consent and deadlines."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case
from cases.tabs import case_page
from safeguard.access import Action, get_for_user
from safeguard.forms import DocumentPasswordForm, add_service_errors, error_list
from safeguard.models import OrganisationSettings
from safeguard.submissions import submitted_once

from .. import consent as sharing
from .. import deadlines, help, machines, rules, services
from ..forms import (
    AgeSettlementForm,
    ConsentForm,
    GuardianNotNeededForm,
    ReferralCorrectForm,
    ReferralStartForm,
    TransitionForm,
)
from ..models import Consent, Referral


def _case(request, reference, action=Action.VIEW):
    return get_for_user(
        request,
        Case.objects.select_related("person", "lead", "team"),
        action=action,
        reference=reference,
    )


def _referral(request, reference, action=Action.VIEW):
    return get_for_user(
        request,
        Referral.objects.select_related("case", "case__person", "case__lead", "recipient"),
        action=action,
        reference=reference,
    )


def _guardian_service(case) -> str | None:
    """The guardianship service a child here is referred to, by its name; None for an adult or
    where no service covers the organisation's area."""
    organisation = OrganisationSettings.load()
    if not (case.person.may_be_child() and organisation.guardian_service_applies):
        return None
    return deadlines.GUARDIAN_SERVICES[organisation.nation].name


def _case_referrals_page(
    request, granted, *, form=None, age_form=None, not_needed_form=None, status=200
):
    case = granted.obj
    child = case.person.may_be_child()
    guardian = _guardian_service(case)
    organisation = OrganisationSettings.load()
    form = form or ReferralStartForm(
        child=child,
        guardian_service=guardian,
        suggested_authority=rules.suggested_authority(organisation, child=child),
    )
    age_form = age_form or AgeSettlementForm(auto_id="age_%s")
    not_needed_form = not_needed_form or GuardianNotNeededForm(auto_id="guardian_%s")
    errors = [
        *(error_list(form) if form.is_bound else []),
        *error_list(age_form),
        *error_list(not_needed_form),
    ]
    return render(
        request,
        "referrals/case_referrals.html",
        {
            **case_page(request, granted, "referrals:case_referrals"),
            "granted": granted,
            "form": form,
            "age_form": age_form,
            "not_needed_form": not_needed_form,
            "guardian_clock": case.deadlines.filter(timer=deadlines.Timer.GUARDIAN_REFERRAL)
            .open()
            .first(),
            "referrals": case.referrals.select_related("recipient").order_by("-created_at"),
            "child": child,
            "guardian_service": guardian,
            "guardian_nation": deadlines.GUARDIAN_SERVICES[organisation.nation],
            "age_assessments": case.person.age_assessments.select_related("recorded_by"),
            "age_open": case.person.age_disputed or bool(case.person.age_settled_as) or child,
            "organisation": organisation,
            "errors": errors,
            "status_labels": machines.STATUS_LABELS,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@submitted_once
def case_referrals(request, reference: str):
    """A case's referrals, and the form to start one."""
    granted = _case(request, reference, Action.REFER if request.method == "POST" else Action.VIEW)
    if request.method != "POST":
        return _case_referrals_page(request, granted)
    case = granted.obj
    child = case.person.may_be_child()
    form = ReferralStartForm(
        request.POST,
        child=child,
        guardian_service=_guardian_service(case),
        suggested_authority=rules.suggested_authority(OrganisationSettings.load(), child=child),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                request=request,
                case=case,
                pathway=data["pathway"],
                recipient=data["recipient"],
                competent_authority=data["competent_authority"],
                summary=data["summary"],
                named=data["named"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            url = reverse("referrals:detail", args=[referral.reference])
            return redirect(url)
    return _case_referrals_page(request, granted, form=form)


@require_POST
@submitted_once
def age_settle(request, reference: str):
    """An age dispute settled by an assessment: recorded, never a field edited."""
    granted = _case(request, reference, Action.REFER)
    form = AgeSettlementForm(request.POST, auto_id="age_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.age_dispute_settle(
                request=request,
                case=granted.obj,
                settled=services.AgeSettlement(
                    assessed_on=data["assessed_on"],
                    method=data["method"],
                    assessed_by=data["assessed_by"],
                    outcome=data["outcome"],
                    assessed_date_of_birth=data["assessed_date_of_birth"],
                    note=data["note"],
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            outcome = "an adult" if assessment.outcome == "adult" else "a child"
            messages.success(request, f"Age assessment recorded: assessed as {outcome}.")
            return redirect("referrals:case_referrals", reference=reference)
    return _case_referrals_page(request, granted, age_form=form, status=400)


@require_POST
@submitted_once
def guardian_not_needed(request, reference: str):
    """No guardian referral for this child, with why: the case's guardian clock stops."""
    granted = _case(request, reference, Action.REFER)
    form = GuardianNotNeededForm(request.POST, auto_id="guardian_%s")
    if form.is_valid():
        try:
            services.guardian_referral_not_needed(
                request=request, case=granted.obj, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Recorded: no guardian referral is needed.")
            return redirect("referrals:case_referrals", reference=reference)
    return _case_referrals_page(request, granted, not_needed_form=form, status=400)


def _transition_steps(referral, failed_action=None, failed_form=None):
    """Each step allowed now, with a form of its own whose ids are unique on the page, so
    that each label names its own field (several steps ask for a date and a reason)."""
    return [
        (
            action,
            step,
            failed_form
            if action == failed_action and failed_form is not None
            else TransitionForm(auto_id=f"id_{action}_%s"),
        )
        for action, step in machines.allowed(referral.pathway, referral.status).items()
    ]


def detail_context(request, granted, *, transition_form=None, failed_action=None, **extra):
    referral = granted.obj
    now = timezone.now()
    return {
        "referral": referral,
        "case": referral.case,
        "granted": granted,
        "status": machines.STATUS_LABELS.get(referral.status, referral.status),
        "steps": _transition_steps(referral, failed_action, transition_form),
        "failed_action": failed_action,
        "decisions": referral.decisions.select_related("recorded_by", "revises", "revised_by"),
        "outcome_notice": help.outcome_notice(referral.status, OrganisationSettings.load().nation),
        "transitions": [
            (step, machines.STATUS_LABELS.get(step.to_status, step.to_status))
            for step in referral.transitions.select_related("by")
        ],
        "consent": Consent.objects.filter(referral=referral).select_related("recorded_by").first(),
        "deadlines": [
            (d, deadlines.describe_remaining(d.due_at, now)) for d in referral.deadlines.all()
        ],
        "needs_consent": referral.pathway == "nrm" and not referral.case.person.may_be_child(),
        "sharing_warning": sharing.referral_sharing_warning(referral),
        "consent_form": ConsentForm(),
        # What the person is told about their information, for the lead to go through with
        # them at the consent step (issue 21, item 4).
        "privacy_notice": OrganisationSettings.load().privacy_notice,
        "pack_form": DocumentPasswordForm(prefix="pack"),
        "anonymous": referral.is_anonymous,
        "authority": (
            rules.authority_rules(OrganisationSettings.load(), referral.competent_authority)
            if referral.competent_authority
            else None
        ),
        "now": now,
        **extra,
    }


@require_GET
def detail(request, reference: str):
    granted = _referral(request, reference)
    return render(request, "referrals/detail.html", detail_context(request, granted))


@require_POST
@submitted_once
def transition(request, reference: str):
    granted = _referral(request, reference, action=Action.REFER)
    form = TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            updated = services.referral_transition(
                request=request,
                referral=granted.obj,
                action=data["action"],
                reason=data["reason"],
                decided_on=data["decided_on"],
                external_reference=data["external_reference"],
                new_last_day=data["new_last_day"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            url = reverse("referrals:detail", args=[reference])
            messages.success(request, machines.transition_done(updated))
            return redirect(url)
    return render(
        request,
        "referrals/detail.html",
        detail_context(
            request,
            granted,
            transition_form=form,
            failed_action=request.POST.get("action"),
            errors=error_list(form),
        ),
        status=400,
    )


@require_POST
def consent(request, reference: str):
    granted = _referral(request, reference, action=Action.REFER)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(
                request=request, referral=granted.obj, **form.service_arguments()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Consent recorded on referral {reference}.")
            return redirect("referrals:detail", reference=reference)
    return render(
        request,
        "referrals/detail.html",
        detail_context(
            request,
            granted,
            consent_form=form,
            errors=error_list(form),
        ),
        status=400,
    )


@require_http_methods(["GET", "POST"])
@submitted_once
def correct(request, reference: str):
    """Correct who the referral goes to, or which competent authority decides it."""
    granted = _referral(request, reference, action=Action.REFER)
    referral = granted.obj
    form = ReferralCorrectForm(request.POST or None, referral=referral)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.referral_correct(
                request=request,
                referral=referral,
                recipient=data["recipient"],
                competent_authority=data.get("competent_authority", ""),
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Referral corrected: the change is in the chronology.")
            return redirect("referrals:detail", reference=reference)
    return render(
        request,
        "referrals/correct.html",
        {"referral": referral, "case": referral.case, "form": form, "errors": error_list(form)},
        status=400 if form.is_bound else 200,
    )
