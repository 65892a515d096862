"""Changes to users that carry rules: inviting, deactivating, resetting MFA. Each is audited."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from . import audit
from .email import make_message
from .models import User


def _end_sessions(user: User) -> int:
    sessions = list(UserSession.objects.filter(user=user))
    for session in sessions:
        session.end()
    return len(sessions)


@transaction.atomic
def user_invite(*, request, actor: User, user: User) -> None:
    """Email the user a one-time link to set their password and sign in.

    The link stops working once used (the token covers the password hash) or after
    PASSWORD_RESET_TIMEOUT. Inviting again sends a fresh link.
    """
    if not user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    context = {
        "link": request.build_absolute_uri(path),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    message = make_message("safeguard/email/invitation", to=[user.email], context=context)
    audit.record(request, actor=actor, action=audit.Action.USER_INVITED, obj=user)
    transaction.on_commit(message.send)


@transaction.atomic
def user_deactivate(*, request, actor: User, user: User) -> None:
    """Stop a user signing in and end every session they have; their records stay."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_sessions(user)
    audit.record(request, actor=actor, action=audit.Action.USER_DEACTIVATED, obj=user)


@transaction.atomic
def user_reset_mfa(*, request, actor: User, user: User) -> None:
    """Remove every second factor (a lost phone): the user must enrol again at next sign-in."""
    Authenticator.objects.filter(user=user).delete()
    _end_sessions(user)
    audit.record(request, actor=actor, action=audit.Action.MFA_RESET, obj=user)
