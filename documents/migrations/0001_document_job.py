"""DocumentJob moves here from referrals, in the state only.

The table (`referrals_documentjob`), its rows and its index stay where referrals created them
(referrals 0003); referrals 0006 removes the model from its own state after this one.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import safeguard.storage


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0002_risk_not_known"),
        ("referrals", "0005_deadline_timer_met_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="DocumentJob",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("chronology", "Case chronology")], max_length=12
                            ),
                        ),
                        ("date_from", models.DateField(blank=True, null=True)),
                        ("date_to", models.DateField(blank=True, null=True)),
                        ("password_wanted", models.BooleanField(default=False)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Waiting to be prepared"),
                                    ("rendering", "Being prepared"),
                                    ("ready", "Ready"),
                                    ("failed", "Could not be prepared"),
                                    ("expired", "Deleted after its time was up"),
                                ],
                                default="queued",
                                max_length=10,
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                blank=True,
                                storage=safeguard.storage.private_storage,
                                upload_to="documents/",
                            ),
                        ),
                        ("error", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="cases.case",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "referrals_documentjob",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(
                                    ("status__in", ["queued", "rendering", "ready"])
                                ),
                                fields=["created_at"],
                                name="documentjob_unexpired_idx",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
