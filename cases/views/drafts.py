"""Logging a concern: a draft, step by step, until it is submitted. Everything typed is kept
on the server, valid or not."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from safeguard import submissions
from safeguard.forms import GovukDateField, error_list, initial_from_data
from safeguard.middleware import pop_pending_post

from .. import photos, selectors, services
from ..forms import PersonStepForm, PhotoForm, StartForm, WhatStepForm
from ..models import Concern, ConcernDraft, LinkKind, Person

STEPS = ("person", "what", "check")
# An unticked box sends nothing, so a step's page (which says its step in a hidden field,
# autosave included) clears the boxes it holds that were not sent: unticking is kept too.
CHECKBOXES = {
    "person": ("age_disputed", "interpreter_needed"),
    "what": ("ind_", "exploitation_types", "county_lines"),
}


# What "check your answers" shows of the second step, in page order, and under which words.
WHAT_SUMMARY = (
    "observed_date",
    "observed_time",
    "location",
    "setting",
    "observer_account",
    "persons_words",
    "accompanied_by",
    "exploitation_types",
    "county_lines",
)
SUMMARY_LABELS = {"observed_date": "Date seen", "observed_time": "Time seen"}


def _shown(field: forms.Field, value) -> str:
    """A cleaned answer as "check your answers" says it ("" for one not given)."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return ", ".join(str(choice) for choice in value or [])
    if value in (None, "", False):
        return ""
    if value is True:
        return "Yes"
    if isinstance(value, Person):
        return value.reference
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    return str(dict(getattr(field, "choices", ())).get(value, value))


def summary_rows(form: forms.Form, url: str, *, names=None) -> list[dict]:
    """GOV.UK summary list rows for a valid form's answers, each with its Change link."""
    rows = []
    for name in names or form.fields:
        bound = form[name]
        shown = _shown(bound.field, form.cleaned_data.get(name))
        if shown:
            anchor = bound.auto_id + ("_0" if isinstance(bound.field, GovukDateField) else "")
            label = SUMMARY_LABELS.get(name, bound.label)
            rows.append({"key": label, "value": shown, "href": f"{url}#{anchor}", "name": name})
    return rows


def _draft(request, pk: int, *, lock: bool = False) -> ConcernDraft:
    # A draft is its author's alone: anyone else gets "not found". A request that changes it
    # locks it (inside its transaction), so that none can write it back after it was submitted.
    drafts = ConcernDraft.objects.filter(author=request.user)
    return get_object_or_404(drafts.select_for_update() if lock else drafts, pk=pk)


def _submitted_key(pk: int) -> str:
    return f"concern-draft:{pk}"


def _merge(draft: ConcernDraft, data: QueryDict) -> None:
    """Keep what was typed, valid or not: a draft is never refused."""
    boxes = CHECKBOXES.get(data.get("step"), ())
    for key in [k for k in draft.data if k.startswith(boxes) and k not in data] if boxes else []:
        del draft.data[key]
    for key in data:
        if key in ("csrfmiddlewaretoken", "action", "step"):
            continue
        values = data.getlist(key)
        draft.data[key] = values if len(values) > 1 or key == "exploitation_types" else values[0]
    draft.save()


