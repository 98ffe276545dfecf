"""Photos and documents uploaded by people: checked, cleaned, stored privately, served with care.

- Images are accepted as JPEG, PNG or WebP only, decided by their content (not
  their name), at most 10 MB and 40 megapixels (a "decompression bomb" is a
  small file that claims a huge picture). They are re-encoded: the camera's
  rotation is applied and every piece of metadata — GPS position included —
  is dropped.
- PDFs (invoices, receipts) are accepted by their signature and kept as they
  are; they are served with a sandboxing CSP so scripts in them cannot run.
- Files are stored under random names in the default storage (MEDIA_ROOT or
  an S3-compatible backend), never among the static files, and reach a
  browser only through a view that has checked who is asking (`serve`).

Forms call `prepare_image` / `prepare_document` in `clean_<field>` (they raise
ValidationError with a message for the person); services call `store()`
inside their transaction, under `cleanup_on_error()` so that a failed
operation leaves no file behind.
"""

import io
import mimetypes
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# All the photos of one submission together: six of a phone's 12-megapixel photos pass, six 6000×6000
# pictures (each under MAX_PIXELS) do not.
MAX_PIXELS_PER_REQUEST = 100_000_000
MAX_SIDE = 4096  # stored photos are scaled down to this; plenty for a leaking pipe
IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
PDF_SIGNATURE = b"%PDF-"


@dataclass(frozen=True)
class PreparedFile:
    content: bytes
    extension: str
    content_type: str
    original_name: str

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


def _read_limited(upload):
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def _clean_name(name):
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1][:100]


@dataclass(frozen=True)
class ReceivedImage:
    """A photo checked cheaply in the request (size, format and the dimensions its header declares), not yet
    decoded: decoding and re-encoding happen in the background (docs/ARCHITECTURE.md, "Heavy work off the
    request path"). `clean_image` turns it into a PreparedFile."""

    content: bytes
    image_format: str
    width: int
    height: int
    original_name: str

    @property
    def pixels(self):
        return self.width * self.height

    @property
    def extension(self):
        return IMAGE_FORMATS[self.image_format][0]


def _too_many_pixels():
    return ValidationError(_("The picture is too large (more than 40 million pixels)."), code="too_many_pixels")


def receive_image(upload):
    """Check an uploaded photo without decoding it; raise ValidationError if refused."""
    return _probe(_read_limited(upload), _clean_name(upload.name))


def _probe(data, name):
    """Read the header only: Pillow's open() parses the format and dimensions, never the pixels."""
    refused = ValidationError(_("Only photos in JPEG, PNG or WebP format are accepted."), code="not_an_image")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise refused from None
    if image_format not in IMAGE_FORMATS:
        raise refused
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()
    return ReceivedImage(data, image_format, width, height, name)


def prepare_image(upload):
    """Check an uploaded photo and re-encode it without metadata, at once; raise ValidationError if refused."""
    return clean_image(receive_image(upload))


@contextmanager
def _strict_decoding():
    """weasyprint, once imported, tells Pillow to accept truncated images (ImageFile.LOAD_TRUNCATED_IMAGES);
    a photo cut off in transit must be refused as damaged, not stored half grey."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def clean_image(received):
    """Decode a received photo, apply its rotation, drop every piece of metadata, scale it to MAX_SIDE."""
    image_format = received.image_format
    try:
        with _strict_decoding(), Image.open(io.BytesIO(received.content)) as image:
            if image_format == "JPEG":
                # A JPEG decodes at 1/2, 1/4 or 1/8 of its size for a fraction of the time and memory; asked
                # for no less than the stored size, the picture kept is the same.
                image.draft("RGB", _fitted(image.size, MAX_SIDE))
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            extension, content_type = IMAGE_FORMATS[image_format]
            out = io.BytesIO()
            if image_format == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            elif image_format == "PNG":
                image.save(out, "PNG", optimize=True)
            else:
                image.save(out, "WEBP", quality=85)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(_("The picture could not be read; it may be damaged."), code="damaged") from None
    return PreparedFile(out.getvalue(), extension, content_type, received.original_name)


def thumbnail(prepared, *, side):
    """A small JPEG of an already cleaned photo, decoded at reduced size where it is a JPEG."""
    with Image.open(io.BytesIO(prepared.content)) as image:
        if image.format == "JPEG":
            image.draft("RGB", _fitted(image.size, side))
        image.thumbnail((side, side))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
    return PreparedFile(out.getvalue(), "jpg", "image/jpeg", prepared.original_name)


def _fitted(size, side):
    """`size` scaled down (never up) to fit a square of `side`, keeping its proportions."""
    width, height = size
    scale = min(1, side / max(width, height, 1))
    return max(1, int(width * scale)), max(1, int(height * scale))


def prepare_document(upload):
    """A photo (as prepare_image) or a PDF; raise ValidationError otherwise."""
    data = _read_limited(upload)
    if data.startswith(PDF_SIGNATURE):
        return PreparedFile(data, "pdf", "application/pdf", _clean_name(upload.name))
    try:
        return clean_image(_probe(data, _clean_name(upload.name)))
    except ValidationError as error:
        if error.code == "not_an_image":
            raise ValidationError(_("Only photos (JPEG, PNG, WebP) or PDF files are accepted."),
                                  code="not_accepted") from None
        raise


_stored_in_block = ContextVar("stored_uploads", default=None)


@contextmanager
def cleanup_on_error():
    """Remove the files stored inside the block if the block fails (the transaction rolls back)."""
    stored = []
    token = _stored_in_block.set(stored)
    try:
        yield
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    finally:
        _stored_in_block.reset(token)


def store(prepared, *, folder):
    """Save a prepared file under a random name in `folder`; return the storage name."""
    name = default_storage.save(f"{folder}/{uuid.uuid4().hex}.{prepared.extension}", ContentFile(prepared.content))
    stored = _stored_in_block.get()
    if stored is not None:
        stored.append(name)
    return name


def serve(name, *, download_name=None):
    """Answer with a stored file. Call only after checking that the person may see it."""
    if not name or not default_storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    extension = name.rsplit(".", 1)[-1]
    filename = download_name or f"attachment.{extension}"
    response = FileResponse(
        default_storage.open(name, "rb"), content_type=content_type, as_attachment=False, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # a shared family phone keeps nothing after logout
    # A PDF may carry scripts; a sandboxed response cannot run them or reach the site's cookies.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
