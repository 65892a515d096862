"""A submitted concern: the reporter's list, the concern, its next steps and addenda."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from safeguard.access import Action, actions_on, get_for_user
from safeguard.forms import error_list
from safeguard.models import OrganisationSettings

from .. import selectors, services, updates
from ..forms import AddendumForm
from ..models import Concern
from ..next_steps import next_steps_for


def concern_get(request, reference, action=Action.VIEW):
    """The concern, through the record policy (404 for anyone it refuses)."""
    return get_for_user(
        request,
        Concern.objects.select_related("person", "reporter", "team", "case", "signposted_to"),
        action=action,
        reference=reference,
    )


def _render_concern(request, granted, form, status=200):
    concern = granted.obj
    # Whoever may neither triage the concern nor open its case (its reporter, mostly) is told
    # the stage it has reached, as on "Your concerns": not the outcome, nor which case.
    case_visible = concern.case_id and Action.VIEW in actions_on(request.user, concern.case)
    stage = None
    if not case_visible and Action.EDIT not in granted.actions:
        stage = updates.latest_stage(concern)
    return render(
        request,
        "cases/concern_detail.html",
        {
            "concern": concern,
            "granted": granted,
            "case_visible": case_visible,
            "stage": stage,
            "observations": concern.observations.select_related("indicator").order_by(
                "indicator__group", "indicator__order"
            ),
            "addenda": concern.addenda.select_related("author"),
            "links": concern.links.all(),
            "similar": selectors.similar_reports(request.user, concern),
            "similar_cases": selectors.similar_case_records(request.user, concern),
            "addendum_form": form,
            "merges": selectors.merges_of(concern.person),
            "errors": error_list(form) if form.is_bound else [],
        },
        status=status,
    )


@require_GET
def concern_detail(request, reference: str):
    return _render_concern(request, concern_get(request, reference), AddendumForm())


@require_GET
def concern_next_steps(request, reference: str):
    concern = concern_get(request, reference).obj
    organisation = OrganisationSettings.load()
    return render(
        request,
        "cases/concern_next_steps.html",
        {
            "concern": concern,
            "steps": next_steps_for(concern),
            "organisation": organisation,
            "now": timezone.now(),
        },
    )


@require_POST
def concern_addendum(request, reference: str):
    granted = concern_get(request, reference, action=Action.ADD_NOTE)
    form = AddendumForm(request.POST)
    if form.is_valid():
        services.addendum_add(request=request, concern=granted.obj, text=form.cleaned_data["text"])
        messages.success(request, "Your addition has been added to the concern.")
        return redirect("cases:concern_detail", reference=reference)
    return _render_concern(request, granted, form, status=400)


@require_GET
def my_concerns(request):
    concerns = (
        selectors.concerns_visible_to(request.user)
        .filter(reporter=request.user)
        .select_related("person")
        .prefetch_related("updates")
        .order_by("-submitted_at")[:100]
    )
    return render(
        request,
        "cases/my_concerns.html",
        {
            "concerns": [(concern, *updates.latest_stage(concern)) for concern in concerns],
            "drafts": selectors.drafts_of(request.user),
        },
    )
