"""Writes with business rules for documents: asking a worker to prepare a long one."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

from cases.models import Case
from safeguard import audit

from . import tasks
from .models import DocumentJob

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
