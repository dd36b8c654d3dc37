"""Hostile XML parts in a docx (issue 12): a size guard never hides what is readable.

Padding that compresses a thousandfold (a comment, whitespace, a processing instruction) used to
trip the zip's compression-ratio guard, and the file was `document.too_large` (warn) with no
identity finding: a leaky report went from fail to review. Now XML parts are streamed and bounded
by what they really hold; a text-bearing part that a limit stops is `document.unverifiable`
(fail), and what was read of it is still screened.
"""

from __future__ import annotations

import io
import random
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from samples.docxkit import build_docx
from screening.errors import CorruptError, TooLargeError
from screening.model import PartKind
from screening.parsers import parse_bytes
from screening.parsers.docx import limits as docx_limits
from screening.parsers.docx import open_zip_for_copy, parse
from screening.parsers.xmlsafe import MAX_XML_PART, Budget, _Rewriter, read_member
from tests.hostile import damage_member, picture_bomb, picture_docx, replace_member, small_png

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
    assert ratio(data, MAIN) > 200  # what tripped the old ratio guard
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


def test_doctype_after_a_long_prolog_is_refused(tmp_path: Path) -> None:
    """A DOCTYPE in the main part: nothing of the part is read, the attachment is unverifiable."""
    entities = b'<!DOCTYPE w:document [<!ENTITY lol "lol">]>'
    data = edit(build(tmp_path, body=[LEAK], header=f"{ORG}　页眉"), MAIN,
                lambda xml: xml.replace(b"?>", b"?>" + comment(100_000) + entities, 1))
    parsed = parse(data)
    assert body(parsed) == [] and rules(parsed) == ["document.unverifiable"]
    assert "DOCTYPE" in parsed.problems[0].message and parsed.problems[0].part == PartKind.BODY
    assert any(ORG in p.text for p in parsed.parts if p.kind == PartKind.HEADER)


def test_strict_namespaces_are_mapped_across_chunk_borders() -> None:
    pairs = ((b"http://purl.oclc.org/ooxml/wordprocessingml/main", b"W"),)
    text = b"a http://purl.oclc.org/ooxml/wordprocessingml/main b " * 50
    for size in (1, 7, 31, 64):
        rewrite = _Rewriter(pairs)
        chunks = [text[i:i + size] for i in range(0, len(text), size)]
        out = b"".join(rewrite(c, False) for c in chunks) + rewrite(b"", True)
        assert out == text.replace(pairs[0][0], b"W")


def test_every_strict_namespace_is_mapped_whatever_the_chunks() -> None:
    """The rewriter searches only data that holds what every pattern starts with; the result is the
    same as replacing each pattern in the whole text, wherever the chunks cut it."""
    from screening.parsers.docx.ooxml import STRICT

    pieces = [old for old, _ in STRICT] + [b"http://purl.oclc.org/ooxml/", b"http://purl.oclc.org/", b"<w:p/>",
                                           b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"]
    rng = random.Random(7)
    for _ in range(60):
        text = b" ".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30)))
        whole = text
        for old, new in STRICT:
            whole = whole.replace(old, new)
        for size in (1, 5, 27, 64, 1000):
            rewrite = _Rewriter(STRICT)
            chunks = [text[i:i + size] for i in range(0, len(text), size)]
            assert b"".join(rewrite(c, False) for c in chunks) + rewrite(b"", True) == whole


# -- a picture that cannot be checked fails on its own; the text is read ---------------------------
#
# A picture the zip guard will not inflate (a zip bomb, one over the per-member limit, or beyond
# the package's total) used to refuse the whole docx (document.too_large, warn): no text was read,
# so a leak in the body went from fail to review. Now only that picture is left unread, and as a
# picture can name the applicant (a logo, a scanned stamp) it is document.unverifiable (fail),
# named with where it is shown.

PICTURE = "word/media/image1.png"


def with_members(data: bytes, members: dict[str, bytes]) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    return out.getvalue()


