"""The file email backend behind a slow mail server: it waits before it writes each batch.

For the SIGKILL test: a worker killed during the wait has claimed a reminder ("sending") and
sent nothing, which is the crash the sweep's catch-up exists for. The wait comes from
SAFEGUARD_SLOW_MAIL_SECONDS (0.3 s by default). Files go where the file backend's would:
SAFEGUARD_VAR_DIR/mail.
"""

import os
import time

from django.conf import settings
from django.core.mail.backends import filebased


class EmailBackend(filebased.EmailBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, file_path=file_path or str(settings.VAR_DIR / "mail"), **kwargs)
        self.delay = float(os.environ.get("SAFEGUARD_SLOW_MAIL_SECONDS", "0.3"))

    def send_messages(self, messages):
        time.sleep(self.delay)
        return super().send_messages(messages)
