"""Documents the product keeps for a while: PDFs prepared by a worker."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguard.storage import private_storage

from .evidence import EXTENSIONS

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


class EvidenceKind(models.TextChoices):
    LA_RISK_ASSESSMENT = "la_risk_assessment", "Local authority risk assessment"
    MEDICAL_REPORT = "medical_report", "GP or medico-legal report"
    POLICE_STATEMENT = "police_statement", "Police statement"
    IMMIGRATION_INTERVIEW = "immigration_interview", "Immigration interview"
    SUPPORT_PROVIDER = "support_provider", "Support provider document"
    OTHER = "other", "Other"


class EvidenceContentType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPG image"
    PNG = "image/png", "PNG image"
    DOC = "application/msword", "Word 97-2003 document"
    DOCX = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word document",
    )


class EvidenceDocument(models.Model):
    """A document uploaded to a case for the Competent Authority: an assessment, a report, a
    statement. Its type was decided by its content (documents.evidence), it is kept in private
    storage under a random name, and it is read only through the case's access check, each
    read an audit event. The uploader's file name is kept for showing on the case, never to
    decide anything or to name a file."""

    Kind = EvidenceKind
    ContentType = EvidenceContentType

    # Opaque in addresses: a number would tell how many documents the organisation holds.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="evidence_documents"
    )
    kind = models.CharField(max_length=24, choices=EvidenceKind.choices)
    description = models.CharField(max_length=500)
    original_name = models.CharField(max_length=150)
    content_type = models.CharField(max_length=80, choices=EvidenceContentType.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    password_protected = models.BooleanField(default=False)
    file = models.FileField(upload_to="evidence/", storage=private_storage)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                # settings.EVIDENCE_MAX_BYTES, the 25 MB.
                condition=models.Q(size__gte=1, size__lte=25 * 1024 * 1024),
                name="evidence_size_at_most_25mb",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=EvidenceKind.values),
                name="evidence_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(content_type__in=EvidenceContentType.values),
                name="evidence_content_type_allowed",
            ),
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="evidence_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def audit_reference(self) -> str:
        return self.case.reference

    @property
    def download_name(self) -> str:
        """A name made from the case and the document, never the uploader's."""
        extension = EXTENSIONS.get(self.content_type, "bin")
        kind = self.kind.replace("_", "-")
        return f"evidence-{self.case.reference}-{kind}-{self.pk.hex[:8]}.{extension}"
