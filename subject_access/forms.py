"""The forms of a subject access request."""

from django import forms

from safeguard.dates import When
from safeguard.forms import DateField
from safeguard.models import Team
from safeguard.submissions import new_token

from .models import Decision, Requester


class RequestForm(forms.Form):
    person_reference = forms.CharField(
        label="The person's reference",
        max_length=20,
        help_text="From their concern or case, like PN-2026-000012.",
        error_messages={"required": "Enter the person's reference"},
    )
    team = forms.ModelChoiceField(
        label="Team answering it",
        queryset=Team.objects.none(),
        error_messages={"required": "Choose the team answering it"},
    )
    requester = forms.ChoiceField(
        label="Who asked",
        choices=Requester.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who asked"},
    )
    requester_name = forms.CharField(
        label="Their name, if not the person (optional)", max_length=200, required=False
    )
    how_received = forms.CharField(
        label="How it came",
        max_length=200,
        help_text="Like “letter”, “email” or “in person”.",
        error_messages={"required": "Say how the request came"},
    )
    received_on = DateField(label="Date received", when=When.HAPPENED, what="The date received")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = user.teams.all()

    def clean(self):
        data = super().clean()
        if (
            data.get("requester") not in (None, Requester.PERSON)
            and not data.get("requester_name", "").strip()
        ):
            self.add_error("requester_name", "Enter the name of the person acting for them")
        return data


class IdentityForm(forms.Form):
    identity_how = forms.CharField(
        label="How their identity was checked",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what you saw, not the document's number.",
        error_messages={"required": "Say how their identity was checked"},
    )


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label="Why the request is complex",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The person must be told this within the first month.",
        error_messages={"required": "Say why the request needs longer"},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to redact or release it"},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        error_messages={"required": "Say why"},
    )


class CorrectionForm(forms.Form):
    # A double submit adds one addendum (safeguard.submissions).
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    concern = forms.ChoiceField(label="Concern it corrects")
    text = forms.CharField(
        label="The correction they asked for",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the correction they asked for"},
    )

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].choices = [(c.reference, c.reference) for c in concerns]
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()
