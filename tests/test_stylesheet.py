"""The one stylesheet is shared by every app, each appending its own section.

Merging two sections that both ended in a closing `}` once dropped one of them, leaving an `@media`
block open: every app's rules after it then applied only on a phone, or only on paper. A browser
says nothing about that, so this test does.
"""

from pathlib import Path

from django.conf import settings

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "app.css"


def _depth_at_each_line(text):
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        yield number, line, depth
        depth += line.count("{") - line.count("}")
    yield number + 1, "", depth


def test_every_block_of_the_stylesheet_is_closed():
    assert [depth for _, _, depth in _depth_at_each_line(STYLESHEET.read_text())][-1] == 0


def test_every_section_starts_outside_any_media_query():
    nested = [f"line {number}: {line}" for number, line, depth in _depth_at_each_line(STYLESHEET.read_text())
              if line.startswith("/*") and depth]
    assert nested == []
