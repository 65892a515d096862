from django import forms

from cases.models import AgeMethod
from contacts.models import Organisation
from safeguard.choices import Pathway
from safeguard.dates import When
from safeguard.forms import DateField
from safeguard.models import Team
from safeguard.submissions import new_token

from . import selectors
from .deadlines import NOT_BEFORE_TIMERS, TIMER_LABELS, Timer
from .models import CompetentAuthority, Deadline, PoliceCooperation, SharingWhat
from .readiness import CONFIRM_MISSING
from .services import EXPLAINED, NO_AUTHORITY, ConsentMessages, Refusal


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
        label="Competent authority that decides it (NRM only)",
        required=False,
        choices=[("", "Not an NRM referral"), *CompetentAuthority.choices],
        help_text="Most referrals: the Single Competent Authority. The Immigration Enforcement "
        "Competent Authority for someone in immigration detention, in prison facing "
        "deportation, or whose asylum claim was found inadmissible. The devolved pilot for a "
        "child where your local authority's panel decides. Its Reasonable Grounds and "
        "Conclusive Grounds timers follow the authority chosen.",
        error_messages={"invalid_choice": NO_AUTHORITY},
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

    def __init__(
        self,
        *args,
        child: bool = False,
        guardian_service: str | None = None,
        suggested_authority: str = "",
        **kwargs,
    ):
        """`guardian_service`: the name of the guardianship service a child here is referred
        to, or None where there is none (or the person is an adult). Pathways and authorities
        the service would refuse are not offered."""
        super().__init__(*args, **kwargs)
        refused = {Pathway.DUTY_TO_NOTIFY} if child else set()
        if not (child and guardian_service):
            refused.add(Pathway.GUARDIAN)
        self.fields["pathway"].choices = [
            (value, f"Guardian referral: {guardian_service}" if value == Pathway.GUARDIAN else text)
            for value, text in Pathway.choices
            if value not in refused
        ]
        if not child:
            # A pilot panel decides only children's cases (the service refuses it too).
            self.fields["competent_authority"].choices = [
                c
                for c in self.fields["competent_authority"].choices
                if c[0] != CompetentAuthority.CHILD_PILOT
            ]
        self.fields["competent_authority"].initial = suggested_authority
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pathway") == Pathway.NRM and not cleaned.get("competent_authority"):
            self.add_error("competent_authority", NO_AUTHORITY)
        return cleaned


YES_NO = [("yes", "Yes"), ("no", "No")]


def _explained(label: str, name: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        widget=forms.RadioSelect,
        choices=YES_NO,
        error_messages={"required": ConsentMessages.EXPLAINED[name]},
    )


