"""The pages of a safeguarding case: the list, and each case's overview, chronology, support
plan, risk, members and closing.

Every case is fetched through `get_for_user`, which applies the record policy and audits
reads; every change goes through a service in `cases.services`. A closed case is read-only.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safeguard import access, audit
from safeguard.access import Action, get_for_user
from safeguard.forms import error_list
from safeguard.models import OrganisationSettings
from safeguard.selectors import audit_viewers_by_day
from safeguard.submissions import FORM_FIELD, new_token, submitted_once

from .. import closing, defence, photos, risk, selectors, services
from ..forms import (
    TASK_GONE,
    CaseFilterForm,
    CloseForm,
    MembersForm,
    NoteForm,
    PlanAgreementForm,
    ReopenForm,
    RiskAssessmentForm,
    SearchForm,
    SupportPlanFormSet,
)
from ..models import (
    Case,
    CaseStatus,
    Person,
    PlanAgreement,
    RiskAssessment,
    SupportDomain,
    SupportNeed,
    support_needs_not_done,
)
from ..tabs import case_page

CASES_PER_PAGE = 50
VIEWERS_SHOWN = 20

# --- Fetching a case and what the user may do with it ----------------------------------------


def _case(request, reference: str, action: Action = Action.VIEW) -> access.Granted:
    return get_for_user(
        request,
        Case.objects.select_related("person", "team", "lead"),
        action=action,
        reference=reference,
    )


def _restricted(request, case: Case):
    """All a manager outside a restricted case may know: that it exists, and who to ask."""
    return render(
        request,
        "cases/case_restricted.html",
        {"reference": case.reference, "lead_name": case.lead.full_name, "team": case.team.name},
    )


def _done(request, url: str, message: str):
    messages.success(request, message)
    return redirect(url)


# --- Pages -----------------------------------------------------------------------------------


@require_GET
def case_list(request):
    user = request.user
    form = CaseFilterForm(request.GET or None)
    form.is_valid()  # invalid filters are shown with their errors and otherwise ignored
    filters = getattr(form, "cleaned_data", {})
    status = filters.get("status") or "open"
    if status == "open":
        cases = selectors.open_cases_for(user)
    else:
        cases = (
            selectors.cases_visible_to(user)
            .select_related("person", "lead", "team")
            .order_by("-opened_at")
        )
        if status == "closed":
            cases = cases.filter(status=CaseStatus.CLOSED)
    if filters.get("mine"):
        cases = cases.filter(lead=user)
    if filters.get("team"):
        cases = cases.filter(team=filters["team"])
    if filters.get("risk"):
        cases = cases.filter(risk_level=filters["risk"])
    hidden = selectors.restricted_cases_known_to(user)
    if status != "all":
        hidden = hidden.filter(status=CaseStatus.CLOSED if status == "closed" else CaseStatus.OPEN)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "status": status,
            "restricted_count": hidden.count(),
        },
    )


@require_GET
def case_detail(request, reference: str):
    # The one page that may answer a manager outside a restricted case: it asks for the
    # existence-only grant by name, and shows content only to those who hold VIEW.
    granted = _case(request, reference, Action.SEE_EXISTENCE)
    case = granted.obj
    if not granted.can(Action.VIEW):
        return _restricted(request, case)
    user = request.user
    # One query each for what the page shows several ways: every assessment (the latest and
    # the trend), the case's concerns (the list and the defence notice: whoever may view a
    # case may view its concerns), and the merges into and out of its person.
    assessments = list(
        case.risk_assessments.select_related("assessed_by").order_by("assessed_at", "id")
    )
    latest = assessments[-1] if assessments else None
    concerns = list(
        selectors.concerns_visible_to(user)
        .filter(case=case)
        .order_by("observed_at")
        .prefetch_related("exploitation_types")
    )
    show_viewers = granted.can(Action.SEE_VIEWERS)
    viewers = (
        list(audit_viewers_by_day(object_type="case", object_id=case.pk)[:VIEWERS_SHOWN])
        if show_viewers
        else []
    )
    return render(
        request,
        "cases/case_detail.html",
        case_page(
            request,
            granted,
            "case_detail",
            person=case.person,
            concerns=concerns,
            latest=latest,
            trend=risk.trend([assessment.level for assessment in assessments]),
            review_overdue=bool(latest and latest.review_on < timezone.localdate()),
            open_needs=support_needs_not_done(case.support_needs.all()).count(),
            show_viewers=show_viewers,
            viewers=viewers,
            merges=selectors.merges_of(case.person),
            may_merge=granted.can(Action.EDIT) and access.may_open(user, "cases:person_merge"),
            defence=defence.defence_notice(
                concerns=concerns,
                child=case.person.may_be_child(),
                nation=OrganisationSettings.load().nation,
            ),
        ),
    )


def _timeline(case: Case) -> list[dict]:
    return [
        {
            "title": entry.title,
            "when": entry.at,
            "byline": entry.author.full_name if entry.author else "",
            "description": entry.text,
        }
        for entry in case.chronology.select_related("author")
    ]


@require_http_methods(["GET", "POST"])
@submitted_once
def case_chronology(request, reference: str):
    if request.method == "POST":
        granted = _case(request, reference, Action.ADD_NOTE)
        case = granted.obj
        form = NoteForm(request.POST)
        if form.is_valid():
            services.case_note_add(
                request=request,
                case=case,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            )
            url = reverse("cases:case_chronology", kwargs={"reference": case.reference})
            return _done(request, url, "Your note has been added to the chronology.")
    else:
        granted = _case(request, reference)
        case = granted.obj
        form = NoteForm()
    return render(
        request,
        "cases/case_chronology.html",
        case_page(
            request,
            granted,
            "case_chronology",
            form=form,
            errors=error_list(form) if form.is_bound else [],
            events=_timeline(case),
        ),
    )


@require_GET
def case_support(request, reference: str):
    granted = _case(request, reference)
    case = granted.obj
    needs = list(case.support_needs.select_related("owner_user", "owner_organisation"))
    groups = [
        {"domain": label, "needs": [n for n in needs if n.domain == value]}
        for value, label in SupportDomain.choices
    ]
    agreements = list(case.plan_agreements.select_related("recorded_by"))
    return render(
        request,
        "cases/case_support.html",
        case_page(
            request,
            granted,
            "case_support",
            groups=[g for g in groups if g["needs"]],
            not_planned=[g["domain"] for g in groups if not g["needs"]],
            today=timezone.localdate(),
            agreement=agreements[0] if agreements else None,
            earlier_agreements=agreements[1:],
            token=new_token(),
        ),
    )


STALE_ROW = (
    "Someone else changed this task after you opened the page. Now saved: {now}. What you "
    "typed is still here: save again to keep it, or change it first."
)


def _with_another_row(data, formset_prefix: str):
    """The posted plan with one more blank row, as it would have been shown: "add another
    task" works without JavaScript, and nothing typed is lost."""
    data = data.copy()
    total = int(data.get(f"{formset_prefix}-TOTAL_FORMS") or 0)
    data[f"{formset_prefix}-TOTAL_FORMS"] = str(min(total + 1, 200))
    data[f"{formset_prefix}-{total}-status"] = SupportNeed.Status.NOT_STARTED
    return data


