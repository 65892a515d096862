"""Photos of people: checked by their content, re-encoded without metadata, stored privately.

A photo of a potential victim can carry where and when it was taken (EXIF GPS), the device
and its owner, and the uploader's file name, which is often the person's name. None of that
survives: the pixels are decoded and written out afresh as a JPEG with a random name.
"""

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

from .models import Person

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Far above any phone camera (a 48 MP sensor saves 12 MP by default), far below what it takes
# to exhaust a worker's memory; a 40 MP RGB image decodes to 120 MB. Pillow's own
# decompression-bomb limit (89 MP warns, 179 MP fails) is higher, so ours is the one that bites.
MAX_PIXELS = 40_000_000
MAX_SIDE = 2000
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"

EMPTY = "The selected file is empty"
WRONG_TYPE = "The selected file must be a JPG, PNG or WebP photo"
TOO_MANY_PIXELS = f"The photo must be smaller than {MAX_PIXELS // 1_000_000} megapixels"


def _too_big_message() -> str:
    limit = settings.PHOTO_MAX_BYTES
    if limit >= 1024 * 1024:
        return f"The photo must be smaller than {limit / (1024 * 1024):g} MB"
    return f"The photo must be smaller than {limit / 1024:g} KB"


def _read_at_most(upload, limit: int) -> bytes:
    """The upload's bytes, or one more than `limit` if it is bigger: its declared size is not
    trusted and a huge file is never read whole."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(limit + 1)


def clean_photo(upload) -> ContentFile:
    """A metadata-free JPEG of an uploaded photo, or a ValidationError saying what to fix.

    Refused: files bigger than settings.PHOTO_MAX_BYTES; anything Pillow cannot decode,
    completely, as a JPEG, PNG or WebP, whatever its name or content type says (text, SVG,
    PDF, GIF, a truncated image); and images of more than MAX_PIXELS. Accepted photos are
    turned upright by their EXIF orientation, shrunk to at most MAX_SIDE pixels on their
    longest side, put on white where transparent, and saved as a new JPEG: no EXIF (so no GPS
    or camera details), no XMP, no ICC profile, no PNG text. The name is random.
    """
    data = _read_at_most(upload, settings.PHOTO_MAX_BYTES)
    if not data:
        raise ValidationError(EMPTY, code="empty")
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise ValidationError(_too_big_message(), code="too_big")

    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from None
    except Exception:
        # Pillow reports unreadable input as any of OSError, SyntaxError, ValueError,
        # struct.error and more: whatever it is, the file is not a photo we can take.
        raise ValidationError(WRONG_TYPE, code="wrong_type") from None
    with image:
        # Checked from the header, before a single pixel is decoded.
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
        try:
            if image.format == "JPEG":
                # Decode big JPEGs at a reduced scale straight away: less memory, same result.
                image.draft(None, (MAX_SIDE, MAX_SIDE))
            image.load()
        except Exception:
            raise ValidationError(WRONG_TYPE, code="wrong_type") from None
        try:
            upright = ImageOps.exif_transpose(image)
        except Exception:
            # Garbled EXIF is the camera's fault, not the person's: keep the photo, unturned.
            upright = image.copy()
    upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)

    # A new image has no `info`, so nothing from the upload (exif, icc_profile, xmp, text
    # chunks) can be carried into the output by the encoder.
    clean = Image.new("RGB", upright.size, "white")
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    if has_alpha:
        rgba = upright.convert("RGBA")
        clean.paste(rgba, mask=rgba.getchannel("A"))
    else:
        clean.paste(upright.convert("RGB"))

    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def save_photo(person: Person, upload) -> None:
    """Check and clean the upload, store it as the person's photo, and delete any old one.

    Only the photo column is saved, so an edit someone else made to the person meanwhile is
    not overwritten. The old file goes once the new photo is committed: a rolled-back change
    leaves the person with their old photo, not with a missing file.
    """
    content = clean_photo(upload)
    storage = person.photo.storage
    old_name = person.photo.name
    person.photo.save(content.name, content, save=False)
    person.save(update_fields=["photo"])
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))


def open_photo(person: Person) -> File | None:
    """The person's photo opened for reading (a JPEG: CONTENT_TYPE), or None if they have none.

    For a view that has already applied the access policy, to stream with FileResponse. A
    photo recorded but missing from storage raises FileNotFoundError: that is a fault to see.
    """
    if not person.photo:
        return None
    return person.photo.storage.open(person.photo.name, "rb")