class ConsentForm(forms.Form):
    """An adult's answer to an NRM referral, as the Home Office form asks it: what was
    explained, in which language and through whom, and for a refusal what declining means to
    them, why, and whether they will co-operate with the police. The service checks the same
    rules (referrals.services.consent_record); the messages are the same."""

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
    explained_nrm = _explained("Was the NRM explained to them?", "explained_nrm")
    explained_decisions = _explained(
        "Were the Reasonable Grounds and Conclusive Grounds decisions explained?",
        "explained_decisions",
    )
    explained_support = _explained("Was the support on offer explained?", "explained_support")
    explained_privacy = _explained(
        "Was the privacy notice explained (how their information is used and shared)?",
        "explained_privacy",
    )
    how_explained = forms.CharField(
        label="How it was explained",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you told them and how: in person, a leaflet in their language, and so on.",
        error_messages={"required": "Enter how the referral was explained to them"},
    )
    explained_in = forms.CharField(
        label="Language it was explained in",
        max_length=100,
        error_messages={"required": ConsentMessages.EXPLAINED_IN},
    )
    interpreter_used = forms.BooleanField(label="An interpreter was used", required=False)
    interpreter_language = forms.CharField(
        label="Interpreter's language", required=False, max_length=100
    )
    interpreter = forms.CharField(
        label="Interpreter's name or agency", required=False, max_length=150
    )
    witnessed_by = forms.CharField(label="Witnessed by", required=False, max_length=150)
    understands_no_support = forms.BooleanField(
        label="They understand that without a referral they get no NRM support and no "
        "Reasonable Grounds or Conclusive Grounds decision",
        required=False,
    )
    declined_because = forms.CharField(
        label="Why they declined",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In their words where you can.",
    )
    police_cooperation = forms.ChoiceField(
        label="Will they co-operate with the police?",
        required=False,
        widget=forms.RadioSelect,
        choices=PoliceCooperation.choices,
        help_text="The Duty to Notify asks this.",
    )

    def clean(self):
        data = super().clean()
        given = data.get("given")
        if data.get("interpreter_used"):
            if not data.get("interpreter_language", "").strip():
                self.add_error("interpreter_language", ConsentMessages.INTERPRETER_LANGUAGE)
            if not data.get("interpreter", "").strip():
                self.add_error("interpreter", ConsentMessages.INTERPRETER)
        if given == "yes" and data.get("explained_nrm") == "no":
            self.add_error("explained_nrm", ConsentMessages.NOT_INFORMED)
        if given == "no":
            if not data.get("understands_no_support"):
                self.add_error("understands_no_support", ConsentMessages.UNDERSTANDS)
            if not data.get("declined_because", "").strip():
                self.add_error("declined_because", ConsentMessages.DECLINED_BECAUSE)
            if not data.get("police_cooperation"):
                self.add_error("police_cooperation", ConsentMessages.POLICE)
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        given = data["given"] == "yes"
        return {
            "given": given,
            "given_on": data["given_on"],
            "how_explained": data["how_explained"],
            "explained": {name: data[name] == "yes" for name in EXPLAINED},
            "explained_in": data["explained_in"],
            "interpreter_used": data["interpreter_used"],
            "interpreter_language": data["interpreter_language"],
            "interpreter": data["interpreter"],
            "witnessed_by": data["witnessed_by"],
            "refusal": None
            if given
            else Refusal(
                understands_no_support=data["understands_no_support"],
                declined_because=data["declined_because"],
                police_cooperation=data["police_cooperation"],
            ),
        }


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
    new_last_day = DateField(
        label="New last day for the request",
        required=False,
        when=When.PLANNED,
        help_text="The day the competent authority agreed, or the day you are asking for.",
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


# --- The sharing register (referrals.consent) --------------------------------------------------


class ConsentToShareForm(forms.Form):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    what = forms.ChoiceField(
        label="What did they agree may be shared?",
        widget=forms.RadioSelect,
        choices=SharingWhat.choices,
        error_messages={"required": "Select what they agreed may be shared"},
    )
    what_other = forms.CharField(label="If something else, what", required=False, max_length=200)
    organisation = forms.ModelChoiceField(
        label="With which organisation (from the directory)",
        required=False,
        queryset=Organisation.objects.filter(archived=False).order_by("name"),
        empty_label="Not in the directory",
        error_messages={"invalid_choice": "Choose an organisation from the directory"},
    )
    organisation_name = forms.CharField(
        label="Or its name, if it is not in the directory", required=False, max_length=200
    )
    agreed_on = DateField(
        label="Date they agreed",
        when=When.HAPPENED,
        error_messages={"required": "Enter the date they agreed"},
    )
    note = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Any limits they set, such as only for their housing application.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()

    def clean(self):
        data = super().clean()
        organisation, name = data.get("organisation"), data.get("organisation_name", "").strip()
        if "organisation" not in self.errors:
            if organisation is None and not name:
                self.add_error(
                    "organisation", "Choose the organisation from the directory, or type its name"
                )
            elif organisation is not None and name:
                self.add_error(
                    "organisation_name",
                    "Choose the organisation from the directory or type its name, not both",
                )
        if data.get("what") == SharingWhat.OTHER and not data.get("what_other", "").strip():
            self.add_error("what_other", "Enter what else they agreed may be shared")
        return data


class WithdrawSharingForm(forms.Form):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    withdrawn_on = DateField(
        label="Date they withdrew it",
        when=When.HAPPENED,
        error_messages={"required": "Enter the date they withdrew their agreement"},
    )
    note = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()


class AgeSettlementForm(forms.Form):
    """An age dispute settled: the one way a disputed or unknown age stops being treated as a
    child's (referrals.services.age_dispute_settle checks the same)."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    assessed_on = DateField(
        label="Date of the assessment",
        when=When.HAPPENED,
        error_messages={"required": "Enter the date of the age assessment"},
    )
    method = forms.ChoiceField(
        label="How was their age settled?",
        choices=AgeMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how their age was settled"},
    )
    assessed_by = forms.CharField(
        label="Who assessed it",
        max_length=200,
        help_text="For example the local authority's children's services team.",
        error_messages={"required": "Enter who assessed their age"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("child", "A child (under 18)"), ("adult", "An adult (18 or over)")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they were assessed as an adult or a child"},
    )
    assessed_date_of_birth = DateField(
        label="Assessed date of birth",
        required=False,
        when=When.HAPPENED,
        help_text="Needed for a child, so that they turn 18 on the right day.",
    )
    note = forms.CharField(
        label="Anything else to record", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()


class GuardianNotNeededForm(forms.Form):
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Why no guardian referral is needed",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: their local authority is not one the service covers, or "
        "someone in the UK has parental responsibility for them.",
        error_messages={"required": "Enter why no guardian referral is needed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()


class ReferralCorrectForm(forms.Form):
    """Who the referral goes to, and (NRM) which competent authority decides it, corrected."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    recipient = ReferralStartForm.base_fields["recipient"]
    competent_authority = ReferralStartForm.base_fields["competent_authority"]
    reason = forms.CharField(
        label="Why it is being corrected",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the case was passed to the Immigration Enforcement Competent "
        "Authority, or it was sent to the wrong team. Goes into the case's chronology.",
        error_messages={"required": "Enter why it is being corrected"},
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].help_text = "From the contacts directory."
        if referral.pathway != Pathway.NRM:
            del self.fields["competent_authority"]
        else:
            choices = list(CompetentAuthority.choices)
            if not referral.case.person.may_be_child():
                choices = [c for c in choices if c[0] != CompetentAuthority.CHILD_PILOT]
            self.fields["competent_authority"].choices = choices
            self.fields["competent_authority"].required = True
            self.fields["competent_authority"].error_messages["required"] = NO_AUTHORITY
        if not self.is_bound:
            self.fields["submission_token"].initial = new_token()
            self.initial.setdefault("recipient", referral.recipient_id)
            self.initial.setdefault("competent_authority", referral.competent_authority)
