"""The database itself refuses to change or remove an audit event, whoever asks.

PostgreSQL (production and tests) and SQLite (`make run`) each get a trigger in their own
dialect. TRUNCATE is left alone: only a database owner can issue it, and Django's test
flush relies on it.
"""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION safeguard_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER safeguard_auditevent_append_only
    BEFORE UPDATE OR DELETE ON safeguard_auditevent
    FOR EACH ROW EXECUTE FUNCTION safeguard_audit_append_only();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS safeguard_auditevent_append_only ON safeguard_auditevent;",
    "DROP FUNCTION IF EXISTS safeguard_audit_append_only();",
]
SQLITE = [
    """
    CREATE TRIGGER safeguard_auditevent_no_update BEFORE UPDATE ON safeguard_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;
    """,
    """
    CREATE TRIGGER safeguard_auditevent_no_delete BEFORE DELETE ON safeguard_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS safeguard_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS safeguard_auditevent_no_delete;",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("safeguard", "0002_audit_event")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
