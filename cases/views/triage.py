"""Triage (leads): the queue, and deciding what happens to a concern."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from safeguard import submissions
from safeguard.access import Action
from safeguard.choices import Role
from safeguard.forms import add_service_errors, error_list
from safeguard.models import User

from .. import matching, selectors, services
from ..forms import TriageForm
from ..models import Concern, ConcernStatus, TriageOutcome
from .concerns import concern_get

# A page of the queue, oldest first: a lead triages from the top, and a page costs the same
# however many concerns wait.
TRIAGE_PER_PAGE = 25


@require_GET
def triage_queue(request):
    page = Paginator(selectors.triage_queue(request.user), TRIAGE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/triage_queue.html",
        {"concerns": page.object_list, "page": page, "now": timezone.now()},
    )


def _leads_for(concern: Concern):
    return User.objects.filter(role=Role.LEAD, is_active=True, teams=concern.team).order_by(
        "full_name"
    )


def _close_matches(user, concern: Concern) -> tuple[list[dict], str]:
    """The close matches a new case must be confirmed against, as this lead may know them
    (the cases they may see, by reference, and how many others there are in teams whose
    records they may not see, with nothing about those), and the confirmation's token."""
    found = selectors.close_matches(concern.person)
    every = [case for _, _, _, cases in found for case in cases]
    visible = set(
        selectors.cases_visible_to(user)
        .filter(pk__in=[c.pk for c in every])
        .values_list("pk", flat=True)
    )
    rows = []
    for person, score, reasons, cases in found:
        shown = [c for c in cases if c.pk in visible]
        rows.append(
            {
                "person": person if shown else None,
                "score": score,
                "reasons": reasons if shown else [],
                "cases": shown,
                "hidden": len(cases) - len(shown),
            }
        )
    return rows, services.duplicates_token(every) if every else ""


@require_http_methods(["GET", "POST"])
@submissions.submitted_once
def concern_triage(request, reference: str):
    concern = concern_get(request, reference, action=Action.EDIT).obj
    if concern.status != ConcernStatus.SUBMITTED:
        messages.info(request, "This concern has already been triaged.")
        return redirect("cases:concern_detail", reference=concern.reference)
    close, token = _close_matches(request.user, concern)
    offered = [case for match in close for case in match["cases"] if not case.is_closed]
    cases = list(selectors.open_cases_for(request.user).filter(person=concern.person))
    cases += [c for c in offered if c not in cases]
    cases += [
        c
        for c in selectors.open_cases_for(request.user).exclude(person=concern.person)[:50]
        if c not in cases
    ]
    leads = _leads_for(concern)
    form = TriageForm(request.POST if request.method == "POST" else None, cases=cases, leads=leads)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.concern_triage(
                request=request,
                concern=concern,
                outcome=data["outcome"],
                reason=data["reason"],
                signposted_to=data["signposted_to"],
                case=next((c for c in cases if c.reference == data["case"]), None),
                lead=leads.filter(pk=data["lead"]).first() if data["lead"] else None,
                duplicates_checked=data["duplicates_checked"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            concern.refresh_from_db()
            url = (
                reverse("cases:case_detail", args=[concern.case.reference])
                if concern.case_id
                else reverse("cases:triage_queue")
            )
            messages.success(
                request, f"Concern {concern.reference}: {concern.get_status_display().lower()}."
            )
            return redirect(url)
    person = concern.person
    candidates = selectors.people_visible_to(request.user).exclude(pk=person.pk)
    duplicates = (
        matching.similar_people(
            {
                "name": person.name,
                "aliases": person.aliases,
                "date_of_birth": person.date_of_birth,
                "estimated_age": person.estimated_age,
                "nationalities": person.nationalities,
            },
            candidates.prefetch_related("cases")[:500],
        )
        if person.name or person.aliases
        else []
    )
    return render(
        request,
        "cases/concern_triage.html",
        {
            "concern": concern,
            "form": form,
            "duplicates": duplicates,
            "similar": selectors.similar_reports(request.user, concern),
            "similar_cases": selectors.similar_case_records(request.user, concern),
            "now": timezone.now(),
            "errors": error_list(form) if request.method == "POST" else [],
            "outcomes": TriageOutcome,
            "close_matches": close,
            "merges": selectors.merges_of(person),
            "duplicates_token": token,
        },
    )
