"""screening.parsers.odt and screening.parsers.ofd: every place of an OpenDocument text and of an OFD
file comes back as the Part of the right kind, origin and page, and a name planted there is found.

The files are written here from the formats' structure (ODF 1.3 for .odt; GB/T 33190-2016 for
.ofd), so each test knows exactly what stands where."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from samples.scans import encode, table_picture
from screening import formats
from screening.budget import part_grids
from screening.errors import CorruptError
from screening.formats import Format, sniff
from screening.model import Document, Part, PartKind
from screening.parsers import ocr, odt, ofd, parse_bytes, zippkg
from screening.parsers.base import Parsed
from screening.parsers.ofd import text as ofd_text
from tests.leaks import APPLICANT, LEADER, places

# ---------------------------------------------------------------- .odt


ODF_NS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "loext": "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0",
}.items())
MANIFEST_NS = 'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'


def png(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def odt_bytes(body: str, *, automatic: str = "", common: str = "", master: str = "", meta: str = "",
              members: dict[str, bytes] | None = None, mimetype: str = odt.MIMETYPE, manifest_extra: str = "",
              content: str | None = None) -> bytes:
    """An .odt package: mimetype first and stored (as the format requires), then the XML members."""
    files = {
        "content.xml": content if content is not None else (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS} office:version="1.3">'
            f"<office:automatic-styles>{automatic}</office:automatic-styles>"
            f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"),
        "styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ODF_NS}>'
                      f"<office:styles>{common}</office:styles>"
                      f"<office:master-styles>{master}</office:master-styles></office:document-styles>",
        "meta.xml": f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODF_NS}>'
                    f"<office:meta>{meta}</office:meta></office:document-meta>",
        "META-INF/manifest.xml": f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {MANIFEST_NS}>'
                                 f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
                                 f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                                 f"{manifest_extra}</manifest:file-entry></manifest:manifest>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype.encode(), compress_type=zipfile.ZIP_STORED)
        for name, value in files.items():
            zf.writestr(name, value.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
        for name, blob in (members or {}).items():
            zf.writestr(name, blob, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


HIDE_STYLES = ('<style:style style:name="Hide" style:family="text"><style:text-properties text:display="none"/>'
               '</style:style><style:style style:name="P9" style:family="paragraph" style:parent-style-name="Secret"/>')
SECRET_STYLE = ('<style:style style:name="Secret" style:family="paragraph">'
                '<style:text-properties text:display="none"/></style:style>')
MASTER = ("<style:master-page style:name=\"Standard\">"
          "<style:header><text:p>页眉：浙江衢晟新材料有限公司</text:p></style:header>"
          "<style:header-left><text:p>偶数页页眉王建国</text:p></style:header-left>"
          "<style:header-first><text:p>首页页眉王建国</text:p></style:header-first>"
          "<style:footer><text:p>页脚王建国</text:p></style:footer>"
          "<style:footer-first><text:p>首页页脚</text:p></style:footer-first></style:master-page>"
          "<style:master-page style:name=\"Landscape\"><style:header><text:p>页眉：浙江衢晟新材料有限公司</text:p>"
          "</style:header></style:master-page>")
META = ("<meta:initial-creator>王建国</meta:initial-creator><dc:creator>李四</dc:creator>"
        "<dc:title>可行性报告</dc:title><dc:subject>主题</dc:subject><dc:description>备注王建国</dc:description>"
        "<meta:keyword>衢晟</meta:keyword><meta:keyword>新材料</meta:keyword><meta:printed-by>打印人</meta:printed-by>"
        '<meta:user-defined meta:name="项目单位" meta:value-type="string">浙江衢晟新材料有限公司</meta:user-defined>'
        '<meta:document-statistic meta:page-count="3"/>')
BODY = (
    "<text:tracked-changes><text:changed-region text:id=\"ct1\"><text:deletion><office:change-info>"
    "<dc:creator>张修订</dc:creator><dc:date>2020-01-01T00:00:00</dc:date></office:change-info>"
    "<text:p>由王建国负责</text:p></text:deletion></text:changed-region>"
    "<text:changed-region text:id=\"ct2\"><text:deletion><office:change-info><dc:creator>张修订</dc:creator>"
    "</office:change-info><text:p>无处标记的删除</text:p></text:deletion></text:changed-region></text:tracked-changes>"
    "<text:sequence-decls><text:sequence-decl text:name=\"Table\"/></text:sequence-decls>"
    "<text:h text:outline-level=\"1\">项目可行性报告</text:h>"
    "<text:p>本项目<text:span text:style-name=\"Hide\">浙江衢晟新材料有限公司</text:span>承担<text:change "
    "text:change-id=\"ct1\"/>。</text:p>"
    "<text:list><text:list-item><text:p>列表<text:s text:c=\"2\"/>甲<text:tab/>乙<text:line-break/>丙</text:p>"
    "</text:list-item></text:list>"
    "<text:p>锚点<office:annotation><dc:creator>李审阅</dc:creator><dc:date>2020-01-01T00:00:00</dc:date>"
    "<meta:creator-initials>LSY</meta:creator-initials><text:p>批注提到王建国</text:p></office:annotation>结束"
    "<office:annotation-end/><text:note text:id=\"n1\" text:note-class=\"footnote\"><text:note-citation>1"
    "</text:note-citation><text:note-body><text:p>脚注浙江衢晟新材料有限公司</text:p></text:note-body></text:note>"
    "<text:note text:id=\"n2\" text:note-class=\"endnote\"><text:note-citation>i</text:note-citation>"
    "<text:note-body><text:p>尾注王建国</text:p></text:note-body></text:note></text:p>"
    "<text:soft-page-break/>"
    "<table:table table:name=\"预算\"><table:table-column table:number-columns-repeated=\"3\"/>"
    "<table:table-header-rows><table:table-row><table:table-cell><text:p>科目</text:p></table:table-cell>"
    "<table:table-cell><text:p>金额</text:p></table:table-cell><table:table-cell><text:p>备注</text:p>"
    "</table:table-cell></table:table-row></table:table-header-rows>"
    "<table:table-row><table:table-cell table:number-columns-spanned=\"2\"><text:p>设备费</text:p></table:table-cell>"
    "<table:covered-table-cell/><table:table-cell><text:p>由王建国采购</text:p></table:table-cell></table:table-row>"
    "<table:table-row><table:table-cell><text:p>合计</text:p></table:table-cell>"
    "<table:table-cell table:number-columns-repeated=\"2\"/></table:table-row></table:table>"
    "<text:p text:style-name=\"P9\">整段隐藏的王建国</text:p>"
    "<text:p>图<draw:frame draw:name=\"F1\"><draw:text-box><text:p>文本框里的浙江衢晟新材料有限公司</text:p>"
    "</draw:text-box></draw:frame><draw:frame draw:name=\"I1\"><draw:image xlink:href=\"Pictures/logo.png\"/>"
    "<svg:title>王建国的照片</svg:title></draw:frame></text:p>"
    "<text:p><text:hidden-text text:condition=\"ooow:1\" text:string-value=\"条件隐藏王建国\" "
    "text:is-hidden=\"true\">条件隐藏王建国</text:hidden-text></text:p>"
    "<text:p><text:a xlink:href=\"https://www.qusheng-nm.com/\">网站</text:a></text:p>"
)


@pytest.fixture(scope="module")
def full_odt() -> bytes:
    return odt_bytes(BODY, automatic=HIDE_STYLES, common=SECRET_STYLE, master=MASTER, meta=META,
                     members={"Pictures/logo.png": png()})


def rows(parsed: Parsed) -> list[tuple[str, str, int | None, int | None, str, str]]:
    return [(p.kind.value, p.origin, p.page, p.paragraph, p.source, p.text) for p in parsed.parts]


def test_every_place_of_an_odt_is_a_part(full_odt: bytes) -> None:
    parsed = odt.parse(full_odt)
    c, s, m = "content.xml", "styles.xml", "meta.xml"
    assert rows(parsed) == [
        ("body", "", 1, 1, c, "项目可行性报告"),
        ("body", "", 1, 2, c, "本项目承担。"),
        ("body", "hidden", 1, 2, c, "浙江衢晟新材料有限公司"),
        ("body", "deleted", 1, 2, c, "由王建国负责"),
        ("body", "", 1, 3, c, "列表  甲\t乙\n丙"),
        ("body", "", 1, 4, c, "锚点结束"),
        ("footnote", "", 1, 1, c, "脚注浙江衢晟新材料有限公司"),
        ("footnote", "endnote", 1, 2, c, "尾注王建国"),
        ("comment", "", 1, 1, c, "批注提到王建国"),
        ("table", "", 2, 1, f"{c}#t1r1c1", "科目"),
        ("table", "", 2, 2, f"{c}#t1r1c2", "金额"),
        ("table", "", 2, 3, f"{c}#t1r1c3", "备注"),
        ("table", "", 2, 4, f"{c}#t1r2c1", "设备费"),
        ("table", "", 2, 5, f"{c}#t1r2c3", "由王建国采购"),
        ("table", "", 2, 6, f"{c}#t1r3c1", "合计"),
        ("body", "hidden", 2, 5, c, "整段隐藏的王建国"),
        ("body", "", 2, 6, c, "图"),
        ("textbox", "", 2, 1, c, "文本框里的浙江衢晟新材料有限公司"),
        ("image", "alt_text", 2, 1, c, "王建国的照片"),
        ("body", "hidden", 2, 7, c, "条件隐藏王建国"),
        ("body", "", 2, 8, c, "网站"),
        ("body", "deleted", None, None, c, "无处标记的删除"),
        ("header", "default", None, 1, s, "页眉：浙江衢晟新材料有限公司"),
        ("header", "even", None, 2, s, "偶数页页眉王建国"),
        ("header", "first", 1, 3, s, "首页页眉王建国"),
        ("footer", "default", None, 1, s, "页脚王建国"),
        ("footer", "first", 1, 2, s, "首页页脚"),
        ("metadata", "core.creator", None, None, m, "王建国"),
        ("metadata", "core.lastModifiedBy", None, None, m, "李四"),
        ("metadata", "core.title", None, None, m, "可行性报告"),
        ("metadata", "core.subject", None, None, m, "主题"),
        ("metadata", "core.description", None, None, m, "备注王建国"),
        ("metadata", "core.keywords", None, None, m, "衢晟"),
        ("metadata", "core.keywords", None, None, m, "新材料"),
        ("metadata", "core.lastPrintedBy", None, None, m, "打印人"),
        ("metadata", "custom.项目单位", None, None, m, "浙江衢晟新材料有限公司"),
        ("metadata", "revision_author", None, None, c, "张修订"),
        ("comment", "comment_author", None, None, c, "李审阅"),
        ("comment", "comment_author", None, None, c, "LSY"),
        ("metadata", "hyperlink", None, None, c, "https://www.qusheng-nm.com/"),
    ]
    assert parsed.pages == 3  # meta.xml's count beats the one recorded break (2 pages)
    assert [(i.source, i.page, i.width, i.height) for i in parsed.images] == [("Pictures/logo.png", 2, 40, 20)]
    assert parsed.problems == ()


def test_the_odt_table_is_a_budget_grid(full_odt: bytes) -> None:
    doc = parse_bytes(full_odt, "预算.odt")
    (grid,) = part_grids(doc)
    assert [[cell.text for cell in row] for row in grid] == [["科目", "金额", "备注"], ["设备费", "", "由王建国采购"],
                                                           ["合计", "", ""]]


def test_a_name_planted_in_each_odt_place_is_found(full_odt: bytes) -> None:
    found = places("可行性报告.odt", full_odt)
    for where in [("body", "hidden", APPLICANT), ("body", "deleted", LEADER), ("footnote", "", APPLICANT),
                  ("footnote", "endnote", LEADER), ("comment", "", LEADER), ("table", "", LEADER),
                  ("body", "hidden", LEADER), ("textbox", "", APPLICANT), ("image", "alt_text", LEADER),
                  ("header", "default", APPLICANT), ("header", "even", LEADER), ("header", "first", LEADER),
                  ("footer", "default", LEADER), ("metadata", "core.creator", LEADER),
                  ("metadata", "custom.项目单位", APPLICANT)]:
        assert where in found, where


def test_an_odt_is_sniffed_by_its_mimetype_and_read_whatever_its_name(full_odt: bytes) -> None:
    assert sniff(full_odt) is Format.ODT
    assert sniff(odt_bytes("", mimetype="application/vnd.oasis.opendocument.text-template")) is Format.ODT
    assert sniff(odt_bytes("", mimetype="application/vnd.oasis.opendocument.spreadsheet")) is Format.ZIP
    assert sniff(odt_bytes("", mimetype="application/vnd.oasis.opendocument.text-master")) is Format.ZIP
    doc = parse_bytes(full_odt, "报告.odt")
    assert doc.format is Format.ODT and not doc.problems
    renamed = parse_bytes(full_odt, "报告.docx")  # an extension that lies: reported, still read
    assert renamed.format is Format.ODT and [p.rule for p in renamed.problems] == ["document.unsupported"]
    assert any(p.text == "由王建国负责" for p in renamed.parts)


def test_a_password_protected_odt_is_refused() -> None:
    data = odt_bytes("<text:p>x</text:p>", manifest_extra='<manifest:encryption-data manifest:checksum-type="SHA1" '
                                                          'manifest:checksum="AAAA"/>')
    doc = parse_bytes(data, "加密.odt")
    assert [p.rule for p in doc.problems] == ["document.encrypted"]


def test_an_odt_without_content_is_corrupt() -> None:
    data = odt_bytes("<text:p>x</text:p>")
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out := io.BytesIO(), "w") as dst:
        for info in src.infolist():
            if info.filename != "content.xml":
                dst.writestr(info, src.read(info))
    with pytest.raises(CorruptError, match=r"content\.xml"):
        odt.parse(out.getvalue())
    truncated = parse_bytes(data[: len(data) // 2], "断.odt")  # no central directory: nothing can be read
    assert truncated.format is Format.ODT and [p.rule for p in truncated.problems] == ["document.unreadable"]


def test_a_refused_odt_body_is_unverifiable_and_the_rest_still_read() -> None:
    content = (f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "王建国">]><office:document-content {ODF_NS}>'
               "<office:body><office:text><text:p>&a;</text:p></office:text></office:body></office:document-content>")
    parsed = odt.parse(odt_bytes("", content=content, master=MASTER))
    assert [p.rule for p in parsed.problems] == ["document.unverifiable"]
    assert "content.xml" in parsed.problems[0].message and "DOCTYPE" in parsed.problems[0].message
    assert ("header", "default") in {(p.kind.value, p.origin) for p in parsed.parts}


def test_an_odt_picture_beyond_the_guard_is_unverifiable(monkeypatch: pytest.MonkeyPatch, full_odt: bytes) -> None:
    monkeypatch.setattr(zippkg, "MAX_MEDIA_PART", 10)
    parsed = odt.parse(full_odt)
    assert parsed.images == ()
    (problem,) = parsed.problems
    assert (problem.rule, problem.page, problem.part) == ("document.unverifiable", 2, PartKind.IMAGE)
    assert "Pictures/logo.png" in problem.message


@pytest.mark.usefixtures("cache_dir")
def test_an_odt_picture_is_read_by_ocr() -> None:
    picture = table_picture([["岗位", "姓名"], ["项目负责人", "周明轩"]], seed=3)
    data = odt_bytes('<text:p>见下图<draw:frame><draw:image xlink:href="Pictures/team.png"/></draw:frame></text:p>',
                     members={"Pictures/team.png": encode(picture, "PNG")})
    assert formats.info(Format.ODT).ocr_loader == "screening.parsers.ocr:zip_pictures"
    doc = parse_bytes(data, "报告.odt")
    read = [p for p in doc.parts if p.origin == ocr.ORIGIN]
    assert read and {(p.kind, p.source) for p in read} == {(PartKind.IMAGE, "Pictures/team.png")}
    assert any("周明轩" in p.text for p in read) and doc.ocr


def test_an_odt_written_by_libreoffice_is_read(tmp_path: Path) -> None:
    """The same places in a file LibreOffice wrote itself (from a docx), when it is installed."""
    import shutil
    import subprocess

    from samples.docxkit import build_docx

    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        pytest.skip("LibreOffice is not installed")
    source = build_docx(tmp_path / "r.docx", body=["正文浙江衢晟新材料有限公司"], table=[["负责人", "王建国"]],
                        header="页眉王建国", footer="页脚衢晟", comment=("正文", "批注王建国", "李审阅"),
                        footnote="脚注王建国", deleted="删除王建国", hidden="隐藏王建国", textbox="文本框王建国",
                        core={"creator": "王建国"}, custom={"项目单位": "浙江衢晟新材料有限公司"})
    subprocess.run([program, "--headless", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--convert-to",
                    "odt", "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=120)
    parsed = odt.parse((tmp_path / "r.odt").read_bytes())
    got = {(p.kind.value, p.origin, p.text) for p in parsed.parts}
    for expected in [("body", "", "正文浙江衢晟新材料有限公司"), ("table", "", "王建国"), ("header", "default", "页眉王建国"),
                     ("footer", "default", "页脚衢晟"), ("comment", "", "批注王建国"),
                     ("comment", "comment_author", "李审阅"), ("body", "deleted", "删除王建国"),
                     ("body", "hidden", "隐藏王建国"), ("textbox", "", "文本框王建国"),
                     ("metadata", "core.creator", "王建国"), ("metadata", "custom.项目单位", APPLICANT)]:
        assert expected in got, expected
    assert any(p.kind is PartKind.FOOTNOTE and "脚注王建国" in p.text for p in parsed.parts)


# ---------------------------------------------------------------- .ofd


OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def xml(root: str, inner: str, attrs: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><ofd:{root} {OFD_NS}{attrs}>{inner}</ofd:{root}>'.encode()


def text_object(ident: int, x: float, y: float, value: str, *, size: float = 5, extra: str = "") -> str:
    """A text object whose first character's baseline is at (x, y) mm, characters `size` apart."""
    delta = f' DeltaX="g {len(value) - 1} {size}"' if len(value) > 1 else ""
    return (f'<ofd:TextObject ID="{ident}" Boundary="{x} {y - size} 180 {size * 2}" Font="3" Size="{size}">'
            f'<ofd:TextCode X="0" Y="{size}"{delta}{extra}>{value}</ofd:TextCode></ofd:TextObject>')


