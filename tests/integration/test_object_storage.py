"""Private files on an S3-compatible object store, as when web and workers run on several
hosts: a real S3-speaking server (moto's standalone server) on loopback, a fresh bucket per
test, the app pointed at it by the same environment variables production sets."""

import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases import photos
from cases.models import Case, ChronologyEntry, Concern, Person
from documents import keeping, tasks
from documents.models import DocumentJob
from safeguard.models import AuditEvent
from safeguard.settings import private_storage_from_env
from safeguard.storage import PrivateS3Storage
from tests.auth import sign_in
from tests.cases.factories import case_in
from tests.cases.test_concerns import PERSON, start, submit
from tests.documents.test_evidence import pdf_bytes
from tests.factories import UserFactory
from tests.tools import require

from .conftest import ROOT, database_url_for_subprocesses, free_port, wait_for

pytestmark = pytest.mark.integration

REGION = "eu-west-2"
# moto accepts any keys; real ones never reach a test.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _answers(endpoint: str, server: subprocess.Popen) -> bool:
    if server.poll() is not None:
        pytest.fail(f"moto's S3 server exited with {server.returncode} before answering")
    try:
        with urllib.request.urlopen(endpoint, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # any S3 answer, even a refusal, means it is listening
    except OSError:
        return False


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """moto's standalone S3 server on a free loopback port, for the whole session."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            env={**os.environ, **CREDENTIALS},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(endpoint, server), 30, f"moto's S3 server ({log})")
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass
class Bucket:
    name: str
    client: object
    env: dict

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(entry["Key"] for entry in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A new bucket, private as the README asks, and the app's private storage pointed at it:
    in this process through STORAGES, in any process it starts through the environment."""
    name = f"safeguard-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration=dict.fromkeys(
            ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"],
            True,
        ),
    )
    env = {
        "SAFEGUARD_PRIVATE_STORAGE": "s3",
        "SAFEGUARD_S3_BUCKET": name,
        "SAFEGUARD_S3_ENDPOINT_URL": s3_endpoint,
        "SAFEGUARD_S3_REGION": REGION,
        "SAFEGUARD_S3_ADDRESSING_STYLE": "path",
        **CREDENTIALS,
    }
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    settings.STORAGES = {**settings.STORAGES, "private": private_storage_from_env(env)}
    return Bucket(name, client, env)


def jpeg(colour="teal") -> SimpleUploadedFile:
    image = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(image, "JPEG")
    return SimpleUploadedFile("ana-popescu.jpg", image.getvalue(), content_type="image/jpeg")


