from django import forms

from contacts.models import Organisation
from safeguard.choices import Pathway
from safeguard.dates import When
from safeguard.forms import DateField
from safeguard.models import Team
from safeguard.submissions import new_token

from . import selectors
from .deadlines import NOT_BEFORE_TIMERS, TIMER_LABELS, Timer
from .models import CompetentAuthority, Deadline
from .readiness import CONFIRM_MISSING


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
    # Asked on "check your answers" when answers are missing (the service enforces it).
    confirm_missing = forms.BooleanField(label=CONFIRM_MISSING, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()


# --- The deadline pages (referrals.views.deadlines) --------------------------------------------

# The overdue view's filters, in its address and in a reassignment's way back to it.
FILTERS = ("team", "lead", "timer")


class OverdueFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label="Any team",
    )
    lead = forms.ModelChoiceField(
        label="Assigned to",
        queryset=selectors.deadline_assignees(),
        required=False,
        empty_label="Anyone",
        help_text="Or the case's lead, when nobody else is assigned.",
    )
    timer = forms.ChoiceField(
        label="Deadline",
        required=False,
        choices=[("", "Any deadline")]
        + [(t.value, TIMER_LABELS[t]) for t in Timer if t not in NOT_BEFORE_TIMERS],
    )

    def filters(self) -> dict:
        """The valid filters, for the selector; an invalid form filters out every row."""
        return {name: self.cleaned_data.get(name) or None for name in FILTERS}


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Reassign to",
        queryset=selectors.deadline_assignees(),
        error_messages={
            "required": "Choose who will chase this deadline",
            "invalid_choice": "Choose a safeguarding lead or a manager",
        },
    )

    def __init__(self, *args, deadline: Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def clean_assignee(self):
        assignee = self.cleaned_data["assignee"]
        # Someone who cannot open the case could not act on the deadline, and its reminders
        # would send them a reference they may not know.
        if not selectors.deadline_visible_to(assignee, self.deadline):
            raise forms.ValidationError(
                f"{assignee.full_name} cannot see this case. Add them to it first, or choose "
                "someone else"
            )
        return assignee
