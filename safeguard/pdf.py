"""PDFs with WeasyPrint: one renderer for every document the service produces.

What every document shares lives here: the A4 page with its protective marking, reference,
"page X of Y" and who generated it when (templates/pdf/base.html and static/pdf/document.css);
tagged output, so that headings and text are readable by assistive technology; and a fetcher
that reads nothing but our own static files and the images the caller hands over.

The documents carry text people typed. Templates escape it (Django's autoescape, never
`|safe` on user text), and the fetcher is the second wall: even markup that got through
could not make the renderer read a local file or call an internal address.
"""

import io
import logging
import mimetypes
import posixpath
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Importing WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES for the whole process. We
# refuse truncated photos at upload (cases.photos) and hand the renderer only complete ones,
# so it goes back off: otherwise the upload check would depend on what was imported first.
ImageFile.LOAD_TRUNCATED_IMAGES = False

logger = logging.getLogger(__name__)

PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
# The address documents are rendered at. It resolves nowhere: the fetcher answers for it.
BASE_URL = "https://document.safeguard.invalid/"
ATTACHMENT_PREFIX = "/attachment/"
STATIC_SUFFIXES = frozenset({".css", ".woff", ".woff2", ".ttf", ".otf", ".png", ".svg"})
PDF_PASSWORD_MIN_LENGTH = 10


class FetchRefused(ValueError):
    """WeasyPrint catches this, logs it and renders without the resource."""


@dataclass
class Attachment:
    """An image the caller read itself (through the access policy) and hands to the renderer."""

    content: bytes
    media_type: str


def _static_path(name: str) -> Path | None:
    if settings.DEBUG:
        found = finders.find(name)
        return Path(found) if found else None
    try:
        path = Path(staticfiles_storage.path(name))
    except Exception:  # SuspiciousFileOperation for a path outside STATIC_ROOT
        return None
    return path if path.is_file() else None


_NO_NETWORK_SSL_CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class RestrictedFetcher(URLFetcher):
    """Our static files (by their STATIC_URL address) and the given attachments; nothing else.

    No file:, data:, http: or any other address is opened, whoever wrote it into the page.
    `refused` lists what was asked for and refused, for the tests and the log.
    """

    def __init__(self, attachments: dict[str, Attachment] | None = None):
        # URLFetcher builds urllib handlers, HTTPS included; given no SSL context it loads the
        # system's CA certificates on every render (25 ms). Nothing here is fetched over the
        # network, so it gets an empty context made once.
        super().__init__(
            ssl_context=_NO_NETWORK_SSL_CONTEXT,
            allowed_protocols=(),
            allow_redirects=False,
            fail_on_errors=False,
        )
        self.attachments = dict(attachments or {})
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        origin = urlsplit(BASE_URL)
        if (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc):
            path = posixpath.normpath(unquote(parts.path))
            if path.startswith(ATTACHMENT_PREFIX):
                attachment = self.attachments.get(path.removeprefix(ATTACHMENT_PREFIX))
                if attachment is not None:
                    return URLFetcherResponse(
                        url, attachment.content, {"Content-Type": attachment.media_type}
                    )
            elif path.startswith(settings.STATIC_URL):
                name = path.removeprefix(settings.STATIC_URL)
                static = _static_path(name) if Path(name).suffix in STATIC_SUFFIXES else None
                if static is not None:
                    media_type = mimetypes.guess_type(static.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        url, static.read_bytes(), {"Content-Type": media_type}
                    )
        self.refused.append(url)
        # The address may be anything a page held; log that something was refused, not what.
        logger.warning("PDF renderer refused to fetch a resource (scheme %s)", parts.scheme)
        raise FetchRefused("This document may only use the service's own files.")


def attachment_url(name: str) -> str:
    return f"{BASE_URL.rstrip('/')}{ATTACHMENT_PREFIX}{name}"


@dataclass(frozen=True)
class Marking:
    """What every page carries in its margins."""

    title: str
    reference: str  # the case (or referral) reference; never a person's name
    generated_by: str
    generated_at: object = None

    def as_context(self) -> dict:
        return {
            "protective_marking": PROTECTIVE_MARKING,
            "document_title": self.title,
            "document_reference": self.reference,
            "generated_by": self.generated_by,
            "generated_at": timezone.localtime(self.generated_at or timezone.now()),
        }


_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """The thread's font configuration, made once and kept. WeasyPrint makes a new one for
    every document unless given one, and Pango then finds and measures the fonts again: about
    a seventh of a long pack's rendering. Our stylesheet declares no @font-face, so nothing a
    document carries is added to it."""
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


_OPTIONS = {
    "pdf_tags": True,  # headings, paragraphs and tables tagged for assistive technology
    "custom_metadata": False,
    "pdf_identifier": None,
}


def render_document(
    template_name: str,
    context: dict,
    *,
    marking: Marking,
    attachments: dict[str, Attachment] | None = None,
    fetcher: RestrictedFetcher | None = None,
):
    """`template_name` (which extends pdf/base.html) laid out in pages: a WeasyPrint
    Document, whose pages' margin boxes the tests read."""
    fetcher = fetcher or RestrictedFetcher()
    fetcher.attachments.update(attachments or {})
    html = render_to_string(template_name, {**context, **marking.as_context()})
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.render(font_config=_font_config(), **_OPTIONS)


def render_pdf(template_name: str, context: dict, **kwargs) -> bytes:
    """The PDF for `template_name` (which extends pdf/base.html), as bytes."""
    return render_document(template_name, context, **kwargs).write_pdf(**_OPTIONS)


def download(content: bytes, filename: str) -> HttpResponse:
    """A PDF as an attachment. `filename` carries references, never a person's name."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def protect(pdf: bytes, password: str) -> bytes:
    """The same PDF, encrypted (AES-256) so that it opens only with `password`."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
