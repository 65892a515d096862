"""Production is the default: settings are read in a fresh process with a given environment."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in [
    "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "TIME_ZONE", "USE_TZ",
    "ALLOWED_HOSTS", "SESSION_COOKIE_HTTPONLY", "X_FRAME_OPTIONS",
]} | {"CSP_DEFAULT": settings.SECURE_CSP["default-src"], "BROKER": settings.CELERY_BROKER_URL,
      "MAILER": settings.MAILERS["default"]["BACKEND"]}))
"""


def read_settings(probe: str = PROBE, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + probe],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "safeguard.settings", **env},
    )


def test_production_defaults_are_safe():
    result = read_settings(DJANGO_SECRET_KEY="a-real-secret-" + "k" * 40)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["ALLOWED_HOSTS"] == []
    assert values["CSP_DEFAULT"] == ["'none'"]
    assert values["TIME_ZONE"] == "Europe/London" and values["USE_TZ"] is True
    assert values["BROKER"].startswith("redis://")
    assert values["MAILER"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_refuses_to_start_without_a_secret_key():
    result = read_settings()

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_a_mistyped_switch_is_an_error_not_a_silent_default():
    result = read_settings(DJANGO_SECRET_KEY="k" * 50, DJANGO_HTTPS="ture")

    assert result.returncode != 0
    assert "DJANGO_HTTPS must be true or false, not 'ture'" in result.stderr


def test_make_run_conveniences_only_when_asked_for():
    result = read_settings(
        DJANGO_DEBUG="true", DJANGO_HTTPS="false", CELERY_BROKER_URL="filesystem://"
    )

    values = json.loads(result.stdout)
    assert values["DEBUG"] is True
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize("address", ["javascript:alert(1)", "/relative"])
def test_exit_page_address_must_be_a_web_address(address):
    result = read_settings(DJANGO_SECRET_KEY="k" * 50, SAFEGUARD_EXIT_PAGE_URL=address)

    assert result.returncode != 0
    assert "SAFEGUARD_EXIT_PAGE_URL" in result.stderr


def test_tooling_commands_run_without_the_secret_but_others_do_not():
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": "sqlite://:memory:"}

    checked = subprocess.run(
        # Its help loads the settings and every app, as the command does, without its minutes
        # of autodetection (make test runs the check itself, with the key).
        [sys.executable, "manage.py", "makemigrations", "--help"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        env=env,
    )
    served = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--plan"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        env=env,
    )

    assert checked.returncode == 0, checked.stderr
    assert "--check" in checked.stdout
    assert served.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in served.stderr


# Two people trying `make run` together: each request's transaction reads, then writes.
TWO_WRITERS = """
import json, threading, time
from django.db import connection, transaction
from safeguard.models import Team

with connection.schema_editor() as editor:
    editor.create_model(Team)
connection.close()
barrier, errors = threading.Barrier(2), []

def write(name):
    try:
        barrier.wait(timeout=10)
        with transaction.atomic():
            Team.objects.count()
            time.sleep(0.5)  # both have read before either writes
            Team.objects.create(name=name)
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(name,)) for name in ("North", "South")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=30)
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
print(json.dumps({"errors": errors, "teams": Team.objects.count(), "journal": journal}))
"""


def test_the_demo_database_makes_two_writers_at_once_take_turns(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + TWO_WRITERS],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "safeguard.settings",
            "DJANGO_SECRET_KEY": "k" * 50,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        },
    )

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome == {"errors": [], "teams": 2, "journal": "wal"}


# --- Private files: the local disk, or an object store ---------------------------------------

PRIVATE_PROBE = """
import json
from django.core.files.storage import storages
storage = storages["private"]
try:
    storage.url("photos/a.jpg")
    url = "a URL was made"
except ValueError as error:
    url = str(error)
print(json.dumps({"class": type(storage).__module__ + "." + type(storage).__name__, "url": url}
    | {name: str(getattr(storage, name, None)) for name in [
        "location", "file_permissions_mode", "directory_permissions_mode", "bucket_name",
        "endpoint_url", "region_name", "addressing_style", "default_acl", "file_overwrite",
    ]} | {"sse": getattr(storage, "object_parameters", None)}))
"""
SECRET = {"DJANGO_SECRET_KEY": "k" * 50}
NO_URL = "Private files have no URL: serve them through an access-checked view."


def read_private_storage(**env: str) -> dict:
    result = read_settings(PRIVATE_PROBE, **SECRET, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_an_object_store_private_files_are_on_the_local_disk_with_no_url(tmp_path):
    values = read_private_storage(SAFEGUARD_PRIVATE_FILES_DIR=str(tmp_path / "private"))

    assert values["class"] == "safeguard.storage.PrivateStorage"
    assert values["location"] == str(tmp_path / "private")
    assert values["file_permissions_mode"] == str(0o600)
    assert values["directory_permissions_mode"] == str(0o700)
    assert values["url"] == NO_URL


def test_with_a_bucket_private_files_go_to_the_object_store_encrypted_with_no_url():
    values = read_private_storage(
        SAFEGUARD_PRIVATE_STORAGE="s3",
        SAFEGUARD_S3_BUCKET="safeguard-private",
        SAFEGUARD_S3_ENDPOINT_URL="https://objects.example.org",
        SAFEGUARD_S3_REGION="eu-west-2",
        SAFEGUARD_S3_ADDRESSING_STYLE="path",
    )

    assert values["class"] == "safeguard.storage.PrivateS3Storage"
    assert values["bucket_name"] == "safeguard-private"
    assert values["endpoint_url"] == "https://objects.example.org"
    assert values["region_name"] == "eu-west-2" and values["addressing_style"] == "path"
    assert values["sse"] == {"ServerSideEncryption": "AES256"}
    assert values["default_acl"] == "None"  # no ACL sent: the bucket owner's only
    assert values["file_overwrite"] == "False"
    assert values["url"] == NO_URL


def test_a_bucket_alone_chooses_the_object_store_and_a_kms_key_chooses_kms():
    values = read_private_storage(
        SAFEGUARD_S3_BUCKET="safeguard-private", SAFEGUARD_S3_KMS_KEY_ID="alias/safeguard"
    )

    assert values["class"] == "safeguard.storage.PrivateS3Storage"
    assert values["sse"] == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/safeguard"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SAFEGUARD_PRIVATE_STORAGE": "s3"}, "SAFEGUARD_PRIVATE_STORAGE=s3 needs"),
        (
            {"SAFEGUARD_PRIVATE_STORAGE": "local", "SAFEGUARD_S3_BUCKET": "b"},
            "SAFEGUARD_S3_BUCKET is set but SAFEGUARD_PRIVATE_STORAGE is local",
        ),
        ({"SAFEGUARD_PRIVATE_STORAGE": "S3 please"}, "must be local or s3"),
    ],
)
def test_a_private_storage_that_does_not_add_up_refuses_to_start(env, message):
    result = read_settings(PRIVATE_PROBE, **SECRET, **env)

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "options",
    [
        {"object_parameters": {}},
        {"object_parameters": {"ServerSideEncryption": "AES256"}, "default_acl": "public-read"},
    ],
)
def test_the_object_store_refuses_to_keep_files_unencrypted_or_public(options):
    from django.core.exceptions import ImproperlyConfigured

    from safeguard.storage import PrivateS3Storage

    with pytest.raises(ImproperlyConfigured):
        PrivateS3Storage(bucket_name="safeguard-private", **options)


def test_every_task_beat_schedules_is_a_registered_task():
    # A beat entry naming a task no worker knows is never run, and nothing says so.
    from safeguard.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)
