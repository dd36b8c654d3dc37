"""Hostile XML parts in a docx (issue 12): a size guard never hides what is readable.

Padding that compresses a thousandfold (a comment, whitespace, a processing instruction) used to
trip the zip's compression-ratio guard, and the file was `document.too_large` (warn) with no
identity finding: a leaky report went from fail to review. Now XML parts are streamed and bounded
by what they really hold; a text-bearing part that a limit stops is `document.unverifiable`
(fail), and what was read of it is still screened.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from samples.docxkit import build_docx
from screening.errors import CorruptError, TooLargeError
from screening.model import PartKind
from screening.parsers import docx as docx_parser
from screening.parsers import parse_bytes
from screening.parsers.docx import parse
from screening.parsers.xmlsafe import MAX_XML_PART, Budget, _Rewriter, read_member

ORG = "浙江衢晟新材料有限公司"
LEAK = f"本报告由{ORG}编制。"
MAIN = "word/document.xml"
MB = 1024 * 1024


def build(tmp_path: Path, **kwargs: Any) -> bytes:
    return build_docx(tmp_path / "t.docx", **kwargs).read_bytes()


def edit(data: bytes, member: str | re.Pattern[str], change: Callable[[bytes], bytes]) -> bytes:
    """The package with the member(s) named (or matching) changed, deflated at the highest level."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            hit = member.fullmatch(info.filename) if isinstance(member, re.Pattern) else info.filename == member
            dst.writestr(info.filename, change(blob) if hit else blob, compresslevel=9)
    return out.getvalue()


def after_body(pad: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"<w:body>", b"<w:body>" + pad, 1)


def after_root(tag: bytes, pad: bytes) -> Callable[[bytes], bytes]:
    """Padding right after the root element's start tag (`<w:hdr …>`, `<w:ftr …>`)."""
    def change(xml: bytes) -> bytes:
        start = xml.index(tag)
        end = xml.index(b">", start) + 1
        return xml[:end] + pad + xml[end:]
    return change


def comment(size: int) -> bytes:
    return b"<!-- " + b"x" * size + b" -->"


def rules(parsed: Any) -> list[str]:
    return [p.rule for p in parsed.problems]


def body(parsed: Any) -> list[str]:
    return [p.text for p in parsed.parts if p.kind == PartKind.BODY]


def ratio(data: bytes, member: str) -> float:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
        return info.file_size / info.compress_size


# -- padding is skipped, the text is read ---------------------------------------------------------


@pytest.mark.parametrize("pad", [
    comment(3_000_000),
    b" " * 3_000_000,
    b"\n\t " * 1_000_000,
    b"<?padding " + b"y" * 3_000_000 + b"?>",
    comment(1000) * 3000,
], ids=["comment", "spaces", "whitespace", "processing-instruction", "many-comments"])
def test_padding_does_not_hide_the_body(tmp_path: Path, pad: bytes) -> None:
    data = edit(build(tmp_path, body=[LEAK]), MAIN, after_body(pad))
    assert ratio(data, MAIN) > docx_parser.MAX_RATIO  # what tripped the old guard
    parsed = parse(data)
    assert body(parsed) == [LEAK] and rules(parsed) == []


def test_padded_report_fails_on_its_identity(tmp_path: Path, cli: Callable[..., Any]) -> None:
    path = tmp_path / "可行性报告.docx"
    path.write_bytes(edit(build(tmp_path, body=[LEAK]), MAIN, after_body(comment(3_000_000))))
    started = time.monotonic()
    result = cli("check", path, "--org", ORG, "--format", "json")
    assert time.monotonic() - started < 30
    report = result.json()
    found = [(f["rule"], f["severity"]) for f in report["findings"]]
    assert ("identity.org", "fail") in found and "document.too_large" not in {r for r, _ in found}
    assert report["verdict"] == "fail" and result.code == 1


def test_padded_header_still_shows_its_leak(tmp_path: Path) -> None:
    data = build(tmp_path, body=["正文"], header=f"{ORG}　可行性报告")
    data = edit(data, re.compile(r"word/header\d*\.xml"), after_root(b"<w:hdr", b" " * 4_000_000))
    parsed = parse(data)
    assert any(ORG in p.text for p in parsed.parts if p.kind == PartKind.HEADER) and rules(parsed) == []


# -- what truly cannot be read fails: document.unverifiable ------------------------------------------


