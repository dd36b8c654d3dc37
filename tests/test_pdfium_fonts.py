"""pdfium never uses the machine's fonts (screening/parsers/pdfium_lib.py): a CJK font a PDF does
not embed is served by the stand-in font shipped with the package, so a character standing alone is
kept on every machine — on one without a CJK font, pdfium dropped it from the page's text (a 。
wrapped onto its own line, a name written one character per line) — and every character is placed
and drawn the same way whatever fonts the machine has."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

from samples.pdfkit import build_pdf
from screening.model import PartKind
from screening.parsers import standin_font
from screening.parsers.pdf import parse
from screening.parsers.pdfium_lib import pdfium, pdfium_c

SIZE = 12.0  # samples/pdfkit.py draws its text at 12 pt, from x = 72
SCALE = 8  # pixels a point: the stroke ~6 pixels wide


def test_the_committed_font_is_what_its_script_makes() -> None:
    assert standin_font.PATH.read_bytes() == standin_font.build(), "run python -m screening.parsers.standin_font"


def test_a_character_alone_on_a_line_is_kept_and_placed_by_the_stand_in(tmp_path: Path) -> None:
    path = build_pdf(tmp_path / "t.pdf", pages=[["本表为某某项目的经费预算。", "王", "小", "明"]], wrap_at=12)
    body = "\n".join(p.text for p in parse(path.read_bytes()).parts if p.kind is PartKind.BODY)
    assert body.splitlines() == ["本表为某某项目的经费预算", "。", "王", "小", "明"]
    pdf = pdfium.PdfDocument(path.read_bytes())
    try:
        textpage = pdf[0].get_textpage()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        assert pdfium_c.FPDFText_GetCharBox(textpage.raw, 0, left, right, bottom, top)
        x0, _, x1, _ = standin_font.BOX  # the stand-in's glyph box, not a glyph of the machine's fonts
        assert (round(left.value, 2), round(right.value, 2)) == (72 + x0 * SIZE / 1000, 72 + x1 * SIZE / 1000)
        assert abs((top.value - bottom.value) - (standin_font.BOX[3] - standin_font.BOX[1]) * SIZE / 1000) < 0.2
    finally:
        pdf.close()


def test_the_page_is_drawn_with_the_stand_in(tmp_path: Path) -> None:
    """The hollow square is drawn where the character stands (a machine without a CJK font drew
    nothing there)."""
    path = build_pdf(tmp_path / "t.pdf", pages=[["本"]])
    pdf = pdfium.PdfDocument(path.read_bytes())
    try:
        page = pdf[0]
        textpage = page.get_textpage()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        assert pdfium_c.FPDFText_GetCharBox(textpage.raw, 0, left, right, bottom, top)
        image = page.render(scale=SCALE).to_pil().convert("L")
        height = page.get_height()
    finally:
        pdf.close()
    x0, y0, x1, y1 = (round(v * SCALE) for v in (left.value, height - top.value, right.value, height - bottom.value))
    middle = ((x0 + x1) // 2, (y0 + y1) // 2)
    inset = round(standin_font.STROKE / 2 * SIZE / 1000 * SCALE)  # the middle of each side's stroke
    edges = [(x0 + inset, middle[1]), (x1 - inset, middle[1]), (middle[0], y0 + inset), (middle[0], y1 - inset)]
    assert all(image.getpixel(p) < 128 for p in edges) and image.getpixel(middle) > 200


def test_pdfium_in_use_before_the_setup_is_a_clear_error() -> None:
    code = ("import pypdfium2\npdf = pypdfium2.PdfDocument.new()\n"
            "try:\n    import screening.parsers.pdfium_lib\nexcept RuntimeError as err:\n    print(err)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0 and "无法改用随附的替代字体" in run.stdout, run.stderr
