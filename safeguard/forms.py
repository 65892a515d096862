import datetime as dt

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.forms import LoginForm
from allauth.core.internal.cryptokit import normalize_user_code
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from . import pdf, ratelimits
from .dates import DateRangeValidator, When
from .models import AuditEvent, User

# --- Dates: every date field in the app is one of these two, so each gets a sensible range ----

REAL_DATE = "Enter a real date, like 27 3 2026"


class DateBoundField(forms.BoundField):
    """Gives the template (cases/case_date_input.html) the day, month and year boxes."""

    LABELS = (("Day", 2), ("Month", 2), ("Year", 4))

    @property
    def parts(self) -> list[dict]:
        value = self.value()
        if not isinstance(value, list | tuple):
            value = self.field.widget.decompress(value)
        return [
            {
                "id": f"{self.auto_id}_{i}",
                "name": f"{self.html_name}_{i}",
                "label": label,
                "width": width,
                "value": value[i] if i < len(value) and value[i] is not None else "",
            }
            for i, (label, width) in enumerate(self.LABELS)
        ]


class DayMonthYearWidget(DateInputWidget):
    """GOV.UK's day, month and year boxes. A date sent whole (2026-11-23: an address someone
    kept from before the boxes, a script) is taken too, and shown back in the boxes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for box in self.widgets:  # phones show the number keys
            box.attrs["inputmode"] = "numeric"

    def value_from_datadict(self, data, files, name):
        if name not in data or any(f"{name}_{i}" in data for i in range(3)):
            return super().value_from_datadict(data, files, name)
        return self.decompress(data.get(name))

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                return [value, "", ""] if value.strip() else [None, None, None]
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), f"{value.year:04d}"]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """The GOV.UK date input: three boxes, one plain message for any date that is not real,
    within the range for `when` (safeguard.dates).

    A half-filled date is an error, never silently dropped, even when the date is optional.
    """

    widget = DayMonthYearWidget
    bound_field_class = DateBoundField

    def __init__(
        self, *, when: When, what: str = "The date", required_message: str = "Enter a date", **kw
    ):
        parts = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(
            fields=parts,
            require_all_fields=False,
            error_messages={"required": required_message, "invalid": REAL_DATE},
            **kw,
        )
        for part in self.fields:
            part.required = False
        self.validators.append(DateRangeValidator(when, what))

    def clean(self, value):
        parts = [str(v).strip() if v is not None else "" for v in (value or [])][:3]
        parts += [""] * (3 - len(parts))
        if not any(parts):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        try:
            day, month, year = (int(p) for p in parts)
            if len(parts[2]) < 4:  # "26" for 2026: say the date is not real, not out of range
                raise ValueError
            date = dt.date(year, month, day)
        except (ValueError, OverflowError):  # 99999999999 overflows before it is refused
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        self.run_validators(date)
        return date

    def compress(self, data_list):  # clean() above does the whole job
        return None

    def has_changed(self, initial, data) -> bool:
        try:
            return self.clean(data) != initial
        except ValidationError:
            return True


class DateField(GovukDateField):
    """Every date the product asks for: the GOV.UK date input (three boxes), never a browser's
    own date picker (which shows mm/dd/yyyy to some); `error_messages["required"]` says what
    to enter when it is left out."""

    def __init__(self, *, when: When, what: str = "The date", error_messages=None, **kwargs):
        kwargs.pop("widget", None)
        required = (error_messages or {}).get("required", "Enter a date")
        super().__init__(when=when, what=what, required_message=required, **kwargs)


def initial_from_data(form_class, data: dict) -> dict:
    """A form's initial values from what was typed and kept (a draft): a date's three boxes,
    kept under their own names, go back into its boxes."""
    initial = dict(data)
    for name, field in form_class.base_fields.items():
        if isinstance(field, GovukDateField) and f"{name}_0" in data:
            initial[name] = [data.get(f"{name}_{i}", "") for i in range(3)]
    return initial


# --- Forms ---------------------------------------------------------------------------------


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


class _CodeAttempts:
    """A second-factor code form whose attempts count in the database (safeguard.ratelimits)
    instead of allauth's cache, so that it works, and stays limited, while Redis is down."""

    user: User
    error_key = "too_many_login_attempts"

    def _consume(self):
        hit = ratelimits.rate_limit_consume(
            limit=ratelimits.MFA_CODE_PER_USER, value=str(self.user.pk)
        )
        if hit is None:
            raise get_account_adapter().validation_error(self.error_key)
        return hit


