"""The `screening.patents` package itself: `read_patent` (the front door `screening patent` uses),
the reading thresholds loaded from lexicons/patent-reading.tsv, and the names the package exports
to the rest of the code. The certificate rules are tested in test_patents.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import screening.patents
import screening.patents.thresholds as thresholds_module
from samples import certificates
from samples.certkit import build_certificate_pdf
from screening.calls import load_call
from screening.errors import ConfigError, UsageError
from screening.model import Role
from screening.parsers import parse_file
from screening.patents import CertificateUnreadable, read_patent
from screening.patents.thresholds import thresholds

CASE = next(c for c in certificates.CASES if c.certificate is not None)


def test_read_patent_reads_a_file_or_a_document_into_the_command_block(tmp_path: Path) -> None:
    assert CASE.certificate is not None
    path = build_certificate_pdf(tmp_path / certificates.certificate_file(CASE.pid), **CASE.certificate)
    read = read_patent(path, call=load_call())
    want = certificates.expected_patents()[path.name]
    block = read.block()
    assert {k: block[k] for k in want} == want and block["file"] == path.name
    assert read.record.eligible is CASE.eligible_without_applicant
    again = read_patent(parse_file(path, Role.PATENT_CERTIFICATE), call=load_call())
    assert again.block() == block


def test_read_patent_refuses_a_file_with_nothing_readable(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n garbage")
    with pytest.raises(CertificateUnreadable) as err:
        read_patent(broken, call=load_call())
    assert isinstance(err.value, UsageError) and str(err.value).startswith("broken.pdf: ")


def test_reading_thresholds_come_from_the_data_file() -> None:
    numbers = thresholds()
    assert numbers.ocr_confidence == 0.5 and numbers.repaired_factor == 0.8 and numbers.glued_label_chars == 3
    assert thresholds() is numbers  # loaded once


@pytest.fixture
def fake_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, tuple[str, ...]]]:
    rows: dict[str, tuple[str, ...]] = {
        "row_tolerance": ("0.5",), "label_lead": ("2",), "min_line_height": ("1.0",), "glued_label_chars": ("3",),
        "ocr_confidence": ("0.5",), "repaired_factor": ("0.8",)}

    class Lexicons:
        @staticmethod
        def table(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
            assert name == thresholds_module.DATA
            return tuple(rows.items())

    monkeypatch.setattr(thresholds_module, "lexicons", Lexicons)
    thresholds.cache_clear()
    yield rows
    thresholds.cache_clear()


@pytest.mark.parametrize(("key", "words"), [
    ("ocr_confidence", None), ("ocr_confidence", ("high",)), ("glued_label_chars", ("2.5",)),
    ("label_lead", ("1", "2")), ("row_tolarence", ("0.5",)),
])
def test_a_bad_thresholds_file_is_a_config_error(fake_rows: dict[str, tuple[str, ...]], key: str,
                                                  words: tuple[str, ...] | None) -> None:
    assert thresholds().glued_label_chars == 3  # the fake file as it stands is good
    thresholds.cache_clear()
    if words is None:
        del fake_rows[key]
    else:
        fake_rows[key] = words
    with pytest.raises(ConfigError, match=r"patent-reading\.tsv"):
        thresholds()


def test_the_package_exports_the_names_the_old_module_had() -> None:
    old = ["Certificate", "FieldText", "Outcome", "PageText", "PatentNumber", "PatentRecord", "PatentType", "Policy",
           "Publication", "RuleResult", "add_years", "check_char", "chinese_number", "evaluate", "format_number",
           "page_texts", "parse_date", "parse_number", "parse_publication", "read_certificate", "split_names",
           "statutory_term", "clean_number", "page_marker", "TYPE_WORD", "join_wrapped", "clean_name"]
    assert set(old) <= set(screening.patents.__all__)
    assert all(hasattr(screening.patents, name) for name in screening.patents.__all__)
