"""Places a name hides that a reader does not see (issue 15): files inside the attachment (zip
members, objects embedded in Word, files attached to a PDF), Word's building blocks, custom XML
and imported chunks, what pictures say about themselves, and the PDF's links, scripts, page
labels, earlier revisions and text nobody sees on the page. Every file is made here; each test
plants a name in one place and checks the part it becomes and the finding it gives."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
import xlwt
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from screening.engine import screen_files
from screening.model import Document, Part, Severity
from screening.parsers import parse_bytes, picture_meta

ORG, SHORT, LEADER, MEMBER = "衢州华康生物科技有限公司", "华康生物", "李明华", "王建国"
APPLICATION: dict[str, Any] = {
    "project_id": "T-HIDE", "title": "测试项目", "category": "key",
    "applicant": {"name": ORG, "aliases": [SHORT]},
    "team": [{"name": LEADER, "role": "leader", "title": "高级工程师", "ongoing_as_leader": 0, "ongoing_as_member": 0},
             {"name": MEMBER, "role": "member", "title": "工程师", "ongoing_as_leader": 0, "ongoing_as_member": 0}],
    "budget": {"total": 100.0},
}


def parts(data: bytes, name: str) -> list[Part]:
    doc = parse_bytes(data, name)
    return list(doc.parts)


def find(doc_parts: list[Part], text: str) -> Part:
    found = [p for p in doc_parts if text in p.text]
    assert found, [(p.kind, p.origin, p.text[:40]) for p in doc_parts]
    return found[0]


def identity_fails(tmp_path: Path, name: str, data: bytes) -> list[dict[str, Any]]:
    path = tmp_path / name
    path.write_bytes(data)
    app = tmp_path / "application.json"
    app.write_text(json.dumps(APPLICATION, ensure_ascii=False), encoding="utf-8")
    report = screen_files([path], application=app).to_json()
    return [f for f in report["findings"] if f["rule"].startswith("identity.") and f["severity"] == Severity.FAIL]


# -- Word ---------------------------------------------------------------------------------------------


def word_with(extra: dict[str, bytes | str], body: str = "本项目研究内容如下。") -> bytes:
    d = docx.Document()
    d.add_paragraph(body)
    buffer = io.BytesIO()
    d.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        for member, content in extra.items():
            target.writestr(member, content)
    return out.getvalue()


def workbook(text: str) -> bytes:
    wb = openpyxl.Workbook()
    wb.active["B3"] = text
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def legacy_workbook(text: str) -> bytes:
    book = xlwt.Workbook()
    book.add_sheet("预算").write(0, 0, text)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_embedded_in_word_is_screened_as_an_attachment_of_its_own(tmp_path: Path) -> None:
    data = word_with({"word/embeddings/Microsoft_Excel_Worksheet.xlsx": workbook(f"合作单位：{ORG}")})
    part = find(parts(data, "可行性报告.docx"), ORG)
    assert part.embedded == "word/embeddings/Microsoft_Excel_Worksheet.xlsx" and part.kind.value == "table"
    (finding,) = [f for f in identity_fails(tmp_path, "可行性报告.docx", data) if f["matched"] == ORG]
    assert finding["location"]["embedded"] == "word/embeddings/Microsoft_Excel_Worksheet.xlsx"
    assert "中嵌入的文件“word/embeddings/Microsoft_Excel_Worksheet.xlsx”的工作表“Sheet”第3行B列" in finding["message"]


def test_an_ole_object_holding_a_legacy_workbook_is_unwrapped() -> None:
    data = word_with({"word/embeddings/oleObject1.bin": legacy_workbook(f"负责人：{LEADER}")})
    part = find(parts(data, "可行性报告.docx"), LEADER)
    assert part.embedded == "word/embeddings/oleObject1.bin"


def test_building_blocks_custom_xml_and_an_imported_html_chunk() -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    glossary = (f'<w:glossaryDocument {w}><w:docParts><w:docPart><w:docPartBody><w:p><w:r><w:t>{LEADER} 高级工程师'
                '</w:t></w:r></w:p></w:docPartBody></w:docPart></w:docParts></w:glossaryDocument>')
    custom = f"<data><unit>{SHORT}</unit><id>0001</id></data>"
    html = f"<html><body><p>申报单位：{ORG}</p><script>var x = 1;</script></body></html>"
    data = word_with({"word/glossary/document.xml": glossary, "customXml/item9.xml": custom,
                      "word/afchunk1.htm": html.encode("utf-8")})
    doc_parts = parts(data, "a.docx")
    assert find(doc_parts, LEADER).origin == "glossary"
    assert find(doc_parts, SHORT).origin == "custom_xml"
    assert not [p for p in doc_parts if p.text == "0001"]  # numbers alone are bookkeeping


def alt_chunk_word(chunk_name: str, chunk: bytes) -> bytes:
    """A docx whose body imports `chunk` with w:altChunk (relationship rIdChunk)."""
    d = docx.Document()
    d.add_paragraph("正文。")
    buffer = io.BytesIO()
    d.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = content.replace(b"</w:body>", b'<w:altChunk r:id="rIdChunk"/></w:body>')
                if b'xmlns:r="' not in content:
                    content = content.replace(b"<w:document ", b'<w:document xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ', 1)
            if item.filename == "word/_rels/document.xml.rels":
                content = content.replace(b"</Relationships>", (
                    '<Relationship Id="rIdChunk" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk" '
                    f'Target="{chunk_name}"/></Relationships>').encode())
            target.writestr(item, content)
        target.writestr(f"word/{chunk_name}", chunk)
    return out.getvalue()


def test_an_imported_html_chunk_is_read_as_body_text(tmp_path: Path) -> None:
    html = f"<html><body><p>申报单位：{ORG}</p></body></html>".encode()
    data = alt_chunk_word("afchunk.htm", html)
    part = find(parts(data, "a.docx"), ORG)
    assert (part.kind.value, part.origin) == ("body", "alt_chunk")
    assert any(f["matched"] == ORG for f in identity_fails(tmp_path, "a.docx", data))


def test_an_imported_docx_chunk_is_screened_as_a_file_inside(tmp_path: Path) -> None:
    inner = word_with({}, body=f"项目负责人{LEADER}")
    part = find(parts(alt_chunk_word("afchunk.docx", inner), "a.docx"), LEADER)
    assert part.embedded == "word/afchunk.docx"


# -- what pictures say about themselves ----------------------------------------------------------------


def jpeg_with_metadata() -> bytes:
    exif = Image.Exif()
    exif[40093] = LEADER.encode("utf-16-le") + b"\x00\x00"  # XPAuthor, as Windows writes it
    exif[315] = "Li Minghua"
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
           'xmlns:stRef="http://ns.adobe.com/xap/1.0/sType/ResourceRef#"><xmpMM:DerivedFrom '
           f'stRef:filePath="C:\\Users\\limh\\Desktop\\{SHORT}\\logo.psd"/></rdf:Description></rdf:RDF></x:xmpmeta>')
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, "JPEG", exif=exif, xmp=xmp.encode())
    return buffer.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", ORG)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def test_exif_xmp_and_png_text_are_read() -> None:
    fields = picture_meta.texts(jpeg_with_metadata())
    assert ("EXIF作者", LEADER) in fields and ("EXIF作者", "Li Minghua") in fields
    assert any(label == "XMP" and SHORT in value for label, value in fields)
    assert picture_meta.texts(png_with_text()) == [("PNG文本（Author）", ORG)]
    assert picture_meta.texts(b"not a picture") == []


def test_a_picture_attachment_and_a_picture_in_word_give_their_metadata(tmp_path: Path) -> None:
    part = find(parts(png_with_text(), "logo.png"), ORG)
    assert (part.kind.value, part.origin) == ("image", "picture_meta")
    d = docx.Document()
    d.add_paragraph("正文")
    d.add_picture(io.BytesIO(jpeg_with_metadata()))
    buffer = io.BytesIO()
    d.save(buffer)
    assert find(parts(buffer.getvalue(), "a.docx"), LEADER).origin == "picture_meta"
    fails = identity_fails(tmp_path, "a.docx", buffer.getvalue())
    assert any(f["matched"] == LEADER and "图片属性" in f["message"] for f in fails)


# -- PDF ----------------------------------------------------------------------------------------------


def _font() -> None:
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


def unseen_pdf() -> bytes:
    """One page: visible text, then one name in each way of not being seen, and two that are seen
    although they look like it (a scan's invisible OCR layer over its picture, white on blue)."""
    _font()
    buffer = io.BytesIO()
    c = Canvas(buffer, invariant=1)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "本项目研究内容如下。")

    def invisible(y: float, text: str) -> None:
        c.saveState()
        t = c.beginText(72, y)
        t.setTextRenderMode(3)
        t.setFont("STSong-Light", 12)
        t.textLine(text)
        c.drawText(t)
        c.restoreState()
        c.setFont("STSong-Light", 12)

    invisible(680, f"负责人{LEADER}")
    c.setFillColorRGB(1, 1, 1)
    c.drawString(72, 660, f"申报单位{SHORT}")
    c.setFillColorRGB(0, 0, 0)
    c.setFont("STSong-Light", 1)
    c.drawString(72, 640, f"成员{MEMBER}")
    c.setFont("STSong-Light", 12)
    c.drawString(72, 620, "参与单位张伟研究所")
    c.rect(70, 615, 200, 20, stroke=0, fill=1)
    c.drawString(72, -40, "页面以外刘洋")
    c.drawImage(ImageReader(Image.new("RGB", (400, 40), "white")), 72, 560, 200, 20)
    invisible(565, "扫描件文字层")
    c.setFillColorRGB(0.1, 0.2, 0.6)
    c.rect(70, 520, 300, 25, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.drawString(72, 526, "蓝底白字标题")
    c.showPage()
    c.save()
    return buffer.getvalue()


def test_text_nobody_sees_is_a_part_of_its_own_with_the_reason() -> None:
    by_text = {p.text: p for p in parts(unseen_pdf(), "a.pdf") if p.kind.value == "body"}
    assert by_text[f"负责人{LEADER}"].origin == "invisible"
    assert by_text[f"申报单位{SHORT}"].origin == "white"
    assert by_text[f"成员{MEMBER}"].origin == "tiny"
    assert by_text["参与单位张伟研究所"].origin == "covered"
    assert by_text["页面以外刘洋"].origin == "outside_crop"
    assert by_text["扫描件文字层"].origin == "" and by_text["蓝底白字标题"].origin == ""
    assert by_text["本项目研究内容如下。"].origin == ""


def test_a_finding_on_unseen_text_says_why_nobody_sees_it(tmp_path: Path) -> None:
    fails = {f["matched"]: f for f in identity_fails(tmp_path, "a.pdf", unseen_pdf())}
    assert fails[LEADER]["location"]["origin"] == "invisible" and "不可见文字" in fails[LEADER]["message"]
    assert fails[SHORT]["location"]["origin"] == "white" and "白色文字" in fails[SHORT]["message"]
    assert fails[MEMBER]["location"]["origin"] == "tiny"


def pdf_page(text: str) -> bytes:
    _font()
    buffer = io.BytesIO()
    c = Canvas(buffer, invariant=1)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, text)
    c.showPage()
    c.save()
    return buffer.getvalue()


