from django import forms

from safeguard.dates import When
from safeguard.forms import DateField
from safeguard.submissions import new_token

from .models import Decision, HoldGround


class ReviewForm(forms.Form):
    # A double submit records one review (safeguard.submissions).
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label="What should happen to these records?",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what should happen to these records"},
    )
    reason = forms.CharField(
        label="Why?",
        help_text="Say what you weighed up. Do not write the person's name.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter why"},
    )
    next_review_on = DateField(
        label="If you keep them: when should they be reviewed again?",
        when=When.PLANNED,
        what="The next review date",
        required=False,
    )
    hold_ground = forms.ChoiceField(
        label="If you put them on legal hold: why are they held?",
        choices=HoldGround.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    hold_requested_by = forms.CharField(
        label="If you put them on legal hold: who asked for it?",
        help_text="The court, the inquiry, or whoever made the request.",
        max_length=200,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()

    def review_arguments(self) -> dict:
        """The review's answers, as retention.services.review_record takes them."""
        return {k: v for k, v in self.cleaned_data.items() if k != "submission_token"}

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        missing_date = not data.get("next_review_on") and "next_review_on" not in self.errors
        if decision == Decision.KEEP and missing_date:
            self.add_error("next_review_on", "Enter when they should be reviewed again")
        if decision == Decision.HOLD:
            if not data.get("hold_ground"):
                self.add_error("hold_ground", "Select why they are held")
            if not (data.get("hold_requested_by") or "").strip():
                self.add_error("hold_requested_by", "Enter who asked for the hold")
        return data
