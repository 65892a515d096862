"""Private files (photos of people, prepared documents): where they are kept, never a URL.

settings.STORAGES["private"] chooses the place from the environment: a directory on the
local disk (`make run`, and one host with a volume every service mounts) or an S3-compatible
bucket (web and workers on several hosts). Either way a file is served only by a view that
has gone through the access policy and written its audit event, so neither storage will make
a URL, public or pre-signed: asking for one is a mistake, and it fails loudly.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from storages.backends.s3 import S3Storage

NO_URL = "Private files have no URL: serve them through an access-checked view."

# Canned ACLs that give no one but the bucket's owner any access. A bucket whose ACLs are
# disabled (Object Ownership "bucket owner enforced", AWS's default) refuses every other one.
PRIVATE_ACLS = (None, "private", "bucket-owner-full-control")
ENCRYPTIONS = ("AES256", "aws:kms", "aws:kms:dsse")


class PrivateStorage(FileSystemStorage):
    """A directory outside every public path, readable by the service's user only."""

    def __init__(self, location=None, **options):
        options.setdefault("file_permissions_mode", 0o600)
        options.setdefault("directory_permissions_mode", 0o700)
        super().__init__(location=location, **options)

    def url(self, name):
        raise ValueError(NO_URL)


class PrivateS3Storage(S3Storage):
    """A bucket that blocks public access: objects sent with no ACL (so the owner's only),
    encrypted at rest by the store (ServerSideEncryption in object_parameters, required),
    and never overwritten (a clash gets a new name, as on disk)."""

    default_acl = None
    file_overwrite = False

    def __init__(self, **options):
        super().__init__(**options)
        if self.default_acl not in PRIVATE_ACLS:
            raise ImproperlyConfigured(
                f"Private files must not be given the {self.default_acl!r} ACL."
            )
        if self.object_parameters.get("ServerSideEncryption") not in ENCRYPTIONS:
            raise ImproperlyConfigured(
                "Private files must be stored with ServerSideEncryption "
                f"({', '.join(ENCRYPTIONS)}) in object_parameters."
            )

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(NO_URL)


class _PrivateFiles(LazyObject):
    """storages["private"], looked up when first used rather than when a model is imported,
    so that a test's STORAGES (override_settings) reaches the model fields too."""

    def _setup(self):
        self._wrapped = storages["private"]


private_files = _PrivateFiles()


@receiver(setting_changed)
def _forget_private_files(*, setting, **kwargs):
    # Django empties its own storages handler on this signal; the proxy must follow it.
    if setting == "STORAGES":
        private_files._wrapped = empty


def private_storage():
    """The `storage=` of every private FileField. Migrations name this function, so it stays
    here under this name."""
    return private_files
