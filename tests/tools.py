"""A tool the tests need from the system: missing, the test fails and says how to get it.

Never a skip: a green run on a machine without the tool would hide what was not tested.
`make test` installs every package in scripts/system-packages.txt before the suite runs.
"""

import shutil

import pytest


def require(program: str, *, package: str) -> str:
    """The path of `program`, or a failure naming the Debian package that provides it."""
    path = shutil.which(program)
    if path is None:
        pytest.fail(
            f"{program} is not installed: `make test` installs it (Debian package {package},"
            " listed in scripts/system-packages.txt)",
            pytrace=False,
        )
    return path
