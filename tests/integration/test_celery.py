import re

import pytest

from safeguard.celery import app
from safeguard.tasks import ping
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_celery_is_configured_for_json_only():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.timezone == "Europe/London"


def test_ping_task_body_reaches_the_database(db):
    assert ping("direct") == "pong:direct:1"


def test_a_real_worker_on_redis_runs_a_task(celery_worker):
    result = ping.delay("via-redis")

    # The worker logs each task's return value: proof it ran there, through Redis and the
    # database, not in this process.
    line = re.compile(
        rf"Task safeguard\.tasks\.ping\[{result.id}\] succeeded in [\d.]+s: 'pong:via-redis:1'"
    )
    wait_for(lambda: line.search(celery_worker.log.read_text()), 60, "the worker to run ping")