def test_main_part_beyond_the_cap_is_unverifiable(tmp_path: Path, cli: Callable[..., Any]) -> None:
    data = edit(build(tmp_path, body=[LEAK], header=f"{ORG}　页眉"), MAIN, after_body(comment(MAX_XML_PART + MB)))
    parsed = parse(data)
    assert rules(parsed) == ["document.unverifiable"] and body(parsed) == []
    problem = parsed.problems[0]
    assert problem.part == PartKind.BODY and MAIN in problem.message and "无法确认是否暴露身份" in problem.message
    # the rest of the package is still read: the header's leak is found
    assert any(ORG in p.text for p in parsed.parts if p.kind == PartKind.HEADER)

    path = tmp_path / "可行性报告.docx"
    path.write_bytes(edit(build(tmp_path, body=[LEAK]), MAIN, after_body(comment(MAX_XML_PART + MB))))
    result = cli("check", path, "--org", ORG, "--format", "json")
    assert result.code == 1
    report = result.json()
    assert report["verdict"] == "fail"
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("document.unverifiable", "fail")]
    assert "word/document.xml" in report["findings"][0]["message"]


def test_header_beyond_the_cap_is_unverifiable_and_the_body_is_read(tmp_path: Path) -> None:
    data = build(tmp_path, body=[LEAK], header="页眉")
    data = edit(data, re.compile(r"word/header\d*\.xml"), after_root(b"<w:hdr", comment(MAX_XML_PART + MB)))
    parsed = parse(data)
    assert body(parsed) == [LEAK]
    assert rules(parsed) == ["document.unverifiable"] and parsed.problems[0].part == PartKind.HEADER
    assert "页眉" in parsed.problems[0].message


def test_text_before_a_parser_limit_is_still_screened(tmp_path: Path) -> None:
    """One comment over libxml2's 10 MB node limit (huge_tree stays off) stops the parse there:
    what came before is read, the rest is unverifiable."""
    data = edit(build(tmp_path, body=[LEAK, "结尾"]), MAIN,
                lambda xml: xml.replace(b"</w:p>", b"</w:p>" + comment(12 * MB), 1))
    parsed = parse(data)
    assert body(parsed) == [LEAK] and rules(parsed) == ["document.unverifiable"]
    document = parse_bytes(data, "可行性报告.docx")
    assert [p.rule for p in document.problems] == ["document.unverifiable"]


def test_a_huge_comment_before_the_root_is_unverifiable_not_corrupt(tmp_path: Path) -> None:
    data = edit(build(tmp_path, body=[LEAK]), MAIN, lambda xml: xml.replace(b"?>", b"?>" + comment(12 * MB), 1))
    parsed = parse(data)
    assert rules(parsed) == ["document.unverifiable"] and body(parsed) == []


def test_element_budget_cuts_a_part(tmp_path: Path) -> None:
    data = edit(build(tmp_path, body=[LEAK]), MAIN, after_body(b"<w:p/>" * 200_000))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root, cut = read_member(zf, zf.getinfo(MAIN), Budget(elements_left=1000))
        assert root is not None and cut is not None and cut.partial and "元素" in cut.reason
        root, cut = read_member(zf, zf.getinfo(MAIN), Budget(bytes_left=10))
        assert root is None and cut is not None and not cut.partial
        root, cut = read_member(zf, zf.getinfo(MAIN), Budget())
        assert root is not None and cut is None


def test_styles_beyond_the_cap_are_too_large_but_every_text_is_read(tmp_path: Path) -> None:
    data = edit(build(tmp_path, body=[LEAK]), "word/styles.xml", after_root(b"<w:styles", comment(MAX_XML_PART + MB)))
    parsed = parse(data)
    assert body(parsed) == [LEAK] and rules(parsed) == ["document.too_large"]


# -- real bombs and tricks are still refused ------------------------------------------------------------


def test_a_media_zip_bomb_is_still_refused(tmp_path: Path) -> None:
    data = build(tmp_path, body=[LEAK])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("word/media/bomb.bin", bytes(8 * MB))
    with pytest.raises(TooLargeError, match="压缩"):
        parse(out.getvalue())


def test_doctype_after_a_long_prolog_is_refused(tmp_path: Path) -> None:
    entities = b'<!DOCTYPE w:document [<!ENTITY lol "lol">]>'
    data = edit(build(tmp_path, body=[LEAK]), MAIN,
                lambda xml: xml.replace(b"?>", b"?>" + comment(100_000) + entities, 1))
    with pytest.raises(CorruptError, match="DOCTYPE"):
        parse(data)


def test_strict_namespaces_are_mapped_across_chunk_borders() -> None:
    pairs = ((b"http://purl.oclc.org/ooxml/wordprocessingml/main", b"W"),)
    text = b"a http://purl.oclc.org/ooxml/wordprocessingml/main b " * 50
    for size in (1, 7, 31, 64):
        rewrite = _Rewriter(pairs)
        chunks = [text[i:i + size] for i in range(0, len(text), size)]
        out = b"".join(rewrite(c, False) for c in chunks) + rewrite(b"", True)
        assert out == text.replace(pairs[0][0], b"W")
