"""The tables of a budget PDF, added to its Document: ruled ones by pdfplumber's table finder, and
on a page without rules, tables rebuilt from where the characters stand (screening/parsers/aligned.py).

A budget list (经费预算表) is a ruled table; its columns (合计 / 财政补助 / 自筹) are only certain
where the rules say where a cell ends, or where the characters' positions line up under the heads,
which the text lines cannot say. pdfplumber's layout analysis is slow, so it runs only on a budget
PDF (the role the engine settled) and only on the pages the budget reader names
(`budget.budget_pages`: pages naming a budget item, and the page after one whose table has no total
yet), the first `MAX_PDF_PAGES` at most. It runs where the parser runs — in the limited process of
the CLI, the hook and a batch worker — and the checks only read `Document.tables`.
"""

from __future__ import annotations

import io
from dataclasses import replace

from screening.model import Document, PageTable
from screening.parsers import aligned

MAX_PDF_PAGES = 30  # a budget list is a few pages; a longer file is read as text past this


def page_tables(data: bytes, pages: set[int] | None = None) -> tuple[PageTable, ...]:
    """The tables found by pdfplumber, page by page (of the first MAX_PDF_PAGES pages, only `pages`
    when given); on a page without ruled tables, the aligned ones."""
    import pdfplumber  # late: pdfminer is heavy and only budget PDFs need it

    found: list[PageTable] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page_no, page in enumerate(pdf.pages[:MAX_PDF_PAGES], 1):
            if pages is not None and page_no not in pages:
                continue
            ruled = page.find_tables()
            for table in ruled:
                found.append(PageTable(page_no, tuple(tuple(text or "" for text in row) for row in table.extract())))
            if not ruled:
                chars = [aligned.Char(c["text"], c["x0"], c["x1"], c["top"], c["bottom"]) for c in page.chars
                         if c.get("upright", True)]
                found.extend(PageTable(page_no, rows, ruled=False) for rows in aligned.tables(chars))
    return tuple(found)


def with_tables(doc: Document, data: bytes, pages: set[int]) -> Document:
    """`doc` with the tables of `pages`; when pdfminer refuses what pdfium read, no tables and a note
    saying why (the budget is then read from the text lines)."""
    try:
        return replace(doc, tables=page_tables(data, pages))
    except Exception as err:  # pdfminer refuses what pdfium read: the text lines are still there
        return replace(doc, tables=(), tables_note=f"pdfplumber无法读取此PDF的表格（{type(err).__name__}），已按文字行读取")
