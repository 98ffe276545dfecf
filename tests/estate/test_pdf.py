import gc
import shutil
import subprocess

import pytest

from estate.pdf import LocalOnlyFetcher, PDFResourceRefused, render_pdf

pytestmark = pytest.mark.skipif(not shutil.which("pdffonts"), reason="needs poppler-utils (make test installs it)")


@pytest.fixture
def sample_pdf(settings, tmp_path):
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], settings.BASE_DIR / "tests" / "templates"]}]
    path = tmp_path / "sample.pdf"
    path.write_bytes(render_pdf("tests/pdf_sample.html", {"rows": range(1, 80)}))
    return path


def test_it_embeds_the_chinese_font(sample_pdf):
    fonts = subprocess.run(["pdffonts", sample_pdf], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert {row.split()[0].split("+")[1] for row in rows} == {"Jiayuan-Sans", "Jiayuan-Sans-Bold"}, fonts
    assert all(row.split()[-5] == "yes" for row in rows), "every font must be embedded"


def test_it_draws_the_text_and_numbers_the_pages(sample_pdf):
    text = subprocess.run(["pdftotext", "-layout", sample_pdf, "-"], capture_output=True, text=True,
                          check=True).stdout
    compact = text.replace(" ", "")
    assert "幸福家园小区公共收支公示" in compact
    assert "1,755.00" in compact
    assert "第1页/共3页" in compact
    assert "第3页/共3页" in compact


def test_it_fetches_nothing_from_the_network_or_outside_static():
    for url in ("https://example.com/x.png", "file:///etc/passwd"):
        with pytest.raises(PDFResourceRefused):
            LocalOnlyFetcher().fetch(url)


def test_it_pauses_the_cycle_collector_only_while_it_renders(settings):
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], settings.BASE_DIR / "tests" / "templates"]}]
    seen = []
    original = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            render_pdf("tests/pdf_sample.html", {"rows": _Rows(seen)})
            assert gc.isenabled() is enabled, "the collector must be left as it was found"
    finally:
        (gc.enable if original else gc.disable)()
    assert seen == [False, False], "the template is rendered with the collector paused"


class _Rows:
    """The sample's rows, noting whether the cycle collector runs while the template reads them."""

    def __init__(self, seen):
        self.seen = seen

    def __iter__(self):
        self.seen.append(gc.isenabled())
        return iter(range(1, 3))
