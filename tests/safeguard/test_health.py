"""/health/, /health/live/ and `manage.py health` (safeguard.health), on the real database,
the real broker (the test Redis) and the configured cache. A Redis that stops part way, with
sign-in still working: tests/security/test_health_without_redis.py."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.models import Person
from safeguard import health
from safeguard.celery import app
from safeguard.models import Heartbeat
from safeguard.settings import cache_from_url
from tests.reliability.conftest import free_port, point_app_at  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
STALE = 300


@pytest.fixture(autouse=True)
def stale_after(settings):
    settings.SWEEP_STALE_SECONDS = STALE


@pytest.fixture
def swept():
    """The sweep last finished at NOW."""
    with time_machine.travel(NOW, tick=False):
        health.heartbeat_record(name=health.SWEEP)


def get_health(client, at: dt.datetime = NOW):
    with time_machine.travel(at, tick=False):
        return client.get(reverse("health"))


def closed_redis(password: str = "") -> str:
    """A Redis URL on a local port nothing listens on, with a password if asked."""
    login = f":{password}@" if password else ""
    return f"redis://{login}127.0.0.1:{free_port()}/0"


def test_all_answering_is_200_with_each_check(client, swept):
    response = get_health(client, NOW + dt.timedelta(seconds=42))

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "ok"
    assert set(answer["checks"]) == {"database", "broker", "cache", "sweep"}
    assert all(check["ok"] for check in answer["checks"].values())
    assert all(isinstance(check["ms"], int) for check in answer["checks"].values())
    assert answer["checks"]["sweep"] | {"ms": 0} == {
        "ok": True,
        "last_run": "2026-12-01T08:00:00Z",
        "age_seconds": 42,
        "ms": 0,
    }


def test_health_is_never_cached_and_answers_without_signing_in(client, swept):
    response = get_health(client)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_sweep_exactly_at_the_threshold_is_still_ok(client, swept):
    response = get_health(client, NOW + dt.timedelta(seconds=STALE))

    assert response.status_code == 200
    assert response.json()["checks"]["sweep"]["age_seconds"] == STALE


def test_a_sweep_older_than_the_threshold_is_503_with_only_the_sweep_failing(client, swept):
    response = get_health(client, NOW + dt.timedelta(seconds=STALE + 1))

    assert response.status_code == 503
    answer = response.json()
    assert answer["status"] == "failing"
    assert answer["checks"]["sweep"]["ok"] is False
    assert answer["checks"]["sweep"]["age_seconds"] == STALE + 1
    assert answer["checks"]["sweep"]["last_run"] == "2026-12-01T08:00:00Z"
    assert all(answer["checks"][name]["ok"] for name in ["database", "broker", "cache"])


def test_before_the_first_sweep_ever_the_sweep_is_failing(client):
    response = get_health(client)

    assert response.status_code == 503
    sweep = response.json()["checks"]["sweep"]
    assert (sweep["ok"], sweep["last_run"], sweep["age_seconds"]) == (False, None, None)


def test_an_unreachable_cache_is_503_naming_the_error_class_only(client, swept, settings):
    settings.CACHES = {"default": cache_from_url(closed_redis())}

    response = get_health(client)

    assert response.status_code == 503
    cache = response.json()["checks"]["cache"]
    assert (cache["ok"], cache["error"]) == (False, "ConnectionError")


def test_a_cache_that_takes_a_key_and_does_not_keep_it_is_failing(client, swept, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response = get_health(client)

    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_an_unreachable_broker_is_503_and_the_probe_gives_up_within_seconds(
    client,
    swept,
    point_app_at,  # noqa: F811  (the imported fixture)
):
    point_app_at(closed_redis())

    response = get_health(client)

    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert (broker["ok"], broker["error"]) == (False, "OperationalError")
    assert broker["ms"] < 3000


def test_the_embedded_broker_of_make_run_answers_ok(
    client,
    swept,
    point_app_at,  # noqa: F811  (the imported fixture)
    tmp_path,
    monkeypatch,
):
    queue = tmp_path / "queue"
    queue.mkdir()
    options = {"data_folder_in": str(queue), "data_folder_out": str(queue)}
    point_app_at("filesystem://")
    monkeypatch.setitem(app.conf, "broker_transport_options", options)

    assert health.run_check("broker")["ok"] is True
    queue.rmdir()
    assert health.run_check("broker") | {"ms": 0} == {
        "ok": False,
        "error": "NotADirectoryError",
        "ms": 0,
    }


def test_the_answer_carries_no_personal_data_nor_where_anything_is(
    client,
    swept,
    world,
    settings,
    point_app_at,  # noqa: F811  (the imported fixture)
):
    Person.objects.create(
        reference="PN-2026-777777", name="Zebedee Quartermaine", created_by=world.lead
    )
    # Everything failing, each error's message naming a host, a port or a password.
    settings.CACHES = {"default": cache_from_url(closed_redis(password="cache-secret"))}
    point_app_at(closed_redis(password="broker-secret"))

    ok = get_health(client).content.decode()
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        failing = client.get(reverse("health")).content.decode()

    for text in [ok, failing]:
        for absent in ["Zebedee", "Quartermaine", "PN-2026", "secret", "password", "127.0.0.1"]:
            assert absent not in text
        assert "redis" not in text.lower() and "postgres" not in text.lower()
    # Only the names the report is made of: nothing counted, nothing free-form.
    answer = json.loads(failing)
    assert [name for name, check in answer["checks"].items() if not check["ok"]] == [
        "broker",
        "cache",
        "sweep",
    ]
    assert set(answer) == {"status", "checks"}
    for check in answer["checks"].values():
        assert set(check) <= {"ok", "ms", "error", "last_run", "age_seconds"}


def test_live_answers_while_everything_else_fails(client, settings, point_app_at):  # noqa: F811
    settings.CACHES = {"default": cache_from_url(closed_redis())}
    point_app_at(closed_redis())

    response = client.get(reverse("health_live"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_the_command_prints_the_report_and_exits_0_when_the_sweep_is_fresh(swept, capsys):
    with time_machine.travel(NOW + dt.timedelta(seconds=60), tick=False):
        call_command("health", "--check", "sweep")

    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "ok"
    assert set(answer["checks"]) == {"sweep"}


def test_the_command_fails_naming_the_stale_sweep(swept, capsys):
    with (
        time_machine.travel(NOW + dt.timedelta(seconds=STALE + 1), tick=False),
        pytest.raises(CommandError, match="failing: sweep"),
    ):
        call_command("health", "--check", "sweep", "--check", "database")

    assert json.loads(capsys.readouterr().out)["checks"]["database"]["ok"] is True


def test_the_heartbeat_is_one_row_per_name():
    for moment in [NOW, NOW + dt.timedelta(minutes=1)]:
        with time_machine.travel(moment, tick=False):
            health.heartbeat_record(name=health.SWEEP)

    assert Heartbeat.objects.get().at == NOW + dt.timedelta(minutes=1)
