"""The sharing register on a case: who the person agreed may have what, and withdrawals.

Reached through the case (`get_for_user`): VIEW reads it, EDIT records an agreement or a
withdrawal (so a closed case's register is read-only), each an audited change that a double
submit makes once.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cases.tabs import case_page
from safeguard.access import Action
from safeguard.forms import add_service_errors, error_list
from safeguard.submissions import submitted_once

from .. import consent
from ..forms import ConsentToShareForm, WithdrawSharingForm
from .referrals import _case


@require_http_methods(["GET", "POST"])
@submitted_once
def case_sharing(request, reference: str):
    posted = request.method == "POST"
    granted = _case(request, reference, Action.EDIT if posted else Action.VIEW)
    case = granted.obj
    form = ConsentToShareForm(request.POST if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            consent.consent_to_share_add(
                request=request,
                case=case,
                what=data["what"],
                what_other=data["what_other"],
                organisation=data["organisation"],
                organisation_name=data["organisation_name"],
                agreed_on=data["agreed_on"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Agreement to share recorded.")
            return redirect("referrals:case_sharing", reference=case.reference)
    return render(
        request,
        "referrals/case_sharing.html",
        {
            **case_page(request, granted, "referrals:case_sharing"),
            "form": form,
            "register": consent.register(case),
            "needed": consent.needs_agreement(case),
            "errors": error_list(form) if form.is_bound else [],
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@submitted_once
def sharing_withdraw(request, reference: str, pk: int):
    granted = _case(request, reference, Action.EDIT)
    case = granted.obj
    agreement = get_object_or_404(case.sharing_agreements.select_related("organisation"), pk=pk)
    back = reverse("referrals:case_sharing", args=[case.reference])
    if not agreement.is_current:
        messages.info(request, "That agreement was already withdrawn.")
        return redirect(back)
    posted = request.method == "POST"
    form = WithdrawSharingForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            consent.consent_to_share_withdraw(
                request=request,
                agreement=agreement,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The agreement to share has been withdrawn.")
            return redirect(back)
    return render(
        request,
        "referrals/sharing_withdraw.html",
        {
            "case": case,
            "agreement": agreement,
            "form": form,
            "back": back,
            "errors": error_list(form) if form.is_bound else [],
        },
        status=400 if form.is_bound else 200,
    )
