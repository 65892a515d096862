"""scripts/system-packages: the one list of Debian packages, and the script that installs them
for `make run` and `make test` (and that the Dockerfile runs), or says what to run."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration

ROOT = Path(settings.BASE_DIR)
SCRIPT = ROOT / "scripts" / "system-packages"


def run(*args: str, listing: str | None = None, as_nobody: bool = False):
    env = {"PATH": os.environ["PATH"]}
    if listing is not None:  # given on standard input: nobody may read pytest's tmp_path
        env["SAFEGUARD_SYSTEM_PACKAGES"] = "/dev/stdin"
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if as_nobody else []
    return subprocess.run(
        [*prefix, str(SCRIPT), *args],
        input=listing or "",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_every_package_make_run_and_make_test_need_is_installed_here():
    # make test ran the script before the suite: nothing is left to install.
    listed = run("--list", "run", "test").stdout.split()
    assert {"chromium", "poppler-utils", "docker-compose", "libharfbuzz-subset0"} <= set(listed)

    checked = run("run", "test")

    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == ""


def test_the_list_says_which_target_needs_each_package():
    assert run("--list", "run").stdout.split() == [
        "libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fontconfig",
        "fonts-dejavu-core",
    ]  # fmt: skip
    # make bench walks a concern in Chromium (bench/phone.py) and loads the case page with wrk.
    assert run("--list", "bench").stdout.split() == ["chromium", "wrk"]


def test_without_root_or_sudo_a_missing_package_stops_with_the_command_to_run():
    listing = "# a package no machine has\nno-such-package-for-safeguard test\n"

    result = run("test", listing=listing, as_nobody=True)

    assert result.returncode == 1
    assert "missing: no-such-package-for-safeguard" in result.stderr
    assert (
        "sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends"
        " no-such-package-for-safeguard'" in result.stderr
    )


def test_the_makefile_ci_and_the_image_all_install_from_the_one_list():
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()

    assert re.search(r"^run: install system-run", makefile, re.MULTILINE)
    assert re.search(r"^test: install system-test", makefile, re.MULTILINE)
    assert "system-packages run image &&" in dockerfile
    for text in (makefile, dockerfile, ci):
        assert "apt-get install" not in text
        assert "libpango" not in text and "poppler-utils" not in text
