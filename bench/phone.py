"""`make bench`'s phone walk: a typical concern logged on a 390 x 844 screen, in Chromium.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguard_phone_bench python -m bench.phone

Its own database (the name must end in "_bench"; made and migrated if missing, reference
data loaded, one frontline user), a live server (gunicorn on loopback) and Debian's Chromium.
It counts what the flow asks of a thumb, so that runs can be compared: it does not depend on
the machine's speed or load.

The typical concern: an adult (a name and a date of birth), not in immediate danger, labour
exploitation, five signs seen (TYPICAL_SIGNS) and one note, with the when, where, setting and
account that every concern needs.

- page loads: each page the browser loads, from "Log a concern" to "Concern logged";
- fields shown: the form controls a person can see on the page as it loads (a box inside a
  closed group or a hidden reveal is not shown);
- taps: every click or tap the walk makes (a field is one tap to reach it, a checkbox or radio
  one, a date one tap per box, a select two, a button or link one, opening a group one);
- height: the page's full height in CSS pixels at 390 px wide.
"""

import datetime as dt
import io
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from safeguard.models import Role, Team, User  # noqa: E402

from .__main__ import RESULTS, _database, _server  # noqa: E402
from .measure import _free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 390, "height": 844}
EMAIL = "phone.bench@safeguard.test"
PASSWORD = "phone-bench-password-not-secret-2026"  # noqa: S105  (its own throwaway database)
TYPICAL_SIGNS = [
    "situational-documents-held",
    "situational-little-or-no-pay",
    "situational-long-hours",
    "situational-lives-at-work",
    "ilo-debt-bondage",
]
NOTED_SIGN = "situational-documents-held"
TYPICAL = (
    "a typical concern at 390 x 844: an adult, not in immediate danger, labour exploitation, "
    f"{len(TYPICAL_SIGNS)} signs seen, one note"
)

