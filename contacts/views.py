from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safeguard import audit, pdf
from safeguard.access import DIRECTORY_EDITORS
from safeguard.choices import Role
from safeguard.forms import error_list
from safeguard.submissions import submitted_once

from . import selectors, services, vcard
from .forms import DirectorySearchForm, HoursFormSet, OrganisationForm, PersonForm, PhoneFormSet
from .models import Organisation, Person


def _can_edit(user) -> bool:
    return user.role in DIRECTORY_EDITORS


def _entry(pk) -> Organisation:
    # The directory holds no one's case data: every signed-in user may read every entry, so
    # there is no record policy to apply here, only the page rules in URL_RULES.
    entries = Organisation.objects.filter(archived=False).prefetch_related(
        "tags", "phones", "hours", "people__phones"
    )
    return get_object_or_404(entries, pk=pk)


@require_GET
def directory(request):
    form = DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if request.user.role != Role.ADMIN:
        filters.pop("needs_verification", None)
    page = Paginator(selectors.organisations_listed(**filters), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contacts/directory.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_edit": _can_edit(request.user),
            "show_verification": request.user.role == Role.ADMIN,
            "unverified_count": (
                selectors.organisations_needing_verification_count()
                if request.user.role == Role.ADMIN
                else 0
            ),
        },
    )


@require_GET
def detail(request, pk: int):
    organisation = _entry(pk)
    return render(
        request,
        "contacts/detail.html",
        {
            "organisation": organisation,
            "can_edit": _can_edit(request.user) and not organisation.is_reference,
            "can_verify": _can_edit(request.user),
            "show_verification": _can_edit(request.user),
        },
    )


def _hours_initial(organisation: Organisation | None) -> list[dict]:
    by_day = {h.weekday: h for h in organisation.hours.all()} if organisation else {}
    return [
        {
            "weekday": day,
            "opens": getattr(by_day.get(day), "opens", None),
            "closes": getattr(by_day.get(day), "closes", None),
        }
        for day in range(7)
    ]


@require_http_methods(["GET", "POST"])
@submitted_once
def edit(request, pk: int | None = None):
    organisation = _entry(pk) if pk else Organisation()
    if organisation.is_reference:
        messages.info(
            request,
            "National entries are kept up to date with each release of "
            "Safeguard, so they cannot be changed here.",
        )
        return redirect("contacts:detail", pk=organisation.pk)
    data = request.POST if request.method == "POST" else None
    form = OrganisationForm(data, instance=organisation)
    phone_initial = (
        [{"label": p.label, "number": p.display} for p in organisation.phones.all()]
        if organisation.pk
        else []
    )
    phone_forms = PhoneFormSet(data, prefix="phones", initial=phone_initial)
    hours_forms = HoursFormSet(
        data, prefix="hours", initial=_hours_initial(organisation if organisation.pk else None)
    )
    if data is not None and form.is_valid() and phone_forms.is_valid() and hours_forms.is_valid():
        saved = services.organisation_save(
            request=request,
            organisation=form.save(commit=False),
            changed_fields=[
                f
                for f in form.changed_data
                if f not in ("categories", "pathways", "submission_token")
            ],
            categories=form.cleaned_data["categories"],
            pathways=form.cleaned_data["pathways"],
            phones=[
                services.PhoneEntry(f.cleaned_data.get("label", ""), f.cleaned_data["normalised"])
                for f in phone_forms
                if f.cleaned_data.get("normalised")
            ],
            hours=[
                services.Period(
                    f.cleaned_data["weekday"], f.cleaned_data["opens"], f.cleaned_data["closes"]
                )
                for f in hours_forms
                if f.cleaned_data.get("opens")
            ],
        )
        url = reverse("contacts:detail", kwargs={"pk": saved.pk})
        messages.success(request, f"{saved.name} has been saved.")
        return redirect(url)
    return render(
        request,
        "contacts/edit.html",
        {
            "form": form,
            "phone_forms": phone_forms,
            "hours_forms": hours_forms,
            "organisation": organisation,
            "errors": error_list(form, phone_forms, hours_forms) if data is not None else [],
        },
    )