def pdf_with_extras() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_page("本项目组织实施方案。"))))
    writer.add_attachment("说明.docx", word_with({}, body=f"合作单位：{ORG}"))
    writer.add_annotation(0, Link(rect=(72, 690, 300, 715), url="https://example.com/?unit=%E5%8D%8E%E5%BA%B7%E7%94%9F%E7%89%A9"))
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject(f'var owner = "{LEADER}";')})
    names = writer._root_object.setdefault(NameObject("/Names"), DictionaryObject()).get_object()
    names[NameObject("/JavaScript")] = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("init"), writer._add_object(script)])})
    writer.set_page_label(0, 0, prefix=f"{SHORT}-")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_files_links_scripts_and_page_labels_of_a_pdf() -> None:
    doc_parts = parts(pdf_with_extras(), "a.pdf")
    embedded = find(doc_parts, ORG)
    assert embedded.embedded == "嵌入文件：说明.docx" and embedded.kind.value == "body"
    link = find(doc_parts, "example.com")
    assert link.origin == "link" and SHORT in link.text  # the percent-encoding undone
    assert find(doc_parts, LEADER).origin == "javascript"
    assert find(doc_parts, f"{SHORT}-").origin == "page_label"


def test_text_an_incremental_update_removed_is_still_read() -> None:
    first = pdf_page(f"项目负责人{LEADER}组织实施本项目。")
    writer = PdfWriter(PdfReader(io.BytesIO(first)), incremental=True)
    writer.pages[0].replace_contents(PdfReader(io.BytesIO(pdf_page("本项目组织实施方案。"))).pages[0].get_contents())
    buffer = io.BytesIO()
    writer.write(buffer)
    doc_parts = parts(buffer.getvalue(), "a.pdf")
    old = find(doc_parts, LEADER)
    assert (old.origin, old.page) == ("earlier_revision", 1)
    assert find(doc_parts, "本项目组织实施方案").origin == ""
    assert not [p for p in parts(first, "b.pdf") if p.origin == "earlier_revision"]