def test_a_picture_bomb_is_reported_where_it_is_and_the_text_is_read() -> None:
    data = replace_member(picture_docx([LEAK, "二、研究内容。"], small_png()), PICTURE, picture_bomb())
    assert ratio(data, PICTURE) > 200
    parsed = parse(data)
    assert body(parsed) == [LEAK, "二、研究内容。"]
    assert rules(parsed) == ["document.unverifiable"]
    problem = parsed.problems[0]
    assert problem.part == PartKind.IMAGE
    assert f"正文第3段的图片（{PICTURE}）" in problem.message and "超过单个文件" in problem.message
    assert "无法确认是否暴露身份" in problem.message
    assert parsed.images == ()  # never handed on to OCR, which would inflate it


def test_a_white_scan_that_deflates_a_thousandfold_is_read() -> None:
    """The ratio decides nothing: an uncompressed picture of a blank page deflates as a bomb does."""
    data = replace_member(picture_docx([LEAK], small_png()), PICTURE, picture_bomb(16 * MB))
    assert ratio(data, PICTURE) > 200
    parsed = parse(data)
    assert body(parsed) == [LEAK] and [i.source for i in parsed.images] == [PICTURE]
    assert "document.unverifiable" not in rules(parsed)


def test_a_picture_bomb_in_the_header_names_the_header() -> None:
    data = picture_docx(["正文"], small_png(), in_header=True, header="页眉文字")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        header = next(n for n in zf.namelist() if re.fullmatch(r"word/header\d*\.xml", n))
    parsed = parse(replace_member(data, PICTURE, picture_bomb()))
    assert body(parsed) == ["正文"]
    assert [p.text for p in parsed.parts if p.kind == PartKind.HEADER] == ["页眉文字"]
    assert rules(parsed) == ["document.unverifiable"]
    assert f"页眉（{header}）第1段的图片（{PICTURE}）" in parsed.problems[0].message


def noise_png(side: int = 200) -> bytes:
    """A picture that does not compress: larger than any other non-XML member python-docx writes."""
    out = io.BytesIO()
    Image.frombytes("L", (side, side), random.Random(7).randbytes(side * side)).save(out, "PNG")
    return out.getvalue()


def test_a_picture_over_the_member_limit_is_unverifiable(monkeypatch: pytest.MonkeyPatch) -> None:
    picture = noise_png()
    monkeypatch.setattr(docx_limits, "MAX_MEDIA_PART", len(picture) - 1)
    parsed = parse(picture_docx([LEAK], picture))
    assert body(parsed) == [LEAK] and rules(parsed) == ["document.unverifiable"]
    assert "超过单个文件" in parsed.problems[0].message and PICTURE in parsed.problems[0].message


def test_pictures_beyond_the_package_total_are_unverifiable(monkeypatch: pytest.MonkeyPatch) -> None:
    picture = noise_png()
    data = with_members(picture_docx([LEAK], picture), {"word/media/image2.png": noise_png(150)})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # every other non-XML member (the thumbnail) and the first picture fit
        others = sum(i.file_size for i in zf.infolist() if not i.filename.endswith((".xml", ".rels")))
    monkeypatch.setattr(docx_limits, "MAX_TOTAL_BYTES", others - 1)
    parsed = parse(data)
    assert [i.source for i in parsed.images] == [PICTURE]
    assert rules(parsed) == ["document.unverifiable"]
    # a picture no story shows: only its member can be named
    assert "附件中的图片（word/media/image2.png）超出整个文档可解压" in parsed.problems[0].message


def test_an_xml_named_member_among_the_pictures_is_guarded_too() -> None:
    data = with_members(picture_docx([LEAK], small_png()), {"word/media/image9.xml": picture_bomb()})
    parsed = parse(data)
    assert body(parsed) == [LEAK] and [i.source for i in parsed.images] == [PICTURE]
    assert rules(parsed) == ["document.unverifiable"] and "word/media/image9.xml" in parsed.problems[0].message


