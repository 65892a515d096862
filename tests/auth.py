"""Signing in as a person does in the tests: the real forms, the real second factor; and a
request made as a user, for calling services directly."""

import time

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def enrol_totp(user) -> str:
    """Give `user` an authenticator app, as if they had scanned the QR code; returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str, *, at: float | None = None) -> str:
    return format_hotp_value(hotp_value(secret, int(at or time.time()) // 30))


def sign_in(client, user, *, password: str = TEST_PASSWORD, secret: str | None = None):
    """Email and password, then the code if the user has an authenticator. Returns the last
    response (followed)."""
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": password}, follow=True
    )
    if response.resolver_match and response.resolver_match.url_name == "mfa_authenticate":
        assert secret, f"{user.email} has MFA: pass secret="
        response = client.post(
            reverse("mfa_authenticate"), {"code": totp_code(secret)}, follow=True
        )
    return response


def request_as(user):
    """A POST request made by `user`, as a form submits it: what services take as `request=`."""
    request = RequestFactory().post("/")
    request.user = user
    request.request_id = "test"
    return request