# -- zip ----------------------------------------------------------------------------------------------


def test_every_member_of_a_zip_is_screened(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("资料/可行性报告.docx", word_with({}, body=f"项目负责人{LEADER}"))
        z.writestr("资料/预算.pdf", pdf_page(f"申报单位：{ORG}"))
        z.writestr("__MACOSX/._预算.pdf", b"\x00\x05\x16\x07")
        gbk = "华康生物-说明.pdf".encode("gbk")  # a name as a Chinese Windows zips it: GBK, no UTF-8 flag
        z.writestr("x" * len(gbk), pdf_page("说明"))
    data = buffer.getvalue().replace(b"x" * len(gbk), gbk)
    doc = parse_bytes(data, "附件.zip")
    assert find(list(doc.parts), LEADER).embedded == "资料/可行性报告.docx"
    assert find(list(doc.parts), ORG).embedded == "资料/预算.pdf"
    assert find(list(doc.parts), "华康生物-说明.pdf").origin == "embedded_file"  # a GBK name read as GBK
    assert not [p for p in doc.parts if "__MACOSX" in p.embedded]
    fails = identity_fails(tmp_path, "附件.zip", data)
    assert {f["matched"] for f in fails} >= {LEADER, ORG}


def test_nesting_beyond_the_limit_is_unverifiable(monkeypatch: pytest.MonkeyPatch) -> None:
    import screening.parsers as parsers

    monkeypatch.setattr(parsers, "MAX_INNER_DEPTH", 1)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("a.pdf", pdf_page(f"申报单位：{ORG}"))
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as z:
        z.writestr("inner.zip", inner.getvalue())
    doc: Document = parse_bytes(outer.getvalue(), "附件.zip")
    assert [p.rule for p in doc.problems] == ["document.unverifiable"]
    assert "嵌套层数过多" in doc.problems[0].message


# -- sanitize ----------------------------------------------------------------------------------------


def word_with_everything() -> bytes:
    """A Word document with a name in each place the Document Inspector looks at."""
    d = docx.Document()
    d.core_properties.author = LEADER
    d.core_properties.comments = ORG
    p = d.add_paragraph("本项目研究内容。")
    run = p.add_run(f"隐藏的{MEMBER}")
    run.font.hidden = True
    d.add_picture(io.BytesIO(jpeg_with_metadata()))
    buffer = io.BytesIO()
    d.save(buffer)
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    glossary = (f'<w:glossaryDocument {w}><w:docParts><w:docPart><w:docPartBody><w:p><w:r><w:t>{LEADER}</w:t></w:r>'
                '</w:p></w:docPartBody></w:docPart></w:docParts></w:glossaryDocument>')
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":  # a tracked deletion holding a name
                content = content.replace(b"</w:body>", (
                    f'<w:p><w:del w:id="9" w:author="{LEADER}" w:date="2020-05-01T00:00:00Z"><w:r>'
                    f'<w:delText>{SHORT}</w:delText></w:r></w:del></w:p></w:body>').encode())
            target.writestr(item, content)
        target.writestr("word/glossary/document.xml", glossary)
        target.writestr("customXml/item9.xml", f"<data><unit>{SHORT}</unit></data>")
        target.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", workbook(ORG))
    return out.getvalue()


def test_sanitize_leaves_nothing_the_reader_does_not_see_in_a_word_document() -> None:
    from screening.redact import sanitize_bytes

    before = parts(word_with_everything(), "a.docx")
    assert {p.origin for p in before} >= {"glossary", "custom_xml", "hidden", "deleted", "picture_meta"}
    assert any(p.embedded for p in before)
    clean, removed = sanitize_bytes(word_with_everything(), "docx")
    after = parts(clean, "a.docx")
    for name in (ORG, SHORT, LEADER, MEMBER):
        assert not [p for p in after if name in p.text], (name, [(p.origin, p.text) for p in after if name in p.text])
    assert find(after, "本项目研究内容").kind.value == "body"  # the visible text is kept
    assert {"文档部件库（构建基块）", "自定义XML数据", "嵌入的对象和文件", "隐藏文字", "修订记录和批注标记"} <= set(removed)
    docx.Document(io.BytesIO(clean))  # still a Word document python-docx opens


def test_sanitize_leaves_nothing_the_reader_does_not_see_in_a_pdf() -> None:
    from screening.redact import sanitize_bytes

    first = pdf_with_extras()
    writer = PdfWriter(PdfReader(io.BytesIO(first)), incremental=True)
    writer.pages[0].replace_contents(PdfReader(io.BytesIO(pdf_page("本项目组织实施方案。"))).pages[0].get_contents())
    buffer = io.BytesIO()
    writer.write(buffer)
    clean, removed = sanitize_bytes(buffer.getvalue(), "pdf")
    after = parse_bytes(clean, "a.pdf")
    assert [p.text for p in after.parts if p.kind.value == "body"] == ["本项目组织实施方案。"]
    assert not [p for p in after.parts if p.origin in ("javascript", "link", "page_label", "earlier_revision", "embedded_file")]
    assert {"PDF脚本（JavaScript）", "页码标签", "注释、链接和附件"} <= set(removed)


def test_redact_sanitize_without_a_leak_makes_a_clean_copy(tmp_path: Path) -> None:
    from screening.application import Application
    from screening.engine import Upload
    from screening.redact import redact

    app = Application.model_validate({**APPLICATION, "applicant": {"name": "某某无关公司"}, "team": []})
    result = redact(app, Upload("a.docx", data=word_with_everything()), sanitize=True)
    assert "自定义XML数据" in result.removed  # (a person's name as the author is masked as a warn)
    assert not [p for p in parts(result.data, "a.docx") if p.origin in ("glossary", "custom_xml", "hidden", "deleted")]


# -- QR codes -------------------------------------------------------------------------------------------


def qr_png(text: str) -> bytes:
    import numpy as np
    import zxingcpp

    code = Image.fromarray(np.array(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=6)))
    page = Image.new("RGB", (600, 400), "white")
    page.paste(code.convert("RGB"), (80, 80))
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_qr_code_in_a_picture_is_decoded(tmp_path: Path, cache_dir: Path) -> None:
    d = docx.Document()
    d.add_paragraph("扫码了解更多")
    d.add_picture(io.BytesIO(qr_png("https://www.example.com/?unit=%E5%8D%8E%E5%BA%B7%E7%94%9F%E7%89%A9")))
    buffer = io.BytesIO()
    d.save(buffer)
    part = find(parts(buffer.getvalue(), "a.docx"), "example.com")
    assert (part.kind.value, part.origin) == ("image", "barcode") and SHORT in part.text
    fails = identity_fails(tmp_path, "a.docx", buffer.getvalue())
    assert any(f["matched"] == SHORT and "二维码" in f["message"] for f in fails)