# The form controls someone can see and use: not hidden inputs, not buttons, not inside a
# closed group (whose content Chromium lays out but does not show) or a hidden reveal. A
# radio's or checkbox's own input is see-through: its label is what shows.
FIELDS_SHOWN = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter(el => !['hidden', 'submit', 'button'].includes(el.type))
  .filter(el => el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}))
  .length"""
HEIGHT = "() => document.documentElement.scrollHeight"


@dataclass
class PageFigures:
    title: str
    height: int
    fields: int
    taps: int = 0


@dataclass
class Walk:
    page: Page
    pages: list[PageFigures] = field(default_factory=list)
    loads: int = 0
    all_open: int = 0  # the signs page with every group open
    taps_before: int = 0  # on the home page, to reach "Log a concern"

    def arrived(self) -> None:
        self.page.wait_for_load_state("load")
        title = self.page.locator("h1").first.inner_text().strip()
        self.pages.append(
            PageFigures(title, self.page.evaluate(HEIGHT), self.page.evaluate(FIELDS_SHOWN))
        )

    def tap(self, locator, times: int = 1) -> None:
        locator.scroll_into_view_if_needed()
        locator.click()
        if self.pages:
            self.pages[-1].taps += times
        else:
            self.taps_before += times

    def fill(self, locator, text: str) -> None:
        self.tap(locator)
        locator.fill(text)

    def go(self, locator) -> None:
        """A button or link that loads the next page."""
        self.tap(locator)
        self.arrived()


def prepare() -> None:
    name = _database()
    with _server() as server:
        if not server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            server.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    team, _ = Team.objects.get_or_create(name="Phone bench team")
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            EMAIL, PASSWORD, full_name="Phone Bench", role=Role.FRONTLINE
        )
    user.teams.set([team])
    connection.close()


def _sign(walk: Walk, code: str) -> None:
    page = walk.page
    box = page.locator(f"input[name='ind_{code}'][value='observed']")
    if not box.is_visible():
        # Inside a closed group: open it first.
        summary = page.locator("details", has=box).locator("summary")
        walk.tap(summary)
    walk.tap(box)
    if code == NOTED_SIGN:
        walk.fill(page.locator(f"[name='note_{code}']"), "The boss keeps her passport.")


def walk_flow(page: Page, base: str, *, email: str = EMAIL, password: str = PASSWORD) -> Walk:
    """Signs in, then logs the typical concern, counting (tests/e2e/test_phone.py runs it)."""
    page.goto(f"{base}/account/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("main button[type=submit]").first.click()
    page.get_by_role("button", name="Sign out").wait_for()

    walk = Walk(page)

    def counted(frame):
        if frame == page.main_frame:
            walk.loads += 1

    page.on("framenavigated", counted)
    walk.go(page.get_by_role("link", name="Log a concern").first)

    walk.tap(page.get_by_label("No", exact=True))
    walk.go(page.locator("main button[type=submit]").first)

    walk.fill(page.get_by_label("Name", exact=True), "Ana Example")
    born = page.get_by_role("group", name="Date of birth", exact=True)
    for label, value in (("Day", "11"), ("Month", "2"), ("Year", "1994")):
        walk.fill(born.get_by_label(label, exact=True), value)
    walk.go(page.get_by_role("button", name="Continue"))

    # As tall as it gets: every group of signs open, as for someone who reads them all.
    walk.all_open = page.evaluate(
        "() => { const shut = [...document.querySelectorAll('main details:not([open])')];"
        " shut.forEach(d => d.open = true); const h = document.documentElement.scrollHeight;"
        " shut.forEach(d => d.open = false); return h; }"
    )
    seen = timezone.localtime() - dt.timedelta(hours=2)
    when = page.get_by_role("group", name="Date", exact=True)
    for label, value in (("Day", seen.day), ("Month", seen.month), ("Year", seen.year)):
        walk.fill(when.get_by_label(label, exact=True), str(value))
    walk.fill(page.get_by_label("Time (24-hour clock)"), seen.strftime("%H:%M"))
    walk.fill(page.get_by_label("Where", exact=True), "Car wash, Station Road")
    walk.tap(page.get_by_label("Setting"), times=2)
    page.get_by_label("Setting").select_option(label="Workplace")
    walk.fill(
        page.get_by_label("What you saw, heard or were told"),
        "She works every day from 7am to 9pm, sleeps in the back room and says she owes "
        "the owner for her travel.",
    )
    walk.tap(page.get_by_label("Labour exploitation"))
    for code in TYPICAL_SIGNS:
        _sign(walk, code)

    button = page.locator("main button[type=submit][value=submit], main button[value=continue]")
    walk.go(button.first)
    if page.get_by_role("heading", name="Check your answers").count():
        walk.go(page.get_by_role("button", name="Submit concern"))
    if not page.get_by_role("heading", name="Concern logged").count():
        raise RuntimeError(f"The walk did not end at 'Concern logged' but at {page.url}")
    return walk


def _serve() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "safeguard.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/account/login/", timeout=1)  # noqa: S310  (loopback)
            return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("The live server did not start")


def table(walk: Walk) -> str:
    lines = [
        "| page | height at 390 px | fields shown | taps |",
        "|---|---:|---:|---:|",
        f"| (home page: Log a concern) | | | {walk.taps_before} |",
        *(f"| {p.title} | {p.height:,} | {p.fields} | {p.taps} |" for p in walk.pages),
        f"| **whole flow** ({walk.loads} page loads) | {sum(p.height for p in walk.pages):,} | "
        f"{sum(p.fields for p in walk.pages)} | "
        f"{walk.taps_before + sum(p.taps for p in walk.pages)} |",
        "",
        f"The signs page with every group open: {walk.all_open:,} px.",
    ]
    return "\n".join(lines)


def run() -> str:
    prepare()
    server, base = _serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London", has_touch=True
            )
            walk = walk_flow(context.new_page(), base)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return table(walk)


def main() -> None:
    print(f"Logging {TYPICAL}:\n", flush=True)
    figures = run()
    print(figures)
    heading = f"## {timezone.localtime():%Y-%m-%d %H:%M} phone walk (bench/phone.py)"
    with RESULTS.open("a") as out:
        out.write(f"\n{heading}\n\n{TYPICAL[0].upper()}{TYPICAL[1:]}.\n\n{figures}\n")
    print(f"\nAdded to {RESULTS.relative_to(settings.BASE_DIR)}")


if __name__ == "__main__":
    main()
