"""A Redis outage shows on /health/ while sign-in keeps working (issue 15, item 4).

The cache and the broker on a redis-server of this test's own, as production has them (one
Redis, two databases), pointed at it the way production configures them; it is stopped
part way. The same private server as tests/security/test_sign_in_without_redis.py.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse

from safeguard import health
from safeguard.settings import cache_from_url
from tests.factories import TEST_PASSWORD
from tests.reliability.conftest import point_app_at, private_redis  # noqa: F401  (fixtures)

pytestmark = pytest.mark.integration


def failing(answer: dict) -> list[str]:
    return [name for name, check in answer["checks"].items() if not check["ok"]]


def test_a_stopped_redis_makes_health_503_naming_cache_and_broker_while_sign_in_works(
    private_redis,  # noqa: F811  (the imported fixture)
    point_app_at,  # noqa: F811
    settings,
    world,
):
    settings.CACHES = {"default": cache_from_url(private_redis.url)}
    point_app_at(private_redis.url.removesuffix("/0") + "/1")
    health.heartbeat_record(name=health.SWEEP)
    probe = Client()

    up = probe.get(reverse("health"))
    assert up.status_code == 200, up.json()

    private_redis.stop()
    started = time.monotonic()
    down = probe.get(reverse("health"))
    took = time.monotonic() - started

    assert down.status_code == 503
    assert took < 3
    assert failing(down.json()) == ["broker", "cache"]
    assert {down.json()["checks"][name]["error"] for name in ["broker", "cache"]} <= {
        "OperationalError",
        "ConnectionError",
    }
    # Sign-in does not lean on Redis: the real form, the right password.
    client = Client()
    signed_in = client.post(
        reverse("account_login"), {"login": world.frontline.email, "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    # And once Redis is back, so is health.
    private_redis.start()
    assert probe.get(reverse("health")).status_code == 200
