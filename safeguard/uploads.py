"""Uploads kept to the size the app takes, so that an oversized file gets a clear message.

Django streams every file over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file, however big.
This handler keeps one byte more than the largest file any form accepts and drops the rest:
the form still receives the file, finds it too big and says so (rather than the page failing),
and a 2 GB request never fills the disk.
"""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


def upload_limit() -> int:
    """The largest file any form takes (evidence documents; photos are smaller)."""
    return max(settings.EVIDENCE_MAX_BYTES, settings.PHOTO_MAX_BYTES)


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def receive_data_chunk(self, raw_data, start):
        room = upload_limit() + 1 - start
        if room > 0:
            self.file.write(raw_data[:room])

    def file_complete(self, file_size):
        # The size of what was kept, which is what the form checks (one byte over: refused).
        return super().file_complete(min(file_size, upload_limit() + 1))