def _plan_rows(formset) -> tuple[list[services.PlanRow], list[int]]:
    rows, positions = [], []
    for index, form in enumerate(formset.forms):
        new = index >= formset.initial_form_count()
        if new and not form.has_changed():
            continue
        remove = formset._should_delete_form(form)
        if remove and form.instance.pk is None:
            continue
        rows.append(
            services.PlanRow(
                need=form.instance,
                seen_version=form.cleaned_data.get("seen_version"),
                remove=remove,
                changed_fields=tuple(
                    f for f in form.changed_data if f not in ("seen_version", "DELETE")
                ),
            )
        )
        positions.append(index)
    return rows, positions


@require_http_methods(["GET", "POST"])
@submitted_once
def case_support_plan(request, reference: str):
    """The whole support plan on one page: tasks added, changed and removed at once."""
    granted = _case(request, reference, Action.EDIT)
    case = granted.obj
    back = reverse("cases:case_support", kwargs={"reference": case.reference})
    prefix = SupportPlanFormSet.get_default_prefix()
    page_errors = []
    if request.method == "POST":
        data = request.POST
        if "add_row" in data:
            data = _with_another_row(data, prefix)
        formset = SupportPlanFormSet(data, case=case)
        if formset.is_valid() and "add_row" not in data:
            rows, positions = _plan_rows(formset)
            try:
                services.support_plan_save(request=request, case=case, rows=rows)
            except services.PlanChangedMeanwhile as stale:
                saved = {n.pk: n for n in case.support_needs.all()}
                data = data.copy()
                marked = []
                for row_index in stale.rows:
                    position = positions[row_index]
                    need = saved.get(rows[row_index].need.pk)
                    if need is not None:
                        data[f"{prefix}-{position}-seen_version"] = str(need.version)
                    marked.append((position, need))
                formset = SupportPlanFormSet(data, case=case)
                formset.is_valid()
                for position, need in marked:
                    formset.forms[position].add_error(
                        None,
                        TASK_GONE
                        if need is None
                        else STALE_ROW.format(
                            now=f"{need.need} ({need.get_status_display().lower()})"
                        ),
                    )
                page_errors.append({"href": "#main-content", "text": stale.messages[0]})
            except ValidationError as error:
                page_errors += [{"href": "#main-content", "text": m} for m in error.messages]
            else:
                return _done(request, back, "The support plan has been saved.")
    else:
        formset = SupportPlanFormSet(case=case)
    errors = page_errors + (error_list(formset) if formset.is_bound else [])
    return render(
        request,
        "cases/case_support_plan.html",
        {
            "case": case,
            "formset": formset,
            "back": back,
            "errors": errors,
            "token": request.POST.get(FORM_FIELD) or new_token(),
        },
    )


