"""People's records (leads and managers): merging two records of one person."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from safeguard import audit, submissions
from safeguard.access import Action, get_for_user
from safeguard.forms import add_service_errors, error_list

from .. import selectors, services
from ..forms import PersonMergeForm
from ..models import Case, Person


def _landing(user, person: Person) -> str:
    """Where the survivor's records are: their newest case the user may see, else their
    newest concern, else the triage queue."""
    case = selectors.cases_visible_to(user).filter(person=person).order_by("-opened_at").first()
    if case is not None:
        return case.get_absolute_url()
    concern = (
        selectors.concerns_visible_to(user).filter(person=person).order_by("-submitted_at").first()
    )
    if concern is not None:
        return reverse("cases:concern_detail", args=[concern.reference])
    return reverse("cases:triage_queue")


def _other(request, form, person: Person) -> Person | None:
    """The record named as the same person, if the user may change it and every case of the
    two: a merge moves cases, so it must not move one the user may not see."""
    reference = form.cleaned_data["other"].strip().upper()
    try:
        other = get_for_user(request, Person.objects.all(), action=Action.EDIT, reference=reference)
    except Http404:
        form.add_error("other", "There is no record with that reference that you may change")
        return None
    other = other.obj
    if other.pk == person.pk:
        form.add_error("other", "Enter the reference of a different record")
        return None
    unseen = Case.objects.filter(person__in=[person, other]).exclude(
        pk__in=selectors.cases_visible_to(request.user).values("pk")
    )
    if unseen.exists():
        form.add_error(
            "other",
            "One of these people has a case you may not see. Ask a manager to merge them.",
        )
        return None
    return other


@require_http_methods(["GET", "POST"])
@submissions.submitted_once
def person_merge(request, reference: str):
    """Choose the other record and which stays, check, then merge."""
    person = get_for_user(request, Person.objects.all(), action=Action.EDIT, reference=reference)
    person = person.obj
    merges = selectors.merges_of(person)
    audit.record(request, action=audit.Action.VIEW, obj=person)
    if merges["into"] is not None:
        return render(request, "cases/person_merge.html", {"person": person, "merges": merges})
    data = request.POST if request.method == "POST" else None
    initial = {"other": request.GET.get("with", "")[:20]}
    form = PersonMergeForm(data, initial=initial, person=person)
    context = {"person": person, "merges": merges, "form": form}
    if form.is_bound and form.is_valid() and (other := _other(request, form, person)):
        survivor, merged = (
            (person, other) if form.cleaned_data["keep"] == "this" else (other, person)
        )
        audit.record(request, action=audit.Action.VIEW, obj=other)
        if request.POST.get("action") == "confirm":
            try:
                services.person_merge(
                    request=request,
                    survivor=survivor,
                    merged=merged,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"{merged.reference} has been merged into {survivor.reference}."
                )
                return redirect(_landing(request.user, survivor))
        else:
            context.update(
                checking=True,
                survivor=survivor,
                merged=merged,
                records=[
                    (label, p, p.concerns.count(), list(p.cases.order_by("-opened_at")))
                    for label, p in (("Stays", survivor), ("Merged into it", merged))
                ],
            )
    context["errors"] = error_list(form) if form.is_bound else []
    return render(request, "cases/person_merge.html", context)
