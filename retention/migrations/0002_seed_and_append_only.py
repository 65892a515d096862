"""The schedule's rows with their defaults, and reviews made append-only.

A review is history: the database refuses to change or remove one, with the audit trail's
own trigger function (safeguard/migrations/0003), so grant_app_role gives the app's role only
SELECT and INSERT on the table, as it does for audit events. PostgreSQL only; SQLite (make
run) keeps the rule in the services, which only ever add a review.
"""

from django.db import migrations

# As retention.schedule declared them when this migration was written: a later change of a
# default there does not change rows already seeded.
DEFAULTS = {
    "concern_nfa": 24,
    "concern_signposted": 36,
    "case_adult": 72,
    "case_child": 120,
    "draft": 30,
    "prepared_document": 8,
    "directory_person": 24,
    "audit_event": 72,
}

POSTGRESQL = [
    """
    CREATE TRIGGER retention_retentionreview_append_only
    BEFORE UPDATE OR DELETE ON retention_retentionreview
    FOR EACH ROW EXECUTE FUNCTION safeguard_audit_append_only();
    """,
    """
    CREATE TRIGGER retention_retentionreview_no_truncate
    BEFORE TRUNCATE ON retention_retentionreview
    FOR EACH STATEMENT EXECUTE FUNCTION safeguard_audit_append_only();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS retention_retentionreview_append_only ON retention_retentionreview;",
    "DROP TRIGGER IF EXISTS retention_retentionreview_no_truncate ON retention_retentionreview;",
]


def seed(apps, schema_editor):
    from django.conf import settings

    rule = apps.get_model("retention", "RetentionRule")
    # A deployment that set how long prepared documents are kept starts with its own length.
    lengths = {**DEFAULTS, "prepared_document": settings.DOCUMENT_KEEP_HOURS}
    for kind, length in lengths.items():
        rule.objects.get_or_create(kind=kind, defaults={"length": length})


def on_postgresql(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_schedule"), ("safeguard", "0007_audit_refuse_truncate")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(on_postgresql(POSTGRESQL), on_postgresql(POSTGRESQL_REVERSE)),
    ]