def test_many_unreadable_pictures_are_counted_in_one_more_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_limits, "MAX_MEDIA_PART", MB)
    n = docx_limits.MAX_PICTURE_PROBLEMS + 5
    data = with_members(picture_docx([LEAK], small_png()),
                        {f"word/media/bomb{i}.png": picture_bomb(2 * MB) for i in range(n)})
    parsed = parse(data)
    assert body(parsed) == [LEAK]
    assert rules(parsed) == ["document.unverifiable"] * (docx_limits.MAX_PICTURE_PROBLEMS + 1)
    assert "另有5张图片" in parsed.problems[-1].message


def test_a_bomb_in_a_member_never_read_is_too_large_and_the_text_is_read(tmp_path: Path) -> None:
    data = with_members(build(tmp_path, body=[LEAK]), {"word/embeddings/oleObject1.bin": picture_bomb()})
    parsed = parse(data)
    assert body(parsed) == [LEAK] and rules(parsed) == ["document.too_large"]
    assert "word/embeddings/oleObject1.bin" in parsed.problems[0].message


def test_too_many_members_still_refuse_the_whole_archive(tmp_path: Path) -> None:
    data = with_members(build(tmp_path, body=[LEAK]),
                        {f"word/media/x{i}.bin": b"" for i in range(docx_limits.MAX_ENTRIES)})
    with pytest.raises(TooLargeError, match="文件过多"):
        parse(data)


def test_masking_still_refuses_a_package_it_cannot_inflate_whole() -> None:
    """Masking copies every member: its opener keeps refusing the whole package."""
    data = replace_member(picture_docx([LEAK], small_png()), PICTURE, picture_bomb())
    with pytest.raises(TooLargeError, match="压缩炸弹"):
        open_zip_for_copy(data)


def test_a_picture_bomb_report_fails_on_the_body_and_the_picture(tmp_path: Path, cli: Callable[..., Any]) -> None:
    path = tmp_path / "可行性报告.docx"
    path.write_bytes(replace_member(picture_docx([LEAK], small_png()), PICTURE, picture_bomb()))
    result = cli("check", path, "--org", ORG, "--format", "json")
    report = result.json()
    found = sorted({(f["rule"], f["severity"]) for f in report["findings"]})
    assert found == [("document.unverifiable", "fail"), ("identity.org", "fail")]
    assert report["verdict"] == "fail" and result.code == 1


# -- a main document that cannot be read fails; the other parts are read ----------------------------
#
# The body is where a leak would be: a damaged word/document.xml used to refuse the file
# (document.unreadable, warn) without reading its headers or properties. Now it is
# document.unverifiable (fail), and every other readable part is screened.

DAMAGES = ["malformed", "crc", "garbage", "truncated"]


