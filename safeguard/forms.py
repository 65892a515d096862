from allauth.account.forms import LoginForm
from django import forms

from .models import AuditEvent, User


class SignInForm(LoginForm):
    """allauth's sign-in form, in our words: email and password, no "remember me"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("remember", None)
        login = self.fields["login"]
        login.label = "Email address"
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""


class AuditFilterForm(forms.Form):
    """The audit log's filters. Every field is optional; dates are inclusive, UK time."""

    actor = forms.ModelChoiceField(
        label="User",
        queryset=User.objects.order_by("full_name"),
        required=False,
        empty_label="Anyone",
    )
    action = forms.ChoiceField(
        label="Action", choices=[("", "Any action"), *AuditEvent.Action.choices], required=False
    )
    reference = forms.CharField(
        label="Record reference",
        required=False,
        max_length=64,
        help_text="For example a case reference",
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the start date as a date, like 2026-11-23"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the end date as a date, like 2026-11-23"},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned
