"""Ready to refer (issue 17): a referral's task list, "check your answers" (which holds the
step that records it as submitted) and the answers to copy into the Home Office's form. All
three read one table, referrals.readiness."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from safeguard.access import Action, get_for_user
from safeguard.forms import add_service_errors, error_list
from safeguard.submissions import submitted_once

from .. import machines, services
from ..forms import TransitionForm
from ..models import Referral
from ..readiness import referral_readiness

SUBMIT = "submit"


def _referral(request, reference, action=Action.VIEW):
    return get_for_user(
        request,
        Referral.objects.select_related("case", "case__person", "case__lead", "case__team"),
        action=action,
        reference=reference,
    )


def _context(granted, **extra) -> dict:
    referral = granted.obj
    return {
        "referral": referral,
        "case": referral.case,
        "granted": granted,
        "readiness": referral_readiness(referral),
        "anonymous": referral.is_anonymous,
        "status": machines.STATUS_LABELS.get(referral.status, referral.status),
        "can_change": "refer" in granted.actions,
        "can_submit": "refer" in granted.actions
        and SUBMIT in machines.allowed(referral.pathway, referral.status),
        **extra,
    }


@require_GET
def task_list(request, reference: str):
    granted = _referral(request, reference)
    return render(request, "referrals/task_list.html", _context(granted))


@require_http_methods(["GET", "POST"])
@submitted_once
def check_answers(request, reference: str):
    """Every answer, one card a section, with what is missing first; then the step that
    records the referral as submitted (or sent), through the same service as the others."""
    posted = request.method == "POST"
    granted = _referral(request, reference, Action.REFER if posted else Action.VIEW)
    referral = granted.obj
    form = TransitionForm(request.POST if posted else None, auto_id="id_submit_%s")
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            updated = services.referral_transition(
                request=request,
                referral=referral,
                action=SUBMIT,
                reason=data["reason"],
                external_reference=data["external_reference"],
                confirm_missing=data["confirm_missing"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, machines.transition_done(updated))
            return redirect("referrals:detail", reference=reference)
    context = _context(granted, form=form, errors=error_list(form) if form.is_bound else [])
    step = machines.allowed(referral.pathway, referral.status).get(SUBMIT)
    context["step"] = step
    return render(
        request, "referrals/check_answers.html", context, status=400 if form.is_bound else 200
    )


@require_GET
def answers_to_copy(request, reference: str):
    granted = _referral(request, reference)
    return render(request, "referrals/answers_to_copy.html", _context(granted))
