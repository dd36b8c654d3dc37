"""The tables of a budget PDF, added to its Document: ruled ones by pdfplumber's table finder, and
on a page without rules, tables rebuilt from where the characters stand (screening/parsers/aligned.py).

A budget list (经费预算表) is a ruled table; its columns (合计 / 财政补助 / 自筹) are only certain
where the rules say where a cell ends, or where the characters' positions line up under the heads,
which the text lines cannot say. The page is read with pdfium, the parser's own library
(`pdf_objects`: its characters and its rules), from the very document the parser read the text
from when the engine kept it open (`pdf_kept`: the file is opened once); pdfplumber lends only
its table finder — the algorithm that snaps and joins the rules, finds their crossings, the cells
and the tables — and never parses the file (pdfminer's layout analysis took a quarter of a
batch's time). It runs only
on a budget PDF (the role the engine settled) and only on the pages the budget reader names
(`budget.budget_pages`: pages naming a budget item, and the page after one whose table has no total
yet), the first `MAX_PDF_PAGES` at most, where the parser runs — in the limited process of the CLI,
the hook and a batch worker — and the checks only read `Document.tables`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from screening.model import Document, PageTable
from screening.parsers import aligned, pdf_kept, pdf_objects
from screening.parsers.aligned import Char

MAX_PDF_PAGES = 30  # a budget list is a few pages; a longer file is read as text past this


class _Page:
    """What pdfplumber's TableFinder and Table read of a page: its rules, its characters, its box."""

    def __init__(self, edges: list[pdf_objects.Edge], chars: list[Char], width: float, height: float) -> None:
        self.edges = edges
        self.chars = [{"text": c.text, "x0": c.x0, "x1": c.x1, "top": c.top, "bottom": c.bottom, "doctop": c.top,
                       "width": c.x1 - c.x0, "height": c.bottom - c.top, "upright": True} for c in chars]
        self.bbox = (0.0, 0.0, width, height)


def page_tables(data: bytes, pages: set[int] | None = None) -> tuple[PageTable, ...]:
    """The ruled tables, page by page (of the first MAX_PDF_PAGES pages, only `pages` when given);
    on a page without ruled tables, the aligned ones."""
    from pdfplumber.table import TableFinder  # the algorithm only: pdfminer never reads the file

    from screening.parsers.pdf import _Frame, _open
    from screening.parsers.pdfium_lib import pdfium

    found: list[PageTable] = []
    pdf = pdf_kept.kept(data)  # the parser's document of the same file, its fonts loaded
    mine = pdf is None
    if mine:
        pdf = _open(data)
    try:
        for index in range(min(len(pdf), MAX_PDF_PAGES)):
            page_no = index + 1
            if pages is not None and page_no not in pages:
                continue
            page: pdfium.PdfPage = pdf.get_page(index)
            try:
                frame = _Frame.of(page)
                textpage = page.get_textpage()
                try:
                    chars = pdf_objects.chars(textpage, frame)
                finally:
                    textpage.close()
                view: Any = _Page(pdf_objects.edges(page, frame), chars, frame.width, frame.height)
            finally:
                page.close()
            ruled = TableFinder(view).tables
            for table in ruled:
                found.append(PageTable(page_no, tuple(tuple(text or "" for text in row) for row in table.extract())))
            if not ruled:
                found.extend(PageTable(page_no, rows, ruled=False) for rows in aligned.tables(chars))
    finally:
        if mine:
            pdf.close()
    return tuple(found)


def with_tables(doc: Document, data: bytes, pages: set[int]) -> Document:
    """`doc` with the tables of `pages`; when a page's drawing cannot be read, no tables and a note
    saying why (the budget is then read from the text lines)."""
    try:
        return replace(doc, tables=page_tables(data, pages))
    except Exception as err:  # pdfium read the text but not the drawing: the text lines are still there
        return replace(doc, tables=(), tables_note=f"无法读取此PDF的表格线（{type(err).__name__}），已按文字行读取")