# -- a leak OCR read in a picture, masked in the picture ------------------------------------------------


def drawn(size: tuple[int, int], lines: Sequence[tuple[int, str]]) -> Image.Image:
    """A white picture of `size` with each (y in pixels, text) drawn at 40 px from x = 150 (skipped
    without the CJK font that draws it)."""
    from PIL import ImageDraw, ImageFont

    from tests.test_budget_scan import CJK_FONT

    if not CJK_FONT.is_file():
        pytest.skip("the CJK font draws the picture")
    font = ImageFont.truetype(str(CJK_FONT), 40)
    picture = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(picture)
    for y, text in lines:
        draw.text((150, y), text, font=font, fill=0)
    return picture


def scanned_page(lines: Sequence[tuple[int, str]]) -> bytes:
    """A one-page scanned PDF (A4 at 200 dpi, no text layer) of `lines` (`drawn`)."""
    buffer = io.BytesIO()
    drawn((1654, 2339), lines).save(buffer, "PDF", resolution=200)
    return buffer.getvalue()


def redacted(data: bytes) -> Any:
    from screening.application import Application
    from screening.engine import Upload
    from screening.redact import redact

    return redact(Application.model_validate(APPLICATION), Upload("scan.pdf", data=data))


def test_a_leak_in_a_scanned_page_is_painted_over_in_the_copy(tmp_path: Path, cache_dir: Path) -> None:
    result = redacted(scanned_page([(300, "项目可行性研究报告"), (420, f"申报单位：{ORG}"),
                                    (540, "本项目研究内容包括材料制备与性能测试。")]))
    assert [f.matched for f in result.masked] == [ORG]
    assert result.notes == ("第1页扫描图像中识别出的身份信息已涂黑，请人工核对",)
    again = parse_bytes(result.data, "scan-脱敏.pdf")
    text = "".join(p.text for p in again.parts)
    assert ORG not in text and "项目可行性研究报告" in text  # the name is gone, the rest still reads


