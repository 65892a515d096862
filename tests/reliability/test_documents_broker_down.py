"""A long chronology asked for while Redis is down: the lead gets the waiting page, not a
server error, and the job is sent to a worker once Redis is back (documents_requeue, beat)."""

import datetime as dt

import pytest
import redis
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, ChronologyEntry, Person
from documents import tasks
from documents.models import DocumentJob
from tests.auth import sign_in

pytestmark = pytest.mark.integration


@pytest.fixture
def long_chronology(world, settings):
    settings.CHRONOLOGY_INLINE_MAX_ENTRIES = 5
    person = Person.objects.create(reference="PN-B-1", name="Broker Test", created_by=world.lead)
    case = Case.objects.create(reference="SG-B-1", person=person, team=world.north, lead=world.lead)
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(case=case, kind="note", title=f"Entry {n}") for n in range(12)
    )
    return case


def queued_messages(server) -> int:
    return redis.Redis.from_url(server.url).llen("celery")


def test_a_long_chronology_asked_for_with_redis_down_is_sent_once_it_is_back(
    private_redis, point_app_at, long_chronology, client, world, django_capture_on_commit_callbacks
):
    point_app_at(private_redis.url)
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    private_redis.stop()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:chronology_pdf", args=[long_chronology.reference]), {}
        )

    job = DocumentJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:document_job", args=[job.pk])
    assert job.status == DocumentJob.Status.QUEUED
    assert "We are preparing it" in client.get(response["Location"]).content.decode()

    private_redis.start()
    # Not yet: a job a minute old may still be on its way; re-sending it would be harmless
    # (a worker claims it once) but is not needed.
    assert tasks.documents_requeue() == 0
    with time_machine.travel(timezone.now() + tasks.REQUEUE_AFTER + dt.timedelta(seconds=5)):
        assert tasks.documents_requeue() == 1
    assert queued_messages(private_redis) == 1

    # And a worker that takes it renders it, once.
    assert tasks.render_chronology(str(job.pk)) == "ready"
    assert tasks.render_chronology(str(job.pk)) == "not queued"


def test_requeue_leaves_claimed_and_abandoned_jobs_alone(
    private_redis, point_app_at, long_chronology, world
):
    point_app_at(private_redis.url)
    now = timezone.now()
    for status, age in [
        (DocumentJob.Status.RENDERING, dt.timedelta(minutes=5)),
        (DocumentJob.Status.READY, dt.timedelta(minutes=5)),
        (DocumentJob.Status.QUEUED, tasks.DOCUMENT_ABANDONED_AFTER + dt.timedelta(minutes=1)),
    ]:
        DocumentJob.objects.create(
            kind="chronology",
            case=long_chronology,
            requested_by=world.lead,
            status=status,
            created_at=now - age,
        )

    assert tasks.documents_requeue() == 0
    assert queued_messages(private_redis) == 0
