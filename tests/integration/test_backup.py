"""Backup and restore for real: pg_dump of a database with records and a photo, restored into a
new database and files folder, and the application started on the copy shows the records."""

import io
import json
import os
import subprocess
import sys
import textwrap
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from cases import photos
from cases.models import Case, Person
from tests.storage import keep_private_files_in

from .conftest import ROOT, database_url_for_subprocesses

pytestmark = pytest.mark.integration


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def new_database():
    """An empty database beside the test database, dropped afterwards."""
    db = settings.DATABASES["default"]
    name = f"safeguard_restore_{uuid.uuid4().hex[:10]}"
    server = dict(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        dbname="postgres",
        autocommit=True,
    )
    with psycopg.connect(**server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield database_url_for_subprocesses().rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(**server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def private_dir(settings, tmp_path):
    return keep_private_files_in(settings, tmp_path / "private")


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "olive").save(out, "JPEG")
    return out.getvalue()


SHOWS_THE_RECORDS = textwrap.dedent(
    """
    import django, sys
    django.setup()
    from django.test import Client
    from safeguard.models import User
    client = Client()
    client.force_login(User.objects.get(email=sys.argv[1]))
    page = client.get(f"/cases/{sys.argv[2]}/")
    photo = client.get(f"/people/{sys.argv[3]}/photo/")
    print(page.status_code, sys.argv[4] in page.text, photo.status_code)
    sys.stdout.buffer.write(b"".join(photo.streaming_content))
    """
)


def test_a_backup_restored_into_a_new_database_shows_the_records_and_the_photo(
    transactional_db, world, private_dir, new_database, tmp_path
):
    person = Person.objects.create(
        reference="PN-B-000001", name="Backup Person", created_by=world.lead, estimated_age=30
    )
    photos.save_photo(person, SimpleUploadedFile("p.jpg", _jpeg(), "image/jpeg"))
    person.refresh_from_db()
    stored = person.photo.open("rb").read()
    case = Case.objects.create(
        reference="SG-B-000001", person=person, team=world.north, lead=world.lead
    )
    backup = tmp_path / "backup"
    source = {
        "DATABASE_URL": database_url_for_subprocesses(),
        "SAFEGUARD_PRIVATE_FILES_DIR": str(private_dir),
    }

    made = manage("backup", str(backup), env=source)

    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in backup.iterdir()) == [
        "database.dump", "manifest.json", "private-files.tar.gz"
    ]  # fmt: skip
    assert all(p.stat().st_mode & 0o077 == 0 for p in [backup, *backup.iterdir()])
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"] == "postgresql"
    assert manifest["private_files"] == "1 private file"

    restored_files = tmp_path / "restored-private"
    target = {"DATABASE_URL": new_database, "SAFEGUARD_PRIVATE_FILES_DIR": str(restored_files)}
    restored = manage("restore", str(backup), env=target)
    assert restored.returncode == 0, restored.stderr
    # The copy is at the code's migrations: the application starts on it as it is.
    assert manage("migrate", "--check", env=target).returncode == 0

    shown = subprocess.run(
        [sys.executable, "-c", SHOWS_THE_RECORDS, world.lead.email, case.reference,
         person.reference, "Backup Person"],
        cwd=ROOT,
        env={**os.environ, **target, "DJANGO_SETTINGS_MODULE": "safeguard.settings",
             "DJANGO_ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr.decode()
    status_line, _, photo = shown.stdout.partition(b"\n")
    assert status_line.decode() == "200 True 200"
    assert photo == stored


def test_restore_refuses_a_database_that_holds_data(db, tmp_path, private_dir):
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "manifest.json").write_text(
        json.dumps({"made_at": "2026-12-01T08:00:00+00:00", "database": "postgresql",
                    "private_files": "no private files", "migrations": {}})
    )  # fmt: skip

    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(backup))


def test_restore_refuses_a_backup_made_by_newer_code(db, tmp_path, private_dir):
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "manifest.json").write_text(
        json.dumps({"made_at": "2027-12-01T08:00:00+00:00", "database": "postgresql",
                    "private_files": "no private files", "migrations": {"cases": "0099_future"}})
    )  # fmt: skip

    with pytest.raises(CommandError, match=r"newer version of Safeguard.*cases\.0099_future"):
        call_command("restore", str(backup))


def test_backup_never_writes_into_a_folder_that_exists(db, tmp_path):
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(tmp_path))
