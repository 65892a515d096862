"""Email backends for the reminder tests: a mail server that refuses, and a worker that dies.

Use through MAILERS, e.g. ``{"default": {"BACKEND": "tests.referrals.failing_mail.EmailBackend",
"OPTIONS": {"refuse": ["mo@example.test"]}}}``.
"""

import smtplib

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(locmem.EmailBackend):
    """Refuses every message (or those to the addresses in `refuse`) as a mail server that
    is down or rejecting does; delivers the rest to the test outbox."""

    def __init__(self, *args, refuse=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.refuse = None if refuse is None else set(refuse)

    def send_messages(self, messages):
        for message in messages:
            if self.refuse is None or self.refuse & set(message.recipients()):
                raise smtplib.SMTPException("421 Service not available, try again later")
        return super().send_messages(messages)


class WorkerDied(BaseException):
    """What a SIGKILL looks like from inside the task: nothing after this point runs."""


class DyingEmailBackend(BaseEmailBackend):
    """The worker dies while handing the message over: after the claim, before any send."""

    def send_messages(self, messages):
        raise WorkerDied
