"""Documents too long to render in a request, prepared by a worker; and their expiry (beat)."""

import datetime as dt
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone

from . import keeping, pdfs
from .models import DocumentJob

logger = logging.getLogger(__name__)

# A job still queued or rendering after this was lost (broker down, worker killed).
DOCUMENT_ABANDONED_AFTER = dt.timedelta(minutes=30)
# A job still queued after this may never have reached the broker (it was down when the job
# was asked for): it is sent again. A second message is harmless, as a worker claims a job once.
REQUEUE_AFTER = dt.timedelta(minutes=1)


# Both tasks were referrals.tasks.* before documents was split out of referrals: they keep
# those names, so that a message queued under the old name during a deploy still runs, and
# the beat schedule names them so (safeguard/settings.py).
@shared_task(name="referrals.tasks.render_chronology", acks_late=True)
def render_chronology(job_id: str) -> str:
    """Render a DocumentJob's chronology into private storage. Claimed first, so that a
    redelivered or duplicated message renders it once."""
    claimed = DocumentJob.objects.filter(pk=job_id, status=DocumentJob.Status.QUEUED).update(
        status=DocumentJob.Status.RENDERING, started_at=timezone.now()
    )
    if not claimed:
        return "not queued"
    job = DocumentJob.objects.select_related("case", "case__person", "requested_by").get(pk=job_id)
    try:
        content = pdfs.chronology_pdf(
            job.case, job.date_from, job.date_to, generated_by=job.requested_by
        )
        job.file.save(f"{job.pk}.pdf", ContentFile(content), save=False)
    except Exception as error:
        # The message names the kind of fault only: a chronology's text stays out of the log.
        logger.exception("Chronology job %s failed", job.pk)
        DocumentJob.objects.filter(pk=job.pk).update(
            status=DocumentJob.Status.FAILED,
            error=type(error).__name__[:200],
            finished_at=timezone.now(),
        )
        return "failed"
    DocumentJob.objects.filter(pk=job.pk, status=DocumentJob.Status.RENDERING).update(
        status=DocumentJob.Status.READY, file=job.file.name, finished_at=timezone.now()
    )
    return "ready"


@shared_task(name="referrals.tasks.documents_expire")
def documents_expire() -> int:
    """Delete prepared documents after their time, and fail jobs a dead worker abandoned."""
    now = timezone.now()
    DocumentJob.objects.filter(
        status__in=[DocumentJob.Status.QUEUED, DocumentJob.Status.RENDERING],
        created_at__lt=now - DOCUMENT_ABANDONED_AFTER,
    ).update(status=DocumentJob.Status.FAILED, error="Abandoned", finished_at=now)
    expired = 0
    keep = dt.timedelta(hours=keeping.keep_hours())
    for job in DocumentJob.objects.filter(
        status=DocumentJob.Status.READY, finished_at__lt=now - keep
    ):
        if job.file:
            job.file.storage.delete(job.file.name)
        DocumentJob.objects.filter(pk=job.pk).update(status=DocumentJob.Status.EXPIRED, file="")
        expired += 1
    return expired


@shared_task(name="documents.tasks.documents_requeue")
def documents_requeue() -> int:
    """Send again the jobs still waiting for a worker, as when the broker was down when they
    were asked for; the ones waiting too long are documents_expire's to fail."""
    now = timezone.now()
    waiting = DocumentJob.objects.filter(
        status=DocumentJob.Status.QUEUED,
        created_at__lt=now - REQUEUE_AFTER,
        created_at__gte=now - DOCUMENT_ABANDONED_AFTER,
    ).values_list("pk", flat=True)
    sent = 0
    for job_id in waiting:
        render_chronology.delay(str(job_id))
        sent += 1
    return sent
