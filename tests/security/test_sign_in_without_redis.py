"""Signing in while Redis is down (issue 14, item 15).

Each test starts a redis-server of its own, points the cache at it exactly as production
does (safeguard.settings.cache_from_url), signs in once with it up, stops it, and then signs
in again: lockout and the per-address limit live in PostgreSQL, so they still hold.
"""

import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from safeguard.adapters import LOCKED_OUT, SIGN_IN_FAILED, TOO_MANY_FROM_ADDRESS
from safeguard.models import AuditEvent
from safeguard.settings import cache_from_url
from tests.auth import sign_in, totp_code
from tests.factories import TEST_PASSWORD
from tests.reliability.conftest import private_redis  # noqa: F401  (the fixture)

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_then_down(private_redis, settings, world):  # noqa: F811  (the imported fixture)
    """The cache on a private Redis: someone signs in with it up, then it is stopped."""
    settings.CACHES = {"default": cache_from_url(private_redis.url)}
    assert sign_in(Client(), world.frontline).resolver_match.url_name == "home"
    private_redis.stop()
    assert not private_redis.ping()
    return private_redis


def post_sign_in(client, email, password, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def test_the_right_password_signs_in_with_redis_down(redis_then_down, world):
    client = Client()

    response = post_sign_in(client, world.frontline.email, TEST_PASSWORD)

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_second_factor_is_accepted_once_with_redis_down(redis_then_down, world):
    secret = world.totp[world.lead.pk]
    first, second = Client(), Client()
    # Both codes in one 30-second window, whenever the test starts: at the start of the next
    # window, with the clock running. (Left to the wall clock, the two posts could straddle a
    # window and the second would be a new code, not a replay.)
    window_start = (int(time.time()) // 30 + 1) * 30

    with time_machine.travel(window_start, tick=True):
        assert sign_in(first, world.lead, secret=secret).resolver_match.url_name == "home"

        # The same code again, in its 30 seconds, is refused: no replay while Redis is down.
        post_sign_in(second, world.lead.email, TEST_PASSWORD)
        code = totp_code(secret)
        replay = second.post(reverse("mfa_authenticate"), {"code": code})

        assert time.time() < window_start + 30, "the test took a whole window"
    assert replay.status_code == 200
    assert second.get(reverse("home")).status_code == 302


def test_wrong_passwords_lock_the_email_with_redis_down(redis_then_down, world):
    client = Client()
    for _ in range(5):
        wrong = post_sign_in(client, world.frontline.email, "wrong password")
        assert wrong.status_code == 200
        assert SIGN_IN_FAILED in wrong.content.decode()

    sixth = post_sign_in(client, world.frontline.email, TEST_PASSWORD)

    assert sixth.status_code == 200
    assert LOCKED_OUT in sixth.content.decode()
    assert not client.session.get("_auth_user_id")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT).count() == 1
    # Another person still signs in.
    assert post_sign_in(Client(), world.manager.email, TEST_PASSWORD).status_code == 302


def test_one_address_is_limited_to_30_attempts_a_minute_with_redis_down(redis_then_down, world):
    client = Client(REMOTE_ADDR="203.0.113.9")
    # The email typed changes every time, so no email is ever locked: only the address is.
    for number in range(30):
        answer = post_sign_in(client, f"guess{number}@example.test", "guess")
        assert SIGN_IN_FAILED in answer.content.decode()

    refused = post_sign_in(client, world.frontline.email, TEST_PASSWORD)

    assert refused.status_code == 200
    assert TOO_MANY_FROM_ADDRESS in refused.content.decode()
    assert not client.session.get("_auth_user_id")
    # Another address is not held up.
    elsewhere = post_sign_in(Client(REMOTE_ADDR="198.51.100.7"), world.frontline.email, "x")
    assert SIGN_IN_FAILED in elsewhere.content.decode()


def test_limits_still_in_the_cache_refuse_rather_than_fail_with_redis_down(redis_then_down, world):
    signed_in = Client()
    sign_in(signed_in, world.frontline)

    reset = Client().post(reverse("account_reset_password"), {"email": world.frontline.email})
    change = signed_in.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "a new long pass", "password2": "x"},
    )

    assert reset.status_code == 429
    assert change.status_code == 429
    # Someone already signed in carries on.
    assert signed_in.get(reverse("home")).status_code == 200
