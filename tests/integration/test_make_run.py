"""`make run` as a newcomer types it: the embedded stack starts, serves the sign-in page, a demo
user reaches their home page, the embedded worker runs a task, and Ctrl-C stops everything."""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from safeguard.management.commands.seed_demo import DEMO_PASSWORD
from tests.integration.conftest import free_port, wait_for

pytestmark = pytest.mark.integration

ROOT = Path(settings.BASE_DIR)


def get(opener, url: str, data: dict | None = None) -> str:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with opener.open(url, data=body, timeout=10) as response:
        return response.read().decode()


def group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def embedded_stack(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    log = tmp_path / "make-run.log"
    with log.open("wb") as output:
        stack = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}", f"VAR={tmp_path / 'var'}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack.base_url = f"http://127.0.0.1:{port}"
    stack.log = log
    stack.var = tmp_path / "var"
    try:
        yield stack
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()


LISTS_ON_SQLITE = """
from django.conf import settings
from django.test import Client
from safeguard.models import User
settings.ALLOWED_HOSTS = ["testserver"]
for email in ("lead@safeguard.test", "manager@safeguard.test"):
    client = Client()
    client.force_login(User.objects.get(email=email))
    session = client.session
    session["safeguard_mfa_enrolled"] = True
    session.save()
    for url in ("/", "/deadlines/", "/deadlines/overdue/", "/triage/", "/search/?q=a",
                "/deadlines/?page=9"):
        print("status", client.get(url).status_code)
"""


def test_make_run_serves_demo_users_runs_tasks_and_stops_on_ctrl_c(embedded_stack):
    stack = embedded_stack
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def sign_in_page():
        try:
            return get(opener, f"{stack.base_url}/account/login/")
        except OSError:
            assert stack.poll() is None, stack.log.read_text()[-3000:]
            return None

    page = wait_for(sign_in_page, 180, "make run to serve the sign-in page")
    assert "Sign in to Safeguard" in page
    assert "Password for every demo user" in stack.log.read_text()

    def sign_in_as(email: str) -> str:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = get(opener, f"{stack.base_url}/account/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "login": email, "password": DEMO_PASSWORD}
        return get(opener, f"{stack.base_url}/account/login/", form)

    home = sign_in_as("frontline@safeguard.test")
    assert "Your concerns" in home and "Frontline practitioner" in home
    # A lead must set up an authenticator app before anything else.
    enrolment = sign_in_as("lead@safeguard.test")
    assert "Set up an authenticator app" in enrolment and "QR code" in enrolment

    def shell(code: str, **kwargs) -> subprocess.CompletedProcess:
        """`manage.py shell -c code` on make run's database and embedded broker."""
        return subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env={
                **os.environ,
                "SAFEGUARD_VAR_DIR": str(stack.var),
                "DJANGO_DEBUG": "true",
                "DATABASE_URL": f"sqlite:///{stack.var / 'safeguard.sqlite3'}",
                "CELERY_BROKER_URL": "filesystem://",
            },
            **kwargs,
        )

    # A task sent on the embedded broker is run by the embedded worker.
    shell("from safeguard.tasks import ping; ping.delay('embedded')", check=True, timeout=60)
    wait_for(
        lambda: "'pong:embedded:1'" in stack.log.read_text(),
        60,
        "the embedded worker to run the task",
    )
    assert "beat: Starting..." in stack.log.read_text()

    # Each role's lists on SQLite, the demo's database: the lists' UNIONs and window counts
    # are written for PostgreSQL first, and SQLite refuses an ORDER BY inside a UNION.
    pages = shell(LISTS_ON_SQLITE, capture_output=True, text=True, timeout=120)
    assert pages.returncode == 0, pages.stderr[-3000:]
    assert re.findall(r"status (\d+)", pages.stdout) == ["200"] * 12, pages.stdout

    os.killpg(stack.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    stack.wait(timeout=30)
    wait_for(lambda: group_is_gone(stack.pid), 20, "every process of make run to stop")
