"""The deadline pages: a lead's own open deadlines, and the overdue view (filters, reassign,
CSV export) that managers chase from.

Rows come only from `referrals.selectors`, which scope them to what the user may see.
Times are shown in UK local time; "overdue" is always said in words, never by colour alone.
"""

import csv
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from safeguard import access, audit
from safeguard.models import Team

from . import selectors, services
from .deadlines import NOT_BEFORE_TIMERS, TIMER_LABELS, UK, Timer, describe_remaining
from .models import Deadline

ROWS_PER_PAGE = 50
FILTERS = ("team", "lead", "timer")

# --- Forms: used only by these pages ---------------------------------------------------------


class OverdueFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label="Any team",
    )
    lead = forms.ModelChoiceField(
        label="Assigned to",
        queryset=selectors.deadline_assignees(),
        required=False,
        empty_label="Anyone",
        help_text="Or the case's lead, when nobody else is assigned.",
    )
    timer = forms.ChoiceField(
        label="Deadline",
        required=False,
        choices=[("", "Any deadline")]
        + [(t.value, TIMER_LABELS[t]) for t in Timer if t not in NOT_BEFORE_TIMERS],
    )

    def filters(self) -> dict:
        """The valid filters, for the selector; an invalid form filters out every row."""
        return {name: self.cleaned_data.get(name) or None for name in FILTERS}


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Reassign to",
        queryset=selectors.deadline_assignees(),
        error_messages={
            "required": "Choose who will chase this deadline",
            "invalid_choice": "Choose a safeguarding lead or a manager",
        },
    )

    def __init__(self, *args, deadline: Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def clean_assignee(self):
        assignee = self.cleaned_data["assignee"]
        # Someone who cannot open the case could not act on the deadline, and its reminders
        # would send them a reference they may not know.
        if not selectors.deadline_visible_to(assignee, self.deadline):
            raise forms.ValidationError(
                f"{assignee.full_name} cannot see this case. Add them to it first, or choose "
                "someone else"
            )
        return assignee


# --- Rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    deadline: Deadline
    label: str
    reference: str
    href: str
    team: str
    chaser: object  # the assignee, else the case's lead; None for a concern awaiting triage
    due: datetime  # UK local time
    remaining: str
    overdue: bool
    allowed_now: bool  # a "not before" marker whose moment has come
    can_reassign: bool

    @property
    def due_text(self) -> str:
        return f"{self.due:%a} {self.due.day} {self.due:%b %Y, %H:%M}"


def deadline_row(deadline: Deadline, *, now: datetime, user) -> Row:
    case, concern = deadline.case, deadline.concern
    if case is not None:
        reference, href = case.reference, reverse("cases:case_detail", args=[case.reference])
    else:
        reference = concern.reference
        href = reverse("cases:concern_detail", args=[concern.reference])
    past = deadline.due_at <= now
    return Row(
        deadline=deadline,
        label=deadline.get_timer_display(),
        reference=reference,
        href=href,
        team=(case or concern).team.name,
        chaser=deadline.assignee or (case.lead if case is not None else None),
        due=deadline.due_at.astimezone(UK),
        remaining=describe_remaining(deadline.due_at, now),
        overdue=deadline.is_overdue(now),
        allowed_now=deadline.is_earliest and past,
        can_reassign=access.may_reassign(user, deadline),
    )


# --- Pages -----------------------------------------------------------------------------------


def _sections(current: str) -> list[dict]:
    return [
        {"text": text, "href": reverse(name), "active": name == current}
        for text, name in (
            ("Your deadlines", "referrals:deadlines"),
            ("Overdue and due soon", "referrals:overdue"),
        )
    ]


@require_GET
def deadlines(request):
    now = timezone.now()
    # The selector's order is the page's: overdue, then due soonest, "not before" last.
    rows = [
        deadline_row(d, now=now, user=request.user) for d in selectors.my_deadlines(request.user)
    ]
    return render(
        request,
        "referrals/deadlines.html",
        {"rows": rows, "sections": _sections("referrals:deadlines")},
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
    page = Paginator(_overdue_rows(request.user, form, now=now), ROWS_PER_PAGE).get_page(
        query.get("page")
    )
    rows = [deadline_row(d, now=now, user=request.user) for d in page]
    return render(
        request,
        "referrals/overdue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "assignees": list(selectors.deadline_assignees()),
            "cutoff": selectors.due_soon_cutoff(now).astimezone(UK),
            "filters": _kept(query).urlencode(),
            "query": _kept(query, FILTERS).urlencode(),
            "sections": _sections("referrals:overdue"),
        },
    )


class _Echo:
    def write(self, value):
        return value


def csv_cell(value: str) -> str:
    # A spreadsheet runs a cell that starts like a formula; team and user names are typed in.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


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
            detail="reassign deadline",
        )
        raise Http404
    form = ReassignForm(request.POST, deadline=deadline)
    what = f"{deadline.get_timer_display()} for {(deadline.case or deadline.concern).reference}"
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
