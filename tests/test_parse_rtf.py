"""screening.parsers.rtf: the body through striprtf, every other place (headers, footers, notes,
comments, text boxes, hidden text, tracked deletions, the \\info group) found by the scanner;
each becomes the Part of the right kind and origin, and a name planted there is found."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from screening.errors import CorruptError
from screening.formats import Format, sniff
from screening.model import Part, PartKind
from screening.parsers import parse_bytes, rtf
from screening.parsers.rtf import scan
from tests.leaks import APPLICANT, LEADER, places


def gbk(value: str) -> str:
    """Text as a Chinese Word writes it: every non-ASCII byte of its GBK form as \\'hh."""
    return "".join(chr(b) if b < 0x80 else f"\\'{b:02x}" for b in value.encode("gbk"))


def uni(value: str) -> str:
    """Text as \\uN escapes with a "?" for readers without Unicode."""
    return "".join(f"\\u{ord(c) if ord(c) < 0x8000 else ord(c) - 0x10000}?" for c in value)


PICTURE = "{\\pict\\pngblip\\picw10\\pich10\\bin6 }{{\\x}" + "}"  # binary data holding braces: skipped
DOCUMENT = (
    "{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 " + gbk("宋体") + ";}{\\f1\\fswiss Arial;}}\n"
    "{\\colortbl;\\red0\\green0\\blue0;}\n"
    "{\\*\\revtbl {Unknown;}{" + gbk("张修订") + ";}}\n"
    "{\\info{\\title " + gbk("可行性报告") + "}{\\subject " + gbk("主题") + "}{\\author " + gbk("王建国") + "}"
    "{\\operator " + gbk("李四") + "}{\\company " + gbk(APPLICANT) + "}{\\manager " + gbk("经理甲") + "}"
    "{\\category " + gbk("类别") + "}{\\keywords " + gbk("衢晟 新材料") + "}{\\doccomm " + gbk("备注王建国") + "}"
    "{\\creatim\\yr2020\\mo1\\dy1}{\\nofpages3}}\n"
    "{\\*\\userprops{\\propname " + gbk("项目单位") + "}\\proptype30{\\staticval " + gbk(APPLICANT) + "}"
    "{\\propname Number}\\proptype3{\\staticval 42}}\n"
    "{\\header \\pard\\plain " + gbk("页眉：") + uni("浙江衢晟新材料有限公司") + "\\par}\n"
    "{\\headerl \\pard " + gbk("偶数页页眉王建国") + "\\par}\n"
    "{\\headerf \\pard " + gbk("首页页眉王建国") + "\\par}\n"
    "{\\footer \\pard " + gbk("页脚王建国") + "\\par}\n"
    "{\\header \\pard\\plain " + gbk("页眉：") + uni("浙江衢晟新材料有限公司") + "\\par}\n"  # the next section's, the same
    "\\pard\\plain " + gbk("项目可行性报告") + "\\par\n"
    "\\pard " + gbk("本项目") + "{\\v " + gbk(APPLICANT) + "}" + gbk("承担") + "{\\deleted " + gbk("由王建国负责") + "}"
    + gbk("。") + "\\par\n"
    "\\pard " + gbk("锚点") + "{\\*\\atnid LSY}{\\*\\atnauthor " + gbk("李审阅") + "}\\chatn{\\*\\annotation{\\*\\atnref 1}"
    "\\pard " + gbk("批注提到王建国") + "}" + gbk("结束") + "{\\super\\chftn}{\\footnote\\pard\\plain{\\super\\chftn} "
    + gbk("脚注") + uni("浙江衢晟新材料有限公司") + "}{\\footnote\\ftnalt\\pard " + gbk("尾注王建国") + "}\\par\n"
    "\\trowd\\cellx2000\\cellx4000\\pard\\intbl " + gbk("负责人") + "\\cell " + gbk("王建国") + "\\cell\\row\n"
    "\\pard " + gbk("图") + PICTURE + "{\\shp{\\*\\shpinst{\\sp{\\sn shapeType}{\\sv 202}}{\\shptxt \\pard "
    + gbk("文本框里的") + gbk(APPLICANT) + "\\par}}{\\shprslt " + gbk("文本框里的") + gbk(APPLICANT) + "}}\\par\n"
    "\\pard \\v " + gbk("到段尾都隐藏的王建国") + "\\par\n"
    "\\pard\\plain " + gbk("最后一段") + "\\par\n"
    "}"
)


