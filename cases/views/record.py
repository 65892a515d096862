"""The case record the Competent Authority decides on: one page showing every part as GOV.UK
summary cards, in the Home Office form's order, and one add/change page per part (cases.record).

Each part is reached through its case (`get_for_user`): it has the case's access, restriction
and closing; a part of another case is not found.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from safeguard.access import Action
from safeguard.forms import GovukDateField, add_service_errors, error_list
from safeguard.submissions import new_token, submitted_once

from .. import record, selectors, services
from ..models import Exploiter
from ..record import PARTS
from ..tabs import case_page
from .cases import _case, _done


def _part_or_404(slug: str):
    part = PARTS.get(slug)
    if part is None:
        raise Http404
    return part


@require_GET
def case_record(request, reference: str):
    granted = _case(request, reference)
    case = granted.obj
    similar = selectors.exploiters_similar_reports(request.user, case)
    sections = []
    for part in PARTS.values():
        rows = [
            {
                "row": row,
                "summary": record.summary(row),
                "similar": similar.get(row.pk) if isinstance(row, Exploiter) else None,
            }
            for row in getattr(case, part.related_name).all()
        ]
        sections.append(
            {
                "part": part,
                "rows": rows,
                "add": reverse("cases:case_record_add", args=[case.reference, part.slug]),
                "can_add": not (part.single and rows),
            }
        )
    return render(
        request,
        "cases/case_record.html",
        case_page(request, granted, "case_record", record_sections=sections),
    )


@require_http_methods(["GET", "POST"])
@submitted_once
def case_record_edit(request, reference: str, part: str, pk: int | None = None):
    granted = _case(request, reference, Action.EDIT)
    case = granted.obj
    part = _part_or_404(part)
    rows = getattr(case, part.related_name)
    if part.single and not pk and (existing := rows.first()) is not None:
        # One a case: "add" again means change the one there is.
        return redirect("cases:case_record_edit", case.reference, part.slug, existing.pk)
    instance = get_object_or_404(rows, pk=pk) if pk else part.form._meta.model(case=case)
    back = reverse("cases:case_record", args=[case.reference])
    form = part.form(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "GET" and not pk:
        form.fields["submission_token"].initial = new_token()
    if form.is_bound and form.is_valid():
        creating = instance.pk is None
        try:
            services.case_record_save(
                request=request,
                part=form.save(commit=False),
                changed_fields=[f for f in form.changed_data if f != "submission_token"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verb = "added to" if creating else "changed in"
            return _done(request, back, f"{part.title} {verb} the case record.")
    dates = [name for name, field in form.fields.items() if isinstance(field, GovukDateField)]
    return render(
        request,
        "cases/case_record_edit.html",
        {
            "case": case,
            "part": part,
            "instance": instance,
            "form": form,
            "date_fields": [form[name] for name in dates],
            "other_fields": [
                form[name]
                for name in form.fields
                if name not in dates and name != "submission_token"
            ],
            "back": back,
            "errors": error_list(form) if form.is_bound else [],
        },
    )
