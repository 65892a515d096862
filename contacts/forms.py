from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory

from safeguard.choices import Pathway
from safeguard.submissions import new_token

from . import phones
from .models import Category, Organisation, Person, Weekday


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label="Name or keyword", required=False, max_length=100)
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Any category"), *Category.choices]
    )
    pathway = forms.ChoiceField(
        label="Receives referrals for",
        required=False,
        choices=[("", "Any pathway"), *Pathway.choices],
    )
    area = forms.CharField(
        label="Area covered",
        required=False,
        max_length=100,
        help_text="A council or police area. National services are always included.",
    )
    open_now = forms.BooleanField(label="Open now (including 24 hours)", required=False)
    first_responders = forms.BooleanField(
        label="First responder organisations only", required=False
    )
    needs_verification = forms.BooleanField(label="Not checked for 12 months", required=False)


class OrganisationForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    categories = forms.MultipleChoiceField(
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one category"},
    )
    pathways = forms.MultipleChoiceField(
        label="Referrals they receive",
        choices=Pathway.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "summary",
            "categories",
            "pathways",
            "is_first_responder",
            "email",
            "website",
            "address",
            "open_24_7",
            "hours_note",
            "languages",
            "coverage_national",
            "areas",
            "on_card",
            "notes",
            "archived",
        ]
        error_messages = {
            "name": {"required": "Enter the organisation's name"},
            "email": {
                "invalid": "Enter an email address in the right format, like name@example.org"
            },
            "website": {"invalid": "Enter a web address starting with https://"},
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["categories"].initial = self.instance.categories
            self.fields["pathways"].initial = self.instance.pathways
        else:
            del self.fields["archived"]
            self.fields["submission_token"].initial = new_token()

    def clean(self):
        cleaned = super().clean()
        # The flag and the category say the same thing: keep them together.
        categories = cleaned.get("categories") or []
        if cleaned.get("is_first_responder") and Category.FIRST_RESPONDER not in categories:
            cleaned["categories"] = [*categories, Category.FIRST_RESPONDER]
        elif Category.FIRST_RESPONDER in categories:
            cleaned["is_first_responder"] = True
        if not cleaned.get("coverage_national") and not (cleaned.get("areas") or "").strip():
            self.add_error(
                "areas", "Enter the areas they cover, or tick that they cover the whole of the UK"
            )
        return cleaned


class PersonForm(forms.ModelForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = ["name", "job_title", "email", "notes"]
        error_messages = {
            "name": {"required": "Enter the person's name"},
            "email": {
                "invalid": "Enter an email address in the right format, like name@example.org"
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["submission_token"].initial = new_token()


class PhoneForm(forms.Form):
    label = forms.CharField(
        label="Label",
        required=False,
        max_length=60,
        help_text="For example: main line, out of hours",
    )
    number = forms.CharField(label="Number", required=False, max_length=40)

    def clean(self):
        cleaned = super().clean()
        raw = (cleaned.get("number") or "").strip()
        if not raw:
            if cleaned.get("label"):
                self.add_error("number", "Enter the number for this label, or clear the label")
            return cleaned
        try:
            cleaned["normalised"] = phones.normalise(raw)
        except ValidationError as error:
            self.add_error("number", error)
        return cleaned


class BasePhoneFormSet(BaseFormSet):
    default_error_messages = {
        **BaseFormSet.default_error_messages,
        "too_many_forms": "Enter at most 10 phone numbers",
    }

    def get_form_kwargs(self, index):
        # Every row is checked, even one that looks unchanged: a number must never be dropped
        # because its row matched the form's starting values.
        return {**super().get_form_kwargs(index), "empty_permitted": False}


# absolute_max: a form claiming thousands of rows gets ten, not a thousand and ten.
PhoneFormSet = formset_factory(
    PhoneForm, formset=BasePhoneFormSet, extra=2, max_num=10, absolute_max=10
)


class HoursForm(forms.Form):
    # Each row is its day (the view gives the seven rows their weekday as initial data):
    # disabled, so that a weekday sent back (abc, 9, -1 or none) is never read.
    weekday = forms.TypedChoiceField(
        choices=Weekday.choices, coerce=int, widget=forms.HiddenInput, disabled=True
    )
    opens = forms.TimeField(
        label="Opens",
        required=False,
        widget=forms.TimeInput(format="%H:%M"),
        error_messages={"invalid": "Enter a time like 09:00"},
    )
    closes = forms.TimeField(
        label="Closes",
        required=False,
        widget=forms.TimeInput(format="%H:%M"),
        error_messages={"invalid": "Enter a time like 17:30"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens", "closes"):
            self.fields[name].widget.attrs.update(
                {
                    "class": "govuk-input govuk-input--width-5",
                    "autocomplete": "off",
                    "spellcheck": "false",
                }
            )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if (opens is None) != (closes is None) and not self.errors:
            missing = "closes" if closes is None else "opens"
            self.add_error(missing, "Enter both the opening and the closing time, or neither")
        return cleaned

    @property
    def day_name(self) -> str:
        return Weekday(int(self["weekday"].value())).label


class BaseHoursFormSet(BaseFormSet):
    default_error_messages = {
        **BaseFormSet.default_error_messages,
        "too_many_forms": "Enter opening hours for the seven days of the week only",
    }


# absolute_max: rows beyond the seventh are never built, however many the form says it sends.
HoursFormSet = formset_factory(
    HoursForm,
    formset=BaseHoursFormSet,
    extra=0,
    min_num=7,
    max_num=7,
    absolute_max=7,
    validate_max=True,
)
