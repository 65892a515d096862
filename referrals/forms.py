import datetime as dt

from django import forms
from django.utils import timezone

from contacts.models import Organisation
from safeguard import pdf
from safeguard.choices import Pathway
from safeguard.dates import When
from safeguard.forms import DateField
from safeguard.submissions import new_token

from .models import CompetentAuthority


class ReferralStartForm(forms.Form):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    pathway = forms.ChoiceField(
        label="Pathway",
        choices=Pathway.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a pathway"},
    )
    recipient = forms.ModelChoiceField(
        label="Who it goes to",
        required=False,
        queryset=Organisation.objects.filter(archived=False).order_by("name"),
        help_text="From the contacts directory. You can choose later, before it is submitted.",
        error_messages={"invalid_choice": "Choose who the referral goes to from the directory"},
    )
    competent_authority = forms.ChoiceField(
        label="Competent authority (NRM only)",
        required=False,
        choices=[("", "Not an NRM referral"), *CompetentAuthority.choices],
    )
    summary = forms.CharField(
        label="What the receiving agency needs to know",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Risks and safety considerations for them. The referral pack adds the "
        "concerns and the person's details, so they need not be typed again. For a Duty to "
        "Notify without their agreement to be named, write nothing that would identify them: "
        "this text goes into the anonymous pack.",
    )
    named = forms.BooleanField(
        label="The person agreed to be named (Duty to Notify only)", required=False
    )

    def __init__(self, *args, child: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if child:
            # Never for a child: the service refuses it too, so it is not offered.
            self.fields["pathway"].choices = [
                c for c in Pathway.choices if c[0] != Pathway.DUTY_TO_NOTIFY
            ]
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()


class ConsentForm(forms.Form):
    given = forms.ChoiceField(
        label="Did they agree to the NRM referral?",
        widget=forms.RadioSelect,
        choices=[("yes", "Yes, they agreed"), ("no", "No, they declined")],
        error_messages={"required": "Select whether they agreed"},
    )
    given_on = DateField(
        label="Date",
        when=When.HAPPENED,
        error_messages={"required": "Enter the date they gave their answer"},
    )
    how_explained = forms.CharField(
        label="How it was explained",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you told them about the NRM, the support and what happens next.",
        error_messages={"required": "Enter how the referral was explained to them"},
    )
    interpreter_used = forms.BooleanField(label="An interpreter was used", required=False)
    interpreter_language = forms.CharField(
        label="Interpreter's language", required=False, max_length=100
    )
    witnessed_by = forms.CharField(label="Witnessed by", required=False, max_length=150)


class TransitionForm(forms.Form):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    action = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": "Choose which step to record, using its button"},
    )
    decided_on = DateField(
        label="Date the decision was received", required=False, when=When.HAPPENED
    )
    external_reference = forms.CharField(
        label="Their reference (for example the NRM reference)", required=False, max_length=60
    )
    reason = forms.CharField(
        label="Notes or reason", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()


# --- Documents (referrals.views_documents) -----------------------------------------------------


class DocumentPasswordForm(forms.Form):
    """An optional password: the PDF is then encrypted and opens only with it."""

    password = forms.CharField(
        label="Password to open the PDF (optional)",
        required=False,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "spellcheck": "false"}),
        help_text=f"Leave empty to download it as it is. To send it by email, type at least "
        f"{pdf.PDF_PASSWORD_MIN_LENGTH} characters and give the password to the recipient "
        f"another way, for example by phone.",
    )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if password and not password.strip():
            raise forms.ValidationError("The password cannot be only spaces")
        if password and len(password) < pdf.PDF_PASSWORD_MIN_LENGTH:
            raise forms.ValidationError(
                f"The password must be at least {pdf.PDF_PASSWORD_MIN_LENGTH} characters"
            )
        return password


class MissingPersonForm(DocumentPasswordForm):
    field_order = ["last_seen_on", "last_seen_time", "last_seen_where", "description", "password"]

    last_seen_on = DateField(label="Date last seen (optional)", required=False, when=When.HAPPENED)
    last_seen_time = forms.TimeField(
        label="Time last seen (optional)",
        required=False,
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="24-hour clock, like 21:30",
        error_messages={"invalid": "Enter the time on the 24-hour clock, like 21:30"},
    )
    last_seen_where = forms.CharField(label="Where last seen (optional)", required=False)
    description = forms.CharField(
        label="Clothing and appearance when last seen (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("last_seen_time") and not data.get("last_seen_on"):
            self.add_error("last_seen_on", "Enter the date they were last seen, or clear the time")
        return data

    def last_seen_at(self):
        day, time = self.cleaned_data.get("last_seen_on"), self.cleaned_data.get("last_seen_time")
        if not day:
            return None
        return timezone.make_aware(dt.datetime.combine(day, time or dt.time(0, 0)))


class ChronologyRangeForm(DocumentPasswordForm):
    field_order = ["date_from", "date_to", "password"]

    date_from = DateField(
        label="From (optional)",
        required=False,
        when=When.PLANNED,
        help_text="Leave both dates empty for the whole chronology.",
    )
    date_to = DateField(label="To (optional)", required=False, when=When.PLANNED)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data
