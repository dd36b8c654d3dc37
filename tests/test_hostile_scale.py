"""Issue 12: work the isolation does not bound, and odd real files.

* identity de-duplication at scale (quadratic before: 10,000 leaky paragraphs took 34 s) — the
  speed itself is measured by benchmarks/dedupe_speed.py; here: the same results as the greedy
  definition, and one finding per leak and place on a large document;
* text holding lone UTF-16 surrogates (broken PDF ToUnicode maps) — repaired at the parser, so the
  report is written and the command exits 0/1/3, never 2;
* a docx with more than one w:body — every body is read.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from screening.checks.identity import Hit, dedupe
from screening.engine import screen_files
from screening.model import Document, Part, PartKind, Problem, Severity
from screening.parsers import parse_bytes, repair_text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from dedupe_speed import leaky_docx  # noqa: E402
from hostile import _W, _docx, surrogate_pdf  # noqa: E402

APPLICANT = "衢州恶意样本科技有限公司"
LEADER = "司马防御"


# ---------------------------------------------------------------- 1. de-duplication


def _reference_dedupe(hits: list[Hit]) -> list[Hit]:
    """The definition (the code before issue 12): greedy, each hit against every kept one."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.severity.rank, -(h.end - h.start), -h.score, h.rule != "identity.label")):
        if not any(hit.overlaps(k) for k in kept):
            kept.append(hit)
    return kept


def _hit(part: Part, start: int, end: int, rng: random.Random) -> Hit:
    return Hit(part=part, start=start, end=end,
               rule=rng.choice(["identity.org", "identity.person", "identity.label", "identity.contact"]),
               severity=rng.choice(list(Severity)), method="exact", score=rng.choice([0.5, 0.8, 0.9, 1.0]),
               target=None, what="x")


@pytest.mark.parametrize("seed", range(40))
def test_dedupe_keeps_exactly_what_the_greedy_definition_keeps(seed: int) -> None:
    rng = random.Random(seed)
    # few parts, dense overlapping hits, some empty ones; two parts equal by value count as one
    parts = [Part(PartKind.BODY, "甲" * 40, paragraph=i % 3) for i in range(5)]
    hits = []
    for _ in range(rng.randint(0, 80)):
        start = rng.randint(0, 40)
        end = min(40, start + rng.choice([0, 1, 2, 3, 4, 6, 9, 15]))
        hits.append(_hit(rng.choice(parts), start, end, rng))
    assert dedupe(hits) == _reference_dedupe(hits)


def test_dedupe_one_finding_per_leak_and_place_on_a_large_set() -> None:
    parts = [Part(PartKind.BODY, f"第{i}段", paragraph=i + 1) for i in range(20_000)]

    def hit(part: Part, start: int, end: int) -> Hit:
        return Hit(part=part, start=start, end=end, rule="identity.org", severity=Severity.FAIL, method="exact",
                   score=1.0, target=None, what="申报单位名称")

    hits = []
    for part in parts:  # per paragraph: the full name, its short form inside it, a separate name
        hits += [hit(part, 12, 16), hit(part, 10, 22), hit(part, 30, 33)]
    kept = dedupe(hits)
    assert len(kept) == 2 * len(parts)
    assert {(h.part.paragraph, h.start, h.end) for h in kept} == {
        (p.paragraph, s, e) for p in parts for s, e in ((10, 22), (30, 33))}


def test_many_paragraphs_naming_the_applicant_each_give_their_findings(tmp_path: Path) -> None:
    n = 1500
    path = tmp_path / "可行性报告.docx"
    path.write_bytes(leaky_docx(n))
    from dedupe_speed import APPLICANT as ORG
    from dedupe_speed import LEADER as PERSON

    report = screen_files([path], orgs=[ORG], persons=[PERSON])
    found = [f for f in report.findings if f.rule.startswith("identity.")]
    # each paragraph: the full name, the short form in brackets, the leader — once each
    per_paragraph: dict[int | None, list[str]] = {}
    for f in found:
        assert f.location is not None
        per_paragraph.setdefault(f.location.paragraph, []).append(f.matched or "")
    assert len(per_paragraph) == n
    assert all(sorted(m) == sorted([ORG, "衢晟新材", PERSON]) for m in per_paragraph.values())


# ---------------------------------------------------------------- 2. lone surrogates


def _encodable(value: object) -> None:
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # raises UnicodeEncodeError on a surrogate


