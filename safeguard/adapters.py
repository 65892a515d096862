import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.app_settings import REAUTHENTICATION_TIMEOUT
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.internal.ratelimit import truncate_ip
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError

from . import access, audit, ratelimits

# The same words whether or not an account exists, so that sign-in cannot be used to find out
# who has one. Lockout is counted per email address typed, existing or not.
SIGN_IN_FAILED = "Enter a correct email address and password."
LOCKED_OUT = (
    "There have been too many attempts to sign in with this email address. "
    "Wait 15 minutes and try again, or ask your administrator to help."
)
TOO_MANY_FROM_ADDRESS = (
    "There have been too many attempts to sign in from your network. Wait a minute and try again."
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
        """Refuse the attempt if its network address or the email typed has used up its
        attempts (safeguard.ratelimits, in the database: allauth's cache-based counts are
        switched off in settings, so a Redis outage neither stops nor unlocks sign-in)."""
        self._email_hit = None
        address = truncate_ip(self.get_client_ip(request))
        if ratelimits.rate_limit_consume(limit=ratelimits.SIGN_IN_PER_ADDRESS, value=address):
            email = credentials.get("email", "").lower()
            self._email_hit = ratelimits.rate_limit_consume(
                limit=ratelimits.SIGN_IN_PER_EMAIL, value=email
            )
            if self._email_hit:
                return
            error = self.validation_error("too_many_login_attempts")
        else:
            error = ValidationError(TOO_MANY_FROM_ADDRESS, code="too_many_from_address")
        audit.record(request, action=audit.Action.LOCKOUT)
        raise error

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and self._email_hit is not None:
            # A right password does not count towards the email's lockout, as in allauth;
            # it still counts towards the address's attempts.
            ratelimits.rate_limit_release(hit=self._email_hit)
        return user

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # allauth calls this when a password has been reset from an emailed link: the
        # person proved they hold the address, so its failed sign-ins are forgotten.
        email = credentials.get("email", "").lower()
        ratelimits.rate_limit_clear(limit=ratelimits.SIGN_IN_PER_EMAIL, value=email)


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
