"""Private files kept somewhere of the test's choosing, through settings.STORAGES["private"]:
the model fields look it up when used (safeguard.storage.private_files), so an override
reaches them."""

from pathlib import Path


def keep_private_files_in(settings, directory: Path) -> Path:
    """For this test (pytest-django's `settings`), the local private storage at `directory`."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "safeguard.storage.PrivateStorage",
            "OPTIONS": {"location": directory},
        },
    }
    return directory
