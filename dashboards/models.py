"""The managers' statistics, kept per team and UK month (`dashboards.kept` fills and reads them).

Derived data: every row can be counted again from the records, and `kept.refresh` does so,
replacing them all in one transaction. They count only records outside restricted cases;
the page adds what the reader may see of restricted cases from the rows.
"""

from django.db import models
from django.db.models import Q


class KeptCount(models.Model):
    class Measure(models.TextChoices):
        # Concerns logged in the month (`key` is empty), and by age group at exploitation,
        # gender and nationality as recorded (trimmed; empty when none was).
        CONCERNS = "concerns"
        AGE_GROUP = "age_group"
        GENDER = "gender"
        NATIONALITY = "nationality"
        # Concerns naming each exploitation type (by code; empty for none).
        EXPLOITATION = "exploitation"
        # Referrals submitted in the month, by pathway.
        PATHWAY = "pathway"
        # RG and CG decisions received, by "kind:outcome".
        DECISION = "decision"
        # Referral clocks stopped by a referral in the month and first RG decisions received:
        # how many took exactly `number` microseconds (hours to referral; whole days to the
        # decision), `key` "within" when by the target. Exact values, so that medians and
        # percentiles are those the rows give.
        REFERRED = "referred"
        RG_WAIT = "rg_wait"
        # Deadlines open and past due at the month's end (or at the refresh, for the month it
        # ran in).
        OVERDUE = "overdue"

    team = models.ForeignKey("safeguard.Team", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the UK month.")
    measure = models.CharField(max_length=20, choices=Measure.choices)
    key = models.CharField(max_length=200, blank=True)
    number = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField()

    class Meta:
        # The statistics page reads a run of months, for the organisation or one team.
        indexes = [models.Index(fields=["month", "team"], name="dashboards_kept_month_team")]

    def __str__(self) -> str:
        return f"{self.measure} {self.key} {self.number} {self.month:%Y-%m}: {self.count}"


class KeptRefresh(models.Model):
    """One row: when the kept figures were last counted (the page says "as of")."""

    refreshed_at = models.DateTimeField()
    seconds = models.FloatField(help_text="How long counting them took.")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="dashboards_refresh_one")]

    def __str__(self) -> str:
        return f"Statistics counted at {self.refreshed_at:%Y-%m-%d %H:%M}"
