"""A budget PDF is opened once (screening/parsers/pdf_kept.py): the document its text was read from
stays open, within the engine's parse of the attachment, for the reading of its tables — with the
same tables as a document opened anew — and is closed when that parse ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from samples.rules import rows, ruled_pdf
from screening.engine import Upload, parse_upload
from screening.errors import CorruptError
from screening.parsers import pdf, pdf_kept, tables


@pytest.fixture(scope="module")
def budget_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ruled budget list over two pages (samples/rules.py), its CJK font not embedded."""
    return ruled_pdf(tmp_path_factory.mktemp("kept") / "经费预算表.pdf", rows(), split_at=5)


def test_within_the_block_the_parsed_document_stays_open_for_the_same_file_only(budget_pdf: Path) -> None:
    data = budget_pdf.read_bytes()
    with pdf_kept.keeping():
        pdf.parse(data)
        document = pdf_kept.kept(data)
        assert document is not None and len(document) >= 1
        assert pdf_kept.kept(bytes(data)) is document  # the same bytes, another object
        assert pdf_kept.kept(data + b"\n") is None
    assert pdf_kept.kept(data) is None  # closed when the block ends


def test_outside_the_block_the_parser_keeps_nothing(budget_pdf: Path) -> None:
    data = budget_pdf.read_bytes()
    pdf.parse(data)
    assert pdf_kept.kept(data) is None


def test_the_tables_read_from_the_kept_document_are_those_of_a_fresh_one(budget_pdf: Path) -> None:
    data = budget_pdf.read_bytes()
    fresh = tables.page_tables(data)
    assert {table.page for table in fresh} == {1, 2}  # the list's two pages, each a ruled table
    with pdf_kept.keeping():
        pdf.parse(data)
        assert tables.page_tables(data) == fresh
        assert pdf_kept.kept(data) is not None  # still open: the tables did not close the parser's


def test_a_budget_attachment_is_opened_once(budget_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[int] = []
    real = pdf._open

    def counting(data: bytes):  # type: ignore[no-untyped-def]
        opened.append(len(data))
        return real(data)

    monkeypatch.setattr(pdf, "_open", counting)
    doc = parse_upload(Upload(budget_pdf.name, path=budget_pdf), None)
    assert doc.tables and opened == [budget_pdf.stat().st_size]
    assert pdf_kept.kept(budget_pdf.read_bytes()) is None


def test_a_file_that_fails_to_parse_is_not_kept() -> None:
    broken = b"%PDF-1.7\n" + b"x" * 100
    with pdf_kept.keeping(), pytest.raises(CorruptError):
        pdf.parse(broken)
    assert pdf_kept.kept(broken) is None
