#!/usr/bin/env python3
"""Rebuild estate/fonts/ from Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk).

PDFs (notices, receipts, slips) embed this font so that Chinese renders the
same on every machine, with or without CJK fonts installed. The subset covers
GB2312 (every hanzi of everyday Chinese), common name characters beyond it,
Latin, punctuation, full-width forms and symbols such as ㎡ and ¥. Pages in
the browser use the reader's own system fonts; only PDFs use these files.
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc"
SC_INDEX = 2  # the collection's Simplified Chinese face
TARGET = Path(__file__).resolve().parent.parent / "estate" / "fonts"
NAME_CHARACTERS = "喆堃昇玥珺琇赟镕昀旻晔暐琛瑄璟祎翀燚垚犇骉淏珏琪瑶煜晟昕甯禤冼邝"


def characters():
    ranges = [(0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x2100, 0x2200), (0x2460, 0x2500),
              (0x2500, 0x2580), (0x25A0, 0x2600), (0x3000, 0x3040), (0xFF00, 0xFFF0)]
    chars = {cp for start, end in ranges for cp in range(start, end)} | {0x33A1}
    for cp in range(0x4E00, 0xA000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        chars.add(cp)
    return chars | {ord(c) for c in NAME_CHARACTERS}


def main():
    TARGET.mkdir(parents=True, exist_ok=True)
    for weight in ("Regular", "Bold"):
        font = TTCollection(SOURCE.format(weight=weight)).fonts[SC_INDEX]
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=characters())
        subsetter.subset(font)
        out = TARGET / f"NotoSansSC-{weight}-subset.otf"
        font.save(out)
        print(out, out.stat().st_size)


if __name__ == "__main__":
    main()