def test_every_place_of_an_rtf_is_a_part() -> None:
    parsed = rtf.parse(DOCUMENT.encode("latin-1"))
    assert [(p.kind.value, p.origin, p.paragraph, p.source, p.text) for p in parsed.parts] == [
        ("body", "", 1, "", "项目可行性报告"),
        ("body", "", 2, "", "本项目承担。"),
        ("body", "hidden", 2, "", APPLICANT),
        ("body", "deleted", 2, "", "由王建国负责"),
        ("body", "", 3, "", "锚点结束"),
        ("body", "", 4, "", "负责人|王建国|"),
        ("body", "", 5, "", "图"),
        ("body", "hidden", 6, "", "到段尾都隐藏的王建国"),
        ("body", "", 7, "", "最后一段"),
        ("metadata", "revision_author", None, "\\revtbl", "张修订"),
        ("header", "default", 1, "\\header", f"页眉：{APPLICANT}"),
        ("header", "even", 2, "\\headerl", "偶数页页眉王建国"),
        ("header", "first", 3, "\\headerf", "首页页眉王建国"),
        ("footer", "default", 1, "\\footer", "页脚王建国"),
        ("comment", "comment_author", None, "\\atnauthor", "李审阅"),
        ("comment", "", 1, "\\annotation", "批注提到王建国"),
        ("footnote", "", 1, "\\footnote", f" 脚注{APPLICANT}"),
        ("footnote", "endnote", 2, "\\footnote", "尾注王建国"),
        ("textbox", "", 1, "\\shptxt", f"文本框里的{APPLICANT}"),
        ("metadata", "core.title", None, "\\info", "可行性报告"),
        ("metadata", "core.subject", None, "\\info", "主题"),
        ("metadata", "core.creator", None, "\\info", "王建国"),
        ("metadata", "core.lastModifiedBy", None, "\\info", "李四"),
        ("metadata", "app.Company", None, "\\info", APPLICANT),
        ("metadata", "app.Manager", None, "\\info", "经理甲"),
        ("metadata", "core.category", None, "\\info", "类别"),
        ("metadata", "core.keywords", None, "\\info", "衢晟 新材料"),
        ("metadata", "core.description", None, "\\info", "备注王建国"),
        ("metadata", "custom.项目单位", None, "\\userprops", APPLICANT),
        ("metadata", "custom.Number", None, "\\userprops", "42"),
    ]
    assert parsed.pages is None and parsed.images == ()
    (problem,) = parsed.problems
    assert (problem.rule, problem.part) == ("document.scanned", PartKind.IMAGE) and "1张图片" in problem.message


def test_a_name_planted_in_each_rtf_place_is_found() -> None:
    found = places("报告.rtf", DOCUMENT.encode("latin-1"))
    for where in [("body", "hidden", APPLICANT), ("body", "deleted", LEADER), ("body", "", LEADER),
                  ("header", "default", APPLICANT), ("header", "even", LEADER), ("header", "first", LEADER),
                  ("footer", "default", LEADER), ("comment", "", LEADER), ("footnote", "", APPLICANT),
                  ("footnote", "endnote", LEADER), ("textbox", "", APPLICANT), ("metadata", "core.creator", LEADER),
                  ("metadata", "app.Company", APPLICANT), ("metadata", "custom.项目单位", APPLICANT)]:
        assert where in found, where


