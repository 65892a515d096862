import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from PIL import Image, ImageCms, PngImagePlugin
from PIL.ExifTags import GPS, IFD, Base

from cases import photos
from cases.models import Person
from tests.factories import UserFactory
from tests.storage import keep_private_files_in

WRONG_TYPE = "The selected file must be a JPG, PNG or WebP photo"
UPLOAD_NAME = "maria-popescu-born-2008.jpg"


# --- Images made in memory -------------------------------------------------------------------


def exif_with_gps(orientation=None):
    exif = Image.Exif()
    exif[Base.Make] = "PhoneMaker"
    exif[Base.Artist] = "Maria Popescu"
    if orientation:
        exif[Base.Orientation] = orientation
    exif[IFD.GPSInfo] = {
        GPS.GPSLatitudeRef: "N",
        GPS.GPSLatitude: (51.0, 30.0, 26.0),
        GPS.GPSLongitudeRef: "W",
        GPS.GPSLongitude: (0.0, 7.0, 39.0),
    }
    return exif


def srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b"<dc:creator>Maria Popescu</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
)


def jpeg_with_metadata(size=(10, 20)):
    """Top half red, bottom half blue, taken with the phone turned (orientation 6)."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0], size[1] // 2))
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif_with_gps(orientation=6),
        icc_profile=srgb_profile(),
        comment="Maria Popescu",
        xmp=XMP,
    )
    return out.getvalue()


def png_with_metadata():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Maria Popescu")
    info.add_itxt("Description", "Maria Popescu at the car wash", lang="en")
    info.add_text("Comment", "Maria Popescu", zip=True)
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 128, 0, 255)).save(
        out, "PNG", pnginfo=info, exif=exif_with_gps(), icc_profile=srgb_profile()
    )
    return out.getvalue()


def encoded(fmt, size=(30, 20), mode="RGB", **options):
    out = io.BytesIO()
    Image.new(mode, size, "green").save(out, fmt, **options)
    return out.getvalue()


def png_header_only(width, height):
    """A PNG that says how big it is and holds nothing: enough for a decompression bomb."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def upload(data, name=UPLOAD_NAME, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def reopened(content):
    content.seek(0)
    return Image.open(io.BytesIO(content.read()))


def assert_no_metadata(data: bytes):
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert not image.getexif().get_ifd(IFD.GPSInfo)
    for key in ("exif", "icc_profile", "xmp", "comment", "Author", "Description", "Comment"):
        assert key not in image.info
    assert {marker for marker, _ in image.applist} <= {"APP0"}  # the JFIF header at most
    # Whatever the encoder, nothing identifying survives anywhere in the bytes.
    for needle in (b"Exif", b"Maria", b"Popescu", b"PhoneMaker", b"xmpmeta", b"ICC_PROFILE"):
        assert needle not in data


# --- clean_photo: what is kept and what is stripped ------------------------------------------


def test_a_jpeg_loses_exif_gps_xmp_icc_and_comments():
    original = jpeg_with_metadata()
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(IFD.GPSInfo)  # the fixture really does carry them
    assert "icc_profile" in before.info and "xmp" in before.info

    cleaned = photos.clean_photo(upload(original))

    assert_no_metadata(cleaned.read())


def test_a_png_loses_its_text_chunks_exif_and_icc_and_becomes_a_jpeg():
    original = png_with_metadata()
    assert Image.open(io.BytesIO(original)).text["Author"] == "Maria Popescu"

    cleaned = photos.clean_photo(upload(original, name="maria.png", content_type="image/png"))

    assert_no_metadata(cleaned.read())


def test_a_webp_is_accepted_and_becomes_a_jpeg():
    original = encoded("WEBP", exif=exif_with_gps().tobytes())

    cleaned = photos.clean_photo(upload(original, name="photo.webp", content_type="image/webp"))

    assert_no_metadata(cleaned.read())
    assert reopened(cleaned).size == (30, 20)


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    cleaned = reopened(photos.clean_photo(upload(jpeg_with_metadata(size=(10, 20)))))

    assert cleaned.size == (20, 10)
    # Orientation 6 means "turn 90 degrees clockwise to view": the red top is now the right.
    red, _, blue = cleaned.getpixel((17, 5))
    assert red > 200 and blue < 60
    red, _, blue = cleaned.getpixel((2, 5))
    assert blue > 200 and red < 60


