"""TRUNCATE empties a table without firing its row triggers, so 0003's refusal of UPDATE and
DELETE could be stepped round in one statement (issue 14). A statement-level trigger refuses
it too, for the owner and a superuser alike, and for a TRUNCATE that reaches the audit table
through CASCADE from the users it names.

PostgreSQL only: SQLite has no TRUNCATE, and its `DELETE FROM` without a WHERE clause still
fires 0003's row trigger because the table has one. Tests that commit (transactional_db)
empty the database between tests with TRUNCATE: tests/conftest.py lets only that flush by.
"""

from django.db import migrations

POSTGRESQL = """
    CREATE TRIGGER safeguard_auditevent_no_truncate
    BEFORE TRUNCATE ON safeguard_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION safeguard_audit_append_only();
"""
POSTGRESQL_REVERSE = (
    "DROP TRIGGER IF EXISTS safeguard_auditevent_no_truncate ON safeguard_auditevent;"
)


def on_postgresql(statement):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("safeguard", "0006_rate_limit_hits")]

    operations = [
        migrations.RunPython(on_postgresql(POSTGRESQL), on_postgresql(POSTGRESQL_REVERSE))
    ]
