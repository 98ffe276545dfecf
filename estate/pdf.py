"""A4 PDFs (notices, receipts, slips) rendered by weasyprint with an embedded Chinese font.

The font is the subset shipped in estate/fonts (see scripts/make_font_subset.py),
so a PDF looks the same on every machine, whatever fonts it has installed. It is
not a static file: browsers never load it (pages use the reader's own fonts), and
collecting and compressing 7 MB of font on every deploy cost a minute for nothing.
Templates extend templates/pdf_base.html. Rendering fetches nothing from the
network and reads no file outside the project's static folders and estate/fonts.
"""

import atexit
import gc
import hashlib
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

FONT_FAMILY = "Jiayuan Sans"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONTS = {"normal": FONTS_DIR / "NotoSansSC-Regular-subset.otf", "bold": FONTS_DIR / "NotoSansSC-Bold-subset.otf"}
STYLESHEET = "css/pdf.css"


class PDFResourceRefused(Exception):
    pass


def _static_roots():
    return [Path(p).resolve() for p in settings.STATICFILES_DIRS]


def _readable_roots():
    return [*_static_roots(), FONTS_DIR]


# weasyprint is imported on first use, not with the app: importing it costs about 0.8 s, paid by every
# process that starts (make run's steps, each gunicorn worker, the task worker) though most never print.
@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        """Serves data: URIs and files under the static folders and the fonts; refuses anything else."""

        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"})

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if any(path.is_relative_to(root) for root in _readable_roots()):
                    return super().fetch(url, headers)
            raise PDFResourceRefused(f"PDF rendering does not fetch {url}")

    return LocalOnlyFetcher


def __getattr__(name):
    if name == "LocalOnlyFetcher":
        return _fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _fetcher():
    """One per process: making a fetcher loads the system's CA certificates for HTTPS (about 20 ms a PDF),
    which this one never fetches; serving a file or a data: URI keeps no state between fetches."""
    return _fetcher_class()()


@cache
def _stylesheets():
    """The fonts and css/pdf.css, parsed once per process (parsing pdf.css again for every PDF was about a
    tenth of a notice's time). weasyprint takes them as the user's stylesheets, which a template's own
    <style> (pdf_base.html's page_style block) overrides, as it did when pdf.css was linked before it."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    faces = "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
        f'src: url("{path.as_uri()}"); }}'
        for weight, path in FONTS.items()
    )
    sheets = [CSS(string=faces, font_config=font_config, url_fetcher=_fetcher()),
              CSS(filename=finders.find(STYLESHEET), font_config=font_config, url_fetcher=_fetcher())]
    # Let the font configuration go while weasyprint is still loaded: left to the interpreter's last
    # clean-up, its __del__ fails and prints "Exception ignored" after every command that made a PDF.
    atexit.register(_stylesheets.cache_clear)
    return font_config, sheets


@contextmanager
def _cycle_collection_paused():
    """weasyprint makes hundreds of thousands of short-lived objects for a notice, enough to set off about
    eighty of Python's cycle collections on the way, among them a full one that walks every object the process
    holds (Django, the app, the templates): together about an eighth of a notice's time. Its objects are freed
    as they go out of use all the same; cycles among them wait for the first collection after the PDF is written."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:  # else a render in another thread paused it and turns it back on when it ends
            gc.enable()


def render_pdf(template_name, context, request=None):
    """Render a template (extending pdf_base.html) to PDF bytes."""
    from weasyprint import HTML

    with _cycle_collection_paused():
        html = render_to_string(template_name, context, request=request)
        font_config, stylesheets = _stylesheets()
        static_base = _static_roots()[0].as_uri() + "/"
        document = HTML(string=html, base_url=static_base, url_fetcher=_fetcher())
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config)


# Posted documents (the monthly accounts notice, a vote's tally sheet): rendered once, stored with their
# SHA-256, served byte for byte afterwards, and verifiable by anyone through the QR code printed on them.

class PostedPdfTampered(Exception):
    """The stored PDF no longer matches the digest recorded when it was posted."""


def qr_data_uri(url):
    """The QR code printed on a posted document, as an SVG data: URI the PDF embeds."""
    return segno.make(url, error="m").svg_data_uri(scale=3, border=1)


def posted_pdf_store(pdf, *, folder, stem):
    """Store a posted document's bytes; return (storage name, SHA-256 hex digest)."""
    digest = hashlib.sha256(pdf).hexdigest()
    return default_storage.save(f"{folder}/{stem}-{digest[:12]}.pdf", ContentFile(pdf)), digest


def posted_pdf_read(name, sha256):
    """The stored bytes of a posted document, refused if they no longer match their digest."""
    with default_storage.open(name, "rb") as stored:
        pdf = stored.read()
    if hashlib.sha256(pdf).hexdigest() != sha256:
        raise PostedPdfTampered(f"{name} does not match its digest")
    return pdf
