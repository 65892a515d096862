"""Subject access requests (UK GDPR Article 15): a person asks for what the organisation holds
about them. The request runs on the deadline engine's clock (Timer.SUBJECT_ACCESS); the bundle
of their records is reviewed for other people's information, every marked item decided
(redacted or released, with a reason) before the bundle may be released."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguard.storage import private_storage

User = settings.AUTH_USER_MODEL


class Requester(models.TextChoices):
    PERSON = "person", "The person themselves"
    REPRESENTATIVE = "representative", "Someone acting for them (with their authority)"
    PARENT = "parent", "A parent or carer of a child"


class SubjectAccessRequest(models.Model):
    """One request for a person's records, with its one-month clock (a Deadline row)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RELEASED = "released", "Answered: records released"
        WITHDRAWN = "withdrawn", "Withdrawn"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    team = models.ForeignKey(
        "safeguard.Team",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whose managers are told when the answer is overdue.",
    )
    handler = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", help_text="Who answers it."
    )
    requester = models.CharField("who asked", max_length=16, choices=Requester.choices)
    requester_name = models.CharField("their name, if not the person", max_length=200, blank=True)
    how_received = models.CharField(
        "how it came", max_length=200, help_text="Like “letter”, “email”, “in person”."
    )
    received_on = models.DateField("date received")
    identity_checked = models.BooleanField("their identity has been checked", default=False)
    identity_how = models.TextField("how their identity was checked", blank=True)
    identity_checked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    deadline = models.OneToOneField(
        "referrals.Deadline", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            # Checked means checked by someone, who said how.
            models.CheckConstraint(
                condition=models.Q(identity_checked=False, identity_checked_by__isnull=True)
                | (
                    models.Q(identity_checked=True, identity_checked_by__isnull=False)
                    & ~models.Q(identity_how="")
                ),
                name="sar_identity_check_whole",
            ),
            models.CheckConstraint(
                condition=models.Q(requester="person") | ~models.Q(requester_name=""),
                name="sar_representative_named",
            ),
            # Released means released by someone, at a time, with the identity checked.
            models.CheckConstraint(
                condition=~models.Q(status="released")
                | models.Q(
                    released_at__isnull=False, released_by__isnull=False, identity_checked=True
                ),
                name="sar_release_whole",
            ),
            # open_request_for: at most one open request per person.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="open"),
                name="one_open_sar_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_reference(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status != self.Status.OPEN

    def actions_for(self, user) -> frozenset:
        """As much as the person's records allow: whoever may export them may answer."""
        return self.person.actions_for(user)


class Kind(models.TextChoices):
    EXPLOITER = "exploiter", "Someone who exploited them"
    COMPANION = "companion", "Someone who was with them"
    OTHER_VICTIM = "other_victim", "Another possible victim"
    OTHER_PERSON = "other_person", "Someone else named"
    STAFF = "staff", "A member of staff or another agency's"
    FILE = "file", "A file (an upload or a photo)"


class Decision(models.TextChoices):
    REDACT = "redact", "Redact it"
    RELEASE = "release", "Release it"


class RedactionItem(models.Model):
    """One piece of the record that may be someone else's information, marked for a decision.
    It points at its source (model, row, field) rather than copying the value, so that the
    value stays where retention and disposal find it."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.PROTECT, related_name="redaction_items"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    label = models.CharField(max_length=200, help_text="Where it is, in words (no values).")
    source_model = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)
    field = models.CharField(max_length=60)
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "source_model", "source_id", "field"],
                name="one_redaction_item_per_source",
            ),
            # A decision is whole (what, why, who, when) or not made.
            models.CheckConstraint(
                condition=models.Q(
                    decision="", reason="", decided_by__isnull=True, decided_at__isnull=True
                )
                | (
                    models.Q(decision__in=["redact", "release"])
                    & ~models.Q(reason="")
                    & models.Q(decided_by__isnull=False, decided_at__isnull=False)
                ),
                name="redaction_decision_whole",
            ),
        ]
        indexes = [
            # The release check: a request's items still undecided.
            models.Index(
                fields=["request"], name="redaction_undecided_idx", condition=models.Q(decision="")
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


class Bundle(models.Model):
    """One build of a person's records (a PDF and their files in a zip), by a worker. Kept in
    private storage; downloaded only through the request's access check, each time audited.
    A bundle never released is deleted after settings.DOCUMENT_KEEP_HOURS (it is a draft); the
    released one is kept as the record of what the person was sent."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be prepared"
        BUILDING = "building", "Being prepared"
        READY = "ready", "Ready to check"
        FAILED = "failed", "Could not be prepared"
        RELEASED = "released", "Released to the person"
        EXPIRED = "expired", "Deleted after its time was up (never released)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.PROTECT, related_name="bundles"
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="subject_access/", blank=True, storage=private_storage)
    error = models.CharField(max_length=200, blank=True)
    records = models.PositiveIntegerField(default=0)
    files = models.PositiveIntegerField(default=0)
    redacted = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(status="released"),
                name="one_released_bundle_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"Bundle {self.pk}"

    @property
    def audit_reference(self) -> str:
        return self.request.reference


class Correction(models.Model):
    """A correction the person asked for: an addendum to the concern (never an edit), tied to
    the request it came with."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.PROTECT, related_name="corrections"
    )
    addendum = models.OneToOneField("cases.Addendum", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Correction {self.pk} of {self.request_id}"
