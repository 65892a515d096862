"""Indexes for search (cases.selectors.search, issue 22), which matches each word a lead types
against people's names and aliases (icontains) and people's and cases' references (iexact).

On PostgreSQL, Django writes icontains as UPPER(column::text) LIKE UPPER('%word%') and iexact
as UPPER(column::text) = UPPER('word'). A trigram GIN index on UPPER(name) and on
UPPER(aliases) serves the LIKE, whatever the word's place in the name; a B-tree on
UPPER(reference) (declared on the models, so on SQLite too) serves the equality.

pg_trgm is PostgreSQL-only; SQLite (`make run`) keeps icontains without an index. The
extension is created here, by the owner who runs migrations: pg_trgm is a trusted extension
(PostgreSQL 13 and later), so an owner holding CREATE on the database may create it without
being a superuser. The app's role needs nothing more: the planner uses the index, and the
query calls no pg_trgm function.
"""

import django.db.models.functions.text
from django.db import migrations, models

TRIGRAM = """
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX person_name_trgm_idx ON cases_person USING gin (UPPER(name) gin_trgm_ops);
    CREATE INDEX person_aliases_trgm_idx ON cases_person USING gin (UPPER(aliases) gin_trgm_ops);
"""
# The extension stays: other databases' objects, or a later migration, may use it.
TRIGRAM_REVERSE = """
    DROP INDEX IF EXISTS person_name_trgm_idx;
    DROP INDEX IF EXISTS person_aliases_trgm_idx;
"""


def on_postgresql(statement):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_reporter_updates")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                django.db.models.functions.text.Upper("reference"),
                name="case_reference_upper_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                django.db.models.functions.text.Upper("reference"),
                name="person_reference_upper_idx",
            ),
        ),
        migrations.RunPython(on_postgresql(TRIGRAM), on_postgresql(TRIGRAM_REVERSE)),
    ]
