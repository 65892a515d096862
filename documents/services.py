"""Writes with business rules for documents: asking a worker to prepare a long one, and
keeping an evidence document on a case."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

from cases.models import Case
from cases.services import chronology_add
from safeguard import audit

from . import evidence, tasks
from .models import DocumentJob, EvidenceDocument

logger = logging.getLogger(__name__)


def send_to_worker(job_id: str) -> bool:
    """Queue the job's rendering; with the broker unreachable, leave it queued in the
    database for documents_requeue (beat) to send once it is back. Never the lead's error."""
    try:
        tasks.render_chronology.delay(job_id)
    except (OperationalError, OSError):
        logger.warning("Document job %s not sent: broker unreachable; requeued later", job_id)
        return False
    return True


@transaction.atomic
def document_job_create(
    *, request, case: Case, date_from, date_to, password_wanted: bool, entries: int
) -> DocumentJob:
    """Queue a chronology for a worker, and record the export when it is asked for.

    The password is not kept; it is asked for again at download. The task is queued after
    commit, so that a worker never looks for a job that is not there yet; if the broker is
    down then, the job waits in the database and the beat sends it later.
    """
    job = DocumentJob(
        kind=DocumentJob.Kind.CHRONOLOGY,
        case=case,
        requested_by=request.user,
        date_from=date_from,
        date_to=date_to,
        password_wanted=password_wanted,
    )
    job.full_clean()
    job.save()
    audit.record(
        request,
        action=audit.Action.EXPORT,
        obj=case,
        detail=f"Chronology requested ({entries} entries, prepared in the background)",
    )
    transaction.on_commit(lambda: send_to_worker(str(job.pk)))
    return job


def evidence_add(*, request, case: Case, kind: str, description: str, checked, original_name: str):
    """Keep a checked upload (documents.evidence.Checked) on the case: the file in private
    storage under a random name, the row, a chronology entry naming its kind (never its file
    name or description, which may name the person) and the audit event.

    The file is written first; if the row, its chronology entry or its audit event cannot be
    saved, the file is deleted again, so that storage holds nothing the database does not
    know of.
    """
    document = EvidenceDocument(
        case=case,
        kind=kind,
        description=description,
        original_name=evidence.display_name(original_name),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        password_protected=checked.password_protected,
        uploaded_by=request.user,
    )
    document.file.name = "pending"  # full_clean wants a name; the real one comes from storage
    document.full_clean(exclude=["case", "uploaded_by"])
    storage = document.file.storage
    stored = storage.save(evidence.storage_name(checked), checked.content)
    document.file.name = stored
    try:
        with transaction.atomic():
            document.save()
            chronology_add(
                case=case,
                author=request.user,
                title=f"Evidence document added: {document.get_kind_display()}",
            )
            audit.record(
                request,
                action=audit.Action.CREATE,
                obj=document,
                detail=f"Evidence document ({document.get_kind_display()}, "
                f"{checked.extension.upper()})",
            )
    except BaseException:
        storage.delete(stored)
        raise
    return document
