"""What a backup folder holds (`manage.py backup`, `manage.py restore`)."""

import os
import shutil
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import CommandError

MANIFEST = "manifest.json"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
FILES_ARCHIVE = "private-files.tar.gz"


def libpq_environment(settings_dict: dict) -> dict[str, str]:
    """The libpq variables for pg_dump and pg_restore: the password never on a command line,
    where `ps` would show it to every user of the machine."""
    values = {
        "PGHOST": settings_dict.get("HOST") or "",
        "PGPORT": str(settings_dict.get("PORT") or ""),
        "PGUSER": settings_dict.get("USER") or "",
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
        "PGDATABASE": settings_dict["NAME"],
    }
    return {"PATH": os.environ.get("PATH", ""), **{k: v for k, v in values.items() if v}}


def program(name: str) -> str:
    """The path of pg_dump or pg_restore: Debian's postgresql-client, which the image has."""
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed: it comes with Debian's postgresql-client.")
    return path


def private_files_folder() -> Path | None:
    """The folder private files are kept in, or None when they are in an object store (which
    keeps them itself: turn on its versioning; a backup does not copy a bucket)."""
    storage = storages["private"]
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None
