"""The stand-in font (fonts/standin.ttf) and how it is made: `python -m screening.parsers.standin_font`
writes it again (fontTools, a development dependency); tests/test_pdfium_fonts.py checks that the
committed file is what this makes.

One glyph, a hollow em square (the "tofu" a missing glyph is drawn as), for every character but the
controls and surrogates (a format 13 cmap: many characters to one glyph, in a few bytes), the
glyph's box where an ideograph's lies (from 0.05 to 0.95 em across, 0.08 em below the baseline to
0.82 em above it); the code pages of Chinese, Japanese and Korean, so that pdfium takes it for a
CJK font a PDF names and does not embed (see `screening.parsers.pdfium_lib`).
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import Any

PATH = Path(__file__).resolve().parent / "fonts" / "standin.ttf"
FAMILY = "Screening Stand-in"
UPM = 1000
BOX = (50, -80, 950, 820)  # the glyph's outer edge: left, bottom, right, top in font units
STROKE = 60  # the square's sides, in font units (0.06 em)
RANGES = ((0x21, 0xD7FF), (0xE000, 0xFFFD), (0x10000, 0x2FFFF))  # every character drawn: no controls, no surrogates
# OS/2 code page bits: 17 Japanese, 18 Chinese (simplified), 19 Korean (Wansung), 20 Chinese
# (traditional), 21 Korean (Johab) — not 0 (Latin 1): a Latin font a PDF does not embed keeps
# pdfium's own Latin fonts
CODE_PAGES = sum(1 << bit for bit in (17, 18, 19, 20, 21))
FIXED_TIME = 0  # head.created / head.modified: the same bytes on every build


def _outline() -> Any:
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    left, bottom, right, top = BOX
    inner = (left + STROKE, bottom + STROKE, right - STROKE, top - STROKE)
    for (x0, y0, x1, y1), clockwise in ((BOX, True), (inner, False)):
        corners = [(x0, y0), (x0, y1), (x1, y1), (x1, y0)]
        if not clockwise:
            corners.reverse()
        pen.moveTo(corners[0])
        for point in corners[1:]:
            pen.lineTo(point)
        pen.closePath()
    return pen.glyph()


def _cmap13() -> bytes:
    """A format 13 subtable (many-to-one ranges): every character of RANGES to glyph 1."""
    data = struct.pack(">HHLLL", 13, 0, 16 + 12 * len(RANGES), 0, len(RANGES))
    return data + b"".join(struct.pack(">LLL", first, last, 1) for first, last in RANGES)


def build() -> bytes:
    """The font's bytes."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    fb = FontBuilder(UPM, isTTF=True)
    fb.setupGlyphOrder([".notdef", "box"])
    fb.setupCharacterMap({})
    fb.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "box": _outline()})
    fb.setupHorizontalMetrics({".notdef": (UPM, 0), "box": (UPM, BOX[0])})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": FAMILY, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120,
                ulCodePageRange1=CODE_PAGES, ulCodePageRange2=0)
    fb.setupPost()
    table = CmapSubtable.newSubtable(13)
    table.platformID, table.platEncID, table.language, table.cmap = 3, 10, 0, {}
    table.compile = lambda _font: _cmap13()  # fontTools writes format 13 from a dict; ours is three ranges
    fb.font["cmap"].tables = [table]
    fb.font["head"].created = fb.font["head"].modified = FIXED_TIME
    out = io.BytesIO()
    fb.font.save(out)
    return out.getvalue()


def main() -> None:
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_bytes(build())
    print(f"{PATH}: {PATH.stat().st_size} bytes")


if __name__ == "__main__":
    main()