def test_large_photos_are_shrunk_to_2000_pixels_on_the_longest_side():
    cleaned = reopened(photos.clean_photo(upload(encoded("JPEG", size=(3000, 1500)))))

    assert cleaned.size == (2000, 1000)


def test_small_photos_keep_their_size():
    assert reopened(photos.clean_photo(upload(encoded("PNG", size=(640, 480))))).size == (640, 480)


def test_transparent_areas_become_white():
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(out, "PNG")

    cleaned = reopened(photos.clean_photo(upload(out.getvalue())))

    assert cleaned.mode == "RGB"
    assert all(channel > 245 for channel in cleaned.getpixel((4, 4)))


def test_the_new_name_is_random_and_never_the_uploaded_one():
    first = photos.clean_photo(upload(encoded("JPEG")))
    second = photos.clean_photo(upload(encoded("JPEG")))

    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", first.name)
    assert first.name != second.name
    assert "maria" not in first.name


# --- clean_photo: what is refused ------------------------------------------------------------


def truncated_jpeg():
    data = encoded("JPEG", size=(200, 200), quality=95)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.jpg", b"Maria said she was brought here by a man called Dave.\n" * 10),
        (
            "face.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>',
        ),
        ("scan.jpg", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"),
        ("moving.jpg", encoded("GIF")),
        ("scan.jpg", encoded("TIFF")),
        ("photo.jpg", encoded("BMP")),
        ("photo.jpg", truncated_jpeg()),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),
    ],
    ids=["text", "svg", "pdf", "gif", "tiff", "bmp", "truncated-jpeg", "jpeg-magic", "png-magic"],
)
def test_anything_but_a_complete_jpeg_png_or_webp_is_refused_whatever_its_name(name, data):
    with pytest.raises(ValidationError) as error:
        photos.clean_photo(upload(data, name=name, content_type="image/jpeg"))

    assert error.value.messages == [WRONG_TYPE]
    assert error.value.code == "wrong_type"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        photos.clean_photo(upload(b""))

    assert error.value.messages == ["The selected file is empty"]


def test_the_size_limit_is_8_mb_by_default():
    too_big = encoded("JPEG") + b"\x00" * (8 * 1024 * 1024)

    with pytest.raises(ValidationError) as error:
        photos.clean_photo(upload(too_big))

    assert error.value.messages == ["The photo must be smaller than 8 MB"]
    assert error.value.code == "too_big"


def test_a_file_at_the_size_limit_is_accepted_and_one_byte_more_is_refused(settings):
    photo = encoded("JPEG")
    settings.PHOTO_MAX_BYTES = 2048
    # Bytes after the end of a JPEG are ignored by decoders: a way to reach an exact size.
    at_limit = photo + b"\x00" * (2048 - len(photo))

    photos.clean_photo(upload(at_limit))
    with pytest.raises(ValidationError) as error:
        photos.clean_photo(upload(at_limit + b"\x00"))

    assert error.value.messages == ["The photo must be smaller than 2 KB"]


def test_the_size_is_measured_not_taken_from_the_upload(settings):
    settings.PHOTO_MAX_BYTES = 2048
    liar = upload(encoded("JPEG") + b"\x00" * 4096)
    liar.size = 100

    with pytest.raises(ValidationError, match="smaller than 2 KB"):
        photos.clean_photo(liar)


@pytest.mark.parametrize(
    ("width", "height"),
    [(8000, 6000), (30_000, 30_000)],
    ids=["48-megapixels", "900-megapixels-pillow-bomb"],
)
def test_images_with_absurd_dimensions_are_refused_before_decoding(width, height):
    # The files hold no pixels at all: refusing them on size proves nothing was decoded.
    with pytest.raises(ValidationError) as error:
        photos.clean_photo(upload(png_header_only(width, height)))

    assert error.value.messages == ["The photo must be smaller than 40 megapixels"]


