from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from . import audit

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

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit.record(request, action=audit.Action.LOCKOUT)
            raise
