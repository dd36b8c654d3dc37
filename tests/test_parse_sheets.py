"""screening.parsers.sheets: workbooks (.xlsx by openpyxl, .xls by python-calamine) read into parts
the budget reader and the identity check use, with locations a clerk can find."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from samples.make_samples import application
from samples.rules import rows
from samples.sheetkit import (
    BUDGET_MERGES,
    SheetSpec,
    budget_sheet,
    compound_file,
    encrypted_ooxml,
    write_xls,
    write_xlsx,
)
from screening import budget
from screening.errors import CorruptError, EncryptedError, TooLargeError, UnsupportedError
from screening.formats import Format, sniff
from screening.model import Part, PartKind, Role
from screening.parsers import parse_bytes, parse_file, xmlsafe
from screening.parsers.base import Parsed
from screening.parsers.sheets import limits, naming, parse_xls, parse_xlsx
from screening.parsers.sheets.book import header_text
from screening.parsers.sheets.cfb import CfbError, Compound
from screening.wording import where
from tests.conftest import Result
from tests.hostile import damage_member, replace_member

LEXICONS = {"items": "budget-items.tsv", "columns": "budget-columns.tsv"}
ORG, LEADER, MEMBER = "浙江衢晟新材料有限公司", "王建国", "李晓燕"
ITEMS_520 = [("设备费", 180.0), ("材料费", 120.0), ("测试化验加工费", 40.0), ("燃料动力费", 20.0),
             ("差旅费/会议费/国际合作与交流费", 10.0), ("出版/文献/信息传播/知识产权事务费", 10.0), ("劳务费", 60.0),
             ("专家咨询费", 10.0), ("其他支出", 20.0), ("间接费用", 50.0)]
Writer = Callable[..., Path]
WRITERS = pytest.mark.parametrize(("suffix", "write"), [(".xlsx", write_xlsx), (".xls", write_xls)], ids=["xlsx", "xls"])


def budget_spec(**extra: Any) -> SheetSpec:
    return SheetSpec("预算", budget_sheet(rows()), merges=BUDGET_MERGES, **extra)


def cells(parsed: Parsed | Any, origin: str | None = "") -> dict[str, str]:
    """TABLE parts by source, of one origin (None: any)."""
    return {p.source: p.text for p in parsed.parts
            if p.kind is PartKind.TABLE and (origin is None or p.origin == origin)}


def parts(parsed: Parsed | Any, kind: PartKind, origin: str | None = None) -> list[Part]:
    return [p for p in parsed.parts if p.kind is kind and (origin is None or p.origin == origin)]


def items(table: budget.Table) -> list[tuple[str, float]]:
    return [(r.name, float(r.amounts[budget.AMOUNT])) for r in table.items]


# -- the budget ------------------------------------------------------------------------------------


@WRITERS
def test_a_budget_sheet_reads_as_a_table(tmp_path: Path, suffix: str, write: Writer) -> None:
    path = write(tmp_path / f"经费预算表{suffix}", [budget_spec()])
    doc = parse_file(path, Role.BUDGET)
    assert doc.format == suffix[1:] and doc.problems == () and doc.pages == 1
    got = cells(doc)
    # the merged head: each value once, at the range's top-left cell; the cells it covers stay empty
    assert got["sheet1:预算#t1r1c1"] == "经费预算表（单位：万元）" and got["sheet1:预算#t1r2c2"] == "金额"
    assert not {"sheet1:预算#t1r1c2", "sheet1:预算#t1r2c3", "sheet1:预算#t1r3c1"} & set(got)
    assert got["sheet1:预算#t1r4c1"] == "一、设备费" and got["sheet1:预算#t1r4c2"] == "180"  # numbers as shown
    table = budget.read(doc, **LEXICONS)
    assert table is not None and table.method == f"{suffix[1:]}_table" and table.unit == "万元"
    assert items(table) == ITEMS_520
    assert (table.total(), table.total(budget.SUBSIDY), table.total(budget.SELF_RAISED)) == (520, 100, 420)
    assert [(r.name, r.parent) for r in table.of(budget.Kind.SUB)] == [("购置设备费", "设备费"), ("试制设备费", "设备费")]
    total = table.total_row
    assert total is not None and (total.location.page, total.location.paragraph) == (1, 16)  # sheet 1, row 16


def project(tmp_path: Path, workbook: Path, cli: Callable[..., Result]) -> dict[str, Any]:
    folder = tmp_path / "T-XL1"
    folder.mkdir(exist_ok=True)
    app = application("T-XL1", "高纯电子级氢氟酸连续化制备关键技术研究", "major", {"name": ORG, "aliases": ["衢晟新材"]},
                      [{"name": LEADER, "role": "leader", "title": "高级工程师"}, {"name": MEMBER, "role": "member"}])
    (folder / "application.json").write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
    workbook.rename(folder / workbook.name)
    result = cli("project", folder, "--format", "json")
    assert result.code in (0, 1), result.err
    report: dict[str, Any] = result.json()
    return report


@WRITERS
def test_screening_project_gives_the_budget_block(tmp_path: Path, cli: Callable[..., Result], suffix: str,
                                                  write: Writer) -> None:
    report = project(tmp_path, write(tmp_path / f"经费预算表{suffix}", [budget_spec()]), cli)
    block = report["budget"]
    assert block["file"] == f"经费预算表{suffix}" and block["method"] == f"{suffix[1:]}_table"
    assert (block["total"], block["subsidy"], block["self_raised"], block["sum_ok"], block["unit"]) == (
        520.0, 100.0, 420.0, True, "万元")
    assert [(i["name"], i["amount"]) for i in block["items"]] == ITEMS_520
    assert [d["format"] for d in report["documents"]] == [suffix[1:]]
    assert not [f for f in report["findings"] if f["rule"].startswith("budget.")]


# -- leaks, and where they are -------------------------------------------------------------------


@WRITERS
def test_leaks_in_a_comment_a_hidden_sheet_and_the_author_are_found_where_a_clerk_finds_them(
        tmp_path: Path, cli: Callable[..., Result], suffix: str, write: Writer) -> None:
    hidden = SheetSpec("底稿", [["编制说明"], [ORG]], state="hidden")
    if write is write_xlsx:
        path = write_xlsx(tmp_path / "经费预算表.xlsx", [budget_spec(comments={"C5": (f"请{LEADER}复核", "财务")}), hidden],
                          creator=MEMBER)
    else:
        path = write_xls(tmp_path / "经费预算表.xls", [budget_spec(), hidden], properties={"author": MEMBER},
                         notes=[(0, "C5", f"请{LEADER}复核", "财务")])
    report = project(tmp_path, path, cli)
    found = {f["matched"]: f for f in report["findings"] if f["rule"].startswith("identity.")}
    comment, sheet, author = found[LEADER], found[ORG], found[MEMBER]
    assert comment["rule"] == "identity.person" and "工作表“预算”第5行C列的批注" in comment["message"]
    assert comment["location"] == {"part": "comment", "page": 1, "paragraph": 5, "start": 1, "end": 4,
                                   "source": "sheet1:预算#t1r5c3"}
    assert comment["where"] == "工作表“预算”第5行C列的批注"  # the location as the message words it
    assert sheet["rule"] == "identity.org" and "隐藏工作表“底稿”第2行A列" in sheet["message"]
    assert sheet["location"]["part"] == "table" and sheet["location"]["origin"] == "hidden"
    assert (sheet["location"]["page"], sheet["location"]["paragraph"]) == (2, 2)
    assert author["rule"] == "identity.metadata" and "文档属性（作者）" in author["message"]
    assert {k: v for k, v in author["location"].items() if k != "source"} == {
        "part": "metadata", "start": 0, "end": 3, "origin": "core.creator"}
    assert report["verdict"] == "fail"
    assert report["budget"]["total"] == 520.0  # the hidden sheet is no second budget


@WRITERS
def test_every_sheet_is_read_and_hidden_ones_say_so(tmp_path: Path, suffix: str, write: Writer) -> None:
    path = write(tmp_path / f"b{suffix}", [SheetSpec("预算", [["甲"]]), SheetSpec("旧版", [["乙"]], state="hidden"),
                                          SheetSpec(ORG, [["丙"]], state="veryHidden")])
    parsed = parse_file(path)
    names = [(p.text, p.source, p.page) for p in parts(parsed, PartKind.METADATA, "sheet_name")]
    assert names == [("预算", "sheet1:预算", 1), ("旧版", "hidden-sheet2:旧版", 2), (ORG, f"very-hidden-sheet3:{ORG}", 3)]
    assert cells(parsed, None) == {"sheet1:预算#t1r1c1": "甲", "hidden-sheet2:旧版#t1r1c1": "乙",
                                   f"very-hidden-sheet3:{ORG}#t1r1c1": "丙"}
    assert [p.origin for p in parts(parsed, PartKind.TABLE)] == ["", "hidden", "hidden"]
    assert [where(p) for p in parts(parsed, PartKind.TABLE)] == [
        "工作表“预算”第1行A列", "隐藏工作表“旧版”第1行A列", f"深度隐藏的工作表“{ORG}”第1行A列"]
    assert where(parts(parsed, PartKind.METADATA, "sheet_name")[2]) == f"深度隐藏的工作表“{ORG}”的名称"


@WRITERS
def test_hidden_rows_and_columns_are_hidden_cells(tmp_path: Path, suffix: str, write: Writer) -> None:
    grid = budget_sheet(rows())
    grid[5] = [*grid[5], "王建国"]  # E6, in a hidden column
    grid.append([None, None, None, None])
    grid.append(["备注：本表由财务处编制"])  # row 18, hidden
    path = write(tmp_path / f"经费预算表{suffix}", [SheetSpec("预算", grid, merges=BUDGET_MERGES, hidden_rows=[18],
                                                              hidden_cols=["E"])])
    doc = parse_file(path, Role.BUDGET)
    hidden = cells(doc, "hidden")
    assert hidden == {"sheet1:预算#t1r6c5": "王建国", "sheet1:预算#t1r18c1": "备注：本表由财务处编制"}
    part = next(p for p in doc.parts if p.text == "王建国")
    assert where(part) == "工作表“预算”第6行E列（隐藏的行或列，或被合并单元格遮住的内容）"
    table = budget.read(doc, **LEXICONS)
    assert table is not None and items(table) == ITEMS_520  # hidden cells are not what the table shows


def test_a_value_under_a_merged_range_is_hidden(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("表", [["经费预算表", "衢晟新材"]])])
    data = edit(path.read_bytes(), "xl/worksheets/sheet1.xml",
                lambda xml: xml.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells>'))
    parsed = parse_xlsx(data)
    assert cells(parsed) == {"sheet1:表#t1r1c1": "经费预算表"} and cells(parsed, "hidden") == {"sheet1:表#t1r1c2": "衢晟新材"}


@WRITERS
def test_headers_and_footers(tmp_path: Path, suffix: str, write: Writer) -> None:
    path = write(tmp_path / f"b{suffix}", [SheetSpec("预算", [["甲"]], header=f"{ORG}（盖章）")])
    headers = parts(parse_file(path), PartKind.HEADER)
    assert [(p.text, p.origin, p.page) for p in headers] == [(f"{ORG}（盖章）", "default", 1)]
    assert where(headers[0]) == "工作表“预算”的页眉"


def test_header_codes_are_removed() -> None:
    assert header_text('&L&"宋体,加粗"&12衢晟新材&C第&P页 共&N页&R&D') == "衢晟新材\n第页 共页"
    assert header_text("A&&B&K00FF00C") == "A&BC"


# -- formulas ------------------------------------------------------------------------------------


def test_a_formula_without_cached_value_is_read_as_its_text(tmp_path: Path) -> None:
    grid: list[list[Any]] = [["科目", "金额"], ["设备费", 180], ["材料费", 120], ["合计", "=SUM(B2:B3)"]]
    parsed = parse_xlsx(write_xlsx(tmp_path / "b.xlsx", [SheetSpec("预算", grid)]).read_bytes())
    assert cells(parsed, "formula") == {"sheet1:预算#t1r4c2": "=SUM(B2:B3)"}
    assert "sheet1:预算#t1r4c2" not in cells(parsed)
    formula = next(p for p in parsed.parts if p.origin == "formula")
    assert (formula.page, formula.paragraph) == (1, 4) and where(formula) == "工作表“预算”第4行B列的公式"


def test_a_formula_with_its_cached_value_gives_the_value(tmp_path: Path) -> None:
    grid: list[list[Any]] = [["科目", "金额"], ["设备费", 180], ["材料费", 120], ["合计", "=SUM(B2:B3)"]]
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("预算", grid, cached={"B4": 300})])
    parsed = parse_xlsx(path.read_bytes())
    assert cells(parsed)["sheet1:预算#t1r4c2"] == "300" and cells(parsed, "formula") == {}


def test_shared_strings_dates_and_numbers_read_as_shown(tmp_path: Path) -> None:
    """Excel keeps text in xl/sharedStrings.xml (openpyxl writes inline strings): both are read."""
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("表", [["联系电话", 13812345678, 0.5, True]])])
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           f"<si><r><t>{LEADER}</t></r><r><t>（负责人）</t></r></si></sst>").encode()
    data = edit(path.read_bytes(), "xl/worksheets/sheet1.xml",
                lambda xml: xml.replace(b'</row>', b'<c r="E1" t="s"><v>0</v></c><c r="F1" s="0"><v>45322</v></c></row>'))
    data = replace_member(data, "xl/sharedStrings.xml", sst)
    data = edit(data, "[Content_Types].xml", lambda xml: xml.replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument'
        b'.spreadsheetml.sharedStrings+xml"/></Types>')))
    got = cells(parse_xlsx(data))
    assert [got[f"sheet1:表#t1r1c{c}"] for c in range(1, 7)] == [
        "联系电话", "13812345678", "0.5", "TRUE", f"{LEADER}（负责人）", "45322"]


# -- the rest of the package ---------------------------------------------------------------------

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def test_threaded_comments_text_boxes_and_links(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("表", [["甲"]])])
    rels = (f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2017/10/relationships/threadedComment" '
            f'Target="../threadedComments/threadedComment1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/drawing" Target="../drawings/drawing1.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/hyperlink" Target="file:///C:/Users/{MEMBER}/预算.xlsx" '
            f'TargetMode="External"/></Relationships>').encode()
    threaded = ('<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
                f'<threadedComment ref="B2" personId="{{P1}}" id="{{C1}}"><text>已与{LEADER}核对</text></threadedComment>'
                "</ThreadedComments>").encode()
    drawing = ('<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
               'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor><xdr:sp><xdr:txBody>'
               f"<a:p><a:r><a:t>编制单位：{ORG}</a:t></a:r></a:p></xdr:txBody></xdr:sp></xdr:twoCellAnchor></xdr:wsDr>").encode()
    people = ('<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
              f'<person displayName="{MEMBER}" id="{{P1}}" userId="lxy@qusheng.example" providerId="None"/></personList>').encode()
    data = replace_member(path.read_bytes(), "xl/worksheets/_rels/sheet1.xml.rels", rels)
    data = replace_member(data, "xl/threadedComments/threadedComment1.xml", threaded)
    data = replace_member(data, "xl/drawings/drawing1.xml", drawing)
    data = replace_member(data, "xl/persons/person.xml", people)
    data = edit(data, "xl/_rels/workbook.xml.rels", lambda xml: xml.replace(b"</Relationships>", (
        b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2017/10/relationships/person" '
        b'Target="persons/person.xml"/></Relationships>')))
    parsed = parse_xlsx(data)
    comment = parts(parsed, PartKind.COMMENT, "")
    assert [(p.text, p.source) for p in comment] == [(f"已与{LEADER}核对", "sheet1:表#t1r2c2")]
    assert [p.text for p in parts(parsed, PartKind.COMMENT, "comment_author")] == [MEMBER]
    assert [p.text for p in parts(parsed, PartKind.METADATA, "people")] == ["lxy@qusheng.example"]
    box = parts(parsed, PartKind.TEXTBOX)
    assert [p.text for p in box] == [f"编制单位：{ORG}"] and where(box[0]) == "工作表“表”中的文本框"
    assert f"file:///C:/Users/{MEMBER}/预算.xlsx" in [p.text for p in parts(parsed, PartKind.METADATA, "hyperlink")]


def test_xlsx_properties_as_a_docx_has_them(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("表", [["甲"]])], creator=LEADER, last_modified_by=MEMBER, company=ORG)
    got = {p.origin: p.text for p in parts(parse_xlsx(path.read_bytes()), PartKind.METADATA)}
    assert got["core.creator"] == LEADER and got["core.lastModifiedBy"] == MEMBER and got["app.Company"] == ORG


def test_xls_properties_in_their_code_page(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "b.xls", [SheetSpec("表", [["甲"]])],
                     properties={"author": LEADER, "last_author": MEMBER, "title": "经费预算表"}, company=ORG,
                     custom={"编制单位": "衢晟新材"})
    got = {p.origin: (p.text, p.source) for p in parts(parse_xls(path.read_bytes()), PartKind.METADATA)}
    assert got["core.creator"] == (LEADER, "SummaryInformation") and got["core.lastModifiedBy"][0] == MEMBER
    assert got["core.title"][0] == "经费预算表" and got["app.Company"] == (ORG, "DocumentSummaryInformation")
    assert got["custom.编制单位"][0] == "衢晟新材"


def test_pictures_are_said_not_read(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("表", [["甲"]])])
    data = replace_member(path.read_bytes(), "xl/media/image1.png", b"\x89PNG\r\n\x1a\n")
    parsed = parse_xlsx(data)
    assert [p.rule for p in parsed.problems] == ["document.scanned"] and "xl/media/image1.png" in parsed.problems[0].message


# -- formats, passwords ----------------------------------------------------------------------------


def test_sniffing_workbooks_and_other_ole2_files(tmp_path: Path) -> None:
    assert sniff(write_xlsx(tmp_path / "a.xlsx", [SheetSpec("表", [["甲"]])]).read_bytes()) is Format.XLSX
    assert sniff(write_xls(tmp_path / "a.xls", [SheetSpec("表", [["甲"]])]).read_bytes()) is Format.XLS
    assert sniff(encrypted_ooxml(tmp_path / "e.xlsx").read_bytes()) is Format.ENCRYPTED_OFFICE
    assert sniff(compound_file({"WordDocument": b"x" * 5000, "1Table": b"y" * 100})) is Format.DOC
    assert sniff(compound_file({"PowerPoint Document": b"x" * 5000})) is Format.UNKNOWN
    assert sniff(compound_file({"Book": b"x" * 5000})) is Format.XLS  # Excel 5.0/95: refused by the parser
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("data/table.csv", "a,b")
    assert sniff(zipped.getvalue()) is Format.ZIP


def test_an_encrypted_xlsx_is_document_encrypted(tmp_path: Path) -> None:
    doc = parse_file(encrypted_ooxml(tmp_path / "经费预算表.xlsx"), Role.BUDGET)
    assert [p.rule for p in doc.problems] == ["document.encrypted"]
    assert [p.kind for p in doc.parts] == [PartKind.FILENAME]


def test_a_password_protected_xls_is_document_encrypted(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "经费预算表.xls", [budget_spec()], encrypted=True)
    with pytest.raises(EncryptedError):
        parse_xls(path.read_bytes())
    doc = parse_file(path, Role.BUDGET)
    assert [p.rule for p in doc.problems] == ["document.encrypted"] and "设置了打开密码" in doc.problems[0].message


def test_a_workbook_with_a_wrong_extension_is_read_as_what_it_is(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("表", [[ORG]])])
    doc = parse_bytes(path.read_bytes(), "经费预算表.docx")
    assert doc.format == "xlsx" and [p.rule for p in doc.problems] == ["document.unsupported"]
    assert ORG in [p.text for p in doc.parts]


def test_excel_95_is_refused_plainly() -> None:
    with pytest.raises(UnsupportedError):
        parse_xls(compound_file({"Book": b"\x09\x08\x08\x00\x00\x05" + b"\x00" * 5000}))


# -- hostile files ---------------------------------------------------------------------------------


def edit(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        body = zf.read(member)
    return replace_member(data, member, change(body))


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really", b"", b"PK\x05\x06" + b"\x00" * 18])
def test_no_workbook_is_corrupt(data: bytes) -> None:
    with pytest.raises(CorruptError):
        parse_xlsx(data)


def test_truncated_workbooks_are_corrupt(tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "b.xlsx", [budget_spec()]).read_bytes()
    with pytest.raises(CorruptError):
        parse_xlsx(xlsx[: len(xlsx) // 2])
    xls = write_xls(tmp_path / "b.xls", [budget_spec()]).read_bytes()
    with pytest.raises(CorruptError):
        parse_xls(xls[: len(xls) // 2])
    with pytest.raises(CfbError):
        Compound(xls[:700])


def test_a_doctype_in_a_sheet_costs_that_sheet_only(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("甲", [["一"]]), SheetSpec("乙", [["二"]])])
    entities = '<!ENTITY a "衢晟">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10 if i else "&a;"}">' for i in range(9))
    data = edit(path.read_bytes(), "xl/worksheets/sheet1.xml",
                lambda xml: f"<?xml version=\"1.0\"?><!DOCTYPE worksheet [{entities}]>".encode() + xml)
    parsed = parse_xlsx(data)
    assert cells(parsed) == {"sheet2:乙#t1r1c1": "二"}
    assert [p.rule for p in parsed.problems] == ["document.unverifiable"]
    assert "工作表“甲”" in parsed.problems[0].message and "DOCTYPE" in parsed.problems[0].message


def test_a_doctype_in_the_workbook_part_refuses_the_file(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("甲", [["一"]])])
    data = edit(path.read_bytes(), "xl/workbook.xml", lambda xml: b'<!DOCTYPE x [<!ENTITY a "b">]>' + xml)
    with pytest.raises(CorruptError, match="DOCTYPE"):
        parse_xlsx(data)


def test_a_damaged_sheet_keeps_what_was_read(tmp_path: Path) -> None:
    grid = [[f"第{r}行", r] for r in range(1, 3000)]
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("甲", grid), SheetSpec("乙", [["二"]])])
    parsed = parse_xlsx(damage_member(path.read_bytes(), "xl/worksheets/sheet1.xml", "truncated"))
    got = cells(parsed)
    assert got["sheet1:甲#t1r1c1"] == "第1行" and "sheet1:甲#t1r2999c1" not in got and got["sheet2:乙#t1r1c1"] == "二"
    assert [p.rule for p in parsed.problems] == ["document.unverifiable"] and "工作表“甲”" in parsed.problems[0].message


def test_an_oversized_sheet_is_unverifiable_and_the_others_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    grid = [["x" * 50] for _ in range(200)]
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("大", grid), SheetSpec("小", [["二"]])])
    monkeypatch.setattr(xmlsafe, "MAX_XML_PART", 8000)  # the big sheet is over it, the structure is not
    parsed = parse_xlsx(path.read_bytes())
    assert cells(parsed) == {"sheet2:小#t1r1c1": "二"}
    assert [p.rule for p in parsed.problems] == ["document.unverifiable"] and "上限" in parsed.problems[0].message


def test_a_structural_bomb_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("甲", [["一"]])])
    data = edit(path.read_bytes(), "xl/styles.xml", lambda xml: xml + b" " * (65 * 1024 * 1024))
    with pytest.raises(TooLargeError, match="压缩炸弹"):
        parse_xlsx(data)


def test_the_cell_limit_stops_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CELLS", 10)
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("甲", [[f"格{i}"] for i in range(30)]), SheetSpec("乙", [["二"]])])
    parsed = parse_xlsx(path.read_bytes())
    assert len(cells(parsed)) == 10 and "sheet2:乙#t1r1c1" not in cells(parsed)
    assert [p.rule for p in parsed.problems] == ["document.unverifiable"] and "10个的上限" in parsed.problems[0].message


def test_a_forged_dimension_costs_nothing(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [SheetSpec("甲", [["一"]])])
    data = edit(path.read_bytes(), "xl/worksheets/sheet1.xml",
                lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml))
    assert cells(parse_xlsx(data)) == {"sheet1:甲#t1r1c1": "一"}


def test_too_many_members_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for i in range(limits.MAX_ENTRIES + 1):
            zf.writestr(f"xl/media/x{i}.bin", b"")
    with pytest.raises(TooLargeError):
        parse_xlsx(out.getvalue())


def test_a_huge_xls_grid_is_refused_before_calamine_builds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xls(tmp_path / "b.xls", [SheetSpec("甲", [["一"], *[[None]] * 500, [None] * 200 + ["远"]])])
    monkeypatch.setattr(limits, "MAX_XLS_AREA", 10_000)  # 502 rows × 201 columns
    with pytest.raises(TooLargeError):
        parse_xls(path.read_bytes())


def test_source_names_survive_odd_sheet_names() -> None:
    source = naming.source(naming.HIDDEN, 3, "预算#1%", 2, 28)
    assert source == "hidden-sheet3:预算%231%25#t1r2c28"
    assert naming.place(source) == naming.Place(naming.HIDDEN, 3, "预算#1%", 2, 28)
    assert naming.place("word/document.xml#t1r2c3") is None and naming.column_letter(28) == "AB"
    assert where(Part(kind=PartKind.FILENAME, text="x", source="sheet1:x")) == "文件名"
    cell = Part(kind=PartKind.TABLE, text="x", source=source, page=3, paragraph=2, origin="hidden")
    assert where(cell) == "隐藏工作表“预算#1%”第2行AB列"


def test_xls_pictures_are_counted_from_the_drawing_group() -> None:
    from screening.parsers.sheets import biff

    children = struct.pack("<HHI", 0, 0xF006, 0) + struct.pack("<HHI", (3 << 4) | 0xF, 0xF001, 0)  # FDGG, BStore of 3
    assert biff._pictures(struct.pack("<HHI", 0xF, 0xF000, len(children)) + children) == 3
    assert biff._pictures(b"") == 0