# --- save_photo and open_photo ---------------------------------------------------------------


@pytest.fixture
def private_dir(settings, tmp_path):
    """Photos go to a temporary private directory, away from the static and media roots."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    return keep_private_files_in(settings, tmp_path / "private")


@pytest.fixture
def person(db, private_dir):
    return Person.objects.create(reference="P-TEST-1", created_by=UserFactory())


def stored_files(directory: Path):
    return sorted(path for path in directory.rglob("*") if path.is_file())


def test_a_saved_photo_is_stored_cleaned_under_the_private_directory(person, private_dir, settings):
    photos.save_photo(person, upload(jpeg_with_metadata()))

    person.refresh_from_db()
    path = Path(person.photo.path)
    assert path.is_relative_to(private_dir)
    assert not path.is_relative_to(settings.MEDIA_ROOT)
    assert not path.is_relative_to(settings.STATIC_ROOT)
    assert stored_files(private_dir) == [path]
    assert_no_metadata(path.read_bytes())


def test_the_stored_name_is_random_and_not_the_uploaded_name(person):
    photos.save_photo(person, upload(jpeg_with_metadata()))

    person.refresh_from_db()
    assert re.fullmatch(r"photos/[0-9a-f]{32}\.jpg", person.photo.name)
    assert "maria" not in person.photo.name.lower()


def test_saving_a_photo_saves_only_the_photo_column(person):
    stale = Person.objects.get(pk=person.pk)
    Person.objects.filter(pk=person.pk).update(name="Maria Popescu")

    photos.save_photo(stale, upload(encoded("JPEG")))

    person.refresh_from_db()
    assert person.name == "Maria Popescu"
    assert person.photo


def test_a_new_photo_replaces_the_old_file_once_committed(
    person, private_dir, django_capture_on_commit_callbacks
):
    photos.save_photo(person, upload(encoded("JPEG")))
    first = Path(person.photo.path)

    with django_capture_on_commit_callbacks(execute=True):
        photos.save_photo(person, upload(encoded("PNG")))

    person.refresh_from_db()
    assert stored_files(private_dir) == [Path(person.photo.path)]
    assert not first.exists()


def test_a_refused_upload_stores_nothing_and_keeps_the_old_photo(person, private_dir):
    photos.save_photo(person, upload(encoded("JPEG")))
    kept = person.photo.name

    with pytest.raises(ValidationError):
        photos.save_photo(person, upload(b"%PDF-1.7\n", name="maria.pdf"))

    person.refresh_from_db()
    assert person.photo.name == kept
    assert len(stored_files(private_dir)) == 1


def test_open_photo_gives_the_stored_jpeg(person):
    photos.save_photo(person, upload(jpeg_with_metadata()))

    with photos.open_photo(person) as stored:
        data = stored.read()

    assert data == Path(person.photo.path).read_bytes()
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    assert photos.CONTENT_TYPE == "image/jpeg"


def test_open_photo_gives_none_for_someone_without_a_photo(person):
    assert photos.open_photo(person) is None


def test_no_url_route_serves_stored_photos(person):
    photos.save_photo(person, upload(encoded("JPEG")))

    for prefix in ("/", "/media/", "/private/", "/static/"):
        with pytest.raises(Resolver404):
            resolve(f"{prefix}{person.photo.name}")


def test_the_private_storage_refuses_to_make_a_url(person):
    photos.save_photo(person, upload(encoded("JPEG")))

    with pytest.raises(ValueError, match="Private files have no URL"):
        person.photo.storage.url(person.photo.name)


def test_stored_photos_are_readable_by_the_service_user_only(person):
    import os
    import stat

    photos.save_photo(person, upload(encoded("JPEG")))

    mode = stat.S_IMODE(os.stat(person.photo.path).st_mode)
    assert mode == 0o600
