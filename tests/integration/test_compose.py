"""docker-compose.yml is validated by Debian's docker-compose and every command in it is checked
against this code base: no Docker engine runs here, so this is how the file cannot rot."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from django.urls import resolve

from tests.tools import require

pytestmark = pytest.mark.integration

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = {"migrate", "web", "worker", "beat"}
REQUIRED_ENV = {
    "DJANGO_SECRET_KEY": "compose-test",
    "DJANGO_ALLOWED_HOSTS": "safeguard.example.org",
    "POSTGRES_PASSWORD": "compose-test-owner-password",
    "SAFEGUARD_APP_DB_PASSWORD": "compose-test-app-password",
}


def compose(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    executable = require("docker-compose", package="docker-compose")
    return subprocess.run(
        [executable, "--file", str(ROOT / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={"PATH": os.environ["PATH"], **(env if env is not None else REQUIRED_ENV)},
    )


@pytest.fixture(scope="module")
def config() -> dict:
    resolved = compose("config")
    assert resolved.returncode == 0, resolved.stderr
    return yaml.safe_load(resolved.stdout)


@pytest.fixture(scope="module")
def services(config) -> dict:
    return config["services"]


def commands_of(service: dict) -> list[list[str]]:
    """The command lines a service runs, unwrapping `sh -c "a && b"`."""
    command = service.get("command")
    if command is None:
        return []
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in re.split(r"&&|;", argv[2])]
    return [argv]


def test_compose_file_is_valid():
    result = compose("config", "-q")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("secret", sorted(REQUIRED_ENV))
def test_compose_refuses_to_start_without_each_of_its_secrets(secret):
    result = compose("config", "-q", env={k: v for k, v in REQUIRED_ENV.items() if k != secret})

    assert result.returncode != 0
    assert f"set {secret}" in result.stderr


def test_compose_runs_web_worker_beat_postgres_and_redis(services):
    assert APP_SERVICES | {"db", "redis"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_exactly_one_beat_process(services):
    beats = [
        name
        for name, service in services.items()
        if any(argv[:4] == ["celery", "-A", "safeguard", "beat"] for argv in commands_of(service))
    ]

    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in services["beat"]


def test_app_services_use_production_settings(services):
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert "DJANGO_DEBUG" not in env, name
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:"), name


def healthcheck_of(service: dict) -> list[str]:
    """The command line a service's health check runs (compose's `$$` is a literal `$`)."""
    test = service["healthcheck"]["test"]
    if test[0] == "CMD-SHELL":
        return shlex.split(test[1].replace("$$", "$"))
    assert test[0] == "CMD", test
    return list(test[1:])


def celery(*args: str) -> subprocess.CompletedProcess:
    """The real Celery CLI, loading our app, without a broker."""
    return subprocess.run(
        [sys.executable, "-m", "celery", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def assert_command_exists(name: str, argv: list[str]) -> None:
    program = argv[0]
    if program == "python" and argv[1] == "manage.py":
        assert argv[2] in get_commands(), f"{name}: no management command {argv[2]!r}"
        # The command's own parser accepts the arguments (`--help` stops before running it).
        result = subprocess.run(
            [sys.executable, *argv[1:], "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert result.returncode == 0, f"{name}: {' '.join(argv)}\n{result.stderr}"
    elif program == "python" and argv[1] == "-c":
        compile(argv[2], f"{name} healthcheck", "exec")
    elif program == "gunicorn":
        module, _, attribute = argv[1].partition(":")
        imported = __import__(module, fromlist=["_"])
        assert callable(getattr(imported, attribute or "application")), argv
    elif program == "celery":
        result = celery(*argv[1:4], "--help")
        assert result.returncode == 0, f"{name}: {' '.join(argv)}\n{result.stderr}"
        if argv[3] == "inspect":
            listed = celery(*argv[1:4], "--list")
            assert re.search(rf"^  {argv[4]}\b", listed.stdout, re.MULTILINE), argv
    else:
        pytest.fail(f"{name}: no check for command {program!r}; add one")


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_every_service_command_exists(services, name):
    for argv in commands_of(services[name]):
        assert_command_exists(name, argv)


@pytest.mark.parametrize("name", sorted(APP_SERVICES - {"migrate"}))
def test_every_long_running_service_has_a_health_check_that_exists(services, name):
    assert_command_exists(name, healthcheck_of(services[name]))


def test_web_is_healthy_only_while_health_answers_200(services):
    """urlopen raises on a 503, so a failing /health/ makes the check fail."""
    argv = healthcheck_of(services["web"])
    assert argv[:2] == ["python", "-c"]
    code = argv[2]
    (url,) = re.findall(r"urlopen\('([^']+)'", code)
    assert resolve(urlsplit(url).path).url_name == "health"
    assert "timeout=" in code


def test_beat_is_healthy_only_while_the_sweep_runs(services):
    assert healthcheck_of(services["beat"])[1:] == ["manage.py", "health", "--check", "sweep"]


def test_worker_is_healthy_only_while_it_answers_through_the_broker(services):
    argv = healthcheck_of(services["worker"])
    assert argv[:5] == ["celery", "-A", "safeguard", "inspect", "ping"]
    # Its own node, not any worker's: another worker answering would hide this one's death.
    assert argv[argv.index("--destination") + 1] == "celery@$HOSTNAME"


def test_the_image_installs_every_program_the_services_call():
    lock = (ROOT / "requirements.lock").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "pip install --no-cache-dir -r requirements.lock" in dockerfile
    for package in ["gunicorn", "celery", "django", "psycopg"]:
        assert re.search(rf"^{package}==", lock, re.MULTILINE), package


# --- Database roles: migrations as the owner, the app as a role that owns nothing ----------


def database_login(service: dict) -> tuple[str | None, str | None, str]:
    url = urlsplit(service["environment"]["DATABASE_URL"])
    return url.username, url.password, url.path.lstrip("/")


def manage_py_commands(service: dict) -> list[list[str]]:
    return [argv[2:] for argv in commands_of(service) if argv[:2] == ["python", "manage.py"]]


def test_web_worker_and_beat_connect_as_the_app_role_and_never_see_the_owners_password(
    services,
):
    db = services["db"]["environment"]
    for name in sorted(APP_SERVICES - {"migrate"}):
        user, password, database = database_login(services[name])
        assert user and user != db["POSTGRES_USER"], name
        assert (password, database) == (
            REQUIRED_ENV["SAFEGUARD_APP_DB_PASSWORD"],
            db["POSTGRES_DB"],
        )
        assert REQUIRED_ENV["POSTGRES_PASSWORD"] not in str(services[name]), name


def test_migrate_runs_as_the_owner_then_grants_the_role_the_others_connect_as(services):
    db = services["db"]["environment"]
    migrate = services["migrate"]
    app_user, app_password, _ = database_login(services["web"])
    assert database_login(migrate) == (
        db["POSTGRES_USER"],
        REQUIRED_ENV["POSTGRES_PASSWORD"],
        db["POSTGRES_DB"],
    )

    commands = manage_py_commands(migrate)
    names = [argv[0] for argv in commands]
    assert "migrate" in names and "grant_app_role" in names
    # After the migrations, which may have added tables the grants must cover.
    assert names.index("grant_app_role") > names.index("migrate")
    grant = commands[names.index("grant_app_role")]
    assert grant[1] == app_user
    # The password it gives the role is the one the other services connect with.
    variable = grant[grant.index("--password-env") + 1]
    assert migrate["environment"][variable] == app_password


# --- Private files: one named volume that web and worker share ---------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """The final stage's instructions (what the running image is), continuations joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    instructions = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, rest = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            instructions = []
        instructions.append((keyword.upper(), rest.strip()))
    return instructions