def damaged(data: bytes, how: str) -> bytes:
    if how == "malformed":
        return edit(data, MAIN, lambda xml: xml[: len(xml) // 2])
    return damage_member(data, MAIN, how)


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_main_part_is_unverifiable_and_the_rest_is_read(tmp_path: Path, how: str) -> None:
    data = build(tmp_path, body=["正文"], header=f"{ORG}　页眉", footnote="脚注文字", core={"creator": "王建国"})
    parsed = parse(damaged(data, how))
    assert rules(parsed) == ["document.unverifiable"]
    problem = parsed.problems[0]
    assert problem.part == PartKind.BODY and MAIN in problem.message and "已损坏" in problem.message
    assert "无法确认是否暴露身份" in problem.message
    assert any(ORG in p.text for p in parsed.parts if p.kind == PartKind.HEADER)
    assert any("脚注文字" in p.text for p in parsed.parts if p.kind == PartKind.FOOTNOTE)
    assert any(p.text == "王建国" and p.origin == "core.creator" for p in parsed.parts)


def test_text_before_the_damage_in_the_main_part_is_still_screened(tmp_path: Path) -> None:
    data = edit(build(tmp_path, body=[LEAK, "结尾"]), MAIN, lambda xml: xml.replace(b"</w:p>", b"</w:p><w:p></w:r>", 1))
    parsed = parse(data)
    assert body(parsed) == [LEAK] and rules(parsed) == ["document.unverifiable"]
    assert "其后的内容无法读取" in parsed.problems[0].message


def test_a_main_part_that_is_no_word_document_is_unverifiable(tmp_path: Path) -> None:
    data = edit(build(tmp_path, body=[LEAK], header=f"{ORG}　页眉"), MAIN,
                lambda _: b'<?xml version="1.0"?><html><body><p>' + LEAK.encode() + b"</p></body></html>")
    parsed = parse(data)
    assert body(parsed) == [] and rules(parsed) == ["document.unverifiable"]
    assert "不是Word正文格式" in parsed.problems[0].message
    assert any(ORG in p.text for p in parsed.parts if p.kind == PartKind.HEADER)


@pytest.mark.parametrize("how", ["crc", "malformed"])
def test_a_damaged_main_part_fails_the_report(tmp_path: Path, cli: Callable[..., Any], how: str) -> None:
    path = tmp_path / "可行性报告.docx"
    path.write_bytes(damaged(build(tmp_path, body=["二、研究内容。"], header="可行性报告"), how))
    result = cli("check", path, "--org", ORG, "--format", "json")
    report = result.json()
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("document.unverifiable", "fail")]
    assert report["verdict"] == "fail" and result.code == 1


def test_a_truncated_zip_stays_unreadable(tmp_path: Path, cli: Callable[..., Any]) -> None:
    """Cut before its central directory the zip cannot be opened: nothing at all was read."""
    data = build(tmp_path, body=[LEAK])
    with pytest.raises(CorruptError):
        parse(data[: len(data) * 2 // 3])
    path = tmp_path / "可行性报告.docx"
    path.write_bytes(data[: len(data) * 2 // 3])
    result = cli("check", path, "--org", ORG, "--format", "json")
    report = result.json()
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("document.unreadable", "warn")]
    assert report["verdict"] == "review" and result.code == 3


def test_what_is_no_docx_at_all_stays_unreadable() -> None:
    no_main = io.BytesIO()
    with zipfile.ZipFile(no_main, "w") as zf:
        zf.writestr("word/notes.xml", "<notes/>")
    for data in (b"PK\x03\x04 word/ not really a zip", no_main.getvalue()):
        document = parse_bytes(data, "可行性报告.docx")
        assert [p.rule for p in document.problems] == ["document.unreadable"], data[:20]


def test_a_sound_member_read_whole_is_the_member_read_element_by_element(tmp_path: Path) -> None:
    """Sound members are built by libxml2 at once; the element-by-element read (kept for members
    that stop early) builds the same tree and charges the same elements and bytes to the budget —
    also when the member is large enough for its elements to be counted as it is read."""
    from lxml import etree

    from screening.parsers import xmlsafe

    data = edit(build(tmp_path, body=[LEAK, "结尾"]), MAIN, after_body(b"<w:p/>" * 5000))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if not info.filename.endswith((".xml", ".rels")):
                continue
            count = sum(1 for el in etree.fromstring(zf.read(info)).iter() if isinstance(el.tag, str))
            for left in (xmlsafe.MAX_XML_ELEMENTS, count):  # the budget to spare, and just enough
                whole, by_element = Budget(elements_left=left), Budget(elements_left=left)
                root, cut = read_member(zf, info, whole)
                other, other_cut = xmlsafe._read_events(zf, info, by_element, ())
                assert root is not None and other is not None and cut is None is other_cut, info.filename
                assert etree.tostring(root) == etree.tostring(other)
                assert (whole.elements_left, whole.bytes_left) == (by_element.elements_left, by_element.bytes_left)
            assert xmlsafe._read_whole(zf, info, Budget(), ()) is not None  # sound: read whole
        # one element over what is left: read again element by element, cut where the budget ends
        root, cut = read_member(zf, zf.getinfo(MAIN), Budget(elements_left=5000))
        assert root is not None and cut is not None and "元素" in cut.reason
