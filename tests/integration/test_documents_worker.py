"""A long chronology is prepared by a real Celery worker on Redis, then downloaded."""

import subprocess

import pytest
from django.urls import reverse

from cases.models import Case, ChronologyEntry, Person
from documents.models import DocumentJob
from tests.auth import sign_in
from tests.storage import keep_private_files_in
from tests.tools import require

from .conftest import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def shared_private_dir(tmp_path, settings, monkeypatch):
    """One private directory for this process and the worker it starts (set before it)."""
    directory = tmp_path / "private"
    monkeypatch.setenv("SAFEGUARD_PRIVATE_FILES_DIR", str(directory))
    return keep_private_files_in(settings, directory)


def test_a_worker_prepares_a_long_chronology_that_the_lead_then_downloads(
    shared_private_dir, celery_worker, client, world, settings
):
    require("pdftotext", package="poppler-utils")
    settings.CHRONOLOGY_INLINE_MAX_ENTRIES = 5
    person = Person.objects.create(reference="PN-W-1", name="Worker Test", created_by=world.lead)
    case = Case.objects.create(reference="SG-W-1", person=person, team=world.north, lead=world.lead)
    for number in range(20):
        ChronologyEntry.objects.create(case=case, kind="note", title=f"Worker entry {number}")
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])

    response = client.post(reverse("documents:chronology_pdf", args=[case.reference]), {})

    job = DocumentJob.objects.get()
    assert response["Location"] == reverse("documents:document_job", args=[job.pk])
    wait_for(
        lambda: DocumentJob.objects.filter(pk=job.pk, status="ready").exists(),
        90,
        "the worker to prepare the chronology",
    )
    download = client.post(reverse("documents:document_job_download", args=[job.pk]), {})
    assert download.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=download.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Worker entry 0" in text
    assert "Worker entry 19" in text
    assert list(shared_private_dir.rglob("*.pdf"))  # written by the worker, in the shared place
