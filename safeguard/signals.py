"""Sign-in, sign-out and MFA events go to the audit trail. Receivers record; they decide nothing.

Failed sign-ins are recorded without the email address typed: it may be nobody's, or a
mistyped colleague's.
"""

import time

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from . import audit


@receiver(auth_signals.user_logged_in)
def signed_in(sender, request, user, **kwargs):
    if request is None:
        return
    now = time.time()
    request.session["safeguard_started_at"] = now
    request.session["safeguard_last_seen"] = now
    audit.record(request, actor=user, action=audit.Action.SIGN_IN)


@receiver(auth_signals.user_logged_out)
def signed_out(sender, request, user, **kwargs):
    # A session that timed out is recorded as such by the middleware, not as a sign-out.
    if request is not None and user is not None and not getattr(request, "_session_expired", False):
        audit.record(request, actor=user, action=audit.Action.SIGN_OUT)


@receiver(auth_signals.user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    if request is not None:
        audit.record(request, action=audit.Action.SIGN_IN_FAILED)


@receiver(mfa_signals.authenticator_added)
def mfa_added(sender, request, user, authenticator, **kwargs):
    audit.record(request, actor=user, action=audit.Action.MFA_ADDED, detail=authenticator.type)


@receiver(mfa_signals.authenticator_removed)
def mfa_removed(sender, request, user, authenticator, **kwargs):
    audit.record(request, actor=user, action=audit.Action.MFA_REMOVED, detail=authenticator.type)


@receiver(mfa_signals.authenticator_reset)
def mfa_codes_renewed(sender, request, user, authenticator, **kwargs):
    audit.record(request, actor=user, action=audit.Action.MFA_ADDED, detail=authenticator.type)


@receiver(mfa_signals.authentication_failed)
def mfa_failed(sender, request, user, authenticator=None, **kwargs):
    audit.record(request, actor=user, action=audit.Action.MFA_FAILED)


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
@receiver(account_signals.password_reset)
def password_changed(sender, request, user, **kwargs):
    audit.record(request, actor=user, action=audit.Action.PASSWORD_CHANGED)