@require_POST
def verify(request, pk: int):
    organisation = _entry(pk)
    services.organisation_verify(request=request, organisation=organisation)
    messages.success(request, f"{organisation.name} is marked as checked today.")
    return redirect("contacts:detail", pk=organisation.pk)


@require_http_methods(["GET", "POST"])
@submitted_once
def person_edit(request, pk: int | None = None, organisation_pk: int | None = None):
    if pk:
        person = get_object_or_404(
            Person.objects.select_related("organisation"), pk=pk, organisation__archived=False
        )
    else:
        person = Person(organisation=_entry(organisation_pk))
    data = request.POST if request.method == "POST" else None
    form = PersonForm(data, instance=person)
    phone_initial = (
        [{"label": p.label, "number": p.display} for p in person.phones.all()] if person.pk else []
    )
    phone_forms = PhoneFormSet(data, prefix="phones", initial=phone_initial)
    back = reverse("contacts:detail", kwargs={"pk": person.organisation.pk})
    if data is not None and form.is_valid() and phone_forms.is_valid():
        services.person_save(
            request=request,
            person=form.save(commit=False),
            changed_fields=[f for f in form.changed_data if f != "submission_token"],
            phones=[
                services.PhoneEntry(f.cleaned_data.get("label", ""), f.cleaned_data["normalised"])
                for f in phone_forms
                if f.cleaned_data.get("normalised")
            ],
        )
        messages.success(request, f"{form.instance.name} has been saved.")
        return redirect(back)
    return render(
        request,
        "contacts/person_edit.html",
        {
            "form": form,
            "phone_forms": phone_forms,
            "person": person,
            "back": back,
            "errors": error_list(form, phone_forms) if data is not None else [],
        },
    )


@require_POST
def person_remove(request, pk: int):
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=pk)
    back = reverse("contacts:detail", kwargs={"pk": person.organisation.pk})
    name = person.name
    services.person_remove(request=request, person=person)
    messages.success(request, f"{name} has been removed.")
    return redirect(back)


def _vcard_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "contact"}.vcf"'
    return response


@require_GET
def organisation_vcard(request, pk: int):
    organisation = _entry(pk)
    return _vcard_response(vcard.organisation_vcard(organisation), organisation.name)


@require_GET
def person_vcard(request, pk: int):
    person = get_object_or_404(
        Person.objects.select_related("organisation").prefetch_related("phones"),
        pk=pk,
        organisation__archived=False,
    )
    return _vcard_response(vcard.person_vcard(person), person.name)


@require_GET
def card(request):
    return render(request, "contacts/card.html", {"entries": selectors.organisations_on_card()})


@require_GET
def card_pdf(request):
    """The safeguarding card as an A4 PDF, to print or pin up. No one's case data is on it, but
    it is a document the service produced, so it is audited like the others."""
    content = pdf.render_pdf(
        "pdf/safeguarding_card.html",
        {"entries": selectors.organisations_on_card()},
        marking=pdf.Marking(
            title="Safeguarding card: who to call",
            reference="Contacts directory",
            generated_by=request.user.full_name,
        ),
    )
    audit.record(
        request, action=audit.Action.EXPORT, object_type="card", detail="Safeguarding card (PDF)"
    )
    return pdf.download(content, "safeguarding-card.pdf")


@require_GET
def who_to_call(request):
    """The situation panel on its own page: pick a situation, see who to call in order."""
    situation = request.GET.get("situation") or selectors.Situation.IMMEDIATE_DANGER
    if situation not in set(selectors.Situation):
        raise Http404
    return render(
        request,
        "contacts/who_to_call.html",
        {
            "situation": situation,
            "situations": selectors.SITUATION_LABELS,
        },
    )
