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
from ..forms import ConsentForm, ReferralStartForm, TransitionForm
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


@require_http_methods(["GET", "POST"])
@submitted_once
def case_referrals(request, reference: str):
    """A case's referrals, and the form to start one."""
    granted = _case(request, reference, Action.REFER if request.method == "POST" else Action.VIEW)
    case = granted.obj
    child = case.person.may_be_child()
    organisation = OrganisationSettings.load()
    form = ReferralStartForm(
        request.POST if request.method == "POST" else None,
        child=child,
        suggested_authority=rules.suggested_authority(organisation, child=child),
    )
    if request.method == "POST" and form.is_valid():
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
    return render(
        request,
        "referrals/case_referrals.html",
        {
            **case_page(request, granted, "referrals:case_referrals"),
            "granted": granted,
            "form": form,
            "referrals": case.referrals.select_related("recipient").order_by("-created_at"),
            "child": child,
            "organisation": organisation,
            "errors": error_list(form) if form.is_bound else [],
            "status_labels": machines.STATUS_LABELS,
        },
    )


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
            services.referral_transition(
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
            messages.success(request, "Recorded.")
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
            messages.success(request, "Consent recorded.")
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
