"""DocumentJob now belongs to documents (documents 0001): removed from this app's state only.

Its table is not dropped: it keeps its name, `referrals_documentjob`, and its rows.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0005_deadline_timer_met_index"),
        ("documents", "0001_document_job"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="DocumentJob")],
        ),
    ]
