"""The case record the Competent Authority decides on (issue 17): what each part is, its form
and where it is shown. One table, read by the pages (cases.views.record) and the pack."""

from dataclasses import dataclass

from django import forms
from django.db import models

from safeguard.dates import When
from safeguard.forms import GovukDateField

from .models import (
    Background,
    ExploitationKind,
    ExploitationSituation,
    Exploiter,
    FirstResponder,
    Interview,
    PoliceReport,
    WhereNow,
)

LONG_TEXT = 50_000  # an account may be long; a form's whole body stays within Django's limit


def _long(field_name: str, model) -> forms.CharField:
    field = model._meta.get_field(field_name)
    return forms.CharField(
        label=field.verbose_name.capitalize(),
        help_text=field.help_text,
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SituationForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    started_on = GovukDateField(
        label="When it started (optional)", required=False, when=When.HAPPENED
    )
    ended_on = GovukDateField(label="When it ended (optional)", required=False, when=When.HAPPENED)
    kinds = forms.MultipleChoiceField(
        label="Kinds of exploitation",
        choices=ExploitationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )

    class Meta:
        model = ExploitationSituation
        fields = [
            "started_on",
            "ended_on",
            "dates_approximate",
            "uk_places",
            "countries",
            "kinds",
            "how_it_started",
            "journey",
            "work_and_hours",
            "living_conditions",
            "control",
            "how_it_ended",
            "under_18_during",
        ]
        widgets = {"under_18_during": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "how_it_started",
            "journey",
            "work_and_hours",
            "living_conditions",
            "control",
            "how_it_ended",
        ):
            self.fields[name] = _long(name, ExploitationSituation)
        for name in ("uk_places", "countries"):
            self.fields[name].widget = forms.Textarea(attrs={"rows": 3})
            self.fields[name].max_length = 2_000
        self.fields["under_18_during"].choices = self.fields["under_18_during"].choices[1:]

    def clean(self):
        data = super().clean()
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", "The end must be the same as or after the start")
        return data


class ExploiterForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Exploiter
        fields = [
            "names",
            "nicknames",
            "gender",
            "nationality",
            "languages",
            "description",
            "relation",
            "where_now",
            "vehicles",
            "phones",
            "addresses",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("description", "where_now", "vehicles", "phones", "addresses")
        }


class PoliceReportForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PoliceReport
        fields = [
            "reported",
            "forces",
            "crime_reference",
            "officer",
            "officer_contact",
            "cooperating",
            "statement",
            "court_dates",
        ]
        widgets = {
            "reported": forms.RadioSelect,
            "cooperating": forms.RadioSelect,
            "statement": forms.Textarea(attrs={"rows": 3}),
            "court_dates": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"reported": {"required": "Select whether it was reported to the police"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cooperating"].choices = self.fields["cooperating"].choices[1:]


def _text_areas(*names: str) -> dict:
    return {name: forms.Textarea(attrs={"rows": 3}) for name in names}


class WhereNowForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = WhereNow
        fields = [
            "where_now",
            "support_provider",
            "email",
            "email_safe",
            "postal_address",
            "post_safe",
            "phone",
            "phone_safe",
            "letter_to",
            "letter_contact",
        ]
        widgets = {
            **_text_areas("where_now", "postal_address", "letter_contact"),
            **{name: forms.RadioSelect for name in ("email_safe", "post_safe", "phone_safe")},
            "letter_to": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("email_safe", "post_safe", "phone_safe", "letter_to"):
            self.fields[name].choices = self.fields[name].choices[1:]


class BackgroundForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Background
        fields = [
            "place_of_birth",
            "children",
            "dependants",
            "communication_help",
            "home_office_reference",
            "home_office_reference_type",
            "earlier_reports",
            "other_victims",
            "last_contact",
            "fears",
        ]
        widgets = _text_areas(
            "dependants",
            "communication_help",
            "earlier_reports",
            "other_victims",
            "last_contact",
            "fears",
        )
        error_messages = {"children": {"invalid": "Enter how many children, as a number"}}


class FirstResponderForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    local_authority_contacted_on = GovukDateField(
        label="When the local authority was contacted (optional)",
        required=False,
        when=When.HAPPENED,
    )

    class Meta:
        model = FirstResponder
        fields = [
            "name",
            "role",
            "organisation",
            "phone",
            "email",
            "own_reference",
            "alternative_contact",
            "local_authority",
            "local_authority_contacted_on",
            "local_authority_contact",
        ]
        widgets = _text_areas("alternative_contact", "local_authority_contact")


class InterviewForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Interview
        fields = ["present", "judgement", "inconsistencies"]
        widgets = _text_areas("present", "judgement", "inconsistencies")


@dataclass(frozen=True)
class Part:
    slug: str  # in the address: /cases/<reference>/record/<slug>/...
    title: str  # a card's title, "Situation 1"
    heading: str  # the section's heading, in the order of the Home Office's NRM form
    form: type[forms.ModelForm]
    related_name: str

    @property
    def single(self) -> bool:
        """At most one a case, as the model's unique key on the case says: changed, never
        added twice."""
        return any(
            isinstance(c, models.UniqueConstraint) and tuple(c.fields) == ("case",)
            for c in self.form._meta.model._meta.constraints
        )


PARTS = {
    part.slug: part
    for part in (
        # In the order of the Home Office's NRM form.
        Part(
            "situation", "Situation", "What happened, where and when", SituationForm, "situations"
        ),
        Part(
            "where-now",
            "Where they are now",
            "Where they are now and how to reach them safely",
            WhereNowForm,
            "where_now",
        ),
        Part(
            "exploiter",
            "Person who exploited them",
            "Who exploited them",
            ExploiterForm,
            "exploiters",
        ),
        Part("police", "Police report", "The police", PoliceReportForm, "police_reports"),
        Part(
            "background",
            "About them",
            "About them, and others at risk",
            BackgroundForm,
            "background",
        ),
        Part(
            "first-responder",
            "First responder",
            "The first responder",
            FirstResponderForm,
            "first_responder",
        ),
        Part("interview", "Interview", "The interview", InterviewForm, "interview"),
    )
}


def summary(row, fields: list[str] | None = None) -> list[tuple[str, str]]:
    """A part's answers as (question, answer) pairs, in its form's order, for the summary
    cards and the pack: choices in words, dates as dates, nothing left out (an unanswered
    question says so, for the lead to see what is still missing). `fields`, in the form's
    order, narrows it to those (an anonymous notice: documents.anonymous)."""
    form = PARTS[SLUGS[type(row)]].form
    pairs = []
    for name in form._meta.fields if fields is None else fields:
        field = row._meta.get_field(name)
        value = getattr(row, name)
        if name == "kinds":
            answer = "; ".join(row.kind_labels())
        elif field.choices:
            answer = getattr(row, f"get_{name}_display")() if value else ""
        elif isinstance(value, bool):
            answer = "Yes" if value else "No"
        elif isinstance(value, int):
            answer = str(value)
        elif hasattr(value, "strftime"):
            answer = f"{value.day} {value:%B %Y}"
        else:
            answer = value or ""
        pairs.append(
            (field.verbose_name[:1].upper() + field.verbose_name[1:], answer or "Not recorded")
        )
    return pairs


SLUGS = {part.form._meta.model: slug for slug, part in PARTS.items()}
