"""The managers' retention pages (the due list and one person's review) and the data
protection officer's page. The pages name records by reference only. A person whose case is
restricted is reviewed by a manager named on it: others see on the due list that the records
exist, and whom to ask, as everywhere else."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import Person
from safeguard import audit
from safeguard.access import get_for_user
from safeguard.forms import error_list
from safeguard.submissions import submitted_once

from . import schedule, selectors, services
from .forms import ReviewForm
from .models import Decision


@require_GET
def due(request):
    """Records past their retention date waiting for a decision, and those on legal hold."""
    today = timezone.localdate()
    rows = selectors.people_past_retention(today)
    audit.record(
        request,
        action=audit.Action.VIEW,
        object_type="retention_due",
        detail=f"{len(rows)} people past their retention date",
    )
    # Whom the manager may review: people with a case or concern they may see, read in one
    # query for the whole list (the record policy's own scoping), not a row at a time.
    visible = selectors.people_visible_to(request.user, [row.person.pk for row in rows])
    for row in rows:
        row.person.may_review = row.person.pk in visible
    return render(
        request,
        "retention/due.html",
        {
            "due": [row for row in rows if row.needs_review(today)],
            "held": [row for row in rows if row.on_hold],
            "approved": [row for row in rows if row.disposal_approved],
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
@submitted_once
def review(request, reference: str):
    """One person's records: their dates, what a disposal would take (the dry run), the
    history of reviews, and the form for a new one."""
    person = get_for_user(request, Person.objects.all(), reference=reference).obj
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.review_record(request=request, person=person, **form.review_arguments())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            decision = Decision(form.cleaned_data["decision"])
            messages.success(request, f"Recorded: {decision.label.lower()}.")
            return redirect("retention:review", reference=person.reference)
    return render(
        request,
        "retention/review.html",
        {
            "person": person,
            "due": selectors.due_for(person),
            "disposal": selectors.disposal_of(person),
            "plan": services.disposal_plan(person),
            "reviews": selectors.reviews_of(person),
            "form": form,
            "errors": error_list(form) if form.is_bound else [],
        },
    )


@require_GET
def data_protection(request):
    """What the product keeps, why, for how long and where: made from the schedule's rows."""
    rules = selectors.rules()
    rows = [(declared, rules[declared.kind]) for declared in schedule.SCHEDULE]
    return render(request, "retention/data_protection.html", {"rows": rows})
