"""The forms on the documents tab: what a missing-person sheet and a chronology ask for, and
an evidence document's upload."""

import datetime as dt

from django import forms
from django.utils import timezone

from safeguard.dates import When
from safeguard.forms import DateField, DocumentPasswordForm
from safeguard.submissions import new_token

from . import evidence
from .models import EvidenceKind


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


class EvidenceForm(forms.Form):
    """An evidence document for the case: the file, what kind it is, and what it shows."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    file = forms.FileField(
        label="Upload a document",
        help_text="A PDF, JPG, PNG, DOC or DOCX file, smaller than 25 MB. Photos and scans are "
        "saved again without where and when they were taken.",
        error_messages={
            "required": "Select a document to upload",
            "empty": evidence.EMPTY,
            "invalid": "Select a document to upload",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.doc,.docx"}),
    )
    kind = forms.ChoiceField(
        label="What kind of document is it?",
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what kind of document it is",
            "invalid_choice": "Select what kind of document it is",
        },
    )
    description = forms.CharField(
        label="Description",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='What it is and who made it, for example "Statement to West Yorkshire Police, '
        'March 2026". This goes in the referral pack.',
        error_messages={
            "required": "Enter a description of the document",
            "max_length": "The description must be 500 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        # Checked by content, never by its name or the browser's content type.
        self.checked = evidence.check_evidence(upload) if upload else None
        return upload
