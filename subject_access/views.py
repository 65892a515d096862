"""The pages of subject access requests: the list, a new request, and one request's page, where
its identity check, extension, redaction decisions, bundles, release and corrections are.

Every page is for leads and managers (safeguard.access.URL_RULES); a request is fetched only
through `get_for_user`, which grants what the person's records grant; building, downloading
and releasing a bundle are exports, audited by reference."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Person
from referrals import deadlines
from safeguard import audit
from safeguard.access import Action, get_for_user
from safeguard.forms import add_service_errors, error_list
from safeguard.submissions import submitted_once

from . import selectors, services
from .forms import CorrectionForm, DecisionForm, ExtendForm, IdentityForm, RequestForm
from .models import Bundle, RedactionItem, SubjectAccessRequest


def _request(request, reference: str, *, action: Action = Action.EXPORT, audit_read=True):
    return get_for_user(
        request,
        SubjectAccessRequest.objects.select_related("person", "handler", "deadline", "team"),
        action=action,
        audit_read=audit_read,
        reference=reference,
    )


@require_GET
def request_list(request):
    rows = selectors.requests_visible_to(request.user).order_by("status", "deadline__due_at")
    now = timezone.now()
    return render(
        request,
        "subject_access/request_list.html",
        {
            "rows": [
                (
                    sar,
                    deadlines.describe_remaining(sar.deadline.due_at, now) if sar.deadline else "",
                )
                for sar in rows
            ]
        },
    )


@require_http_methods(["GET", "POST"])
def request_new(request):
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = get_for_user(
                request,
                Person.objects.all(),
                action=Action.EXPORT,
                audit_read=False,
                reference=data["person_reference"].strip().upper(),
            ).obj
        except Http404:
            form.add_error("person_reference", "No person you can see has this reference")
        else:
            try:
                sar = services.request_record(
                    request=request,
                    person=person,
                    team=data["team"],
                    handler=request.user,
                    requester=data["requester"],
                    requester_name=data["requester_name"],
                    how_received=data["how_received"],
                    received_on=data["received_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Request {sar.reference} recorded.")
                return redirect("subject_access:request_detail", reference=sar.reference)
    return render(
        request,
        "subject_access/request_new.html",
        {"form": form, "errors": error_list(form)},
        status=400 if form.errors else 200,
    )


def _detail(request, granted, *, status=200, **forms):
    sar = granted.obj
    now = timezone.now()
    items = list(sar.redaction_items.select_related("decided_by"))
    concerns = list(sar.person.concerns.order_by("submitted_at"))
    forms = {
        "identity_form": IdentityForm(),
        "extend_form": ExtendForm(),
        "correction_form": CorrectionForm(concerns=concerns),
        **forms,
    }
    return render(
        request,
        "subject_access/request_detail.html",
        {
            "sar": sar,
            "granted": granted,
            "remaining": deadlines.describe_remaining(sar.deadline.due_at, now),
            "items": items,
            "undecided": sum(1 for i in items if not i.decision),
            "decision_form": forms.pop("decision_form", DecisionForm()),
            "failed_item": forms.pop("failed_item", None),
            "bundles": list(sar.bundles.all()),
            "corrections": list(sar.corrections.select_related("addendum", "addendum__concern")),
            "errors": error_list(*forms.values()),
            **forms,
        },
        status=status,
    )


@require_GET
def request_detail(request, reference: str):
    # Opened with EXPORT (answering a request is exporting the record), recorded as a view:
    # the exports are the bundle's build, download and release.
    granted = _request(request, reference, audit_read=False)
    audit.record(request, action=audit.Action.VIEW, obj=granted.obj)
    return _detail(request, granted)


def _post(request, reference, form_class, name, run, done, **form_kwargs):
    granted = _request(request, reference, audit_read=False)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            run(granted.obj, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("subject_access:request_detail", reference=reference)
    return _detail(request, granted, status=400, **{name: form})


@require_POST
def request_identity(request, reference: str):
    return _post(
        request,
        reference,
        IdentityForm,
        "identity_form",
        lambda sar, data: services.identity_check(
            request=request, sar=sar, how=data["identity_how"]
        ),
        "Identity check recorded.",
    )


@require_POST
def request_extend(request, reference: str):
    return _post(
        request,
        reference,
        ExtendForm,
        "extend_form",
        lambda sar, data: services.request_extend(request=request, sar=sar, reason=data["reason"]),
        "Extended by two months. Tell the person why.",
    )


@require_POST
def request_review(request, reference: str):
    granted = _request(request, reference, audit_read=False)
    try:
        count = services.items_review(request=request, sar=granted.obj)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{count} items marked for a decision.")
    return redirect("subject_access:request_detail", reference=reference)


@require_POST
def item_decide(request, reference: str, item: int):
    granted = _request(request, reference, audit_read=False)
    try:
        row = granted.obj.redaction_items.get(pk=item)
    except RedactionItem.DoesNotExist:
        raise Http404 from None
    form = DecisionForm(request.POST, prefix=f"item-{row.pk}")
    if form.is_valid():
        try:
            services.item_decide(
                request=request,
                sar=granted.obj,
                item=row,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(
                f"{_url(reference)}#item-{row.pk}",
            )
    return _detail(request, granted, status=400, decision_form=form, failed_item=row.pk)


def _url(reference: str) -> str:
    from django.urls import reverse

    return reverse("subject_access:request_detail", args=[reference])


@require_POST
def bundle_build(request, reference: str):
    granted = _request(request, reference, audit_read=False)
    try:
        services.bundle_request(request=request, sar=granted.obj)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The bundle is being prepared: check again in a minute.")
    return redirect("subject_access:request_detail", reference=reference)


def _bundle(granted, bundle_id) -> Bundle:
    try:
        return granted.obj.bundles.get(pk=bundle_id)
    except (Bundle.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


@require_GET
def bundle_download(request, reference: str, bundle: str):
    granted = _request(request, reference, audit_read=False)
    row = _bundle(granted, bundle)
    if row.status not in (Bundle.Status.READY, Bundle.Status.RELEASED) or not row.file:
        raise Http404
    audit.record(
        request, action=audit.Action.EXPORT, obj=row, detail="Subject access bundle downloaded"
    )
    return FileResponse(
        row.file.open("rb"),
        as_attachment=True,
        filename=f"{granted.obj.reference}.zip",
        content_type="application/zip",
    )


@require_POST
def request_release(request, reference: str, bundle: str):
    granted = _request(request, reference, audit_read=False)
    row = _bundle(granted, bundle)
    try:
        services.request_release(request=request, sar=granted.obj, bundle=row)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Released: the request is answered and its clock stopped.")
    return redirect("subject_access:request_detail", reference=reference)


@require_POST
@submitted_once
def correction_add(request, reference: str):
    granted = _request(request, reference, audit_read=False)
    concerns = list(granted.obj.person.concerns.all())
    by_reference = {c.reference: c for c in concerns}
    return _post(
        request,
        reference,
        CorrectionForm,
        "correction_form",
        lambda sar, data: services.correction_add(
            request=request, sar=sar, concern=by_reference[data["concern"]], text=data["text"]
        ),
        "Correction added to the concern as an addendum.",
        concerns=concerns,
    )
