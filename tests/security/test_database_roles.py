"""The application connects to PostgreSQL as a role that owns nothing (issue 14): whatever a
compromised web or worker process sends, it can add to the audit trail and read it, never
rewrite, empty or drop it, and never change the schema. These tests connect as that role."""

import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection


def owner_cursor():
    return connection.cursor()


@pytest.fixture
def role_name(transactional_db):
    """A role name no other test run shares (roles belong to the whole server, and other runs
    use the same one); the role, whoever made it, is dropped afterwards with its grants."""
    if connection.vendor != "postgresql":
        pytest.fail("Database roles need PostgreSQL: run with DATABASE_URL=postgres://...")
    name = f"safeguard_app_test_{uuid.uuid4().hex[:12]}"
    yield name
    with owner_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone():
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE "{name}"')


@pytest.fixture
def app_role(role_name):
    """The app's role as a DBA would make it: it may sign in, and that is all."""
    with owner_cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role_name}" LOGIN')
    call_command("grant_app_role", role_name, verbosity=0)
    return role_name


def connect_as(role: str) -> psycopg.Connection:
    # The test server trusts local connections, so no password is needed to become the role.
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=role,
        autocommit=True,
    )


AUDIT_INSERT = """
    INSERT INTO safeguard_auditevent
        (at, action, object_type, object_id, reference, changed_fields, detail, path, request_id)
    VALUES (now(), 'view', 'case', '7', 'C-7', '[]', '', '/cases/7/', '')
    RETURNING id
"""


def audit_references() -> list[str]:
    with owner_cursor() as cursor:
        cursor.execute("SELECT reference FROM safeguard_auditevent ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def test_the_app_role_adds_audit_events_and_reads_them(app_role):
    with connect_as(app_role) as app:
        (event_id,) = app.execute(AUDIT_INSERT).fetchone()
        read = app.execute(
            "SELECT reference FROM safeguard_auditevent WHERE id = %s", [event_id]
        ).fetchone()

    assert read == ("C-7",)
    assert audit_references() == ["C-7"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE safeguard_auditevent SET detail = 'tampered'",
        "DELETE FROM safeguard_auditevent",
        "TRUNCATE safeguard_auditevent",
        "ALTER TABLE safeguard_auditevent DISABLE TRIGGER ALL",
        "ALTER TABLE safeguard_auditevent DROP COLUMN detail",
        "DROP TABLE safeguard_auditevent",
    ],
    ids=["update", "delete", "truncate", "alter-disable-trigger", "alter-drop-column", "drop"],
)
def test_the_app_role_cannot_change_empty_or_drop_the_audit_trail(app_role, statement):
    with connect_as(app_role) as app:
        app.execute(AUDIT_INSERT)

        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            app.execute(statement)

    # Refused for want of a privilege, before the append-only trigger is even asked.
    assert "permission denied" in str(refused.value) or "must be owner" in str(refused.value)
    assert audit_references() == ["C-7"]


def test_the_app_role_reads_and_writes_ordinary_tables(app_role):
    with connect_as(app_role) as app:
        app.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date)"
            " VALUES ('k', 'data', now())"
        )
        app.execute("UPDATE django_session SET session_data = 'changed' WHERE session_key = 'k'")
        read = app.execute("SELECT session_data FROM django_session").fetchall()
        app.execute("DELETE FROM django_session WHERE session_key = 'k'")

    assert read == [("changed",)]


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE safeguard_planted (id int)",
        "CREATE SCHEMA planted",
        "ALTER TABLE django_session ADD COLUMN planted text",
        "DROP TABLE django_session",
        "TRUNCATE django_session",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('safeguard', 'x', now())",
        "DELETE FROM django_migrations",
    ],
    ids=[
        "create-table",
        "create-schema",
        "alter",
        "drop",
        "truncate",
        "record-a-migration",
        "forget-migrations",
    ],
)
def test_the_app_role_cannot_change_the_schema_or_the_migration_history(app_role, statement):
    with connect_as(app_role) as app:
        # The migration check (`migrate --check`, `showmigrations`) still works.
        assert app.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0

        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute(statement)


def test_granting_again_takes_back_what_someone_added_by_hand(app_role):
    with owner_cursor() as cursor:
        cursor.execute(f'GRANT UPDATE, DELETE, TRUNCATE ON safeguard_auditevent TO "{app_role}"')

    call_command("grant_app_role", app_role, verbosity=0)

    with connect_as(app_role) as app, pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute("TRUNCATE safeguard_auditevent")


def test_the_role_is_refused_if_it_owns_anything(app_role):
    with owner_cursor() as cursor:
        cursor.execute(f'ALTER TABLE django_session OWNER TO "{app_role}"')

    try:
        with pytest.raises(CommandError, match="owns"):
            call_command("grant_app_role", app_role, verbosity=0)
    finally:
        with owner_cursor() as cursor:
            cursor.execute("ALTER TABLE django_session OWNER TO CURRENT_USER")


def test_the_role_is_refused_if_it_may_make_roles_or_databases(role_name):
    with owner_cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role_name}" LOGIN CREATEROLE')

    with pytest.raises(CommandError, match="CREATEROLE"):
        call_command("grant_app_role", role_name, verbosity=0)


def test_the_owner_is_refused_as_the_app_role(transactional_db):
    with owner_cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()

    with pytest.raises(CommandError, match="owner"):
        call_command("grant_app_role", owner, verbosity=0)


def test_the_role_can_be_made_with_a_password_from_the_environment(role_name, monkeypatch):
    monkeypatch.setenv("TEST_APP_DB_PASSWORD", "correct horse battery staple")

    call_command("grant_app_role", role_name, password_env="TEST_APP_DB_PASSWORD", verbosity=0)

    with owner_cursor() as cursor:
        cursor.execute(
            "SELECT rolcanlogin, rolsuper, rolpassword FROM pg_authid WHERE rolname = %s",
            [role_name],
        )
        can_login, superuser, stored = cursor.fetchone()
    # Hashed before it left this process: the server (and its statement log) never sees it.
    assert (can_login, superuser) == (True, False)
    assert stored.startswith("SCRAM-SHA-256$") and "correct horse" not in stored
    with connect_as(role_name) as app:
        assert app.execute(AUDIT_INSERT).fetchone()


def test_an_empty_password_variable_is_refused(role_name, monkeypatch):
    monkeypatch.setenv("TEST_APP_DB_PASSWORD", "")

    with pytest.raises(CommandError, match="TEST_APP_DB_PASSWORD"):
        call_command("grant_app_role", role_name, password_env="TEST_APP_DB_PASSWORD")
