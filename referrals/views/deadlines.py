"""The deadline pages: a lead's own open deadlines, and the overdue view (filters, reassign,
CSV export) that managers chase from.

Rows come only from `referrals.selectors`, which scope them to what the user may see.
Times are shown in UK local time; "overdue" is always said in words, never by colour alone.
"""

import csv
from datetime import datetime

from django.contrib import messages
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from safeguard import access, audit
from safeguard.choices import NATION_DEFAULTS
from safeguard.exports import csv_cell
from safeguard.models import OrganisationSettings

from .. import help, rules, selectors, services
from ..deadlines import UK
from ..forms import FILTERS, OverdueFilterForm, ReassignForm
from ..models import Deadline
from ..rows import deadline_row

ROWS_PER_PAGE = 50


def _sections(current: str) -> list[dict]:
    return [
        {"text": text, "href": reverse(name), "active": name == current}
        for text, name in (
            ("Your deadlines", "referrals:deadlines"),
            ("Overdue and due soon", "referrals:overdue"),
        )
    ]


@require_GET
def deadline_rules(request):
    """How deadlines are counted: every timer, for this organisation. Holds no case data, so
    any signed-in user may read it (and it is not audited)."""
    organisation = OrganisationSettings.load()
    return render(
        request,
        "referrals/deadline_rules.html",
        {
            "organisation": organisation,
            "nation": organisation.get_nation_display(),
            "rows": help.help_rows(
                rules.rules_for(organisation),
                organisation.nation,
                rules.all_authority_rules(organisation),
                guardian_covers_area=organisation.guardian_service_applies,
            ),
            "steps": help.step_help(organisation.nation),
            "differs": bool(organisation.differs_from_nation_defaults()),
            "defaults": NATION_DEFAULTS[organisation.nation],
        },
    )


@require_GET
def deadlines(request):
    now = timezone.now()
    # The selector's order is the page's: overdue, then due soonest, "not before" last; a page
    # at a time, its rows joined after the slice (selectors.page_of).
    page, shown = selectors.page_of(
        selectors.my_deadlines(request.user), request.GET.get("page"), ROWS_PER_PAGE
    )
    return render(
        request,
        "referrals/deadlines.html",
        {
            "rows": [deadline_row(d, now=now, user=request.user) for d in shown],
            "page": page,
            "sections": _sections("referrals:deadlines"),
        },
    )


def _kept(query: QueryDict, names=(*FILTERS, "page")) -> QueryDict:
    """Only the overdue page's own parameters: what a reassignment carries back to it."""
    kept = QueryDict(mutable=True)
    for name in names:
        if query.get(name):
            kept[name] = query[name]
    return kept


def _filter_form(query: QueryDict) -> OverdueFilterForm:
    return OverdueFilterForm(_kept(query, FILTERS) or None)


def _overdue_rows(user, form: OverdueFilterForm, *, now: datetime):
    if form.is_bound and not form.is_valid():
        return Deadline.objects.none()
    filters = form.filters() if form.is_bound else {}
    return selectors.overdue_for_managers(user, now=now, **filters)


@require_GET
def overdue(request):
    query = request.GET
    now = timezone.now()
    form = _filter_form(query)
    page, shown = selectors.page_of(
        _overdue_rows(request.user, form, now=now), query.get("page"), ROWS_PER_PAGE
    )
    options = _assignee_options(selectors.deadline_assignees())
    rows = []
    for deadline in shown:
        row = deadline_row(deadline, now=now, user=request.user)
        rows.append((row, options(row.chaser.pk if row.chaser else None)))
    return render(
        request,
        "referrals/overdue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "cutoff": selectors.due_soon_cutoff(now).astimezone(UK),
            "filters": _kept(query).urlencode(),
            "query": _kept(query, FILTERS).urlencode(),
            "sections": _sections("referrals:overdue"),
        },
    )


def _assignee_options(assignees):
    """The reassign list's options, made once a page: each row's list is the same but for
    which is selected, and a page of rows each looping over every lead and manager in the
    template cost more than the rest of the page."""
    people = [(person.pk, person.full_name) for person in assignees]
    plain = {pk: format_html('<option value="{}">{}</option>', pk, name) for pk, name in people}

    def options(chaser: int | None) -> str:
        parts = [] if chaser else ['<option value="" selected>Nobody yet</option>']
        for pk, name in people:
            parts.append(
                format_html('<option value="{}" selected>{}</option>', pk, name)
                if pk == chaser
                else plain[pk]
            )
        return mark_safe("".join(parts))  # noqa: S308  (each part made by format_html)

    return options


class _Echo:
    def write(self, value):
        return value


@require_GET
def overdue_export(request):
    now = timezone.now()
    form = _filter_form(request.GET)
    rows = _overdue_rows(request.user, form, now=now)
    audit.record(
        request,
        action=audit.Action.EXPORT,
        object_type="deadline",
        detail=_kept(request.GET, FILTERS).urlencode()[:500],
    )
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(
            [
                "timer",
                "reference",
                "team",
                "assigned to",
                "due (UK time)",
                "overdue by (hours)",
                "status",
            ]
        )
        for deadline in rows.iterator(chunk_size=500):
            row = deadline_row(deadline, now=now, user=request.user)
            late = now - deadline.due_at
            yield writer.writerow(
                [
                    row.label,
                    row.reference,
                    csv_cell(row.team),
                    csv_cell(row.chaser.full_name) if row.chaser else "not assigned",
                    f"{row.due:%Y-%m-%d %H:%M}",
                    f"{int(late.total_seconds() // 360) / 10:.1f}" if row.overdue else "",
                    "overdue" if row.overdue else "due within one working day",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="overdue-deadlines-{stamp}.csv"'
    return response


@require_POST
def deadline_reassign(request, pk: int):
    deadline = get_object_or_404(
        selectors.deadlines_visible_to(request.user).select_related(*selectors.ROW_RELATIONS),
        pk=pk,
    )
    if not access.may_reassign(request.user, deadline):
        audit.record(
            request,
            action=audit.Action.ACCESS_DENIED,
            obj=deadline.case or deadline.concern,
            object_type="" if deadline.case_id or deadline.concern_id else "deadline",
            object_id="" if deadline.case_id or deadline.concern_id else str(deadline.pk),
            reference=deadline.reference,
            detail="reassign deadline",
        )
        raise Http404
    form = ReassignForm(request.POST, deadline=deadline)
    what = f"{deadline.get_timer_display()} for {deadline.reference}"
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        services.deadline_reassign(request=request, deadline=deadline, assignee=assignee)
        messages.success(request, f"{what} reassigned to {assignee.full_name}")
    else:
        # Back to the list rather than re-rendering it here: its filter form and page links
        # are relative to the list's own address.
        messages.error(request, f"{what} not reassigned. {form.errors['assignee'][0]}.")
    query = QueryDict(request.POST.get("filters", ""))
    kept = _kept(query)
    address = reverse("referrals:overdue")
    return redirect(f"{address}?{kept.urlencode()}" if kept else address)
