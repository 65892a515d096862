"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
around it are synchronous on purpose, hence DJANGO_ALLOW_ASYNC_UNSAFE (set before Django
connects). No browser is ever downloaded: `.ci/run` installs Debian's `chromium`.

Every step a journey takes (`journey.step("...")`) keeps a screenshot in memory; if the test
fails they are written, with the page as it was at the end, to
var/test-artefacts/e2e/<test name>/.
"""

import io
import os
import re
import shutil
import time
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from playwright.sync_api import Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from safeguard.choices import Nation
from safeguard.models import OrganisationSettings
from tests.auth import totp_code
from tests.factories import TEST_PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("SAFEGUARD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = Path(settings.BASE_DIR) / "var" / "test-artefacts" / "e2e"
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Read by the `journey` fixture's teardown: keep screenshots only when the test failed.
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, with static files served by WhiteNoise from
    STATIC_ROOT (`make test` runs collectstatic first) as in production: the default
    handler finds files by their source names and misses the manifest's hashed ones."""
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = _without_static_handler
    server.start()
    yield server
    server.stop()


def _without_static_handler(app):
    return app


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: `apt-get install chromium` (.ci/run does)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Journey:
    """A browser context for one test, its pages' screenshots, and signing in as a person does."""

    def __init__(self, browser, base_url: str, *, javascript: bool = True):
        self.base_url = base_url
        self.context = browser.new_context(
            base_url=base_url,
            java_script_enabled=javascript,
            locale="en-GB",
            timezone_id="Europe/London",
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        self.context.set_default_timeout(10_000)
        self.page: Page = self.context.new_page()
        self.shots: list[tuple[str, bytes]] = []

    def step(self, name: str) -> None:
        """Marks a step: its screenshot is kept in case the test fails later."""
        self.shots.append((name, self.page.screenshot(full_page=True)))

    def goto(self, path: str) -> None:
        self.page.goto(path)

    def submit(self, text: str | None = None) -> None:
        """Clicks the main form's submit button (the header has "Sign out" too)."""
        buttons = self.page.locator("main button[type=submit]")
        (buttons.filter(has_text=text) if text else buttons).first.click()

    def sign_in(self, user, *, secret: str | None = None, password: str = TEST_PASSWORD):
        page = self.page
        if not re.search(r"/account/login/", page.url):
            page.goto("/account/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password", exact=True).fill(password)
        self.submit("Sign in")
        if secret:
            # A code is good for its own 30 seconds only: never type one about to change.
            if time.time() % 30 > 27:
                time.sleep(30.5 - time.time() % 30)
            page.get_by_label("Security code").fill(totp_code(secret))
            self.submit("Continue")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    def session(self) -> SessionStore:
        """This browser's server-side session."""
        cookie = next(c for c in self.context.cookies() if c["name"] == "sessionid")
        return SessionStore(session_key=cookie["value"])

    def save_artefacts(self, name: str) -> Path:
        folder = ARTEFACTS / re.sub(r"[^\w.-]+", "_", name)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for n, (step, png) in enumerate(self.shots, start=1):
            (folder / f"{n:02d}-{re.sub(r'[^\w.-]+', '_', step)[:60]}.png").write_bytes(png)
        try:
            self.page.screenshot(path=folder / "99-at-failure.png", full_page=True)
            (folder / "99-at-failure.html").write_text(self.page.content())
        except Exception as error:  # the page itself may be what failed
            (folder / "99-at-failure.txt").write_text(f"No final screenshot: {error}\n")
        return folder

    def close(self) -> None:
        self.context.close()


def _journey_fixture(javascript: bool):
    @pytest.fixture
    def fixture(request, browser, live_server, reference_data):
        journey = Journey(browser, live_server.url, javascript=javascript)
        yield journey
        failed = any(
            getattr(request.node, f"report_{when}", None) is not None
            and getattr(request.node, f"report_{when}").failed
            for when in ("setup", "call")
        )
        if failed:
            folder = journey.save_artefacts(request.node.name)
            print(f"\nScreenshots of each step: {folder}")
        journey.close()

    return fixture


journey = _journey_fixture(javascript=True)
journey_without_js = _journey_fixture(javascript=False)


@pytest.fixture
def reference_data(transactional_db):
    """Indicators, exploitation types and national contacts, as `make run` loads them.

    The live server's database is emptied after each test, rows made by migrations too, so
    the directory's tags (contacts migration 0002) are made again first."""
    import_module("contacts.migrations.0002_tags").create_tags(apps, None)
    call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture
def organisation(transactional_db):
    organisation = OrganisationSettings.load()
    organisation.nation = Nation.ENGLAND_AND_WALES
    organisation.is_first_responder = True
    organisation.holds_duty_to_notify = True
    organisation.save()
    return organisation


@pytest.fixture
def expire_session():
    """Moves a browser's session back past the idle timeout, as half an hour away would."""

    def expire(journey: Journey) -> None:
        session = journey.session()
        session["safeguard_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT - 60
        session.save()

    return expire
