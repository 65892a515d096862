"""A deadline's end condition and the ending event (issue 18, items 2 and 6), and the referral
clock's label saying it is the organisation's own target (item 7).

Existing rows keep their due times. Until now a recovery period ended on its day, or at the
CG decision if that came first (the CG step met it whatever the day): that is End.EARLIER, so
existing recovery periods are marked so and end exactly as they would have. Every other
existing deadline ends on its day (End.FIXED, the column default).

Renumber at merge if another 0007 lands first.
"""

from django.db import migrations, models

RECOVERY_PERIOD, EARLIER = "recovery_period", "earlier"


def existing_recovery_periods_end_as_before(apps, schema_editor):
    Deadline = apps.get_model("referrals", "Deadline")
    Deadline.objects.filter(timer=RECOVERY_PERIOD).update(end_condition=EARLIER)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0006_document_job_moves_to_documents"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="end_condition",
            field=models.CharField(
                choices=[
                    ("fixed", "fixed"),
                    ("event", "event"),
                    ("later", "later"),
                    ("earlier", "earlier"),
                ],
                default="fixed",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="deadline",
            name="event_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="deadline",
            name="timer",
            field=models.CharField(
                choices=[
                    ("refer", "Referral due (your organisation's own target)"),
                    ("rg_decision", "Reasonable Grounds decision expected"),
                    ("recovery_period", "Recovery period ends"),
                    ("cg_not_before", "Conclusive Grounds not before"),
                    ("reconsideration", "Reconsideration request window closes"),
                    ("move_on", "Move-on support ends"),
                    ("place_of_safety", "Place of safety ends"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(existing_recovery_periods_end_as_before, migrations.RunPython.noop),
    ]
