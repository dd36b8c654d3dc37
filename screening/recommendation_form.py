"""The recommendation form of 附件3, one workbook per recommending unit: `OUT/推荐表-<推荐单位>.xlsx`.

The first sheet, 推荐表, is the notice's form word for word: "附件3", the call's form title, the
line "推荐单位（盖章）：…　年　月　日" (the date is left for the unit to write when it stamps the
form), the five columns 序号 项目名称 承担单位 项目负责人 项目类别, printed A4 landscape, the column
heads repeated on every page, fitted to the page width. It lists only the projects that pass the
formal review: it is the document the unit stamps and files, and a failed project must not be
recommended, while a verdict column would change the bureau's form.

Nothing is dropped silently: the projects left off are on two more sheets, 需人工复核 (a clerk
decides; one that passes is moved to the first sheet by hand) and 未通过形式审查, each with its
reasons (the messages of the findings that decided the verdict). It names the applicant and the
leader: that is its purpose (it goes to the bureau, not to experts).

Every cell an applicant wrote is a string cell: a title "=HYPERLINK(…)" stays text.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from screening.application import Application
from screening.batch import BatchItem, write_atomic
from screening.calls import load_call
from screening.checks.batch import category_name
from screening.model import Severity, Verdict
from screening.report import one_line
from screening.xlsx_looks import Looks

FORM_PREFIX = "推荐表-"
FORM_COLUMNS = ("序号", "项目名称", "承担单位", "项目负责人", "项目类别")
LEFT_OFF_COLUMNS = ("序号", "项目编号", "项目名称", "承担单位", "项目负责人", "项目类别")
NO_RECOMMENDER = "未填写推荐单位"
FORM_SHEET = "推荐表"
LEFT_OFF = {  # verdict → (sheet, the reasons' column, the note above the table)
    Verdict.REVIEW: ("需人工复核", "需复核的原因",
                     "以下项目需人工复核，未列入推荐表；复核通过的，请移入“推荐表”工作表。"),
    Verdict.FAIL: ("未通过形式审查", "未通过的原因", "以下项目未通过形式审查，未列入推荐表。"),
}
MAX_REASONS = 5  # messages listed per project; more are counted
DATE_LINE = "年　　月　　日"
WIDTHS = (6, 48, 34, 12, 20)
LEFT_OFF_WIDTHS = (6, 14, 40, 30, 12, 18, 70)


def form_file_name(unit: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", unit).strip(" .") or "_"
    return f"{FORM_PREFIX}{safe}.xlsx"


def write_forms(out: Path, items: Sequence[BatchItem]) -> list[Path]:
    """One 附件3 form per recommending unit, its projects by category then id; forms of units no
    longer in the batch are removed."""
    by_unit: dict[str, list[BatchItem]] = defaultdict(list)
    for item in items:
        if item.application is not None:
            by_unit[item.application.recommender or NO_RECOMMENDER].append(item)
    written = [write_form(out / form_file_name(unit), unit, rows) for unit, rows in sorted(by_unit.items())]
    for stale in set(out.glob(f"{FORM_PREFIX}*.xlsx")) - set(written):
        stale.unlink()
    return written


def write_form(path: Path, unit: str, items: Sequence[BatchItem]) -> Path:
    """The workbook of one unit (see the module's docstring)."""
    from openpyxl import Workbook

    rows = sorted(items, key=_order)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    _form(sheet, unit, [i for i in rows if i.verdict is Verdict.PASS], _form_titles(rows))
    for verdict, (title, reason_head, note) in LEFT_OFF.items():
        _left_off(book.create_sheet(title), [i for i in rows if i.verdict is verdict], reason_head, note)
    for each in book.worksheets:
        for row in each.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula: openpyxl makes "=…" a formula
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(path, buffer.getvalue())
    return path


def _form(sheet: Any, unit: str, items: Sequence[BatchItem], title: str) -> None:
    from openpyxl.styles import Alignment, Font

    width = len(FORM_COLUMNS)
    sheet.title = FORM_SHEET
    sheet.append(["附件3"])
    sheet["A1"].font = Font(name="黑体", size=12)
    sheet.append([title])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet["A2"].font = Font(name="方正小标宋简体", bold=True, size=18)
    sheet["A2"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[2].height = 36
    sheet.append([one_line(f"推荐单位（盖章）：{unit}"), None, None, None, DATE_LINE])
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width - 1)
    sheet.cell(3, width).alignment = Alignment(horizontal="right")
    sheet.append(list(FORM_COLUMNS))
    for n, item in enumerate(items, start=1):
        app = item.application
        assert app is not None
        sheet.append([n, *(one_line(text) for text in (app.title, app.applicant.name, leader(app), category(item)))])
    _grid(sheet, head_row=4, columns=width, widths=WIDTHS)


def _left_off(sheet: Any, items: Sequence[BatchItem], reason_head: str, note: str) -> None:
    columns = (*LEFT_OFF_COLUMNS, reason_head)
    sheet.append([note if items else note.split("，", 1)[0].replace("以下项目", "没有项目")])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.append(list(columns))
    for n, item in enumerate(items, start=1):
        app = item.application
        assert app is not None
        sheet.append([n, item.project_id, *(one_line(t) for t in (app.title, app.applicant.name, leader(app),
                                                                   category(item))), reasons(item)])
    _grid(sheet, head_row=2, columns=len(columns), widths=LEFT_OFF_WIDTHS)


def _grid(sheet: Any, *, head_row: int, columns: int, widths: Sequence[int]) -> None:
    """Borders, wrapping, bold heads, column widths, and the print settings: A4 landscape, the head
    row repeated on every page, fitted to the page width."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)  # one object each: openpyxl hashes
    centred = Alignment(vertical="center", wrap_text=True, horizontal="center")  # every style it is given
    plain = Alignment(vertical="center", wrap_text=True, horizontal=None)
    bold = Font(bold=True)
    def dressing(head: bool, centre: bool) -> Callable[[Any], None]:
        def dress(cell: Any) -> None:
            cell.border = border
            cell.alignment = centred if centre else plain
            if head:
                cell.font = bold
        return dress

    # three looks (head; first column; the rest): set on one cell each, copied to the others
    # (`Looks`: setting every cell's three styles took ~0.4 ms a row, most of a form's time)
    looks = Looks()
    for row in sheet.iter_rows(min_row=head_row, max_row=sheet.max_row, max_col=columns):
        for cell in row:
            head, centre = cell.row == head_row, cell.row == head_row or cell.column == 1
            looks.give(cell, (head, centre), dressing(head, centre))
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{head_row}:{head_row}"
    sheet.print_options.horizontalCentered = True
    sheet.freeze_panes = sheet.cell(head_row + 1, 1)


def reasons(item: BatchItem) -> str:
    """The messages of the findings that decided the project's verdict (fail for 不通过, warn for
    需人工复核), one a line, at most `MAX_REASONS` and the number of the others."""
    deciding = Severity.FAIL.value if item.verdict is Verdict.FAIL else Severity.WARN.value
    messages = list(dict.fromkeys(one_line(f.get("message", "")) for f in item.report.get("findings", [])
                                  if f.get("severity") == deciding))
    lines = [f"{n}. {m}" for n, m in enumerate(messages[:MAX_REASONS], start=1)]
    if len(messages) > MAX_REASONS:
        lines.append(f"另有{len(messages) - MAX_REASONS}项，详见审查发现.xlsx")
    return "\n".join(lines)


def category(item: BatchItem) -> str:
    app = item.application
    if app is None or not app.category:
        return ""
    return category_name(load_call(item.report.get("call") or app.call), app.category)


def leader(app: Application | None) -> str:
    if app is None:
        return ""
    return next((m.name for m in app.team if m.role == "leader"), "")


def _order(item: BatchItem) -> tuple[int, str]:
    assert item.application is not None
    call = load_call(item.report.get("call") or item.application.call)
    cid = call.category_id(item.application.category)
    ids = list(call.categories)
    return (ids.index(cid) if cid in ids else len(ids), item.project_id)


def _form_titles(items: Sequence[BatchItem]) -> str:
    titles = sorted({load_call(i.report.get("call") or i.application.call).form_title
                     for i in items if i.application is not None})
    return "、".join(titles)
