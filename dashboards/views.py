"""Each role's home page; and the managers' statistics: every figure as a chart and a table,
and each table as a CSV.

The figures come from `dashboards.statistics` (aggregates only: no row names a person), read
from those kept per team and month (`dashboards.kept`) once they have been counted. On the
page counts are exact, since a manager may open every case counted; a CSV leaves the system,
so in it 1 to 4 becomes "<5" (and so does a median or share resting on 1 to 4 records).
"""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from safeguard import audit, navigation
from safeguard.choices import Role
from safeguard.exports import csv_cell

from . import home as home_page
from . import kept, statistics
from .charts import bar_chart
from .forms import StatisticsFilterForm
from .statistics import Period, Scope

HOME_TEMPLATES = {
    Role.FRONTLINE: "dashboards/home_frontline.html",
    Role.LEAD: "dashboards/home_lead.html",
    Role.MANAGER: "dashboards/home_manager.html",
    Role.ADMIN: "dashboards/home_admin.html",
}


@require_GET
def home(request):
    """Each role's home page: what needs them first, then the pages they may go to."""
    sections = [item for item in navigation.items_for(request.user) if item["href"] != "/"]
    return render(
        request,
        HOME_TEMPLATES[request.user.role],
        {"panel": home_page.panel_for(request.user), "sections": sections},
    )


def _scope(request) -> tuple[StatisticsFilterForm, Scope | None]:
    """The filter form and the scope it chooses; no scope when the filter is invalid."""
    now = timezone.now()
    default = Period.last_twelve_months(timezone.localdate(now))
    data = {name: request.GET[name] for name in ("start", "end", "team") if name in request.GET}
    if not data:
        form = StatisticsFilterForm(initial={"start": default.start, "end": default.end})
        return form, Scope(user=request.user, period=default, now=now)
    data.setdefault("start", default.start.isoformat())
    data.setdefault("end", default.end.isoformat())
    form = StatisticsFilterForm(data)
    if not form.is_valid():
        return form, None
    period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
    return form, Scope(user=request.user, period=period, now=now, team=form.cleaned_data["team"])


def _query(scope: Scope) -> str:
    parts = f"start={scope.period.start.isoformat()}&end={scope.period.end.isoformat()}"
    return f"{parts}&team={scope.team.pk}" if scope.team else parts


def _figures(scope: Scope) -> tuple[dict, kept.Kept | None]:
    """Every figure, from the kept figures; counted from the rows before the first refresh."""
    found = kept.figures(scope)
    if found is None:
        return {slug: statistics.figure(slug, scope) for slug in statistics.FIGURES}, None
    return found.figures, found


@require_GET
def statistics_page(request):
    form, scope = _scope(request)
    figures, found = [], None
    if scope is not None:
        query = _query(scope)
        results, found = _figures(scope)
        for slug, figure in results.items():
            figures.append(
                {
                    "figure": figure,
                    "chart": bar_chart(figure),
                    "export": f"{reverse('dashboards:statistics_export', args=[slug])}?{query}",
                }
            )
    return render(
        request,
        "dashboards/statistics.html",
        {
            "form": form,
            "scope": scope,
            "figures": figures,
            "as_of": found.as_of if found else None,
            "refresh_minutes": kept.REFRESH_SECONDS // 60,
        },
    )


@require_GET
def statistics_export(request, figure: str):
    if figure not in statistics.FIGURES:
        raise Http404
    _form, scope = _scope(request)
    if scope is None:
        raise Http404
    # The same figures as the page, kept or counted.
    result = _figures(scope)[0][figure]
    audit.record(
        request,
        action=audit.Action.EXPORT,
        object_type="statistics",
        reference=figure,
        detail=_query(scope),
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = f"{scope.period.start:%Y%m%d}-{scope.period.end:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="statistics-{figure}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow([result.label_header, *result.headers])
    for label, cells in result.rows:
        writer.writerow([csv_cell(label), *(cell.exported() for cell in cells)])
    return response