def served(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_private_and_encrypted(bucket: Bucket, key: str, content_type: str):
    head = bucket.client.head_object(Bucket=bucket.name, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == content_type
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
    assert grants, "moto always reports the owner's grant"
    assert not [g for g in grants if g["Grantee"].get("URI") in PUBLIC_GROUPS]


# --- Web: upload, serve behind the access check, replace -------------------------------------


@pytest.mark.usefixtures("reference_data")
def test_a_photo_from_the_concern_form_is_kept_encrypted_and_private_in_the_bucket(
    bucket, client, world
):
    sign_in(client, world.frontline)
    draft, _ = start(client)
    url = reverse("cases:draft_edit", args=[draft.pk])
    client.post(url + "?step=person", PERSON)

    response = submit(client, url, photo=jpeg())

    assert response.status_code == 302
    person = Concern.objects.get().person
    assert bucket.keys() == [person.photo.name]
    assert person.photo.name.startswith("photos/") and "ana" not in person.photo.name
    assert_private_and_encrypted(bucket, person.photo.name, "image/jpeg")
    assert isinstance(storages["private"], PrivateS3Storage)

    photo_url = reverse("cases:person_photo", args=[person.reference])
    views = AuditEvent.objects.filter(action="view", object_type="person", actor=world.frontline)
    seen_before = views.count()
    shown = client.get(photo_url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert served(shown) == bucket.read(person.photo.name)
    assert views.count() == seen_before + 1

    client.force_login(UserFactory(role="frontline", teams=[world.north]))
    assert client.get(photo_url).status_code == 404


def test_an_evidence_document_is_kept_private_in_the_bucket_and_served_behind_the_check(
    bucket, client, world
):
    case = case_in(world)
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    data = pdf_bytes()

    response = client.post(
        reverse("documents:evidence_add", args=[case.reference]),
        {
            "file": SimpleUploadedFile("ana-popescu-statement.pdf", data, "application/pdf"),
            "kind": "police_statement",
            "description": "Statement to the police",
        },
    )

    assert response.status_code == 302
    document = case.evidence_documents.get()
    assert bucket.keys() == [document.file.name]
    assert document.file.name.startswith("evidence/") and "ana" not in document.file.name
    assert bucket.read(document.file.name) == data
    assert_private_and_encrypted(bucket, document.file.name, "application/pdf")
    url = reverse("documents:evidence_download", args=[case.reference, document.pk])
    assert served(client.get(url)) == data
    client.logout()
    sign_in(client, world.lead_south, secret=world.totp[world.lead_south.pk])
    assert client.get(url).status_code == 404


def test_a_replaced_photo_is_deleted_from_the_bucket_once_committed(
    bucket, world, django_capture_on_commit_callbacks
):
    person = Person.objects.create(reference="PN-S3-1", created_by=world.frontline)
    photos.save_photo(person, jpeg("red"))
    first = person.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        photos.save_photo(person, jpeg("blue"))

    person.refresh_from_db()
    assert person.photo.name != first
    assert bucket.keys() == [person.photo.name]


def test_the_object_store_never_makes_a_url(bucket, world):
    person = Person.objects.create(reference="PN-S3-2", created_by=world.frontline)
    photos.save_photo(person, jpeg())

    with pytest.raises(ValueError, match="Private files have no URL"):
        person.photo.url  # noqa: B018
    with pytest.raises(ValueError, match="Private files have no URL"):
        storages["private"].url(person.photo.name)


# --- Across processes: what one host writes another reads, and disposal ----------------------


def test_another_process_reads_the_photo_the_web_stored(bucket, transactional_db, world):
    """A process given only the environment, as a worker on another host is, finds the file."""
    person = Person.objects.create(reference="PN-S3-3", created_by=world.frontline)
    photos.save_photo(person, jpeg())

    script = (
        "import hashlib; from cases.models import Person; "
        "photo = Person.objects.get(reference='PN-S3-3').photo; "
        "print(hashlib.sha256(photo.open('rb').read()).hexdigest())"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url_for_subprocesses()},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == hashlib.sha256(bucket.read(person.photo.name)).hexdigest()


@pytest.fixture
def unused_private_dir(tmp_path, monkeypatch):
    """The local private directory a worker started after this is told of: it must stay empty
    while the storage is the bucket."""
    local = tmp_path / "private"
    monkeypatch.setenv("SAFEGUARD_PRIVATE_FILES_DIR", str(local))
    return local


def test_a_worker_prepares_a_chronology_into_the_bucket_that_the_web_serves_and_later_deletes(
    bucket, unused_private_dir, celery_worker, client, world, settings
):
    """`bucket` and `unused_private_dir` set the worker's environment, so they come first."""
    require("pdftotext", package="poppler-utils")
    settings.CHRONOLOGY_INLINE_MAX_ENTRIES = 5
    person = Person.objects.create(reference="PN-S3-W", name="Worker Test", created_by=world.lead)
    case = Case.objects.create(
        reference="SG-S3-W", person=person, team=world.north, lead=world.lead
    )
    for number in range(20):
        ChronologyEntry.objects.create(case=case, kind="note", title=f"Bucket entry {number}")
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])

    client.post(reverse("documents:chronology_pdf", args=[case.reference]), {})

    job = DocumentJob.objects.get()
    wait_for(
        lambda: DocumentJob.objects.filter(pk=job.pk, status="ready").exists(),
        90,
        "the worker to prepare the chronology",
    )
    job.refresh_from_db()
    assert bucket.keys() == [job.file.name]
    assert_private_and_encrypted(bucket, job.file.name, "application/pdf")
    assert not unused_private_dir.exists() or not any(unused_private_dir.rglob("*"))

    download = client.post(reverse("documents:document_job_download", args=[job.pk]), {})
    assert download.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=download.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Bucket entry 0" in text and "Bucket entry 19" in text

    # Past its time, the worker's disposal deletes the object, not just the row's name.
    DocumentJob.objects.filter(pk=job.pk).update(
        finished_at=job.finished_at - dt.timedelta(hours=keeping.keep_hours() + 1)
    )
    tasks.documents_expire.delay()
    wait_for(
        lambda: DocumentJob.objects.filter(pk=job.pk, status="expired").exists(),
        60,
        "the worker to expire the document",
    )
    assert bucket.keys() == []


def test_with_a_kms_key_the_store_encrypts_each_object_with_that_key(bucket):
    key_id = "arn:aws:kms:eu-west-2:123456789012:key/safeguard-test"
    storage = PrivateS3Storage(
        **private_storage_from_env({**bucket.env, "SAFEGUARD_S3_KMS_KEY_ID": key_id})["OPTIONS"]
    )

    name = storage.save("documents/kms.pdf", ContentFile(b"%PDF-1.7\n"))

    head = bucket.client.head_object(Bucket=bucket.name, Key=name)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == key_id
