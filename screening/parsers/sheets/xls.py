"""Legacy Excel (.xls, BIFF8 in an OLE2 file) → `Parsed`: python-calamine reads the cells, the
rest is read here.

* the OLE2 file (`cfb`): its Workbook stream, and the property streams (`oleprops`: author, last
  author, company, manager … → METADATA with the OOXML origins "core.creator", "app.Company" …);
* the Workbook stream is walked once first (`biff.scan`): a FILEPASS record (a password) →
  `EncryptedError`; each sheet's name, state, header and footer, cell comments (NOTE + the text of
  its object) and text boxes, hidden rows and columns, and the extent of its cells;
* python-calamine then gives each sheet's cells (a formula's cached result; calamine does not give
  the formula's text), starting at the sheet's first used cell, and its merged ranges.

What becomes a part is what the .xlsx parser makes (screening/parsers/sheets/__init__.py), so the
budget reader and the identity check see a workbook alike in either format.

Guards: an OLE2 file whose directory or streams cannot be read, or a Workbook stream that is no
BIFF record stream → `CorruptError`; an Excel 5.0/95 workbook (stream "Book", or BIFF5 records) →
`UnsupportedError` (calamine reads too little of it to vouch for); calamine holds every sheet as a
dense grid, so a workbook whose sheets span more than `limits.MAX_XLS_AREA` cells (rows × columns
of their used range) or that has more than `limits.MAX_CELLS` cells with a value → `TooLargeError`
before calamine builds anything.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from screening.errors import CorruptError, EncryptedError, TooLargeError, UnsupportedError
from screening.model import PartKind, Problem
from screening.parsers.base import Parsed
from screening.parsers.docx.sink import Sink
from screening.parsers.sheets import biff, book, cfb, limits, naming, oleprops
from screening.parsers.sheets.book import Sheet, SheetCells

WHAT = "旧版Excel工作簿(xls)"
if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

_CELL_SHEETS = (0, 1)  # BOUNDSHEET dt: worksheet, macro sheet (charts and VBA modules have no cells)


def parse(data: bytes) -> Parsed:
    """Read an .xls (see the module docstring for what raises)."""
    try:
        compound = cfb.Compound(data)
        names = compound.top_level()
        if "workbook" not in names:
            if "book" in names:
                raise UnsupportedError(f"{WHAT}为Excel 5.0/95格式，无法可靠读取，请用Excel另存为xlsx后重新上传")
            raise CorruptError(f"{WHAT}缺少工作簿数据流（Workbook），文件已损坏或不是Excel工作簿")
        stream = compound.stream("Workbook")
        records = biff.scan(stream)
    except (cfb.CfbError, biff.BiffError) as err:
        raise CorruptError(f"{WHAT}已损坏或不完整（{err}）") from err
    if records.encrypted:
        raise EncryptedError(f"{WHAT}设置了打开密码，无法审查，请去除密码后重新上传")
    if records.version != biff.BIFF8:
        raise UnsupportedError(f"{WHAT}为Excel 5.0/95或更早的格式，无法可靠读取，请用Excel另存为xlsx后重新上传")
    area = sum(s.area for s in records.sheets)
    cells = sum(s.cells for s in records.sheets)
    if area > limits.MAX_XLS_AREA or cells > limits.MAX_CELLS:
        raise TooLargeError(f"{WHAT}的数据区域过大（{cells}个有内容的单元格，工作表范围共{area}格，上限分别为"
                            f"{limits.MAX_CELLS}和{limits.MAX_XLS_AREA}），疑似恶意文件，未予审查")
    sink = Sink()
    _cells(data, records, sink)
    _properties(compound, names, sink)
    if records.truncated:
        sink.problems.append(Problem("document.unverifiable", f"{WHAT}的工作簿数据流不完整，末尾的内容无法读取，"
                                     "无法确认是否暴露身份"))
    if records.pictures:
        sink.problems.append(Problem(
            "document.scanned", f"{WHAT}中有{records.pictures}张图片，电子表格中的图片暂不做文字识别，"
            "其中的文字（如单位名称、印章）需人工查看", part=PartKind.IMAGE))
    return book.parsed(sink, len(records.sheets))


def _cells(data: bytes, records: biff.Book, sink: Sink) -> None:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as err:
        raise EncryptedError(f"{WHAT}设置了打开密码，无法审查，请去除密码后重新上传") from err
    except python_calamine.CalamineError as err:
        raise CorruptError(f"{WHAT}无法读取（{type(err).__name__}: {str(err)[:200]}），可能已损坏") from err
    states = ((python_calamine.SheetVisibleEnum.Visible, naming.VISIBLE),  # calamine's enum is not hashable
              (python_calamine.SheetVisibleEnum.Hidden, naming.HIDDEN),
              (python_calamine.SheetVisibleEnum.VeryHidden, naming.VERY_HIDDEN))
    with workbook:
        metas = workbook.sheets_metadata
        for index, own in enumerate(records.sheets, start=1):
            meta = metas[index - 1] if index - 1 < len(metas) and metas[index - 1].name == own.name else None
            state = next((name for value, name in states if meta is not None and meta.visible == value), own.state)
            sheet = Sheet(index, own.name, state)
            book.sheet_name(sink, sheet)
            read = SheetCells()
            for row in own.hidden_rows:
                read.hidden_rows.add(row + 1)
            for first, last in own.hidden_cols:
                read.hide_columns(first + 1, last + 1)
            if own.kind in _CELL_SHEETS:
                if meta is None:
                    sink.problems.append(Problem(
                        "document.unverifiable", f"附件的{sheet.label}的单元格无法读取（工作表目录不一致），无法确认是否暴露身份",
                        page=index, part=PartKind.TABLE))
                else:
                    _sheet_cells(workbook, index - 1, sheet, read, sink)
            book.emit_sheet(sink, sheet, read)
            _notes(sink, sheet, own)


def _sheet_cells(workbook: CalamineWorkbook, i: int, sheet: Sheet, read: SheetCells, sink: Sink) -> None:
    import python_calamine

    try:
        grid = workbook.get_sheet_by_index(i)
        start = grid.start
        rows = grid.to_python(skip_empty_area=True) if start is not None else []
        merges = grid.merged_cell_ranges or []
    except python_calamine.CalamineError as err:
        sink.problems.append(Problem(
            "document.unverifiable", f"附件的{sheet.label}的单元格无法读取（{type(err).__name__}），无法确认是否暴露身份",
            page=sheet.index, part=PartKind.TABLE))
        return
    r0, c0 = start if start is not None else (0, 0)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            read.add(r0 + r + 1, c0 + c + 1, book.value_text(value))
    for (r1, c1), (r2, c2) in merges:
        read.merge(r1 + 1, c1 + 1, r2 + 1, c2 + 1)


def _notes(sink: Sink, sheet: Sheet, own: biff.SheetRecords) -> None:
    """Cell comments → COMMENT at their cell (authors → "comment_author"), headers and footers,
    text boxes → TEXTBOX."""
    noted: set[int] = set()
    for row, col, obj_id, author in own.notes:
        noted.add(obj_id)
        text = own.texts.get(obj_id, (biff.OT_NOTE, ""))[1]
        sink.add(PartKind.COMMENT, text, source=sheet.source(row + 1, col + 1), paragraph=row + 1, page=sheet.index)
        sink.once(PartKind.COMMENT, "comment_author", author, sheet.source())
    for obj_id, (obj_type, text) in own.texts.items():
        if obj_id in noted:
            continue
        kind = PartKind.COMMENT if obj_type == biff.OT_NOTE else PartKind.TEXTBOX
        sink.add(kind, text, source=sheet.source(), page=sheet.index)
    for text in own.loose:
        sink.add(PartKind.TEXTBOX, text, source=sheet.source(), page=sheet.index)
    for kind, origin, raw in own.headers:
        sink.add(kind, book.header_text(raw), source=sheet.source(), origin=origin, page=sheet.index)


def _properties(compound: cfb.Compound, names: dict[str, cfb.Entry], sink: Sink) -> None:
    """SummaryInformation and DocumentSummaryInformation → METADATA; one that cannot be read is
    `document.unverifiable` (an author could be in it)."""
    for stream in (oleprops.SUMMARY, oleprops.DOC_SUMMARY):
        if stream.lower() not in names:
            continue
        label = stream.lstrip("\x05")
        try:
            found, unknown = oleprops.read(compound.stream(stream))
        except (cfb.CfbError, oleprops.PropertyError) as err:
            sink.problems.append(Problem("document.unverifiable", f"附件的文档属性（{label}）无法读取（{err}），无法确认是否暴露身份",
                                         part=PartKind.METADATA))
            continue
        for origin, text in found:
            sink.add(PartKind.METADATA, text, source=label, origin=origin)
        if unknown:
            pages = "、".join(str(n) if n else "未注明" for n in unknown)
            sink.problems.append(Problem("document.unreadable", f"附件的文档属性（{label}）使用了无法识别的代码页（{pages}），"
                                         "已按GB18030解码，属性文字可能有误", part=PartKind.METADATA))
