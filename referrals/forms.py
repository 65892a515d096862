from django import forms

from contacts.models import Organisation
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
