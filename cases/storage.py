from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files about people (photos): outside every public path, with no URL of their own.

    They are served only by views that go through the access policy and the audit trail;
    asking for a URL is a mistake, so it fails loudly. Readable by the service's user only.
    """

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through an access-checked view.")


def private_storage() -> PrivateStorage:
    return PrivateStorage(
        location=settings.PRIVATE_FILES_DIR,
        file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )
