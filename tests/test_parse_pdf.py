"""screening.parsers.pdf on files built with samples.pdfkit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from samples.pdfkit import FONT_SIZE, MARGIN, build_pdf
from screening.errors import ConfigError, CorruptError, EncryptedError
from screening.model import Part, PartKind
from screening.parsers import parse_bytes
from screening.parsers.base import Parsed
from screening.parsers.pdf import parse
from screening.parsers.thresholds import FILE, load, thresholds


def parsed(tmp_path: Path, **kwargs: object) -> Parsed:
    return parse(build_pdf(tmp_path / "t.pdf", **kwargs).read_bytes())  # type: ignore[arg-type]


def texts(result: Parsed, kind: PartKind, origin: str | None = None) -> list[str]:
    return [p.text for p in result.parts if p.kind is kind and (origin is None or p.origin == origin)]


def only(result: Parsed, kind: PartKind, origin: str) -> Part:
    found = [p for p in result.parts if p.kind is kind and p.origin == origin]
    assert len(found) == 1, found
    return found[0]


def png(width: int = 400, height: int = 300) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- page text


def test_name_in_page_text(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["项目负责人张三，教授。"]])
    assert result.pages == 1
    body = only(result, PartKind.BODY, "")
    assert body.text == "项目负责人张三，教授。"
    assert (body.page, body.paragraph, body.source) == (1, 1, "page 1")
    assert body.box is not None
    x0, top, x1, bottom = body.box
    assert x0 == pytest.approx(72, abs=1) and 70 < top < bottom < 100 and x1 > x0
    assert result.problems == ()


def test_line_box_is_the_em_box_from_baseline_and_font_size(tmp_path: Path) -> None:
    """The box comes from what the PDF says (origin, font size), not from a system font's glyphs:
    the same on a machine without CJK fonts (tests/test_machine_independence.py)."""
    em = thresholds().pdf.em
    text = "项目负责人张三，教授。"  # all wide: one em each
    body = only(parsed(tmp_path, pages=[[text]]), PartKind.BODY, "")
    baseline = MARGIN + FONT_SIZE  # below the top edge (samples/pdfkit.py)
    assert body.box == (MARGIN, round(baseline - em.ascent * FONT_SIZE, 1),
                        MARGIN + len(text) * em.wide_advance * FONT_SIZE, round(baseline + em.descent * FONT_SIZE, 1))


def test_a_line_ends_its_last_characters_advance_after_its_origin(tmp_path: Path) -> None:
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    em = thresholds().pdf.em
    for text, advance in (("张三ab", em.narrow_advance), ("ab张三", em.wide_advance)):
        data = build_pdf(tmp_path / "t.pdf", pages=[[text]]).read_bytes()
        textpage = pdfium.PdfDocument(data)[0].get_textpage()
        x, y = ctypes.c_double(), ctypes.c_double()
        assert pdfium_c.FPDFText_GetCharOrigin(textpage, len(text) - 1, x, y)
        body = only(parse(data), PartKind.BODY, "")
        assert body.box is not None and body.box[2] == round(x.value + advance * FONT_SIZE, 1)


def test_lone_punctuation_on_the_last_line_stays_in_its_paragraph(tmp_path: Path) -> None:
    """A 。 wrapped onto a line of its own is a line of the same font size: one paragraph (with the
    glyph box it was a much lower line and started a paragraph of its own)."""
    paragraph = "本表为某某项目的经费预算。"
    result = parsed(tmp_path, pages=[[paragraph, "下一段"]], wrap_at=len(paragraph) - 1)
    assert texts(result, PartKind.BODY) == ["本表为某某项目的经费预算\n。", "下一段"]


def test_name_broken_across_a_line_is_one_part(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["申请人王\n小明，男，教授。"]])
    assert texts(result, PartKind.BODY) == ["申请人王\n小明，男，教授。"]


def test_wrapped_paragraph_is_one_part(tmp_path: Path) -> None:
    paragraph = "本项目由" + "某" * 40 + "大学承担。"
    result = parsed(tmp_path, pages=[[paragraph]], wrap_at=20)
    (text,) = texts(result, PartKind.BODY)
    assert text.replace("\n", "") == paragraph
    assert text.count("\n") == 2


def test_two_paragraphs_are_two_parts(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["第一段第一行\n第一段第二行", "第二段只有一行"]])
    body = [p for p in result.parts if p.kind is PartKind.BODY]
    assert [(p.text, p.paragraph) for p in body] == [("第一段第一行\n第一段第二行", 1), ("第二段只有一行", 2)]


def test_single_line_paragraphs_split_by_the_gap(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["标题", "正文第一段", "正文第二段"]])
    assert texts(result, PartKind.BODY) == ["标题", "正文第一段", "正文第二段"]


def test_short_line_ending_a_sentence_ends_the_paragraph(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["第一句话结束。\n第二段开始的文字比第一行长得多得多得多"]])
    assert texts(result, PartKind.BODY) == ["第一句话结束。", "第二段开始的文字比第一行长得多得多得多"]


def test_indented_line_starts_a_paragraph(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["第一行文字很长很长\n\u3000\u3000缩进的新段落"]])
    assert texts(result, PartKind.BODY) == ["第一行文字很长很长", "缩进的新段落"]


def test_header_and_footer(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["正文"], ["第二页正文"]], header="申请人：李四", footer="第1页 王五")
    headers = [p for p in result.parts if p.kind is PartKind.HEADER]
    footers = [p for p in result.parts if p.kind is PartKind.FOOTER]
    assert [(p.text, p.page, p.paragraph, p.origin) for p in headers] == [
        ("申请人：李四", 1, 1, "position"), ("申请人：李四", 2, 1, "position")]
    assert [(p.text, p.page, p.origin) for p in footers] == [
        ("第1页 王五", 1, "position"), ("第1页 王五", 2, "position")]
    assert headers[0].box is not None and headers[0].box[3] < 0.07 * 842
    assert footers[0].box is not None and footers[0].box[1] > 0.93 * 842
    assert texts(result, PartKind.BODY) == ["正文", "第二页正文"]


def test_multi_page_numbers(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["第一页甲"], ["第二页乙", "第二页丙"], ["第三页丁"]])
    assert result.pages == 3
    body = [(p.page, p.paragraph, p.text, p.source) for p in result.parts if p.kind is PartKind.BODY]
    assert body == [
        (1, 1, "第一页甲", "page 1"),
        (2, 1, "第二页乙", "page 2"),
        (2, 2, "第二页丙", "page 2"),
        (3, 1, "第三页丁", "page 3"),
    ]


def test_text_overflowing_a_page_continues_on_the_next(tmp_path: Path) -> None:
    lines = [f"第{i}行" for i in range(60)]
    result = parsed(tmp_path, pages=[["\n".join(lines)]])
    assert result.pages == 2
    assert "\n".join(texts(result, PartKind.BODY)).split("\n") == lines
    assert {p.page for p in result.parts if p.kind is PartKind.BODY} == {1, 2}


def test_rotated_page_reads_like_upright(tmp_path: Path) -> None:
    source = build_pdf(tmp_path / "r.pdf", pages=[["申请人王\n小明，男，教授。", "第二段"]], header="页眉")
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    result = parse(out.getvalue())
    assert texts(result, PartKind.BODY) == ["申请人王\n小明，男，教授。", "第二段"]
    assert texts(result, PartKind.HEADER) == ["页眉"]


# ---------------------------------------------------------------- beyond the page text


def test_info_metadata(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["正文"]], info={"Author": "张三", "Title": "李四的申请书", "Keywords": "王五"})
    assert only(result, PartKind.METADATA, "info.Author").text == "张三"
    assert only(result, PartKind.METADATA, "info.Title").text == "李四的申请书"
    assert only(result, PartKind.METADATA, "info.Keywords").text == "王五"
    assert not [p for p in result.parts if p.origin in ("info.CreationDate", "info.ModDate")]


def test_xmp_creator(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["正文"]], xmp_creator="赵六")
    assert only(result, PartKind.METADATA, "xmp.creator").text == "赵六"
    xmp = [p.text for p in result.parts if p.origin.startswith("xmp.")]
    assert not [t for t in xmp if t.startswith("2000-")]  # dates are not screened


def test_annotation_contents_and_author(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["正文"]], annotation=("请钱七修改", "孙八"))
    contents = only(result, PartKind.COMMENT, "annotation")
    author = only(result, PartKind.COMMENT, "annotation_author")
    assert (contents.text, contents.page) == ("请钱七修改", 1)
    assert (author.text, author.page) == ("孙八", 1)


def test_form_field_value(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["正文"]], form_field=("applicant", "周九"))
    field = only(result, PartKind.BODY, "form_field")
    assert (field.text, field.page, field.paragraph) == ("周九", 1, 2)  # after the body paragraph


def test_outline_title(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["正文"]], outline=["吴十的简历"])
    part = only(result, PartKind.METADATA, "outline")
    assert (part.text, part.page) == ("吴十的简历", 1)


def test_embedded_file_name(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["正文"]], attachment=("郑一简历.docx", b"data"))
    assert only(result, PartKind.METADATA, "embedded_file").text == "郑一简历.docx"


def test_everything_at_once(tmp_path: Path) -> None:
    result = parsed(
        tmp_path, pages=[["正文甲第一页"], ["正文乙第二页"]], header="页眉", footer="页脚", info={"Author": "甲"},
        xmp_creator="乙", annotation=("丙", "丁"), form_field=("f", "戊"), outline=["己"], attachment=("庚.txt", b"x"),
    )
    found = {(p.origin, p.text) for p in result.parts}
    for expected in [("info.Author", "甲"), ("xmp.creator", "乙"), ("annotation", "丙"), ("annotation_author", "丁"),
                     ("form_field", "戊"), ("outline", "己"), ("embedded_file", "庚.txt"), ("", "正文乙第二页")]:
        assert expected in found
    assert result.problems == ()


# ---------------------------------------------------------------- pictures and scans


def test_scanned_page(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["第一页有文字"]], scanned_page_png=png(400, 300))
    assert result.pages == 2
    (problem,) = result.problems
    assert (problem.rule, problem.page, problem.part) == ("document.scanned", 2, PartKind.BODY)
    assert "第2页" in problem.message
    (image,) = result.images
    assert (image.source, image.page, image.width, image.height) == ("page 2", 2, 400, 300)


def test_scan_with_a_stamped_header_is_still_scanned(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["短"]], header="项目申请书 第1页 共1页")
    assert [(p.rule, p.page) for p in result.problems] == [("document.scanned", 1)]
    assert texts(result, PartKind.HEADER) == ["项目申请书 第1页 共1页"]


def test_empty_page_counts_as_scanned(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[[""]])
    assert [(p.rule, p.page) for p in result.problems] == [("document.scanned", 1)]
    (image,) = result.images
    assert (image.source, image.width, image.height) == ("page 1", 595, 842)  # page size in points


def test_big_picture_on_a_text_page_is_listed(tmp_path: Path) -> None:
    scan = build_pdf(tmp_path / "s.pdf", pages=[["这一页有足够的文字"]], scanned_page_png=png(300, 200))
    writer = PdfWriter(clone_from=PdfReader(scan))
    writer.pages[0].merge_page(writer.pages[1])  # the picture now sits on the text page too
    out = io.BytesIO()
    writer.write(out)
    result = parse(out.getvalue())
    assert ("page 1 image 1", 1, 300, 200) in [(i.source, i.page, i.width, i.height) for i in result.images]


# ---------------------------------------------------------------- broken and locked files


def test_user_password_is_encrypted_error(tmp_path: Path) -> None:
    with pytest.raises(EncryptedError) as caught:
        parsed(tmp_path, pages=[["正文"]], user_password="secret")
    assert caught.value.rule == "document.encrypted"
    assert "密码" in caught.value.message


def test_owner_password_only_still_parses(tmp_path: Path) -> None:
    result = parsed(tmp_path, pages=[["项目负责人张三"]], owner_password="owner", info={"Author": "李四"})
    assert texts(result, PartKind.BODY) == ["项目负责人张三"]
    assert only(result, PartKind.METADATA, "info.Author").text == "李四"


@pytest.mark.parametrize("cut", [200, 0.5])
def test_truncated_is_corrupt(tmp_path: Path, cut: float) -> None:
    data = build_pdf(tmp_path / "t.pdf", pages=[["正文"], ["第二页"]]).read_bytes()
    end = int(cut) if cut >= 1 else int(len(data) * cut)
    with pytest.raises(CorruptError) as caught:
        parse(data[:end])
    assert caught.value.rule == "document.unreadable"


def test_garbage_is_corrupt() -> None:
    with pytest.raises(CorruptError):
        parse(b"%PDF-1.7\n" + bytes(range(256)) * 40)


def test_dispatcher_turns_errors_into_problems(tmp_path: Path) -> None:
    data = build_pdf(tmp_path / "t.pdf", pages=[["正文"]], user_password="x").read_bytes()
    document = parse_bytes(data, "附件.pdf")
    assert [p.rule for p in document.problems] == ["document.encrypted"]
    ok = parse_bytes(build_pdf(tmp_path / "u.pdf", pages=[["张三"]]).read_bytes(), "附件.pdf")
    assert ok.format == "pdf" and ok.pages == 1 and "张三" in [p.text for p in ok.parts]


# ---------------------------------------------------------------- the builder


def test_builder_is_deterministic(tmp_path: Path) -> None:
    kwargs: dict[str, object] = {
        "pages": [["张三"], ["李四"]], "header": "页眉", "footer": "页脚", "info": {"Author": "王五"},
        "xmp_creator": "赵六", "annotation": ("批注", "钱七"), "form_field": ("f", "孙八"), "outline": ["书签"],
        "attachment": ("a.txt", b"x"), "scanned_page_png": png(),
    }
    first = build_pdf(tmp_path / "a.pdf", **kwargs).read_bytes()  # type: ignore[arg-type]
    second = build_pdf(tmp_path / "b.pdf", **kwargs).read_bytes()  # type: ignore[arg-type]
    assert first == second


# ---------------------------------------------------------------- XMP details


def test_xmp_values_attributes_alternatives_and_skips() -> None:
    from screening.parsers.pdf import _xmp_values

    packet = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
   xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
   pdf:Author="Zhang San" xmp:CreateDate="2024-03-01T10:00:00+08:00" xmpMM:DocumentID="uuid:1234">
  <dc:title><rdf:Alt><rdf:li xml:lang="x-default">李四的申请书</rdf:li></rdf:Alt></dc:title>
  <dc:description>&secret;</dc:description>
  <xmpMM:InstanceID>xmp.iid:abc</xmpMM:InstanceID>
  <xmpMM:History><rdf:Seq><rdf:li rdf:parseType="Resource"><stEvt:softwareAgent
     xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#">Word</stEvt:softwareAgent></rdf:li></rdf:Seq>
  </xmpMM:History>
 </rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>""".encode()
    assert _xmp_values(packet) == [("Author", "Zhang San"), ("title", "李四的申请书")]


# ---------------------------------------------------------------- thresholds (lexicons/parsing.yaml)


def test_thresholds_are_the_parsers_values() -> None:
    from screening.parsers import ocr, pdf

    values = thresholds()
    in_use = (pdf.BAND, pdf.MIN_TEXT_CHARS, pdf.MAX_STRIPS, ocr.LOW_CONFIDENCE, ocr.LINE_MIN_SCORE, ocr.ROW_GAP)
    assert in_use == (values.pdf.band, values.pdf.min_text_chars, values.pdf.pictures.max_strips,
                      values.ocr.low_confidence, values.ocr.line_min_score, values.ocr.rows.gap)


@pytest.mark.parametrize(("edit", "named"), [
    (lambda text: text.replace("band: 0.07", "band: 0.7"), "pdf.band"),
    (lambda text: text.replace("  min_text_chars: 5\n", ""), "pdf.min_text_chars"),
    (lambda text: text.replace("open: 8", "open: 8\n    opne: 9"), "paragraphs.recognised.opne"),
    (lambda text: text.replace("pitch_range: [0.5, 4.0]", "pitch_range: [4.0, 0.5]"), "pitch_range"),
    (lambda text: text + "\n  : [", "parsing.yaml"),
])
def test_a_broken_thresholds_file_names_the_key(tmp_path: Path, edit: object, named: str) -> None:
    from screening.resources import data_dir

    broken = tmp_path / FILE
    broken.write_text(edit((data_dir("lexicons") / FILE).read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(ConfigError) as caught:
        load(broken)
    assert named in str(caught.value)
