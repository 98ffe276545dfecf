from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "static" / "css"


@pytest.mark.parametrize("sheet", sorted(STATIC.glob("*.css")), ids=lambda path: path.name)
def test_every_block_is_closed(sheet):
    """An unclosed @media block swallows every rule after it (several parts append their sections here)."""
    depth = 0
    for number, line in enumerate(sheet.read_text().splitlines(), 1):
        if line.startswith("/* ----"):
            assert depth == 0, f"{sheet.name}:{number}: a section starts inside an open block"
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{sheet.name}:{number}: more closing braces than opening ones"
    assert depth == 0, f"{sheet.name}: {depth} block(s) left open"