def test_a_name_cut_across_two_lines_of_a_scan_is_painted_over_in_both(tmp_path: Path, cache_dir: Path) -> None:
    """OCR reads the two lines as two pieces of one paragraph, neither holding the whole name nor
    lying inside it (申报单位：衢州华康 | 生物科技有限公司承担): both are painted over (before, neither
    was, and the copy was refused as still leaking)."""
    data = scanned_page([(300, "项目可行性研究报告"), (420, f"申报单位：{ORG[:4]}"), (480, f"{ORG[4:]}承担"),
                         (600, "本项目研究内容包括材料制备与性能测试。")])
    before = "".join(p.text for p in parse_bytes(data, "scan.pdf").parts)
    assert ORG[:4] in before and ORG[4:] in before  # the premise: OCR reads both halves
    result = redacted(data)
    assert [(f.matched or "").replace("\n", "") for f in result.masked] == [ORG]
    text = "".join(p.text for p in parse_bytes(result.data, "scan-脱敏.pdf").parts)
    assert ORG[:4] not in text and ORG[4:] not in text and "项目可行性研究报告" in text


def picture_with_a_leak(kind: str) -> bytes:
    """A photographed page (no text layer at all): the organisation drawn in it, the leader in its EXIF."""
    picture = drawn((1200, 500), [(80, "项目可行性研究报告"), (200, f"申报单位：{ORG}"),
                                  (320, "本项目研究内容包括材料制备与性能测试。")])
    exif = Image.Exif()
    exif[40093] = LEADER.encode("utf-16-le") + b"\x00\x00"  # XPAuthor
    buffer = io.BytesIO()
    picture.save(buffer, kind, exif=exif, **({"quality": 92} if kind == "JPEG" else {}))
    return buffer.getvalue()


