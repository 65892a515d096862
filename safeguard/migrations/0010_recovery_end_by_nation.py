"""The recovery period's end condition, and today's default length (issue 18, item 1).

The existing organisation keeps what it had: its own length (recovery_days is not touched)
and the end its deadlines had, "on its last day, or at the CG decision if earlier"; the
organisation settings page offers its nation's defaults. A new organisation gets England and
Wales's (30 days, and until the CG decision), or its nation's when an administrator adds it.
"""

from django.db import migrations, models

CHOICES = [
    ("fixed", "On its last day only"),
    ("event", "At the Conclusive Grounds decision"),
    ("later", "At least until its last day, and until the Conclusive Grounds decision"),
    ("earlier", "On its last day, or at the Conclusive Grounds decision if earlier"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("safeguard", "0009_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisationsettings",
            name="recovery_end",
            field=models.CharField(
                "the recovery period ends", choices=CHOICES, default="earlier", max_length=8
            ),
        ),
        migrations.AlterField(
            model_name="organisationsettings",
            name="recovery_end",
            field=models.CharField(
                choices=CHOICES,
                default="later",
                help_text="England and Wales and Northern Ireland: at least its last day, and "
                "until the Conclusive Grounds decision. Scotland: its last day, or the decision "
                "if earlier.",
                max_length=8,
                verbose_name="the recovery period ends",
            ),
        ),
        migrations.AlterField(
            model_name="organisationsettings",
            name="recovery_days",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="Counted from the day of the positive Reasonable Grounds decision. "
                "Today's rules: at least 30 days in England and Wales, 90 in Scotland, 45 in "
                "Northern Ireland.",
                verbose_name="recovery period (days)",
            ),
        ),
    ]