PAGE_1 = (
    text_object(11, 80, 25, "项目可行性报告", size=6)
    + text_object(12, 20, 45, "本项目由浙江衢晟新")
    + text_object(13, 20, 52, "材料有限公司承担。")
    + text_object(14, 20, 70, "负责人") + text_object(15, 60, 70, "王建国")
    + '<ofd:TextObject ID="16" Boundary="180 90 10 40" Size="5"><ofd:TextCode X="0" Y="5" DeltaY="6 6">王建国'
      "</ofd:TextCode></ofd:TextObject>"
    + "<ofd:PageBlock ID=\"17\">" + text_object(18, 20, 150, "区块里的衢晟") + "</ofd:PageBlock>"
    + '<ofd:ImageObject ID="19" Boundary="20 200 40 20" CTM="40 0 0 20 0 0" ResourceID="80"/>'
)
PAGE_2 = text_object(21, 20, 40, "第二页浙江衢晟新材料有限公司")


def ofd_bytes(*, pages: tuple[str, ...] = (PAGE_1, PAGE_2), media: bytes | None = None,
              entry: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    docinfo = ("<ofd:DocInfo><ofd:DocID>0f1e</ofd:DocID><ofd:Title>可行性报告</ofd:Title><ofd:Author>王建国</ofd:Author>"
               "<ofd:Subject>主题</ofd:Subject><ofd:Abstract>摘要浙江衢晟新材料有限公司</ofd:Abstract>"
               "<ofd:CreationDate>2020-01-01</ofd:CreationDate><ofd:Creator>某版式软件</ofd:Creator>"
               "<ofd:CreatorVersion>1.0</ofd:CreatorVersion><ofd:Keywords><ofd:Keyword>衢晟</ofd:Keyword>"
               "<ofd:Keyword>新材料</ofd:Keyword></ofd:Keywords><ofd:CustomDatas>"
               '<ofd:CustomData Name="申报单位">浙江衢晟新材料有限公司</ofd:CustomData></ofd:CustomDatas></ofd:DocInfo>')
    page_list = "".join(f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
    document = ("<ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297"
                "</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
                '<ofd:TemplatePage ID="50" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData>'
                f"<ofd:Pages>{page_list}</ofd:Pages>"
                '<ofd:Outlines><ofd:OutlineElem Title="一、王建国团队"/></ofd:Outlines>'
                "<ofd:Annotations>Annots/Annotations.xml</ofd:Annotations>"
                "<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>")
    files: dict[str, bytes] = {
        "OFD.xml": entry if entry is not None else xml(
            "OFD", f"<ofd:DocBody>{docinfo}<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
                   "<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody>",
            ' Version="1.0" DocType="OFD"'),
        "Doc_0/Document.xml": xml("Document", document),
        "Doc_0/PublicRes.xml": xml("Res", '<ofd:Fonts><ofd:Font ID="3" FontName="宋体"/></ofd:Fonts>'
                                          '<ofd:MultiMedias><ofd:MultiMedia ID="80" Type="Image" Format="PNG">'
                                          "<ofd:MediaFile>logo.png</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias>",
                                   ' BaseLoc="Res"'),
        "Doc_0/Res/logo.png": media if media is not None else png(),
        "Doc_0/Tpls/Tpl_0/Content.xml": xml("Page", "<ofd:Content><ofd:Layer ID=\"51\">"
                                            + text_object(52, 20, 12, "模板页眉浙江衢晟新材料有限公司", size=4)
                                            + "</ofd:Layer></ofd:Content>"),
        "Doc_0/Annots/Annotations.xml": xml("Annotations", '<ofd:Page PageID="2"><ofd:FileLoc>Page_1/Annotation.xml'
                                                           "</ofd:FileLoc></ofd:Page>"),
        "Doc_0/Annots/Page_1/Annotation.xml": xml(
            "PageAnnot", '<ofd:Annot ID="90" Type="Stamp" Creator="李审阅" LastModDate="2020-01-01">'
                         "<ofd:Remark>注释提到王建国</ofd:Remark><ofd:Parameters><ofd:Parameter Name=\"说明\">参数里的衢晟"
                         "</ofd:Parameter><ofd:Parameter Name=\"blob\">" + "QUJD" * 600 + "</ofd:Parameter>"
                         "</ofd:Parameters><ofd:Appearance Boundary=\"10 10 80 20\">"
                         + text_object(91, 0, 10, "外观浙江衢晟新材料有限公司", size=4)
                         + "</ofd:Appearance></ofd:Annot>"),
        "Doc_0/Attachs/Attachments.xml": xml(
            "Attachments", '<ofd:Attachment ID="95" Name="王建国简历" Format="txt" Size="0.1" Visible="true">'
                           "<ofd:FileLoc>resume.txt</ofd:FileLoc></ofd:Attachment>"),
        "Doc_0/Attachs/resume.txt": "简历：王建国，浙江衢晟新材料有限公司".encode(),
        "Doc_0/Signs/Signatures.xml": xml("Signatures", '<ofd:Signature ID="1" BaseLoc="Sign_0/Signature.xml"/>'),
        **{f"Doc_0/Pages/Page_{n}/Content.xml": xml(
            "Page", '<ofd:Template TemplateID="50" ZOrder="Background"/><ofd:Content>'
                    f'<ofd:Layer ID="{10 * (n + 1)}" Type="Body">{content}</ofd:Layer></ofd:Content>')
           for n, content in enumerate(pages)},
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in files.items():
            zf.writestr(name, blob)
    return out.getvalue()


@pytest.fixture(scope="module")
def full_ofd() -> bytes:
    return ofd_bytes()


def test_every_place_of_an_ofd_is_a_part(full_ofd: bytes) -> None:
    parsed = ofd.parse(full_ofd)
    p1, p2 = "Doc_0/Pages/Page_0/Content.xml", "Doc_0/Pages/Page_1/Content.xml"
    annot, entry, doc = "Doc_0/Annots/Page_1/Annotation.xml", "OFD.xml", "Doc_0/Document.xml"
    assert rows(parsed) == [
        ("metadata", "core.title", None, None, entry, "可行性报告"),
        ("metadata", "core.creator", None, None, entry, "王建国"),
        ("metadata", "core.subject", None, None, entry, "主题"),
        ("metadata", "core.description", None, None, entry, "摘要浙江衢晟新材料有限公司"),
        ("metadata", "app.Application", None, None, entry, "某版式软件"),
        ("metadata", "core.keywords", None, None, entry, "衢晟"),
        ("metadata", "core.keywords", None, None, entry, "新材料"),
        ("metadata", "custom.申报单位", None, None, entry, "浙江衢晟新材料有限公司"),
        ("body", "", 1, 1, p1, "项目可行性报告"),
        ("body", "", 1, 2, p1, "本项目由浙江衢晟新\n材料有限公司承担。"),
        ("body", "", 1, 3, p1, "负责人 王建国"),
        ("body", "", 1, 4, p1, "王\n建\n国"),
        ("body", "", 1, 5, p1, "区块里的衢晟"),
        ("header", "template", None, 1, "Doc_0/Tpls/Tpl_0/Content.xml", "模板页眉浙江衢晟新材料有限公司"),
        ("body", "", 2, 1, p2, "第二页浙江衢晟新材料有限公司"),
        ("comment", "annotation", 2, 1, annot, "注释提到王建国"),
        ("comment", "annotation", 2, 2, annot, "参数里的衢晟"),
        ("comment", "annotation", 2, 3, annot, "外观浙江衢晟新材料有限公司"),
        ("metadata", "outline", None, None, doc, "一、王建国团队"),
        ("comment", "annotation_author", None, None, annot, "李审阅"),
        ("metadata", "embedded_file", None, None, doc, "王建国简历.txt"),
    ]
    assert parsed.pages == 2
    assert [(i.source, i.page, i.width, i.height) for i in parsed.images] == [("Doc_0/Res/logo.png", 1, 40, 20)]
    assert sorted((p.rule, p.part) for p in parsed.problems) == [("document.scanned", PartKind.IMAGE)]
    assert any("电子签章" in p.message for p in parsed.problems)
    assert [(i.path, i.name) for i in parsed.inner] == [("附件：王建国简历.txt", "王建国简历.txt")]  # screened as a file inside


def test_a_name_planted_in_each_ofd_place_is_found(full_ofd: bytes) -> None:
    found = places("报告.ofd", full_ofd)
    for where in [("body", "", APPLICANT), ("body", "", LEADER), ("header", "template", APPLICANT),
                  ("comment", "annotation", LEADER), ("comment", "annotation", APPLICANT),
                  ("metadata", "core.creator", LEADER), ("metadata", "custom.申报单位", APPLICANT),
                  ("metadata", "outline", LEADER), ("metadata", "embedded_file", LEADER)]:
        assert where in found, where


def test_ofd_attachments_are_given_for_screening(full_ofd: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ofd.attachments(full_ofd) == [("王建国简历.txt", "简历：王建国，浙江衢晟新材料有限公司".encode())]
    monkeypatch.setattr("screening.parsers.ofd.MAX_ATTACHMENT", 5)
    monkeypatch.setattr("screening.parsers.ofd.reader.MAX_ATTACHMENT", 5)
    assert ofd.attachments(full_ofd) == []  # too large to screen: named by parse all the same


def test_ofd_text_codes_become_lines_by_position() -> None:
    assert ofd_text.deltas("g 3 2.5 1 g 2 4") == [2.5, 2.5, 2.5, 1.0, 4.0, 4.0]
    runs = [ofd_text.Run("建国", 100, 120, 50, 10), ofd_text.Run("王", 88, 98, 50.5, 10),
            ofd_text.Run("负责人", 10, 40, 50, 10), ofd_text.Run("下一行", 10, 40, 62, 10)]
    assert [line.text for line in ofd_text.lines(runs)] == ["负责人 王建国", "下一行"]
    obj = ofd_text.runs(__import__("lxml.etree").etree.fromstring(
        xml("Page", '<ofd:TextObject Boundary="10 10 100 20" Size="4" CTM="2 0 0 2 0 0"><ofd:TextCode X="1" Y="4">'
                    "放大</ofd:TextCode><ofd:TextCode>接着</ofd:TextCode></ofd:TextObject>")))
    first, second = list(obj)
    assert first.height == pytest.approx(8 * ofd_text.PT_PER_MM)  # the CTM doubles the size
    assert first.x0 == pytest.approx(12 * ofd_text.PT_PER_MM) and first.baseline == pytest.approx(18 * ofd_text.PT_PER_MM)
    assert second.x0 > first.x0 and second.baseline == first.baseline  # goes on where the first ended


def test_an_ofd_is_sniffed_and_a_broken_one_is_a_finding(full_ofd: bytes) -> None:
    assert sniff(full_ofd) is Format.OFD
    assert parse_bytes(full_ofd, "报告.ofd").format is Format.OFD
    with pytest.raises(CorruptError):
        ofd.parse(without(full_ofd, "OFD.xml", "Doc_0/Document.xml"))
    truncated = parse_bytes(full_ofd[: len(full_ofd) // 2], "断.ofd")  # no central directory: nothing to read
    assert truncated.format is Format.OFD and [p.rule for p in truncated.problems] == ["document.unreadable"]


def test_a_damaged_ofd_entry_file_hides_no_page(full_ofd: bytes) -> None:
    """OFD.xml refused (a DOCTYPE): unverifiable, and every Doc_N/Document.xml is read all the same."""
    parsed = ofd.parse(ofd_bytes(entry=b'<?xml version="1.0"?><!DOCTYPE x []><ofd:OFD/>'))
    assert [p.rule for p in parsed.problems if p.rule == "document.unverifiable"] == ["document.unverifiable"]
    assert any(p.text == "第二页浙江衢晟新材料有限公司" and p.page == 2 for p in parsed.parts)


def without(data: bytes, *names: str) -> bytes:
    """The package with the members `names` left out."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename not in names:
                dst.writestr(info, src.read(info))
    return out.getvalue()


def test_a_missing_ofd_page_is_unverifiable(full_ofd: bytes) -> None:
    parsed = ofd.parse(without(full_ofd, "Doc_0/Pages/Page_1/Content.xml"))
    (missing,) = [p for p in parsed.problems if p.rule == "document.unverifiable"]
    assert (missing.page, missing.part) == (2, PartKind.BODY) and "第2页" in missing.message
    assert any(p.page == 1 and p.kind is PartKind.BODY for p in parsed.parts) and parsed.pages == 2


@pytest.mark.usefixtures("cache_dir")
def test_an_ofd_picture_is_read_by_ocr() -> None:
    picture = table_picture([["岗位", "姓名"], ["项目负责人", "周明轩"]], seed=5)
    doc = parse_bytes(ofd_bytes(media=encode(picture, "PNG")), "报告.ofd")
    read = [p for p in doc.parts if p.origin == ocr.ORIGIN]
    assert {(p.kind, p.source, p.page) for p in read} == {(PartKind.IMAGE, "Doc_0/Res/logo.png", 1)}
    assert any("周明轩" in p.text for p in read) and doc.ocr


def test_every_origin_given_has_words_for_a_clerk(full_odt: bytes, full_ofd: bytes) -> None:
    """A finding's message says where the name stands (wording.where): no origin these parsers
    give falls through to a bare key."""
    from screening.wording import ORIGIN, PROPERTY, where

    docs: list[Document] = [parse_bytes(full_odt, "a.odt"), parse_bytes(full_ofd, "b.ofd")]
    for part in (p for d in docs for p in d.parts if p.kind is not PartKind.FILENAME):
        family, _, key = part.origin.partition(".")
        if key:
            assert family == "custom" or key in PROPERTY, part.origin
        else:
            assert part.origin in ORIGIN or part.origin in ("", "default"), part.origin
    assert where(Part(PartKind.HEADER, "x", origin="template")) == "模板页（OFD中各页共用的版面）"
    assert where(Part(PartKind.METADATA, "x", origin="core.lastPrintedBy")) == "文档属性（最后打印者）"
    assert where(Part(PartKind.METADATA, "x", origin="app.Application")) == "文档属性（生成软件）"