def test_the_pdf_really_gives_lone_surrogates() -> None:
    from screening.parsers import pdf

    parsed = pdf.parse(surrogate_pdf())
    assert any("\ud835" in p.text for p in parsed.parts)  # the attack is real, not simulated


def test_parse_repairs_lone_surrogates_and_says_so() -> None:
    doc = parse_bytes(surrogate_pdf(), "可行性报告.pdf")
    body = [p for p in doc.parts if p.kind is PartKind.BODY]
    assert body and all("\ud835" not in p.text for p in body)
    assert any("\ufffd" in p.text for p in body)
    for p in doc.parts:
        p.text.encode("utf-8")
    notes = [p for p in doc.problems if p.rule == "document.text_repaired"]
    assert len(notes) == 1 and notes[0].part is PartKind.BODY and notes[0].page == 1


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_check_writes_the_report_despite_lone_surrogates(tmp_path: Path, cli, fmt: str) -> None:
    path = tmp_path / "可行性报告.pdf"
    path.write_bytes(surrogate_pdf())
    result = cli("check", path, "--org", APPLICANT, "--format", fmt)
    assert result.code in (0, 1, 3), result.err
    assert result.code == 1  # the leak in the properties is still found
    if fmt == "json":
        report = result.json()
        _encodable(report)
        rules = {f["rule"]: f for f in report["findings"]}
        assert rules["document.text_repaired"]["severity"] == "info"
        assert "identity.metadata" in rules
    else:
        assert "document.text_repaired" in result.out


def test_repair_is_one_for_one_and_covers_every_text_of_a_document() -> None:
    doc = Document(
        file="报告\udcff.pdf", format="pdf", sha256="", pages=2,
        parts=(Part(PartKind.FILENAME, "报告\udcff.pdf", origin="filename"),
               Part(PartKind.BODY, f"由{APPLICANT}\ud835完成\udc00", page=2, paragraph=1),
               Part(PartKind.METADATA, "\ud835\udc00", origin="info.Author")),
        problems=(Problem("document.unreadable", "出错：\udcff"),),
    )
    fixed = repair_text(doc)
    assert [len(p.text) for p in fixed.parts] == [len(p.text) for p in doc.parts]  # offsets stay valid
    assert fixed.parts[1].text == f"由{APPLICANT}\ufffd完成\ufffd"
    assert fixed.file == "报告\ufffd.pdf"
    _encodable([fixed.file, [p.text for p in fixed.parts], [p.message for p in fixed.problems]])
    notes = [p for p in fixed.problems if p.rule == "document.text_repaired"]
    assert len(notes) == 1 and "7" in notes[0].message  # 1 + 2 + 2 + 1 + 1 characters
    clean = Document(file="a.pdf", format="pdf", sha256="", pages=1, parts=(Part(PartKind.BODY, "正文"),))
    assert repair_text(clean) is clean


def test_the_call_files_configure_the_repair_note() -> None:
    from screening.calls import load_call

    assert load_call().severity("document.text_repaired") is Severity.INFO
    assert load_call(str(ROOT / "tests/data/calls/demo-2021.yaml")).severity("document.text_repaired") is Severity.INFO


# ---------------------------------------------------------------- 3. several w:body


def _two_bodies_docx() -> bytes:
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}>'
           f"<w:body><w:p><w:r><w:t>第一部分：本项目由{APPLICANT}承担。</w:t></w:r></w:p></w:body>"
           f"<w:body><w:p><w:r><w:t>第二部分：项目负责人{LEADER}教授主持研发。</w:t></w:r></w:p></w:body>"
           "</w:document>")
    return _docx(xml.encode())


def test_every_body_of_a_docx_is_read() -> None:
    doc = parse_bytes(_two_bodies_docx(), "可行性报告.docx")
    body = [p for p in doc.parts if p.kind is PartKind.BODY]
    assert [p.paragraph for p in body] == [1, 2]
    assert APPLICANT in body[0].text and LEADER in body[1].text
    assert not doc.problems


def test_leaks_in_both_bodies_are_found(tmp_path: Path) -> None:
    path = tmp_path / "可行性报告.docx"
    path.write_bytes(_two_bodies_docx())
    report = screen_files([path], orgs=[APPLICANT], persons=[LEADER])
    matched = {(f.rule, f.matched) for f in report.findings}
    assert ("identity.org", APPLICANT) in matched
    assert ("identity.person", LEADER) in matched
