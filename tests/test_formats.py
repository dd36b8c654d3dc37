"""The table of formats (screening/formats.py) is the one place a format is described."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening import formats
from screening.formats import FORMATS, Format, sniff
from screening.parsers import parse_bytes
from tests.conftest import BATCH


def test_every_format_has_a_record_and_every_named_function_exists() -> None:
    assert set(FORMATS) == set(Format)
    for record in FORMATS.values():
        for reference in (record.parser, record.ocr_loader, record.masker, record.sanitizer):
            if reference is not None:
                assert callable(formats.function(reference)), reference
        if record.masker is not None:  # a picture's copy takes its kind's type (formats.PICTURE_KINDS)
            assert (record.media_type or record.format is Format.IMAGE) and record.extensions, record.format


def test_readable_formats_are_what_an_extension_promises() -> None:
    assert set(formats.EXTENSIONS.values()) == formats.READABLE
    assert {Format.DOCX, Format.PDF, Format.IMAGE, Format.XLSX, Format.XLS, Format.DOC, Format.WPS, Format.ODT,
            Format.RTF, Format.OFD} <= formats.READABLE
    assert Format.ENCRYPTED_OFFICE not in formats.READABLE and Format.UNKNOWN not in formats.READABLE
    assert {Format.DOCX, Format.PDF, Format.IMAGE} == formats.REDACTABLE
    assert formats.parsed_as("encrypted_office") is Format.DOCX and formats.parsed_as("nonsense") is Format.UNKNOWN


@pytest.mark.parametrize(("head", "expected"), [
    (b"%PDF-1.7\n", Format.PDF),
    (b"\n\n  %PDF-1.4", Format.PDF),
    (b"\x89PNG\r\n\x1a\n", Format.IMAGE),
    (b"\xff\xd8\xff\xe0", Format.IMAGE),
    (b"II*\x00", Format.IMAGE),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, Format.UNKNOWN),  # OLE2 without a known stream
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"), Format.ENCRYPTED_OFFICE),
    (b"PK\x03\x04" + b"x" * 10, Format.ZIP),
    (b"PK\x03\x04word/document.xml", Format.DOCX),
    (b"PK\x03\x04" + b"\x00" * 22 + b"\x08\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.textPK", Format.ODT),
    (b"PK\x03\x04" + b"\x00" * 22 + b"\x08\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.presentation",
     Format.ZIP),
    (b"PK\x03\x04" + b"\x00" * 22 + b"\x07\x00\x00\x00OFD.xml", Format.OFD),
    (b"{\\rtf1\\ansi hello}", Format.RTF),
    (b"\xef\xbb\xbf\r\n{\\rtf1}", Format.RTF),
    (b"{\\rtx", Format.UNKNOWN),
    (b"PK\x03\x04" + b"\x00" * 26 + b"a.pdf%PDF-1.4", Format.ZIP),  # a zip storing a PDF is a zip
    (b"hello", Format.UNKNOWN),
])
def test_sniffing(head: bytes, expected: Format) -> None:
    assert sniff(head) is expected


def test_a_parsed_document_carries_the_format_and_the_report_writes_its_value() -> None:
    sample = next(p for p in sorted((BATCH / "QZ2020-0001").iterdir()) if p.suffix == ".docx")
    doc = parse_bytes(sample.read_bytes(), sample.name)
    assert doc.format is Format.DOCX and f"{doc.format}" == "docx"


def test_nothing_outside_the_table_maps_extensions() -> None:
    """An extension list or a MIME type written anywhere else would drift from the table."""
    root = Path(formats.__file__).parent
    for path in root.rglob("*.py"):
        if path.name == "formats.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert '".jpeg"' not in text and "wordprocessingml.document\"" not in text, path

