import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from estate import uploads


def _image_bytes(fmt="JPEG", size=(64, 48), exif_gps=False, orientation=None):
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if exif_gps:
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
        exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes()) if (exif_gps or orientation) else image.save(out, fmt)
    return out.getvalue()


def _upload(data, name="photo.jpg"):
    return SimpleUploadedFile(name, data)


def test_it_strips_gps_and_every_other_metadata():
    prepared = uploads.prepare_image(_upload(_image_bytes(exif_gps=True)))
    with Image.open(io.BytesIO(prepared.content)) as image:
        assert not image.getexif()
        assert "exif" not in image.info
    assert prepared.content_type == "image/jpeg"


def test_it_applies_the_cameras_rotation():
    prepared = uploads.prepare_image(_upload(_image_bytes(size=(64, 48), orientation=6)))
    with Image.open(io.BytesIO(prepared.content)) as image:
        assert image.size == (48, 64)


@pytest.mark.parametrize("fmt,content_type", [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_it_accepts_png_and_webp(fmt, content_type):
    assert uploads.prepare_image(_upload(_image_bytes(fmt), "x.bin")).content_type == content_type


@pytest.mark.parametrize("data,name", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "photo.svg"),
    (b"<html><script>alert(1)</script></html>", "photo.jpg"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100, "photo.jpg"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "photo.png"),
    (_image_bytes("GIF"), "photo.gif"),
])
def test_it_refuses_what_is_not_a_photo_whatever_its_name(data, name):
    with pytest.raises(ValidationError) as refused:
        uploads.prepare_image(_upload(data, name))
    assert refused.value.code == "not_an_image"


def _png_bomb(width, height):
    """A tiny PNG that claims a gigantic picture."""
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * (width + 1) * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(10_000, 10_000), (50_000, 50_000)])
def test_it_refuses_a_decompression_bomb(size):
    with pytest.raises(ValidationError) as refused:
        uploads.prepare_image(_upload(_png_bomb(*size), "bomb.png"))
    assert refused.value.code == "too_many_pixels"


def test_it_refuses_a_file_over_10_mb():
    big = _upload(b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024), "big.jpg")
    with pytest.raises(ValidationError) as refused:
        uploads.prepare_image(big)
    assert refused.value.code == "too_large"


def test_it_refuses_a_damaged_photo():
    data = _image_bytes()
    with pytest.raises(ValidationError):
        uploads.prepare_image(_upload(data[: len(data) // 3]))


def test_documents_may_be_pdf_but_not_html():
    assert uploads.prepare_document(_upload(b"%PDF-1.7\n...", "invoice.pdf")).content_type == "application/pdf"
    with pytest.raises(ValidationError) as refused:
        uploads.prepare_document(_upload(b"<html></html>", "invoice.pdf"))
    assert refused.value.code == "not_accepted"


def test_stored_files_get_random_names_and_vanish_when_the_operation_fails():
    prepared = uploads.prepare_image(_upload(_image_bytes(), "../../etc/passwd.jpg"))
    with pytest.raises(RuntimeError), uploads.cleanup_on_error():
        name = uploads.store(prepared, folder="tests")
        assert default_storage.exists(name)
        raise RuntimeError("the transaction failed")
    assert not default_storage.exists(name)
    assert "passwd" not in name and name.startswith("tests/")


def test_it_serves_with_nosniff_and_a_safe_disposition():
    name = uploads.store(uploads.prepare_image(_upload(_image_bytes())), folder="tests")
    response = uploads.serve(name, download_name='evil"\r\nSet-Cookie: x=1.jpg')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/jpeg"
    assert "\n" not in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("inline")


def test_uploads_are_never_among_the_static_files(client):
    # Whitenoise serves STATIC_ROOT (and the static folders) to anyone: uploads must live elsewhere,
    # and no URL serves MEDIA_ROOT; only the permission-checked views call uploads.serve().
    from estate import settings as project

    media = project.MEDIA_ROOT.resolve()
    for static in (project.STATIC_ROOT, *project.STATICFILES_DIRS):
        assert not media.is_relative_to(static.resolve()) and not static.resolve().is_relative_to(media)
    name = uploads.store(uploads.prepare_image(_upload(_image_bytes())), folder="tests")
    for url in (f"/media/{name}", f"/static/{name}", f"/{name}"):
        assert client.get(url).status_code == 404
