"""Idle timeout and absolute lifetime, tested by moving the clock."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from safeguard.models import AuditEvent
from tests.auth import sign_in

START = dt.datetime(2026, 3, 28, 23, 0, tzinfo=dt.UTC)  # the clocks go forward at 01:00 GMT


@pytest.fixture
def signed_in(client, world):
    with time_machine.travel(START, tick=False):
        sign_in(client, world.frontline)
    return client


def get_home_at(client, moment):
    with time_machine.travel(moment, tick=False):
        return client.get(reverse("home"))


def test_a_request_within_the_idle_limit_keeps_the_session(signed_in, settings):
    limit = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)

    response = get_home_at(signed_in, START + limit - dt.timedelta(seconds=1))

    assert response.status_code == 200


def test_idle_for_longer_than_the_limit_signs_out_with_a_reason(signed_in, settings, world):
    limit = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)

    response = get_home_at(signed_in, START + limit + dt.timedelta(seconds=1))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/"
    with time_machine.travel(START + limit + dt.timedelta(seconds=2), tick=False):
        page = signed_in.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.SESSION_EXPIRED)
    assert (event.actor, event.detail) == (world.frontline, "idle")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_OUT).exists()


def test_idle_limit_is_a_setting(signed_in, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60

    assert get_home_at(signed_in, START + dt.timedelta(minutes=4)).status_code == 200
    assert get_home_at(signed_in, START + dt.timedelta(minutes=9, seconds=1)).status_code == 302


def test_activity_keeps_a_session_alive_across_the_clock_change(signed_in):
    # Every 20 minutes for four hours, through 01:00 GMT when the clocks go forward.
    moment = START
    for _ in range(12):
        moment += dt.timedelta(minutes=20)
        assert get_home_at(signed_in, moment).status_code == 200


def test_a_session_ends_after_its_absolute_lifetime_however_active(signed_in, settings):
    moment, end = START, START + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    while moment + dt.timedelta(minutes=20) < end:
        moment += dt.timedelta(minutes=20)
        assert get_home_at(signed_in, moment).status_code == 200

    response = get_home_at(signed_in, end + dt.timedelta(minutes=1))

    assert response.status_code == 302
    assert AuditEvent.objects.get(action=AuditEvent.Action.SESSION_EXPIRED).detail == "lifetime"


def test_keep_alive_restarts_the_idle_clock(signed_in, settings):
    limit = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
    with time_machine.travel(START + limit - dt.timedelta(minutes=1), tick=False):
        assert signed_in.post(reverse("session_keep_alive")).status_code == 204

    response = get_home_at(signed_in, START + 2 * limit - dt.timedelta(minutes=2))

    assert response.status_code == 200


def test_keep_alive_after_expiry_does_not_revive_the_session(signed_in, settings):
    limit = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
    with time_machine.travel(START + limit + dt.timedelta(minutes=1), tick=False):
        response = signed_in.post(reverse("session_keep_alive"))

    assert response.status_code == 302
    assert get_home_at(signed_in, START + limit + dt.timedelta(minutes=2)).status_code == 302


def test_pages_tell_the_browser_when_to_warn(client, world, settings):
    client.force_login(world.frontline)

    html = client.get(reverse("home")).content.decode()

    assert f'data-session-timeout="{settings.SESSION_IDLE_TIMEOUT}"' in html
    assert f'data-session-warning="{settings.SESSION_IDLE_WARNING}"' in html
    assert f'data-keep-alive-url="{reverse("session_keep_alive")}"' in html
