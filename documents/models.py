"""Documents the product keeps for a while: PDFs prepared by a worker."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguard.storage import private_storage

User = settings.AUTH_USER_MODEL


class DocumentJob(models.Model):
    """A PDF too long to render in the request (a long chronology), prepared by a worker.

    Only the person who asked may download it, and only while the case still allows them to
    export it; the file is kept in private storage for a few hours, then deleted
    (`documents.tasks.documents_expire`). A password is never stored: it is asked for again
    when the file is downloaded.
    """

    class Kind(models.TextChoices):
        CHRONOLOGY = "chronology", "Case chronology"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be prepared"
        RENDERING = "rendering", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"
        EXPIRED = "expired", "Deleted after its time was up"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    password_wanted = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="documents/", blank=True, storage=private_storage)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Created by referrals (migration 0003) and kept when the model moved here, so that no
        # row moved: see documents/migrations/0001_document_job.py.
        db_table = "referrals_documentjob"
        ordering = ["-created_at"]
        indexes = [
            # documents_expire: files still in storage, and jobs a dead worker left unfinished.
            models.Index(
                fields=["created_at"],
                name="documentjob_unexpired_idx",
                condition=models.Q(status__in=["queued", "rendering", "ready"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def audit_reference(self) -> str:
        return self.case.reference
