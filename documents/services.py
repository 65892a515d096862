"""Writes with business rules for documents: asking a worker to prepare a long one."""

from django.db import transaction

from cases.models import Case
from safeguard import audit

from . import tasks
from .models import DocumentJob


@transaction.atomic
def document_job_create(
    *, request, case: Case, date_from, date_to, password_wanted: bool, entries: int
) -> DocumentJob:
    """Queue a chronology for a worker, and record the export when it is asked for.

    The password is not kept; it is asked for again at download. The task is queued after
    commit, so that a worker never looks for a job that is not there yet.
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
    transaction.on_commit(lambda: tasks.render_chronology.delay(str(job.pk)))
    return job
