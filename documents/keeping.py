"""How long a prepared document (a PDF made to be downloaded) is kept before it is deleted.

The retention schedule decides it (retention.schedule, Kind.PREPARED_DOCUMENT: a length an
administrator may change), and registers itself here in its AppConfig.ready, so that
documents imports nothing of retention. Without it, the deployment's
SAFEGUARD_DOCUMENT_KEEP_HOURS is the length.
"""

from collections.abc import Callable

from django.conf import settings

_provider: Callable[[], int] | None = None


def provide(length_in_hours: Callable[[], int]) -> None:
    global _provider
    _provider = length_in_hours


def keep_hours() -> int:
    return _provider() if _provider is not None else settings.DOCUMENT_KEEP_HOURS
