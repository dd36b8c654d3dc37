"""Screenshots of annotated copies for the documentation: docs/screenshots/annotated-docx.png (a Word copy with
its comments) and docs/screenshots/annotated-pdf.png (a PDF copy with its highlights and notes).

    .venv/bin/python docs/make_screenshots_annotate.py

The Word copy is laid out by LibreOffice (`soffice --headless --convert-to pdf`), then rendered by
pdfium. LibreOffice puts comments in the page margin with the PDF export option
`ExportNotesInMargin`, which only newer versions know (7.4 ignores it and exports the comments as
PDF notes); when the option did not take effect, the comments are taken from the notes LibreOffice
exported and drawn in a margin beside the page here, each linked to its place — the same panel the
PDF copy gets for its own annotations, whose text a rendering does not show either.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from screening.annotate import AUTHOR, annotate
from screening.application import load_application
from screening.engine import Upload

ROOT = Path(__file__).resolve().parents[1]
BATCH = ROOT / "samples" / "batch"
OUT = ROOT / "docs" / "screenshots"
SCALE = 1.6  # pixels per point
PANEL = 520  # width of the margin panel, pixels
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
IN_MARGIN = {"ExportNotesInMargin": {"type": "boolean", "value": "true"}}
AS_NOTES = {"ExportNotes": {"type": "boolean", "value": "true"}}


@dataclass(frozen=True)
class Note:
    x: float  # where it is on the page, points from the top-left
    y: float
    text: str


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screening-shots-") as tmp:
        work = Path(tmp)
        word = copy("QZ2020-0003", "可行性报告.docx", work)
        laid_out = libreoffice(word, work, IN_MARGIN)
        if AUTHOR in page_text(laid_out, 0):
            print("LibreOffice put the comments in the margin (ExportNotesInMargin)")
            render(laid_out, [0], []).save(OUT / "annotated-docx.png")
        else:
            print("LibreOffice ignored ExportNotesInMargin: the comments it exported as notes are drawn beside the page")
            laid_out = libreoffice(word, work, AS_NOTES)
            render(laid_out, [0], notes(laid_out, 0), annotations=False).save(OUT / "annotated-docx.png")
        pdf = copy("QZ2020-0004", "经费预算表.pdf", work)
        render(pdf, [0, 1], [n for i in (0, 1) for n in notes(pdf, i, offset=i)]).save(OUT / "annotated-pdf.png")
    print(f"written: {OUT / 'annotated-docx.png'}, {OUT / 'annotated-pdf.png'}")


def copy(project: str, name: str, work: Path) -> Path:
    application = load_application(BATCH / project / "application.json")
    result = annotate(application, Upload(name, path=BATCH / project / name))
    path = work / result.file
    path.write_bytes(result.data)
    print(f"{project}/{name}: {len(result.findings)} findings, {result.anchored} in place, {result.listed} listed")
    return path


def libreoffice(path: Path, work: Path, options: dict[str, object]) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed to lay out the Word copy")
    target = work / "pdf" / f"{path.stem}.pdf"
    target.unlink(missing_ok=True)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{work / 'profile'}", "--convert-to",
                    f"pdf:writer_pdf_Export:{json.dumps(options)}", "--outdir", str(target.parent), str(path)],
                   check=True, capture_output=True, timeout=180)
    if not target.is_file():
        raise SystemExit(f"LibreOffice wrote no PDF for {path.name}")
    return target


def page_text(path: Path, index: int) -> str:
    pdf = pdfium.PdfDocument(path)
    try:
        return str(pdf[index].get_textpage().get_text_range())
    finally:
        pdf.close()


def notes(path: Path, index: int, offset: int = 0) -> list[Note]:
    """The notes and highlights on a page (LibreOffice's exported comments, our annotations) whose
    text names our author, placed in page points from the top-left (`offset`: pages to the left)."""
    page = PdfReader(path).pages[index]
    width, top = float(page.mediabox.width), float(page.mediabox.top)
    found = []
    for ref in page.get("/Annots") or []:
        annot = ref.get_object()
        if not isinstance(annot, DictionaryObject) or "/Rect" not in annot or AUTHOR not in str(annot.get("/T", "")):
            continue
        left, bottom, right, upper = (float(v) for v in annot["/Rect"])
        found.append(Note(offset * width + (left + right) / 2, top - (bottom + upper) / 2, str(annot["/Contents"])))
    return found


def render(path: Path, pages: list[int], marks: list[Note], *, annotations: bool = True) -> Image.Image:
    """The pages side by side (with their annotations: our highlights and notes; without them, a
    Word copy's comments are only the panel's), and a margin panel with each note linked to its place."""
    pdf = pdfium.PdfDocument(path)
    try:
        images = [pdf[i].render(scale=SCALE, draw_annots=annotations).to_pil().convert("RGB") for i in pages]
    finally:
        pdf.close()
    width = sum(i.width for i in images)
    height = max(i.height for i in images)
    canvas = Image.new("RGB", (width + (PANEL if marks else 0), height), "white")
    draw = ImageDraw.Draw(canvas)
    x = 0
    for image in images:
        canvas.paste(image, (x, 0))
        draw.rectangle((x, 0, x + image.width - 1, image.height - 1), outline=(180, 180, 180))
        x += image.width
    if marks:
        margin(canvas, width, marks)
    return canvas


def margin(canvas: Image.Image, left: int, marks: list[Note]) -> None:
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.truetype(FONT, 17)
    draw.rectangle((left, 0, canvas.width, canvas.height), fill=(245, 245, 245))
    y = 20
    for mark in sorted(marks, key=lambda m: (m.y, m.x)):
        lines = [line for paragraph in mark.text.splitlines() for line in textwrap.wrap(paragraph, 27) or [""]]
        box_height = 14 + 22 * len(lines)
        top = max(y, int(mark.y * SCALE) - box_height // 2)
        if top + box_height > canvas.height:
            top = y
        draw.rectangle((left + 12, top, canvas.width - 12, top + box_height), fill=(255, 248, 200), outline=(200, 140, 0), width=2)
        for k, line in enumerate(lines):
            draw.text((left + 20, top + 7 + 22 * k), line, fill=(40, 40, 40), font=font)
        anchor = (int(mark.x * SCALE), int(mark.y * SCALE))
        draw.line([anchor, (left + 12, top + box_height // 2)], fill=(200, 140, 0), width=2)
        draw.ellipse((anchor[0] - 4, anchor[1] - 4, anchor[0] + 4, anchor[1] + 4), fill=(200, 140, 0))
        y = top + box_height + 10


if __name__ == "__main__":
    main()