def _as_querydict(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def _person_form(request, data):
    return PersonStepForm(data, known_people=selectors.people_visible_to(request.user))


def _unsaved_person(form: PersonStepForm) -> Person:
    """The person the form describes: the known one, or a new unsaved row."""
    cleaned = form.cleaned_data
    if cleaned.get("known_person"):
        return cleaned["known_person"]
    fields = {
        f: cleaned.get(f)
        for f in (
            "name",
            "aliases",
            "date_of_birth",
            "estimated_age",
            "age_disputed",
            "gender",
            "nationalities",
            "languages",
            "interpreter_needed",
            "interpreter_language",
            "safe_contact",
            "distinguishing_features",
        )
    }
    return Person(**{k: v for k, v in fields.items() if v is not None})


def _draft_child(request, draft: ConcernDraft) -> bool:
    form = _person_form(request, _as_querydict(draft.data))
    if not form.is_valid():
        return True  # until age is known, ask the child questions too
    return _unsaved_person(form).may_be_child()


@require_http_methods(["GET", "POST"])
def concern_start(request):
    """First question, before anything else: is anyone in immediate danger?"""
    form = StartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        danger = form.cleaned_data["immediate_danger"] == "yes"
        draft = ConcernDraft.objects.create(
            author=request.user, data={"immediate_danger": "yes" if danger else "no"}
        )
        if danger:
            return redirect("cases:draft_call_999", draft=draft.pk)
        return redirect(reverse("cases:draft_edit", args=[draft.pk]) + "?step=person")
    return render(
        request,
        "cases/concern_start.html",
        {
            "form": form,
            "drafts": selectors.drafts_of(request.user)[:10],
        },
    )


@require_http_methods(["GET", "POST"])
def draft_call_999(request, draft: int):
    draft = _draft(request, draft)
    if request.method == "POST":
        draft.data["called_999_at"] = timezone.now().isoformat()
        draft.save()
        return redirect(reverse("cases:draft_edit", args=[draft.pk]) + "?step=person")
    return render(request, "cases/concern_call_999.html", {"draft": draft})


@require_http_methods(["GET", "POST"])
def draft_edit(request, draft: int):
    if request.method == "POST":
        # The draft is locked until this request has saved it or made it a concern: a second
        # "Submit" sent at the same moment waits, then finds it gone and follows the first.
        with transaction.atomic():
            return _draft_edit(request, draft)
    return _draft_edit(request, draft)


def _draft_edit(request, pk: int):
    try:
        draft = _draft(request, pk, lock=request.method == "POST")
    except Http404:
        # A second click on "Submit" after the draft became a concern: show that concern.
        if (done := submissions.result(request, _submitted_key(pk))) is not None:
            return redirect(done)
        raise
    step = request.GET.get("step") if request.GET.get("step") in STEPS else "person"
    pending = pop_pending_post(request, reverse("cases:draft_autosave", args=[draft.pk]))
    if pending:
        # Typed before the session ran out: nothing is lost.
        _merge(draft, _as_querydict(pending))
        messages.info(request, "You were signed out, but what you had typed was kept.")
    if request.method == "POST":
        _merge(draft, request.POST)
    data = _as_querydict(draft.data)
    bound = request.method == "POST"
    # Sent back from "check your answers" to fix a step: show what needs fixing at once.
    recheck = not bound and request.GET.get("errors") == "1"
    if step == "person":
        form = _person_form(request, data if bound or recheck else None)
        if not bound and not recheck:
            form = PersonStepForm(
                initial=initial_from_data(PersonStepForm, draft.data),
                known_people=selectors.people_visible_to(request.user),
            )
        if bound and request.POST.get("action") == "save":
            messages.success(
                request, 'Your draft is saved. You can come back to it from "Log a concern".'
            )
            return redirect("cases:my_concerns")
        if bound and form.is_valid():
            return redirect(reverse("cases:draft_edit", args=[draft.pk]) + "?step=what")
        return render(
            request,
            "cases/concern_person.html",
            {
                "draft": draft,
                "form": form,
                "errors": error_list(form) if bound or recheck else [],
            },
        )
    child = _draft_child(request, draft)
    form = WhatStepForm(
        data if bound or recheck or step == "check" else None,
        child=child,
        initial=None if bound or recheck else initial_from_data(WhatStepForm, draft.data),
    )
    if step == "check":
        return _check(request, draft, form, child=child)
    if bound and request.POST.get("action") == "save":
        messages.success(request, "Your draft is saved.")
        return redirect("cases:my_concerns")
    if bound and form.is_valid():
        return redirect(reverse("cases:draft_edit", args=[draft.pk]) + "?step=check")
    return render(
        request,
        "cases/concern_what.html",
        {
            "draft": draft,
            "form": form,
            "child": child,
            "errors": error_list(form) if bound or recheck else [],
        },
    )


def _check(request, draft: ConcernDraft, form: WhatStepForm, *, child: bool):
    """Check your answers, then submit: the only step that makes the concern."""
    bound = request.method == "POST"
    if bound and request.POST.get("action") == "save":
        messages.success(request, "Your draft is saved.")
        return redirect("cases:my_concerns")
    person_form = _person_form(request, _as_querydict(draft.data))
    if not person_form.is_valid():
        messages.error(request, "Some details about the person need fixing first.")
        return redirect(reverse("cases:draft_edit", args=[draft.pk]) + "?step=person&errors=1")
    if not form.is_valid():
        messages.error(request, "Some answers about what happened need fixing first.")
        return redirect(reverse("cases:draft_edit", args=[draft.pk]) + "?step=what&errors=1")
    pk = draft.pk  # a deleted row forgets its pk, and the draft goes once it is a concern
    edit = reverse("cases:draft_edit", args=[pk])
    photo_form = PhotoForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and photo_form.is_valid():
        try:
            concern = _submit(request, draft, person_form, form, photo_form)
        except ValidationError as error:
            photo_form.add_error(None, error)
        else:
            url = reverse("cases:concern_next_steps", args=[concern.reference])
            submissions.record(request, _submitted_key(pk), url)
            return redirect(url)
    return render(
        request,
        "cases/concern_check.html",
        {
            "draft": draft,
            "person_rows": summary_rows(person_form, f"{edit}?step=person"),
            "what_rows": summary_rows(form, f"{edit}?step=what", names=WHAT_SUMMARY),
            "signs": form.signs_seen(),
            "links": [(LinkKind(kind).label, value) for kind, value in form.links()],
            "signs_url": f"{edit}?step=what#signs",
            "links_url": f"{edit}?step=what#links",
            "child": child,
            "photo_form": photo_form,
            "errors": error_list(photo_form) if bound else [],
        },
    )


def _submit(request, draft, person_form, form, photo_form) -> Concern:
    person = _unsaved_person(person_form)
    called = draft.data.get("called_999_at")
    concern = Concern(
        immediate_danger=draft.data.get("immediate_danger") == "yes",
        called_999_at=dt.datetime.fromisoformat(called) if called else None,
        observed_at=form.cleaned_data["observed_at"],
        location=form.cleaned_data["location"],
        setting=form.cleaned_data["setting"],
        observer_account=form.cleaned_data["observer_account"],
        persons_words=form.cleaned_data["persons_words"],
        accompanied_by=form.cleaned_data["accompanied_by"],
        county_lines=form.cleaned_data["county_lines"],
    )
    concern = services.concern_submit(
        request=request,
        person=person,
        concern=concern,
        exploitation_types=form.cleaned_data["exploitation_types"],
        observations=[services.Observation(i, a, n) for i, a, n in form.observations()],
        links=[services.Link(kind, value) for kind, value in form.links()],
        draft=draft,
    )
    if photo_form.cleaned_data.get("photo"):
        photos.save_photo(concern.person, photo_form.cleaned_data["photo"])
    return concern


@require_POST
@transaction.atomic
def draft_autosave(request, draft: int):
    """Called by the page's script as someone types: keeps the draft current."""
    _merge(_draft(request, draft, lock=True), request.POST)
    return HttpResponse(status=204)


@require_POST
def draft_delete(request, draft: int):
    _draft(request, draft).delete()
    messages.success(request, "The draft has been deleted.")
    return redirect("cases:my_concerns")
