"""The retention schedule's lengths, the reviews of records whose retention date has passed,
and the disposals carried out (issue 21)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from .schedule import BY_KIND, Kind

User = settings.AUTH_USER_MODEL


class RetentionRuleManager(models.Manager):
    def get_by_natural_key(self, kind: str) -> "RetentionRule":
        return self.get(kind=kind)


class RetentionRule(models.Model):
    """How long one kind of record is kept, in the kind's unit (retention.schedule). One row
    per kind, seeded by the migration, changed by administrators only (retention.admin),
    never deleted. A change applies to every record of the kind from then on: the due list
    is worked out from today's length each time."""

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True, editable=False)
    length = models.PositiveIntegerField(
        "keep for",
        validators=[MinValueValidator(1, "Enter a length of at least 1"), MaxValueValidator(1200)],
    )
    note = models.CharField(
        "your organisation's reason",
        max_length=300,
        blank=True,
        help_text="Where your length differs from the default: why, and who agreed it. Shown "
        "on the data protection officer's page.",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Empty until an administrator saves the row: the length is still the default.
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = RetentionRuleManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(length__gte=1), name="retention_rule_length_at_least_one"
            )
        ]
        verbose_name = "retention period"
        verbose_name_plural = "retention schedule"

    def __str__(self) -> str:
        return self.get_kind_display()

    def natural_key(self) -> tuple[str]:
        return (self.kind,)

    @property
    def audit_reference(self) -> str:
        return self.kind

    @property
    def declared(self):
        return BY_KIND[self.kind]

    @property
    def length_text(self) -> str:
        return f"{self.length} {self.declared.unit.label}"


class Decision(models.TextChoices):
    KEEP = "keep", "Keep for now"
    HOLD = "hold", "Put on legal hold"
    RELEASE = "release", "Lift the legal hold"
    DISPOSE = "dispose", "Approve disposal"


class HoldGround(models.TextChoices):
    COURT = "court", "A court case"
    INQUIRY = "inquiry", "An inquiry or investigation"
    SUBJECT_ACCESS = "subject_access", "An open subject access request"
    OTHER = "other", "Something else"


class RetentionReview(models.Model):
    """One manager's decision on a person's records once their retention date has passed.
    Append-only (retention/migrations/0002: the audit trail's trigger refuses UPDATE and
    DELETE, and grant_app_role gives the app's role only SELECT and INSERT): the latest
    review of a person is what stands, the earlier ones are its history."""

    person = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    reason = models.TextField()
    next_review_on = models.DateField("review again on", null=True, blank=True)
    hold_ground = models.CharField(
        "why it is held", max_length=16, choices=HoldGround.choices, blank=True
    )
    hold_requested_by = models.CharField(
        "who asked for the hold",
        max_length=200,
        blank=True,
        help_text="The court, the inquiry, or the person or body who made the request.",
    )
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [
            # The due list and disposal: a person's latest review.
            models.Index(fields=["person", "-reviewed_at", "-id"], name="retention_latest_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="review_has_reason"),
            models.CheckConstraint(
                condition=~models.Q(decision="keep") | models.Q(next_review_on__isnull=False),
                name="review_keep_has_next_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="hold")
                | (~models.Q(hold_ground="") & ~models.Q(hold_requested_by="")),
                name="review_hold_has_ground_and_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.reviewed_at:%Y-%m-%d})"


class Disposal(models.Model):
    """A person's records erased: once, after the review that approved it. The person's row
    stays, anonymised, with its reference, so that the audit trail's references still lead
    somewhere and the statistics keep their counts."""

    person = models.OneToOneField("cases.Person", on_delete=models.PROTECT, related_name="+")
    review = models.OneToOneField(RetentionReview, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(default=timezone.now)
    # What went, as counts by kind of row (no values): the tombstone's detail says the same.
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-done_at"]

    def __str__(self) -> str:
        return f"Disposal {self.pk}"
