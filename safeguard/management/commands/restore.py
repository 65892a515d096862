"""Restore a folder made by `manage.py backup` into an empty database and private files folder.

It refuses to write over anything: restore into a new database (`createdb`), with
SAFEGUARD_PRIVATE_FILES_DIR naming a new or empty folder. Then run `manage.py migrate` (if
this code is newer than the backup) and, on PostgreSQL, `manage.py grant_app_role` for the
app's role: the dump carries no owners and no grants, so it restores under any role names.
"""

import json
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from safeguard.backups import (
    DATABASE_FILES,
    FILES_ARCHIVE,
    MANIFEST,
    libpq_environment,
    private_files_folder,
    program,
)


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database and private files folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="a folder made by `manage.py backup`")

    def handle(self, *args, folder: Path, **options):
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            raise CommandError(f"{folder} is not a backup: it has no {MANIFEST}.")
        manifest = json.loads(manifest_path.read_text())
        if manifest["database"] != connection.vendor:
            raise CommandError(
                f"The backup is of a {manifest['database']} database; this is {connection.vendor}."
            )
        self._check_migrations(manifest["migrations"])
        if connection.introspection.table_names():
            raise CommandError(
                "The database is not empty: restore into a new one (createdb), never over data."
            )
        private = private_files_folder()
        archive = folder / FILES_ARCHIVE
        if archive.exists() and private is None:
            raise CommandError(
                "The backup holds private files, but this installation keeps them in an object "
                "store: restore them into the bucket with the store's own tools."
            )
        if archive.exists() and private.exists() and any(private.iterdir()):
            raise CommandError(f"{private} is not empty: restore the files into a new folder.")

        self._database(folder / DATABASE_FILES[connection.vendor])
        if archive.exists():
            private.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tarfile.open(archive, "r:gz") as files:
                # "data": no absolute paths, no links out of the folder, no devices.
                files.extractall(private, filter="data")
        self.stdout.write(
            f"Restored the backup made at {manifest['made_at']}. Next: `manage.py migrate`, and "
            "on PostgreSQL `manage.py grant_app_role <role>` for the app's role."
        )

    def _check_migrations(self, applied: dict[str, str]) -> None:
        known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
        unknown = [f"{app}.{name}" for app, name in applied.items() if (app, name) not in known]
        if unknown:
            raise CommandError(
                "The backup was made by a newer version of Safeguard (it has migrations this "
                f"code does not: {', '.join(unknown)}): restore it with that version."
            )

    def _database(self, dump: Path) -> None:
        if connection.vendor == "postgresql":
            restore = subprocess.run(  # noqa: S603 (pg_restore, arguments from settings)
                [
                    program("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={connection.settings_dict['NAME']}",
                    str(dump),
                ],
                env=libpq_environment(connection.settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
            if restore.returncode != 0:
                raise CommandError(f"pg_restore failed: {restore.stderr.strip()}")
        else:
            connection.ensure_connection()
            source = sqlite3.connect(dump)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