@pytest.mark.parametrize(("kind", "extension"), [("JPEG", ".jpg"), ("PNG", ".png")])
def test_a_picture_attachment_gets_a_painted_copy_without_its_metadata(kind: str, extension: str,
                                                                       cache_dir: Path) -> None:
    from screening.application import Application
    from screening.engine import Upload
    from screening.redact import redact

    # named .png whatever it is: the copy takes the extension of what it really is
    result = redact(Application.model_validate(APPLICATION), Upload(f"{ORG}现场照片.png", data=picture_with_a_leak(kind)))
    assert {f.matched for f in result.masked} == {ORG, LEADER}  # in the picture, its EXIF and its name
    assert result.file == f"现场照片-脱敏{extension}" and result.notes == ("图片中识别出的身份信息已涂黑，请人工核对",)
    with Image.open(io.BytesIO(result.data)) as copy:
        assert copy.format == kind and copy.size == (1200, 500) and not copy.getexif()
    again = parse_bytes(result.data, result.file)
    text = "".join(p.text for p in again.parts)
    assert ORG not in text and LEADER not in text and "项目可行性研究报告" in text


def test_a_picture_ocr_did_not_read_or_of_several_frames_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                                    cache_dir: Path) -> None:
    from screening.application import Application
    from screening.engine import Upload
    from screening.masking import RedactionError
    from screening.redact import redact

    app = Application.model_validate(APPLICATION)
    frames = io.BytesIO()
    first = Image.open(io.BytesIO(picture_with_a_leak("PNG")))
    first.save(frames, "TIFF", save_all=True, append_images=[first.rotate(180)])  # two frames OCR reads
    with pytest.raises(RedactionError, match="图片有2页（帧），无法自动脱敏"):
        redact(app, Upload("扫描件.tif", data=frames.getvalue()))
    monkeypatch.setenv("SCREENING_OCR", "0")
    with pytest.raises(RedactionError, match="图片中的文字未能可靠识别，无法保证脱敏完整"):
        redact(app, Upload("现场照片.jpg", data=picture_with_a_leak("JPEG")))