def image_environment() -> dict[str, str]:
    """What the image's ENV sets: docker-compose config does not show it, settings read it."""
    env = {}
    for keyword, rest in dockerfile_instructions():
        if keyword == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(rest))
    return env


def read_settings_in(service: dict, expression: str) -> str:
    """`expression` (of `settings`, with `json` at hand) as safeguard/settings.py computes it
    inside this service's container, from the image's and the service's environment."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json; from django.conf import settings; print({expression})",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "safeguard.settings",
            **image_environment(),
            **service["environment"],
        },
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def private_files_dir(service: dict) -> str:
    return read_settings_in(service, "settings.PRIVATE_FILES_DIR")


def private_storage_of(service: dict) -> dict:
    return json.loads(
        read_settings_in(service, "json.dumps(settings.STORAGES['private'], default=str)")
    )


def named_volume_mounted_at(service: dict, path: str) -> str | None:
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
            named = not source.startswith(("/", ".", "~"))
        else:
            source, target = volume.get("source"), volume["target"]
            named = volume["type"] == "volume"
        if PurePosixPath(target) == PurePosixPath(path):
            return source if named else None
    return None


def test_every_app_service_keeps_private_files_on_the_same_named_volume(config):
    services = config["services"]
    mounted = {
        name: named_volume_mounted_at(services[name], private_files_dir(services[name]))
        for name in sorted(APP_SERVICES)
    }

    # A photo web stores and a chronology worker prepares land in one place...
    assert mounted["web"] is not None, mounted
    assert set(mounted.values()) == {mounted["web"]}, mounted
    # ...that is a declared volume, so recreating the containers keeps it.
    assert mounted["web"] in config["volumes"]


def test_the_image_gives_the_private_directory_to_the_user_it_runs_as(services):
    """A new named volume takes the owner of the image's directory at the same path: if the
    image lacked it, the volume would be root's and the app could not write a photo."""
    instructions = dockerfile_instructions()
    user = [rest for keyword, rest in instructions if keyword == "USER"][-1]
    private = PurePosixPath(private_files_dir(services["web"]))
    steps = [
        shlex.split(step)
        for keyword, rest in instructions
        if keyword == "RUN"
        for step in re.split(r"&&", rest)
    ]

    assert any(step[:2] == ["mkdir", "-p"] and str(private) in step[2:] for step in steps)
    assert any(
        step[:3] == ["chown", "-R", user]
        and any(private.is_relative_to(target) for target in step[3:])
        for step in steps
    )


