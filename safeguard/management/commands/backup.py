"""Back up the database and the private files into one new folder (README, "Backup").

PostgreSQL: `pg_dump --format=custom` of the database this process connects to, made in one
snapshot, so it is consistent while people keep working. SQLite (`make run`): SQLite's own
online backup. Private files (photos, prepared documents) on the local disk: one tar of the
folder. Private files in an object store are not copied: the store keeps them (turn on its
versioning); the manifest says so, so that nobody takes the folder for the whole of it.

The folder holds special category data about victims of crime: it is created readable by its
owner only, and it is for encrypted storage under the same controls as the database.
"""

import json
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from safeguard.backups import (
    DATABASE_FILES,
    FILES_ARCHIVE,
    MANIFEST,
    libpq_environment,
    private_files_folder,
    program,
)


class Command(BaseCommand):
    help = "Back up the database and the private files into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="a folder that does not exist yet")

    def handle(self, *args, folder: Path, **options):
        if folder.exists():
            raise CommandError(f"{folder} exists already: name a new folder for the backup.")
        folder.mkdir(mode=0o700, parents=True)
        database = self._database(folder)
        files = self._files(folder)
        manifest = {
            "made_at": timezone.now().isoformat(),
            "database": database,
            "private_files": files,
            # What the restoring code must have: the newest migration applied, by app.
            "migrations": dict(
                MigrationRecorder.Migration.objects.order_by("app", "name").values_list(
                    "app", "name"
                )
            ),
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        for path in folder.iterdir():
            path.chmod(0o600)
        self.stdout.write(f"Backed up the {database} database and {files} to {folder}")

    def _database(self, folder: Path) -> str:
        vendor = connection.vendor
        if vendor == "postgresql":
            target = folder / DATABASE_FILES["postgresql"]
            dump = subprocess.run(  # noqa: S603 (pg_dump, arguments from settings)
                [
                    program("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={target}",
                ],
                env=libpq_environment(connection.settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
            if dump.returncode != 0:
                raise CommandError(f"pg_dump failed: {dump.stderr.strip()}")
        elif vendor == "sqlite":
            target = folder / DATABASE_FILES["sqlite"]
            connection.ensure_connection()
            copy = sqlite3.connect(target)
            try:
                connection.connection.backup(copy)
            finally:
                copy.close()
        else:
            raise CommandError(f"No backup for a {vendor} database.")
        return vendor

    def _files(self, folder: Path) -> str:
        private = private_files_folder()
        if private is None:
            return "in the object store: not copied (its versioning keeps them)"
        if not private.exists():
            return "no private files"
        with tarfile.open(folder / FILES_ARCHIVE, "w:gz") as archive:
            archive.add(private, arcname=".")
        count = sum(1 for path in private.rglob("*") if path.is_file())
        return f"{count} private file{'s' if count != 1 else ''}"
