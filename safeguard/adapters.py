import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.app_settings import REAUTHENTICATION_TIMEOUT
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError

from . import access, audit

# The same words whether or not an account exists, so that sign-in cannot be used to find out
# who has one. Lockout is counted per email address typed, existing or not.
SIGN_IN_FAILED = "Enter a correct email address and password."
LOCKED_OUT = (
    "There have been too many attempts to sign in with this email address. "
    "Wait 15 minutes and try again, or ask your administrator to help."
)


class AccountAdapter(DefaultAccountAdapter):
    error_messages = DefaultAccountAdapter.error_messages | {
        "email_password_mismatch": SIGN_IN_FAILED,
        "invalid_login": SIGN_IN_FAILED,
        "too_many_login_attempts": LOCKED_OUT,
    }

    def is_open_for_signup(self, request) -> bool:
        # Administrators invite users; nobody signs themselves up.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Signing in a moment ago is as good as confirming the password again: without this,
        # someone made to set up MFA at sign-in would type their password twice, then a
        # third time to see their recovery codes. Later changes to factors still ask.
        request = self.request
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if records and time.time() - records[-1]["at"] < REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit.record(request, action=audit.Action.LOCKOUT)
            raise


class MFAAdapter(DefaultMFAAdapter):
    error_messages = DefaultMFAAdapter.error_messages | {
        "incorrect_code": "The code is not right. Enter the 6-digit code your authenticator "
        "app shows now.",
        "cannot_delete_authenticator": "Your role needs a second factor. Add a security key "
        "before you remove your authenticator app.",
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Leads, managers and administrators keep at least one factor besides recovery codes."""
        if authenticator.user.role not in access.PRIVILEGED:
            return True
        others = (
            Authenticator.objects.filter(user=authenticator.user)
            .exclude(pk=authenticator.pk)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
        )
        return others.exists()