# -- text drawn as curves -------------------------------------------------------------------------------


def outlined_pdf(text: str) -> bytes:
    """A page with a text layer, and `text` drawn as filled outlines (the glyphs' contours)."""
    import cv2
    import numpy as np
    from PIL import ImageDraw, ImageFont

    from tests.test_budget_scan import CJK_FONT

    _font()
    font = ImageFont.truetype(str(CJK_FONT), 80)
    buffer = io.BytesIO()
    c = Canvas(buffer, invariant=1)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, "本项目由以下单位承担，正文文字可被检索。")
    x = 72.0
    for ch in text:
        glyph = Image.new("L", (100, 100), 0)
        ImageDraw.Draw(glyph).text((5, 0), ch, font=font, fill=255)
        contours, _ = cv2.findContours(np.array(glyph), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
        path = c.beginPath()
        for contour in contours:
            points = contour[:, 0, :]
            path.moveTo(x + points[0][0] / 4, 700 - points[0][1] / 4)
            for px, py in points[1:]:
                path.lineTo(x + px / 4, 700 - py / 4)
            path.close()
        c.drawPath(path, stroke=0, fill=1)
        x += 22
    c.showPage()
    c.save()
    return buffer.getvalue()


def test_a_name_drawn_as_curves_on_a_text_page_is_read_by_ocr(tmp_path: Path, cache_dir: Path) -> None:
    from tests.test_budget_scan import CJK_FONT

    if not CJK_FONT.is_file():
        pytest.skip("the CJK font draws the outlines")
    data = outlined_pdf(SHORT + "研究院")
    doc = parse_bytes(data, "a.pdf")
    assert [i.source for i in doc.images] == ["page 1 region 1"]
    part = find(list(doc.parts), SHORT)
    assert (part.kind.value, part.origin, part.page) == ("image", "ocr", 1)
    assert any(f["matched"] == SHORT for f in identity_fails(tmp_path, "a.pdf", data))
    # the page's text and its table rules are no region
    assert not [i for i in parse_bytes(pdf_page("本项目组织实施方案。"), "b.pdf").images]


def test_a_leak_in_an_imported_html_chunk_is_masked_in_its_own_encoding() -> None:
    from screening.application import Application
    from screening.engine import Upload
    from screening.redact import redact

    html = f"<html><head><meta charset=\"gb2312\"></head><body><p>申报单位：{ORG}</p></body></html>".encode("gb18030")
    result = redact(Application.model_validate(APPLICATION), Upload("a.docx", data=alt_chunk_word("afchunk.htm", html)))
    assert [f.matched for f in result.masked] == [ORG]
    chunk = zipfile.ZipFile(io.BytesIO(result.data)).read("word/afchunk.htm").decode("gb18030")
    assert ORG not in chunk and "申报单位：＊" in chunk


def name_picture(text: str) -> Image.Image:
    from PIL import ImageDraw, ImageFont

    from tests.test_budget_scan import CJK_FONT

    font = ImageFont.truetype(str(CJK_FONT), 36)
    picture = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(picture)
    draw.text((30, 30), text, font=font, fill=0)
    draw.text((30, 110), "产品展示照片", font=font, fill=0)
    return picture


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_a_leak_in_a_picture_on_a_text_page_is_painted_over(tmp_path: Path, cache_dir: Path, kind: str) -> None:
    from screening.application import Application
    from screening.engine import Upload
    from screening.redact import redact
    from tests.test_budget_scan import CJK_FONT

    if not CJK_FONT.is_file():
        pytest.skip("the CJK font draws the picture")
    picture = name_picture(f"合作单位：{ORG}")
    buffer = io.BytesIO()
    if kind == "pdf":
        _font()
        c = Canvas(buffer, invariant=1)
        c.setFont("STSong-Light", 12)
        c.drawString(72, 760, "本项目研究内容包括材料制备与性能测试，以下为图片。")
        c.drawImage(ImageReader(picture), 72, 500, 450, 100)
        c.showPage()
        c.save()
    else:
        d = docx.Document()
        d.add_paragraph("本项目研究内容包括材料制备与性能测试，以下为图片。")
        png = io.BytesIO()
        picture.save(png, "PNG")
        d.add_picture(io.BytesIO(png.getvalue()))
        d.save(buffer)
    result = redact(Application.model_validate(APPLICATION), Upload(f"a.{kind}", data=buffer.getvalue()))
    assert [f.matched for f in result.masked] == [ORG]
    assert any("已涂黑" in note for note in result.notes)
    again = parse_bytes(result.data, f"a-脱敏.{kind}")
    text = "".join(p.text for p in again.parts)
    assert ORG not in text and SHORT not in text and "产品展示照片" in text


def test_what_a_form_field_shows_is_read_although_its_value_says_otherwise() -> None:
    from pypdf.generic import NameObject as Name
    from pypdf.generic import TextStringObject as Text

    buffer = io.BytesIO()
    c = Canvas(buffer, invariant=1)
    c.drawString(72, 760, "form")
    c.acroForm.textfield(name="unit", value="Huakang Bio Ltd", x=72, y=700, width=200, height=20)
    c.showPage()
    c.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    writer.pages[0]["/Annots"][0].get_object()[Name("/V")] = Text("neutral")  # the value changed, the look kept
    out = io.BytesIO()
    writer.write(out)
    fields = [(p.kind.value, p.text) for p in parts(out.getvalue(), "f.pdf") if p.origin == "form_field"]
    assert ("body", "neutral") in fields and ("body", "Huakang Bio Ltd") in fields
