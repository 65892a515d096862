import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

from contacts.models import Organisation
from safeguard.choices import Role
from safeguard.dates import When
from safeguard.forms import DateField, GovukDateField
from safeguard.models import Team, User
from safeguard.submissions import new_token

from . import closing, photos
from .models import (
    Answer,
    AppliesTo,
    Case,
    ClosingCheck,
    ExploitationType,
    Gender,
    Indicator,
    IndicatorGroup,
    LinkKind,
    PlanAgreement,
    RiskAssessment,
    RiskLevel,
    Setting,
    SupportDomain,
    SupportNeed,
    TriageOutcome,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
LINKS_PER_KIND = 2


class StartForm(forms.Form):
    immediate_danger = forms.ChoiceField(
        label="Is anyone in immediate danger?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if anyone is in immediate danger"},
    )


class PersonStepForm(forms.Form):
    """Who the concern is about: someone already known, or a new (maybe unnamed) person."""

    known_person = forms.CharField(
        label="Their reference, if they are already known",
        required=False,
        max_length=20,
        help_text="For example PN-2026-000012. Leave blank for someone new.",
    )
    name = forms.CharField(
        label="Name", required=False, max_length=200, help_text="Leave blank if you do not know it."
    )
    aliases = forms.CharField(label="Other names or spellings", required=False, max_length=300)
    date_of_birth = DateField(
        label="Date of birth",
        required=False,
        when=When.HAPPENED,
    )
    estimated_age = forms.IntegerField(
        label="Estimated age, if you do not know the date of birth",
        required=False,
        min_value=0,
        max_value=120,
        error_messages={
            "invalid": "Enter the estimated age as a number, like 16",
            "min_value": "Enter an age of 0 or more",
            "max_value": "Enter an age of 120 or less",
        },
    )
    age_disputed = forms.BooleanField(label="Their age is disputed or uncertain", required=False)
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, initial=Gender.UNKNOWN)
    nationalities = forms.CharField(label="Nationalities", required=False, max_length=200)
    languages = forms.CharField(label="Languages they speak", required=False, max_length=200)
    interpreter_needed = forms.BooleanField(label="They need an interpreter", required=False)
    interpreter_language = forms.CharField(
        label="Interpreter language", required=False, max_length=100
    )
    safe_contact = forms.CharField(
        label="Safe ways to contact them",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How to reach them without putting them at risk.",
    )
    distinguishing_features = forms.CharField(
        label="Distinguishing features", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, known_people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_people = known_people

    def clean_known_person(self):
        reference = self.cleaned_data["known_person"].strip().upper()
        if not reference:
            return None
        person = (
            self.known_people.filter(reference=reference).first()
            if self.known_people is not None
            else None
        )
        if person is None:
            raise forms.ValidationError(
                "There is nobody with that reference you can see. Check it, or leave it "
                "blank and describe the person"
            )
        return person

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("interpreter_needed") and not cleaned.get("interpreter_language"):
            self.add_error("interpreter_language", "Enter the language the interpreter needs")
        return cleaned


class SeenCheckbox(forms.CheckboxInput):
    """One sign's box: ticked sends "observed", the answer it records."""

    def value_from_datadict(self, data, files, name):
        return data.get(name) == Answer.OBSERVED


class WhatStepForm(forms.Form):
    """What was seen, heard or disclosed, the indicators, and details other reports may share."""

    observed_date = DateField(
        label="Date",
        when=When.HAPPENED,
        error_messages={"required": "Enter the date you saw or heard this"},
    )
    observed_time = forms.TimeField(
        label="Time (24-hour clock)",
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={
            "required": "Enter the time, like 14:30",
            "invalid": "Enter the time, like 14:30",
        },
    )
    location = forms.CharField(
        label="Where", max_length=200, error_messages={"required": "Enter where this happened"}
    )
    setting = forms.ChoiceField(
        label="Setting",
        choices=[("", "Choose a setting"), *Setting.choices],
        error_messages={"required": "Select the setting"},
    )
    observer_account = forms.CharField(
        label="What you saw, heard or were told",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Facts, in your own words: what happened, when, who said what.",
        error_messages={"required": "Enter what you saw, heard or were told"},
    )
    persons_words = forms.CharField(
        label="What they said, in their own words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Write down their exact words where you can. Keep them separate from yours.",
    )
    accompanied_by = forms.CharField(
        label="Who was with them",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Do not raise your concern in front of anyone accompanying them.",
    )
    exploitation_types = forms.ModelMultipleChoiceField(
        label="Suspected kinds of exploitation",
        required=False,
        queryset=ExploitationType.objects.current(),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    county_lines = forms.BooleanField(
        label="County lines (drug running between areas)", required=False
    )

    def __init__(self, *args, child: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        applies = [AppliesTo.BOTH, AppliesTo.CHILDREN if child else AppliesTo.ADULTS]
        self.indicators = list(Indicator.objects.current().filter(applies_to__in=applies))
        for indicator in self.indicators:
            self.fields[f"ind_{indicator.code}"] = forms.BooleanField(
                label=indicator.text, required=False, widget=SeenCheckbox
            )
            self.fields[f"note_{indicator.code}"] = forms.CharField(
                label=f"Note (optional): {indicator.text}",
                required=False,
                max_length=300,
            )
        for kind, label in LinkKind.choices:
            for n in range(LINKS_PER_KIND):
                self.fields[f"link_{kind}_{n}"] = forms.CharField(
                    label=f"{label} {n + 1}", required=False, max_length=300
                )

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("observed_date"), cleaned.get("observed_time")
        if day and time:
            moment = timezone.make_aware(dt.datetime.combine(day, time))
            if moment > timezone.now() + dt.timedelta(minutes=5):
                self.add_error("observed_date", "The date and time must be in the past")
            cleaned["observed_at"] = moment
        return cleaned

    def seen(self, indicator: Indicator) -> bool:
        """Whether its box is ticked: as sent, or as kept in the draft (older drafts kept a
        radio's answer, of which only "seen" ticks the box)."""
        name = f"ind_{indicator.code}"
        if self.is_bound:
            return bool(self[name].data)
        return self.initial.get(name) in (True, Answer.OBSERVED)

    def indicator_groups(self):
        """[{label, rows: [(sign, box, note field, seen)], seen, errors}] in checklist order."""
        groups = []
        for value, label in IndicatorGroup.choices:
            rows = [
                (i, self[f"ind_{i.code}"], self[f"note_{i.code}"], self.seen(i))
                for i in self.indicators
                if i.group == value
            ]
            if rows:
                groups.append(
                    {
                        "label": label,
                        "rows": rows,
                        "seen": sum(1 for row in rows if row[3]),
                        "errors": any(row[1].errors or row[2].errors for row in rows),
                    }
                )
        return groups

    def signs_seen(self):
        """[(sign, note)] ticked, in the page's order (its groups'), for "check your answers"."""
        groups = [value for value, _ in IndicatorGroup.choices]
        return [
            (i, self.cleaned_data.get(f"note_{i.code}", ""))
            for i in sorted(self.indicators, key=lambda i: groups.index(i.group))
            if self.cleaned_data.get(f"ind_{i.code}")
        ]

    def links_open(self) -> bool:
        """Whether the optional details start open: something is in them, or wrong with them."""
        return any(
            self[f"link_{kind}_{n}"].value() or self[f"link_{kind}_{n}"].errors
            for kind, _ in LinkKind.choices
            for n in range(LINKS_PER_KIND)
        )

    def link_fields(self):
        return [
            (label, [self[f"link_{kind}_{n}"] for n in range(LINKS_PER_KIND)])
            for kind, label in LinkKind.choices
        ]

    def observations(self):
        """A ticked box is a sign seen; an unticked one is not recorded (not marked)."""
        return [(i, Answer.OBSERVED, note) for i, note in self.signs_seen()]

    def links(self):
        return [
            (kind, self.cleaned_data.get(f"link_{kind}_{n}", ""))
            for kind, _ in LinkKind.choices
            for n in range(LINKS_PER_KIND)
            if self.cleaned_data.get(f"link_{kind}_{n}")
        ]


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label="Photo (optional)",
        required=False,
        help_text="A JPG, PNG or WebP photo, smaller than 8 MB. Only with their agreement, or "
        "if it is needed to keep them safe.",
    )

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        # Checked by content and re-encoded without metadata before anything is saved.
        return photos.clean_photo(upload) if upload else None


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Correction or addition",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The concern itself stays as it was; this is added below it, with your name "
        "and the time.",
        error_messages={"required": "Enter the correction or addition"},
    )


class TriageForm(forms.Form):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    outcome = forms.ChoiceField(
        label="Decision",
        choices=TriageOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision"},
    )
    reason = forms.CharField(
        label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    signposted_to = forms.ModelChoiceField(
        label="Service signposted to",
        required=False,
        queryset=Organisation.objects.filter(archived=False).order_by("name"),
    )
    case = forms.ChoiceField(label="Existing case", required=False)
    lead = forms.ChoiceField(label="Case lead", required=False)
    # Ticked, it carries services.duplicates_token of the close matches the page showed.
    duplicates_checked = forms.CharField(required=False, max_length=128)

    def __init__(self, *args, cases=(), leads=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [
            ("", "Choose a case"),
            *[(c.reference, f"{c.reference}: {c.person.display_name}") for c in cases],
        ]
        self.fields["lead"].choices = [(str(u.pk), u.full_name) for u in leads]
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()


class PersonMergeForm(forms.Form):
    """Which other record is the same person, which one stays, and why. References only."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    other = forms.CharField(
        label="Reference of the other record",
        max_length=20,
        help_text="The person's reference, for example PN-2026-000042",
        error_messages={"required": "Enter the reference of the other record"},
        validators=[
            RegexValidator(
                r"^[A-Za-z]+-[A-Za-z0-9-]*[0-9][A-Za-z0-9-]*$",
                "Enter a person's reference, like PN-2026-000042, not a name",
            )
        ],
    )
    keep = forms.ChoiceField(
        label="Which record stays",
        choices=[("this", "This record"), ("other", "The other record")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select which record stays"},
    )
    reason = forms.CharField(
        label="Why are these the same person?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why these are the same person"},
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["keep"].choices = [
                ("this", f"This record, {person.reference}"),
                ("other", "The other record"),
            ]
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, alias or reference",
        max_length=100,
        error_messages={"required": "Enter a name, alias or reference"},
    )


# --- The case pages (cases.views.cases) -----------------------------------------------------


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


class SupportTaskForm(forms.ModelForm):
    """One row of the support plan page (SupportPlanFormSet)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    target_date = GovukDateField(
        label="Target date (optional)",
        required=False,
        when=When.PLANNED,
        help_text="For example, 27 3 2026. You will be reminded before, on and after it.",
    )

    class Meta:
        model = SupportNeed
        fields = [
            "domain",
            "need",
            "action",
            "owner_user",
            "owner_organisation",
            "target_date",
            "status",
            "blocked_reason",
        ]
        labels = {
            "domain": "Area of support",
            "need": "What they need",
            "action": "What will be done (optional)",
            "owner_user": "Who is doing it: someone in the team",
            "owner_organisation": "Or an outside agency from the directory",
            "status": "Progress",
            "blocked_reason": "If blocked, what is holding it up",
        }
        error_messages = {
            "domain": {"required": "Select the area of support"},
            "need": {"required": "Enter what they need"},
            "status": {"required": "Select how far it has got"},
        }
        widgets = {"blocked_reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, case, owners: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "Select an area"), *SupportDomain.choices]
        self.fields["owner_user"].queryset = owner_users(case)
        self.fields["owner_organisation"].queryset = Organisation.objects.order_by("name")
        # The same lists on every row, read once for the page (SupportPlanFormSet.owners).
        for name, choices in owners.items():
            self.fields[name].choices = choices
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version
            if self.instance.owner and not self.instance.owner_user_id:
                self.fields[
                    "owner_user"
                ].help_text = f"Written earlier as “{self.instance.owner}”: choose who it is."

    def clean(self):
        data = super().clean()
        if data.get("owner_user") and data.get("owner_organisation"):
            self.add_error(
                "owner_organisation", "Choose one owner: someone in the team or an agency"
            )
        return data


TASK_GONE = "Someone else removed this task after you opened the page: remove it here too."


def owner_users(case):
    """Who in the case's team may own one of its support tasks."""
    return User.objects.filter(is_active=True, teams=case.team_id).order_by("full_name")


class BaseSupportPlanFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, case, **kwargs):
        self.case = case
        queryset = case.support_needs.select_related("owner_user", "owner_organisation")
        super().__init__(*args, queryset=queryset, **kwargs)
        self.owners = {
            "owner_user": [
                ("", "No one yet"),
                *((u.pk, u.full_name) for u in owner_users(case).only("pk", "full_name")),
            ],
            "owner_organisation": [
                ("", "No agency"),
                *Organisation.objects.order_by("name").values_list("pk", "name"),
            ],
        }

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "case": self.case, "owners": self.owners}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove this task from the plan"

    def clean(self):
        super().clean()
        # A row shown as one of the case's tasks whose task is not (any more) among them:
        # removed meanwhile, or an id made up by hand. Never taken as a new task.
        for form in self.forms[: self.initial_form_count()]:
            if form.instance.pk is None and not self._should_delete_form(form):
                form.add_error(None, TASK_GONE)


SupportPlanFormSet = forms.modelformset_factory(
    SupportNeed,
    form=SupportTaskForm,
    formset=BaseSupportPlanFormSet,
    extra=1,
    can_delete=True,
    max_num=200,
    absolute_max=200,
    validate_max=True,
)


class PlanAgreementForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    on = GovukDateField(label="When", when=When.HAPPENED, help_text="For example, 27 3 2026")

    class Meta:
        model = PlanAgreement
        fields = ["outcome", "on", "how", "reason"]
        labels = {
            "outcome": "What did they say about their support plan?",
            "how": "How did they agree? (if they agreed)",
            "reason": "Why not, in their words (if they did not agree)",
        }
        widgets = {
            "outcome": forms.RadioSelect,
            "how": forms.RadioSelect,
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"outcome": {"required": "Select whether they agreed"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["how"].choices = self.fields["how"].choices[1:]
        self.fields["outcome"].choices = self.fields["outcome"].choices[1:]
        if not self.is_bound:
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
    """What the lead says when closing: what only they can confirm, a reason to close anyway
    for each check not met, and why the case closes. Every field is optional here:
    `services.case_close` owns the rules and their messages (one per unmet check)."""

    agencies_told = forms.MultipleChoiceField(
        label="Which of the agencies involved have you told that the case is closing?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    safety_plan_reviewed = forms.BooleanField(
        label="I have reviewed the safety plan with them", required=False
    )
    papers_complete = forms.BooleanField(
        label="Their papers are complete (identity, immigration, benefits, housing)",
        required=False,
    )
    signposted_to = forms.CharField(
        label="Where have they been signposted for what goes on after the case?",
        help_text="Like a support service for the court case, or their GP for counselling.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label="Why is the case being closed?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies_told"].choices = [(a.key, a.name) for a in agencies]
        for code in ClosingCheck.values:
            self.fields[f"override_{code}"] = forms.CharField(
                label="Why can the case close anyway?",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def confirmed(self) -> closing.Confirmed:
        data = self.cleaned_data
        return closing.Confirmed(
            agencies_told=frozenset(data.get("agencies_told") or ()),
            safety_plan_reviewed=bool(data.get("safety_plan_reviewed")),
            papers_complete=bool(data.get("papers_complete")),
            signposted_to=data.get("signposted_to") or "",
        )

    def overrides(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"override_{code}") or "" for code in ClosingCheck}


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why is the case being reopened?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