def test_the_info_group_prefers_the_unicode_copy_of_a_field() -> None:
    """Writers put a field twice, {\\upr{ANSI}{\\*\\ud{Unicode}}}: the ANSI copy ("???") is left out."""
    data = ("{\\rtf1\\ansi{\\info{\\upr{\\author ???}{\\*\\ud{\\author " + uni("王建国") + "}}}}\\pard x\\par}").encode()
    metadata = [(p.origin, p.text) for p in rtf.parse(data).parts if p.kind is PartKind.METADATA]
    assert metadata == [("core.creator", "王建国")]


def test_raw_gbk_bytes_in_plain_text_are_decoded_with_the_code_page() -> None:
    data = b"{\\rtf1\\ansi\\ansicpg936 " + APPLICANT.encode("gbk") + b"\\par}"
    assert [p.text for p in rtf.parse(data).parts] == [APPLICANT]


def test_the_scanner_keeps_channels_aligned_and_skips_binary() -> None:
    text = "{\\rtf1 a{\\v b}c\\par {\\deleted d}\\par e{\\pict\\bin3 {{{}f\\par}"
    streams = scan.split(text, 0, len(text))
    assert [rtf.text("", streams[ch]).split("\n") for ch in scan.CHANNELS] == [["ac", "", "ef", ""], ["b", "", "", ""],
                                                                                 ["", "d", "", ""]]
    groups, pictures, unclosed = scan.groups(text)
    assert pictures == 1 and groups == [] and unclosed == 0


def test_places_beyond_the_limit_are_unverifiable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "MAX_GROUPS", 2)
    parsed = rtf.parse(DOCUMENT.encode("latin-1"))
    assert "document.unverifiable" in [p.rule for p in parsed.problems]
    assert len([p for p in parsed.parts if p.kind is not PartKind.BODY]) <= 3


def test_rtf_is_sniffed_and_a_broken_one_is_a_finding() -> None:
    data = DOCUMENT.encode("latin-1")
    assert sniff(data) is Format.RTF and sniff(b"\xef\xbb\xbf \r\n{\\rtf1}") is Format.RTF
    doc = parse_bytes(data, "报告.rtf")
    assert doc.format is Format.RTF and [p.rule for p in doc.problems] == ["document.scanned"]
    with pytest.raises(CorruptError):
        rtf.parse(b"{\\rtx1 not rtf}")
    cut = parse_bytes(data[: data.index(b"\\trowd")], "断.rtf")  # cut short: what is there is read, the rest unverifiable
    assert any(p.text == "本项目承担。" for p in cut.parts)
    assert [p.rule for p in cut.problems] == ["document.unverifiable"] and "截断" in cut.problems[0].message


def test_an_rtf_written_by_libreoffice_is_read(tmp_path: Path) -> None:
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        pytest.skip("LibreOffice is not installed")
    from samples.docxkit import build_docx

    source = build_docx(tmp_path / "r.docx", body=["正文浙江衢晟新材料有限公司"], header="页眉王建国",
                        footer="页脚衢晟", footnote="脚注王建国", deleted="删除王建国", hidden="隐藏王建国",
                        textbox="文本框王建国", core={"creator": "王建国"})
    subprocess.run([program, "--headless", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--convert-to",
                    "rtf", "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=120)
    parts = rtf.parse((tmp_path / "r.rtf").read_bytes()).parts
    got = {(p.kind.value, p.origin, p.text.strip()) for p in parts}
    for expected in [("body", "", "正文浙江衢晟新材料有限公司"), ("header", "default", "页眉王建国"),
                     ("footer", "default", "页脚衢晟"), ("footnote", "", "脚注王建国"), ("body", "deleted", "删除王建国"),
                     ("body", "hidden", "隐藏王建国"), ("textbox", "", "文本框王建国"),
                     ("metadata", "core.creator", "王建国")]:
        assert expected in got, expected
    assert not any(isinstance(p, Part) and "\ufffd" in p.text for p in parts)
