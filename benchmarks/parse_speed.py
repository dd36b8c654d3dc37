"""Parsing speed against a baseline measured in the same run.

    python benchmarks/parse_speed.py [--pages 200]

Builds a text PDF and a docx with the sample builders, then times
  (a) bare pypdfium2 text extraction of the PDF (the floor: what reading text costs at all),
  (b) screening's pdf parser (text + paragraphs + header/footer + metadata + annotations),
  (c) screening's docx parser on a document of the same text,
  (d) `screen()` end to end on both files (parse + normalise + match),
and prints pages/s and the ratio of each to (a). Target: (b) within 3× of (a).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samples.docxkit import build_docx  # noqa: E402
from samples.make_samples import filler  # noqa: E402
from samples.pdfkit import build_pdf  # noqa: E402


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=200)
    args = ap.parse_args()

    import pypdfium2 as pdfium

    from screening.application import parse_application
    from screening.engine import Upload, screen
    from screening.parsers import docx, pdf

    paragraphs = filler("含氟精细化学品") * 2
    with tempfile.TemporaryDirectory() as tmp:
        pdf_path = Path(tmp) / "bench.pdf"
        docx_path = Path(tmp) / "bench.docx"
        build_pdf(pdf_path, pages=[paragraphs] * args.pages, header="项目可行性报告", footer="内部资料")
        build_docx(docx_path, body=paragraphs * args.pages)
        pdf_bytes, docx_bytes = pdf_path.read_bytes(), docx_path.read_bytes()

        def bare() -> None:
            doc = pdfium.PdfDocument(pdf_bytes)
            for page in doc:
                page.get_textpage().get_text_range()
            doc.close()

        app = parse_application(
            '{"project_id": "B", "title": "t", "applicant": {"name": "浙江某某新材料有限公司", "aliases": ["某某新材"]},'
            ' "team": [{"name": "王建国"}, {"name": "李晓燕"}]}'
        )
        screen(app, [Upload("warm.docx", data=docx_bytes[:0] or docx_bytes)])  # load models once, untimed
        rows = [
            ("a  pypdfium2 text only (baseline)", best_of(bare)),
            ("b  screening pdf parser", best_of(lambda: pdf.parse(pdf_bytes))),
            ("c  screening docx parser", best_of(lambda: docx.parse(docx_bytes))),
            ("d  screen() on pdf + docx", best_of(lambda: screen(app, [Upload("r.pdf", data=pdf_bytes),
                                                                       Upload("r.docx", data=docx_bytes)]), 1)),
        ]
    base = rows[0][1]
    pages = {"a": args.pages, "b": args.pages, "c": args.pages, "d": 2 * args.pages}
    print(f"{args.pages} pages of Chinese report text per file")
    for name, seconds in rows:
        n = pages[name[0]]
        print(f"{name:38s} {seconds:8.3f} s  {n / seconds:9.1f} pages/s  ratio to baseline {seconds / base * args.pages / n:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