@require_POST
@submitted_once
def case_support_start(request, reference: str):
    """Add the usual starting plan's tasks (seed 004's areas and risk-reduction items)."""
    case = _case(request, reference, Action.EDIT).obj
    url = reverse("cases:case_support_plan", kwargs={"reference": case.reference})
    made = services.support_plan_start(request=request, case=case)
    if made:
        return _done(
            request, url, f"{len(made)} task{pluralize(len(made))} added from the usual plan."
        )
    return _done(request, url, "The usual plan's tasks are on this plan already.")


@require_http_methods(["GET", "POST"])
@submitted_once
def case_support_agreement(request, reference: str):
    """Record what the person said about their plan: agreed (and how), or not (and why)."""
    granted = _case(request, reference, Action.EDIT)
    case = granted.obj
    back = reverse("cases:case_support", kwargs={"reference": case.reference})
    data = request.POST if request.method == "POST" else None
    form = PlanAgreementForm(data, instance=PlanAgreement(case=case))
    if data is not None and form.is_valid():
        try:
            services.plan_agreement_record(request=request, agreement=form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _done(request, back, "What they said about their plan has been recorded.")
    return render(
        request,
        "cases/case_support_agreement.html",
        {
            "case": case,
            "form": form,
            "back": back,
            "errors": error_list(form) if form.is_bound else [],
        },
    )


@require_http_methods(["GET", "POST"])
@submitted_once
def case_risk(request, reference: str):
    if request.method == "POST":
        granted = _case(request, reference, Action.EDIT)
        case = granted.obj
        form = RiskAssessmentForm(request.POST, instance=RiskAssessment(case=case))
        if form.is_valid():
            try:
                services.risk_assessment_add(request=request, assessment=form.save(commit=False))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                url = reverse("cases:case_risk", kwargs={"reference": case.reference})
                return _done(request, url, "The risk assessment has been added.")
    else:
        granted = _case(request, reference)
        case = granted.obj
        form = RiskAssessmentForm()
    assessments = list(case.risk_assessments.select_related("assessed_by"))
    oldest_first = assessments[::-1]
    levels = [a.level for a in oldest_first]
    return render(
        request,
        "cases/case_risk.html",
        case_page(
            request,
            granted,
            "case_risk",
            form=form,
            errors=error_list(form) if form.is_bound else [],
            assessments=assessments,
            history=list(zip(oldest_first, risk.changes(levels), strict=True)),
            trend=risk.trend(levels),
            today=timezone.localdate(),
        ),
    )


@require_http_methods(["GET", "POST"])
def case_members(request, reference: str):
    if request.method == "POST":
        granted = _case(request, reference, Action.MANAGE_MEMBERS)
        case = granted.obj
        form = MembersForm(request.POST, case=case)
        if form.is_valid():
            try:
                services.case_set_restriction(
                    request=request,
                    case=case,
                    restricted=form.cleaned_data["restricted"],
                    members=form.cleaned_data["members"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Who can see this case has been saved.")
                return redirect("cases:case_members", reference=case.reference)
    else:
        granted = _case(request, reference)
        case = granted.obj
        form = MembersForm(
            initial={
                "restricted": case.restricted,
                "members": [m.pk for m in case.members.all()],
            },
            case=case,
        )
    return render(
        request,
        "cases/case_members.html",
        case_page(
            request,
            granted,
            "case_members",
            form=form,
            errors=error_list(form) if form.is_bound else [],
            members=case.members.order_by("full_name"),
        ),
    )


@require_http_methods(["GET", "POST"])
def case_close(request, reference: str):
    granted = _case(request, reference, Action.EDIT)
    case = granted.obj
    facts = closing.case_facts(case)
    form = CloseForm(request.POST if request.method == "POST" else None, agencies=facts.agencies)
    confirmed = closing.Confirmed()
    if form.is_bound and form.is_valid():
        confirmed = form.confirmed()
        try:
            services.case_close(
                request=request,
                case=case,
                reason=form.cleaned_data["reason"],
                confirmed=confirmed,
                overrides=form.overrides(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Case {case.reference} is closed.")
            return redirect("cases:case_detail", reference=case.reference)
    checks = closing.closing_checks(case, facts, confirmed)
    return render(
        request,
        "cases/case_close.html",
        {
            "case": case,
            "form": form,
            "rows": [(check, form[check.override_field]) for check in checks],
            "unmet": len(closing.unmet(checks)),
            "has_agencies": bool(facts.agencies),
            "errors": error_list(form) if form.is_bound else [],
            "back": reverse("cases:case_detail", kwargs={"reference": case.reference}),
        },
    )


@require_http_methods(["GET", "POST"])
def case_reopen(request, reference: str):
    """Reopen a closed case with a reason; then say what was stopped at closing, and which
    referrals are still open, so that the lead restarts what still applies."""
    granted = _case(request, reference, Action.REOPEN if request.method == "POST" else Action.VIEW)
    case = granted.obj
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.case_reopen(request=request, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Case {case.reference} is open again.")
            return redirect("cases:case_reopen", reference=case.reference)
    closure = case.closures.first()
    return render(
        request,
        "cases/case_reopen.html",
        {
            "case": case,
            "form": form,
            "closure": closure,
            "can_reopen": case.is_closed and granted.can(Action.REOPEN),
            "open_referrals": closing.case_facts(case).open_referrals,
            "errors": error_list(form) if form.is_bound else [],
            "back": reverse("cases:case_detail", kwargs={"reference": case.reference}),
        },
    )


# --- Search and photos -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def search(request):
    """Search by name, alias or reference. The words are posted, never put in the address:
    an address ends up in the web server's access log and the browser's history. The audit
    trail records that a search was made and how many results it gave, not what was typed."""
    form = SearchForm(request.POST if request.method == "POST" else None)
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.search(request.user, form.cleaned_data["q"])
        found = len(results["people"]) + len(results["cases"])
        audit.record(
            request,
            action=audit.Action.SEARCH,
            object_type="person",
            detail=f"{found} result{pluralize(found)}",
        )
    return render(
        request,
        "cases/search.html",
        {
            "form": form,
            "results": results,
            "errors": error_list(form) if form.is_bound else [],
        },
    )


@require_GET
def person_photo(request, reference: str):
    person = get_for_user(request, Person.objects.all(), reference=reference).obj
    if not person.photo:
        raise Http404
    response = FileResponse(photos.open_photo(person), content_type="image/jpeg")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = "inline"
    return response