class _SecondFactorForm(_CodeAttempts):
    def clean_code(self) -> str:
        # allauth's BaseAuthenticateForm.clean_code, with the attempts and the used
        # authenticator-app codes kept in the database rather than the cache.
        hit = self._consume()
        code = self.cleaned_data["code"]
        main: Authenticator | None = None
        for authenticator in Authenticator.objects.filter(user=self.user).exclude(
            type=Authenticator.Type.WEBAUTHN
        ):
            if not main or authenticator.type == Authenticator.Type.TOTP:
                main = authenticator
            if self._valid(authenticator, code):
                authenticator.user = self.user
                self.authenticator = authenticator
                ratelimits.rate_limit_release(hit=hit)
                return code
        if main:
            self._emit_authentication_failed(main)
        raise get_adapter().validation_error("incorrect_code")

    @staticmethod
    def _valid(authenticator: Authenticator, code: str) -> bool:
        if authenticator.type != Authenticator.Type.TOTP:
            return authenticator.wrap().validate_code(code)
        if not validate_totp_code(decrypt(authenticator.data["secret"]), code):
            return False
        # A code works once: a second use (a replay, or a double submit) finds it counted.
        used = ratelimits.rate_limit_consume(
            limit=ratelimits.TOTP_CODE_ONCE,
            value=f"{authenticator.pk}:{normalize_user_code(code)}",
        )
        return used is not None


class SecondFactorForm(_SecondFactorForm, AuthenticateForm):
    pass


class SecondFactorReauthenticateForm(_SecondFactorForm, ReauthenticateForm):
    pass


class ActivateAuthenticatorAppForm(_CodeAttempts, ActivateTOTPForm):
    error_key = "rate_limited"

    def clean_code(self) -> str:
        hit = self._consume()
        code = super().clean_code()
        ratelimits.rate_limit_release(hit=hit)
        return code


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
    # A reference, never a name: the filters are a GET form, so they end up in the address.
    reference = forms.CharField(
        label="Record reference",
        required=False,
        max_length=64,
        help_text="For example a case reference, like SG-2026-000042",
        validators=[
            RegexValidator(
                r"^[A-Za-z]+-[A-Za-z0-9-]*[0-9][A-Za-z0-9-]*$",
                "Enter a record reference, like SG-2026-000042, not a name",
            )
        ],
    )
    person = forms.CharField(
        label="Person reference",
        required=False,
        max_length=20,
        help_text="Everything about one person: their concerns, cases and referrals, and any "
        "record merged into theirs. For example PN-2026-000042",
        validators=[
            RegexValidator(
                r"^[A-Za-z]+-[A-Za-z0-9-]*[0-9][A-Za-z0-9-]*$",
                "Enter a person's reference, like PN-2026-000042, not a name",
            )
        ],
    )
    date_from = DateField(
        label="From",
        required=False,
        when=When.PLANNED,
    )
    date_to = DateField(
        label="To",
        required=False,
        when=When.PLANNED,
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned


def _anchor(field) -> str:
    """The id of a field's first input: crispy-forms-gds numbers radios and checkboxes from 1,
    and Django numbers the boxes of a multi-part widget (a date) from 0."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return f"#{field.auto_id}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"#{field.auto_id}_0"
    return f"#{field.auto_id}"


def error_list(*forms_and_formsets) -> list[dict]:
    """Every error of a page's forms, in page order, for the GOV.UK error summary."""
    errors = []
    for item in forms_and_formsets:
        for form in getattr(item, "forms", [item]):
            fields = list(form.visible_fields())
            for message in form.non_field_errors():
                anchor = _anchor(fields[0]) if fields else "#main-content"
                errors.append({"href": anchor, "text": message})
            for field in fields:
                for message in field.errors:
                    errors.append({"href": _anchor(field), "text": message})
            # A hidden field (which step a button records) has no box to point at, but its
            # error must still be said, or the page is refused with no reason given.
            for field in form.hidden_fields():
                for message in field.errors:
                    errors.append({"href": "#main-content", "text": message})
        for message in getattr(item, "non_form_errors", list)():
            errors.append({"href": "#main-content", "text": message})
    return errors


def add_service_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown on the form: by field where it names one of the form's,
    otherwise at the top (a plain message, such as a lost race, names none)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


# --- PDF passwords (safeguard.pdf): every PDF download offers one, the referral pack too ------


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
