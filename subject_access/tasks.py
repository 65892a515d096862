"""Subject access bundles built by a worker, like the long documents (documents.tasks)."""

import datetime as dt
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone

from documents import keeping
from safeguard import audit

from . import build
from .models import Bundle

logger = logging.getLogger(__name__)

# A bundle still queued or building after this was lost (broker down, worker killed).
ABANDONED_AFTER = dt.timedelta(minutes=30)
REQUEUE_AFTER = dt.timedelta(minutes=1)


@shared_task(acks_late=True)
def build_bundle(bundle_id: str) -> str:
    """Build a bundle into private storage. Claimed first, so that a redelivered or duplicated
    message builds it once; the build is an export, audited by reference with counts."""
    claimed = Bundle.objects.filter(pk=bundle_id, status=Bundle.Status.QUEUED).update(
        status=Bundle.Status.BUILDING, started_at=timezone.now()
    )
    if not claimed:
        return "not queued"
    bundle = Bundle.objects.select_related("request", "request__person", "requested_by").get(
        pk=bundle_id
    )
    try:
        built = build.build(bundle)
        bundle.file.save(f"{bundle.pk}.zip", ContentFile(built.content), save=False)
    except Exception as error:
        # The kind of fault only: the record's text stays out of the log.
        logger.exception("Subject access bundle %s failed", bundle.pk)
        Bundle.objects.filter(pk=bundle.pk).update(
            status=Bundle.Status.FAILED,
            error=type(error).__name__[:200],
            finished_at=timezone.now(),
        )
        return "failed"
    Bundle.objects.filter(pk=bundle.pk, status=Bundle.Status.BUILDING).update(
        status=Bundle.Status.READY,
        file=bundle.file.name,
        records=built.records,
        files=built.files,
        redacted=built.redacted,
        finished_at=timezone.now(),
    )
    audit.record(
        action=audit.Action.EXPORT,
        actor=bundle.requested_by,
        obj=bundle,
        detail=(
            f"Subject access bundle built ({built.records} records, {built.files} files, "
            f"{built.redacted} items redacted)"
        ),
    )
    return "ready"


@shared_task
def bundles_requeue() -> int:
    """Send again the bundles still waiting for a worker; fail those a dead worker left; delete
    the drafts never released once their time is up."""
    now = timezone.now()
    keep = dt.timedelta(hours=keeping.keep_hours())
    for bundle in Bundle.objects.filter(status=Bundle.Status.READY, finished_at__lt=now - keep):
        if bundle.file:
            bundle.file.storage.delete(bundle.file.name)
        Bundle.objects.filter(pk=bundle.pk, status=Bundle.Status.READY).update(
            status=Bundle.Status.EXPIRED, file=""
        )
    Bundle.objects.filter(
        status__in=[Bundle.Status.QUEUED, Bundle.Status.BUILDING],
        created_at__lt=now - ABANDONED_AFTER,
    ).update(status=Bundle.Status.FAILED, error="Abandoned", finished_at=now)
    waiting = Bundle.objects.filter(
        status=Bundle.Status.QUEUED,
        created_at__lt=now - REQUEUE_AFTER,
        created_at__gte=now - ABANDONED_AFTER,
    ).values_list("pk", flat=True)
    sent = 0
    for bundle_id in waiting:
        build_bundle.delay(str(bundle_id))
        sent += 1
    return sent
