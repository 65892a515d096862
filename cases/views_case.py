"""The pages of a safeguarding case: the list, and each case's overview, chronology, support
plan, risk, members and closing.

Every case is fetched through `get_for_user`, which applies the record policy and audits
reads; every change goes through a service in `cases.services`. A closed case is read-only.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from safeguard import access
from safeguard.access import Action, get_for_user
from safeguard.choices import Role
from safeguard.dates import When
from safeguard.forms import GovukDateField, error_list
from safeguard.models import Team, User
from safeguard.selectors import audit_viewers_of
from safeguard.submissions import new_token, submitted_once

from . import selectors, services
from .models import (
    Case,
    CaseStatus,
    ExitChecklist,
    RiskAssessment,
    RiskLevel,
    SupportDomain,
    SupportNeed,
)

CASES_PER_PAGE = 50
VIEWERS_SHOWN = 20

# --- Forms: used only by these pages ---------------------------------------------------------


YES_NO_NOT_KNOWN = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]


def _yes_no_not_known(label: str, required: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO_NOT_KNOWN,
        coerce=lambda answer: {"yes": True, "no": False}.get(answer),
        widget=forms.RadioSelect,
        error_messages={"required": required},
    )


class CaseFilterForm(forms.Form):
    mine = forms.BooleanField(label="Only cases I lead", required=False)
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.all(), required=False, empty_label="Any team"
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("open", "Open"), ("closed", "Closed"), ("all", "Open or closed")],
    )
    risk = forms.ChoiceField(
        label="Risk level", required=False, choices=[("", "Any risk level"), *RiskLevel.choices]
    )


class NoteForm(forms.Form):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        label="Title (optional)",
        required=False,
        max_length=200,
        help_text="A few words to find it by later, like “Call with her solicitor”.",
    )
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the note"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_token"].initial = new_token()


class SupportNeedForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    target_date = GovukDateField(
        label="Target date (optional)",
        required=False,
        when=When.PLANNED,
        help_text="For example, 27 3 2026",
    )

    class Meta:
        model = SupportNeed
        fields = ["domain", "need", "action", "owner", "target_date", "status"]
        labels = {
            "domain": "Area of support",
            "need": "What they need",
            "action": "What will be done (optional)",
            "owner": "Who will do it (optional)",
            "status": "Progress",
        }
        help_texts = {"owner": "A person or an agency."}
        error_messages = {
            "domain": {"required": "Select the area of support"},
            "need": {"required": "Enter what they need"},
            "status": {"required": "Select how far it has got"},
        }
        widgets = {"status": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "Select an area"), *SupportDomain.choices]
        if self.instance.pk is None:
            self.fields["submission_token"].initial = new_token()


class RiskAssessmentForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    level = forms.ChoiceField(
        label="Risk level",
        choices=[c for c in RiskLevel.choices if c[0] != RiskLevel.NOT_ASSESSED],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the risk level"},
    )
    community_safe = _yes_no_not_known(
        "Is the local community safe for them?",
        "Select whether the local community is safe for them, or not known",
    )
    family_risk = _yes_no_not_known(
        "Are family or friends a risk to them?",
        "Select whether family or friends are a risk to them, or not known",
    )
    public_funds = _yes_no_not_known(
        "Do they have access to public funds?",
        "Select whether they have access to public funds, or not known",
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the risks are and what is being done about them.",
        error_messages={"required": "Enter a summary of the assessment"},
    )
    review_on = GovukDateField(
        label="Review by",
        when=When.PLANNED,
        required_message="Enter the date to review this assessment by",
        help_text="For example, 27 3 2026",
    )

    class Meta:
        model = RiskAssessment
        fields = ["level", "community_safe", "family_risk", "public_funds", "summary", "review_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_token"].initial = new_token()

    def clean_review_on(self):
        review_on = self.cleaned_data["review_on"]
        if review_on and review_on < timezone.localdate():
            raise ValidationError("The review date must be today or in the future")
        return review_on


class NameableUsers(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        teams = ", ".join(team.name for team in user.teams.all())
        return f"{user.full_name} ({user.get_role_display()}{', ' + teams if teams else ''})"


class MembersForm(forms.Form):
    restricted = forms.BooleanField(
        label="Restrict this case",
        required=False,
        help_text="Only its lead and the people named below will see it. Managers who are not "
        "named will see only that it exists and who leads it.",
    )
    members = NameableUsers(
        label="People named on this case",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Named frontline staff can read the case and add notes. The lead is always "
        "included.",
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        # Administrators hold no case data; the lead is a member already.
        self.fields["members"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(role=Role.ADMIN)
            .exclude(pk=case.lead_id)
            .prefetch_related("teams")
            .order_by("full_name")
        )


class CloseForm(forms.Form):
    # Optional here: `services.case_close` owns the rule and its messages.
    checklist = forms.MultipleChoiceField(
        label="Exit checks",
        choices=ExitChecklist.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each one that is done. All of them must be done to close the case.",
    )
    reason = forms.CharField(
        label="Why is the case being closed?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


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


SECTIONS = (
    ("cases:case_detail", "Overview"),
    ("cases:case_chronology", "Chronology"),
    ("cases:case_record", "Case record"),
    # By URL name only: cases does not import referrals.
    ("referrals:case_referrals", "Referrals"),
    ("cases:case_support", "Support plan"),
    ("cases:case_risk", "Risk"),
    ("cases:case_members", "Members"),
    ("referrals:case_documents", "Documents"),
)


def case_page(request, granted: access.Granted, current: str, **extra) -> dict:
    """What every section of a case shows: its heading, tabs and the actions allowed."""
    case = granted.obj
    user = request.user
    items = [
        {
            "text": text,
            "href": reverse(name, kwargs={"reference": case.reference}),
            "active": name in (current, f"cases:{current}"),
        }
        for name, text in SECTIONS
        if access.may_open(user, name)
    ]
    # What the page offers is what the policy grants: a closed case grants no change.
    return {
        "case": case,
        "sections": items,
        "can_edit": granted.can(Action.EDIT),
        "can_note": granted.can(Action.EDIT) or granted.can(Action.ADD_NOTE),
        "can_change_members": granted.can(Action.MANAGE_MEMBERS),
        "can_close": granted.can(Action.EDIT),
        **extra,
    }


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
    latest = case.risk_assessments.select_related("assessed_by").first()
    show_viewers = granted.can(Action.SEE_VIEWERS)
    viewers = (
        list(audit_viewers_of(object_type="case", object_id=case.pk)[:VIEWERS_SHOWN])
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
            concerns=selectors.concerns_visible_to(user).filter(case=case).order_by("observed_at"),
            latest=latest,
            review_overdue=bool(latest and latest.review_on < timezone.localdate()),
            open_needs=case.support_needs.exclude(status=SupportNeed.Status.DONE).count(),
            show_viewers=show_viewers,
            viewers=viewers,
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
    needs = list(case.support_needs.all())
    groups = [
        {"domain": label, "needs": [n for n in needs if n.domain == value]}
        for value, label in SupportDomain.choices
    ]
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
        ),
    )


@require_http_methods(["GET", "POST"])
@submitted_once
def case_support_edit(request, reference: str, pk: int | None = None):
    granted = _case(request, reference, Action.EDIT)
    case = granted.obj
    need = get_object_or_404(case.support_needs, pk=pk) if pk else SupportNeed(case=case)
    back = reverse("cases:case_support", kwargs={"reference": case.reference})
    data = request.POST if request.method == "POST" else None
    form = SupportNeedForm(data, instance=need)
    if data is not None and form.is_valid():
        creating = need.pk is None
        try:
            saved = services.support_need_save(
                request=request,
                need=form.save(commit=False),
                changed_fields=[f for f in form.changed_data if f != "submission_token"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            verb = "added to" if creating else "updated in"
            return _done(request, back, f"{saved.get_domain_display()} {verb} the support plan.")
    return render(
        request,
        "cases/case_support_edit.html",
        {
            "case": case,
            "need": need,
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
    return render(
        request,
        "cases/case_risk.html",
        case_page(
            request,
            granted,
            "case_risk",
            form=form,
            errors=error_list(form) if form.is_bound else [],
            assessments=case.risk_assessments.select_related("assessed_by"),
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
    form = CloseForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.case_close(
                request=request,
                case=case,
                checklist=form.cleaned_data["checklist"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Case {case.reference} is closed.")
            return redirect("cases:case_detail", reference=case.reference)
    return render(
        request,
        "cases/case_close.html",
        {
            "case": case,
            "form": form,
            "errors": error_list(form) if form.is_bound else [],
            "back": reverse("cases:case_detail", kwargs={"reference": case.reference}),
        },
    )
