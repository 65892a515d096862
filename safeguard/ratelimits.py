"""Limits on attempts, counted in the database: sign-in lockout, second-factor codes.

allauth counts these in the cache; with Redis down its counters raise and sign-in answers 500
(issue 14, item 15). Here each attempt is a RateLimitHit row, so the limits hold for as long
as PostgreSQL does, which the app needs anyway.
"""

import datetime as dt
from dataclasses import dataclass

from allauth.core.internal.ratelimit import parse_rates
from allauth.mfa import app_settings as mfa_settings
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RateLimitHit


@dataclass(frozen=True)
class Limit:
    name: str
    amount: int
    window: dt.timedelta


def _sign_in_limits() -> tuple[Limit, Limit]:
    # SAFEGUARD_LOCKOUT keeps allauth's notation ("30/m/ip,5/15m/key"), as the README says.
    per = {rate.per: rate for rate in parse_rates(settings.SIGN_IN_LOCKOUT)}
    return (
        Limit("sign-in:address", per["ip"].amount, dt.timedelta(seconds=per["ip"].duration)),
        Limit("sign-in:email", per["key"].amount, dt.timedelta(seconds=per["key"].duration)),
    )


# Every sign-in attempt from one network address, whatever the account.
# Failed sign-ins to one email address, typed, whether or not an account has it.
SIGN_IN_PER_ADDRESS, SIGN_IN_PER_EMAIL = _sign_in_limits()
# Wrong second-factor codes for one user: what allauth allowed before (login_failed, per key).
MFA_CODE_PER_USER = Limit("mfa:user", 5, dt.timedelta(minutes=15))
# An authenticator app's code works once: for as long as it could still be accepted.
TOTP_CODE_ONCE = Limit(
    "mfa:totp-used",
    1,
    dt.timedelta(seconds=mfa_settings.TOTP_PERIOD * (1 + 2 * mfa_settings.TOTP_TOLERANCE)),
)
LIMITS = [SIGN_IN_PER_ADDRESS, SIGN_IN_PER_EMAIL, MFA_CODE_PER_USER, TOTP_CODE_ONCE]


def _key(limit: Limit, value: str) -> str:
    # Keyed with SECRET_KEY: a plain hash of an email address is undone by hashing a list of
    # addresses. Changing the secret forgets the counts of the last quarter hour, no more.
    return salted_hmac(
        "safeguard.ratelimits", f"{limit.name}:{value}", algorithm="sha256"
    ).hexdigest()


def rate_limit_consume(*, limit: Limit, value: str) -> RateLimitHit | None:
    """Count one attempt against `limit` for `value`, or refuse it: the hit to release if the
    attempt turns out not to count (a right password), or None if `limit.amount` attempts
    are already counted within the window. A refused attempt is not counted, so hammering a
    locked address does not keep it locked past its window."""
    key = _key(limit, value)
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One attempt per key at a time, until this transaction (or the caller's) ends:
            # without it, two attempts in open transactions each miss the other's row.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
        # Insert, then count: on SQLite (`make run`) the insert takes the single write lock,
        # so a racing attempt's count cannot miss this row either.
        hit = RateLimitHit.objects.create(key=key, at=now)
        counted = RateLimitHit.objects.filter(key=key, at__gt=now - limit.window).count()
        if counted > limit.amount:
            hit.delete()
            return None
    return hit


def rate_limit_release(*, hit: RateLimitHit) -> None:
    """Un-count an attempt that should not count (a right password, a right code)."""
    RateLimitHit.objects.filter(pk=hit.pk).delete()


def rate_limit_clear(*, limit: Limit, value: str) -> None:
    """Forget every attempt counted for `value` (its password was just reset)."""
    RateLimitHit.objects.filter(key=_key(limit, value)).delete()


def rate_limits_prune(*, now: dt.datetime | None = None) -> int:
    """Delete hits older than the longest window: no limit can count them any more."""
    oldest = (now or timezone.now()) - max(limit.window for limit in LIMITS)
    deleted, _ = RateLimitHit.objects.filter(at__lte=oldest).delete()
    return deleted