def test_by_default_every_app_service_keeps_private_files_on_the_local_disk(services):
    chosen = {name: private_storage_of(services[name])["BACKEND"] for name in APP_SERVICES}

    assert set(chosen.values()) == {"safeguard.storage.PrivateStorage"}, chosen


def test_given_a_bucket_every_app_service_keeps_private_files_in_the_same_one():
    """Several hosts: what web stores a worker must find, so they all get the same store."""
    object_store = {
        "SAFEGUARD_S3_BUCKET": "safeguard-private",
        "SAFEGUARD_S3_REGION": "eu-west-2",
        "SAFEGUARD_S3_ENDPOINT_URL": "https://objects.example.org",
        "SAFEGUARD_S3_KMS_KEY_ID": "alias/safeguard",
    }
    resolved = compose("config", env={**REQUIRED_ENV, **object_store})
    assert resolved.returncode == 0, resolved.stderr
    services = yaml.safe_load(resolved.stdout)["services"]

    chosen = {name: private_storage_of(services[name]) for name in sorted(APP_SERVICES)}

    assert all(c == chosen["web"] for c in chosen.values()), chosen
    assert chosen["web"]["BACKEND"] == "safeguard.storage.PrivateS3Storage"
    assert chosen["web"]["OPTIONS"]["bucket_name"] == "safeguard-private"
    assert chosen["web"]["OPTIONS"]["endpoint_url"] == "https://objects.example.org"
    assert chosen["web"]["OPTIONS"]["object_parameters"] == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": "alias/safeguard",
    }
