"""Evidence documents: what a file is, decided by its content and never by its name.

An upload is taken only if its bytes are one of the five kinds a Competent Authority is sent
(PDF, JPEG, PNG, Word 97-2003, Word), whatever its name or the browser's content type say:
an HTML page renamed `.pdf`, a program, an SVG or an empty file is refused. Photos and scans
are decoded and written out afresh, so that nothing of the camera's metadata (GPS, device,
owner, the uploader's name in a comment) is kept. PDFs and Word files are kept as they came;
their checks make sure they are what they claim, not that they are harmless to open.

No ORM here: `check_evidence` takes an uploaded file and answers with what to store, or a
ValidationError saying what to fix.
"""

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from PIL import Image, ImageOps
from pypdf import PdfReader

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOC: "doc", DOCX: "docx"}
CONTENT_TYPES = tuple(EXTENSIONS)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Word 97-2003 keeps its text in a stream of this name (UTF-16 in the compound file's
# directory): an Excel or PowerPoint file, also OLE2, has none; "Macros" is where Word keeps
# VBA.
WORD_STREAM = "WordDocument".encode("utf-16-le")
MACRO_STORAGE = "Macros".encode("utf-16-le")
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

# A scan of an A3 page at 600 dpi is 70 MP; a phone photo 12 MP. 80 MP of RGBA decodes to
# 320 MB, which a worker survives; Pillow's own bomb limit (179 MP fails) is higher.
MAX_PIXELS = 80_000_000
# A Word file is a zip: what it says it unpacks to is bounded, so that a 25 MB file cannot
# claim gigabytes (a zip bomb) to whatever later opens it.
MAX_UNPACKED = 250 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
JPEG_QUALITY = 92

ALLOWED = "a PDF, JPG, PNG, DOC or DOCX"
EMPTY = "The selected file is empty"
WRONG_TYPE = f"The selected file must be {ALLOWED} file"
PDF_UNREADABLE = (
    "The selected PDF cannot be opened: it may be damaged. Save it again and upload that"
)
IMAGE_UNREADABLE = "The selected image cannot be opened: it may be damaged"
TOO_MANY_PIXELS = f"The image must be smaller than {MAX_PIXELS // 1_000_000} megapixels"
MACROS = (
    "The selected Word file contains macros, which can run code on the computer that opens "
    "it. Save it as a Word document (.docx) or a PDF without macros, and upload that"
)
ZIP_BOMB = "The selected Word file is damaged or unpacks to far more than a document could"


def too_big_message() -> str:
    return (
        f"The selected file must be smaller than {settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB"
    )


@dataclass(frozen=True)
class Checked:
    """What to store: the content (re-encoded for images), what it is, and what it weighs."""

    content: File
    content_type: str
    size: int
    sha256: str
    password_protected: bool = False

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def _size(upload) -> int:
    """The bytes really there, not the size the request declared."""
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    return size


def _digest(stream) -> str:
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


def check_evidence(upload) -> Checked:
    """What to store for `upload` (an UploadedFile), or a ValidationError saying what to fix.

    Decided from the first bytes: `%PDF-` (and pypdf reads it; a password-protected one is
    taken and says so), JPEG and PNG (Pillow decodes them whole; they are re-encoded without
    any metadata), an OLE2 compound file with a Word stream and no macros (.doc), a zip with
    `[Content_Types].xml` and `word/document.xml` whose main part is a Word document, not a
    macro-enabled one, and which does not unpack to more than MAX_UNPACKED (.docx).
    """
    size = _size(upload)
    if not size:
        _refuse(EMPTY, "empty")
    if size > settings.EVIDENCE_MAX_BYTES:
        _refuse(too_big_message(), "too_big")
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return _check_pdf(upload, size)
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _clean_image(upload)
    if head == OLE2_MAGIC:
        return _check_doc(upload, size)
    if head.startswith(ZIP_MAGIC):
        return _check_docx(upload, size)
    _refuse(WRONG_TYPE, "wrong_type")
    raise AssertionError("unreachable")


def _check_pdf(upload, size: int) -> Checked:
    try:
        reader = PdfReader(upload, strict=False)
        encrypted = reader.is_encrypted
        if not encrypted and not len(reader.pages):
            raise ValueError("no pages")
    except Exception:
        # pypdf reports a broken file as any of PdfReadError, ValueError, KeyError and more.
        _refuse(PDF_UNREADABLE, "unreadable")
    return Checked(
        content=File(upload),
        content_type=PDF,
        size=size,
        sha256=_digest(upload),
        password_protected=encrypted,
    )


def _clean_image(upload) -> Checked:
    try:
        image = Image.open(upload, formats=("JPEG", "PNG"))
    except Image.DecompressionBombError:
        _refuse(TOO_MANY_PIXELS, "too_many_pixels")
    except Exception:
        _refuse(IMAGE_UNREADABLE, "unreadable")
    with image:
        if image.width * image.height > MAX_PIXELS:
            _refuse(TOO_MANY_PIXELS, "too_many_pixels")
        fmt = image.format
        try:
            image.load()
        except Exception:
            _refuse(IMAGE_UNREADABLE, "unreadable")
        try:
            upright = ImageOps.exif_transpose(image)
        except Exception:
            upright = image.copy()
    if fmt == "JPEG":
        mode = "L" if upright.mode in ("1", "L") else "RGB"
    elif upright.mode in ("1", "L", "LA", "RGB", "RGBA"):
        mode = upright.mode
    else:
        transparent = upright.mode in ("PA", "RGBa", "La") or "transparency" in upright.info
        mode = "RGBA" if transparent else "RGB"
    converted = upright.convert(mode)
    # Rebuilt from its pixels alone: a new image has no `info`, so no EXIF, XMP, ICC profile,
    # comment or PNG text chunk can reach the encoder.
    clean = Image.frombytes(mode, converted.size, converted.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        content_type = JPEG
    else:
        clean.save(out, "PNG", optimize=True)
        content_type = PNG
    data = out.getvalue()
    if len(data) > settings.EVIDENCE_MAX_BYTES:
        _refuse(too_big_message(), "too_big")
    return Checked(
        content=ContentFile(data),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _contains(upload, needle: bytes) -> bool:
    """Whether `needle` is anywhere in the file, read a megabyte at a time."""
    upload.seek(0)
    tail = b""
    try:
        for chunk in iter(lambda: upload.read(1024 * 1024), b""):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
        return False
    finally:
        upload.seek(0)


def _check_doc(upload, size: int) -> Checked:
    # The compound file's header is one 512-byte sector; its directory names the streams.
    if size < 1024 or not _contains(upload, WORD_STREAM):
        _refuse(WRONG_TYPE, "wrong_type")
    if _contains(upload, MACRO_STORAGE):
        _refuse(MACROS, "macros")
    return Checked(content=File(upload), content_type=DOC, size=size, sha256=_digest(upload))


def _check_docx(upload, size: int) -> Checked:
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                _refuse(WRONG_TYPE, "wrong_type")
            if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED:
                _refuse(ZIP_BOMB, "zip_bomb")
            with archive.open("[Content_Types].xml") as handle:
                types = handle.read(1024 * 1024).decode("utf-8", errors="replace")
    except ValidationError:
        raise
    except Exception:
        _refuse(WRONG_TYPE, "wrong_type")
    finally:
        upload.seek(0)
    lowered = types.lower()
    if "macroenabled" in lowered or any(n.lower().endswith("vbaproject.bin") for n in names):
        _refuse(MACROS, "macros")
    if DOCX_MAIN.lower() not in lowered:
        _refuse(WRONG_TYPE, "wrong_type")
    return Checked(content=File(upload), content_type=DOCX, size=size, sha256=_digest(upload))


# --- Names -----------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def display_name(name: str, *, limit: int = 150) -> str:
    """The uploader's file name, for showing on the case only: no folders, no control or
    direction-changing characters, at most `limit` characters. Never used to decide a type or
    to name anything stored."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(_UNSAFE.sub("", name).split())
    return name[:limit] or "Unnamed file"


def storage_name(checked: Checked) -> str:
    """A name for private storage that says nothing about the person or the file."""
    return f"evidence/{uuid.uuid4().hex}.{checked.extension}"
