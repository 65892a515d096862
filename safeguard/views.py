import csv
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import audit, selectors
from . import health as health_checks
from .exports import csv_cell
from .forms import AuditFilterForm


@login_not_required
@never_cache
@require_GET
def health(request):
    """For operators, monitoring and compose: whether the database, the broker and the cache
    answer and the reminder sweep is running (safeguard.health), 503 when one is not. The
    same answer for anyone, signed in or not, and nothing in it about a case or a person."""
    answer = health_checks.report()
    return JsonResponse(answer, status=200 if answer["status"] == "ok" else 503)


@login_not_required
@never_cache
@require_GET
def health_live(request):
    """The process answers requests: for a restart policy, which must not restart a web
    server because Redis is down (and a load balancer that should keep sending sign-ins)."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
def exit_page(request):
    """ "Exit this page": end the session at once and go to a neutral site.

    A GET on purpose: the GOV.UK component follows a link, and someone hiding the screen must
    never meet a confirmation step. The worst a forged link can do is sign a user out.
    """
    logout(request)
    return HttpResponseRedirect(settings.EXIT_PAGE_URL)


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


@require_POST
def session_keep_alive(request):
    """ "Stay signed in", or someone is typing: the idle clock starts again."""
    request.session["safeguard_last_seen"] = time.time()
    return HttpResponse(status=204)


def _filters_detail(form) -> str:
    """The audit log's filters as the audit trail keeps them: only the form's own fields, as
    cleaned (a user by id, a record by reference), never whatever else the address carried."""
    if not form.is_bound or not form.is_valid():
        return "invalid filters"
    kept = []
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        kept.append(f"{name}={getattr(value, 'pk', value)}")
    return "; ".join(kept)


def _filtered_audit_events(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, selectors.audit_events(**form.cleaned_data)
    if form.is_bound:
        return form, selectors.audit_events().none()
    return form, selectors.audit_events()


@require_GET
def audit_log(request):
    form, events = _filtered_audit_events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    if form.is_bound:
        audit.record(
            request,
            action=audit.Action.SEARCH,
            object_type="auditevent",
            detail=_filters_detail(form),
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "safeguard/audit_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


class _Echo:
    def write(self, value):
        return value


@require_GET
def audit_log_export(request):
    form, events = _filtered_audit_events(request)
    audit.record(
        request,
        action=audit.Action.EXPORT,
        object_type="auditevent",
        detail=_filters_detail(form),
    )
    writer = csv.writer(_Echo())
    local = timezone.localtime

    def rows():
        yield writer.writerow(
            [
                "time (UK)",
                "user",
                "action",
                "record type",
                "record id",
                "reference",
                "fields changed",
                "detail",
                "ip",
                "request id",
            ]
        )
        for event in events.iterator(chunk_size=2000):
            # A detail or reference can hold what someone typed: never a formula.
            yield writer.writerow(
                csv_cell(str(cell))
                for cell in (
                    local(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                    event.actor.email if event.actor else "",
                    event.get_action_display(),
                    event.object_type,
                    event.object_id,
                    event.reference,
                    " ".join(event.changed_fields),
                    event.detail,
                    event.ip or "",
                    event.request_id,
                )
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response


@require_GET
def notifications(request):
    items = request.user.notifications.all()[:100]
    unread = [n.pk for n in items if n.read_at is None]
    response = render(request, "safeguard/notifications.html", {"items": items})
    # Seeing the list reads them.
    request.user.notifications.filter(pk__in=unread).update(read_at=timezone.now())
    return response
