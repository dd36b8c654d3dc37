"""Budget tables (经费预算列表) → item rows, the 合计 row and the 财政补助 / 自筹 columns, in 万元.

Where the table comes from:

* docx — the parser's TABLE parts: `source` "word/document.xml#t1r2c3" names the table (nested
  tables have their own path), the row and the grid column, so the grid is rebuilt from the parts
  without opening the file again; the paragraphs of one cell are joined, tracked deletions and
  hidden text are left out (they are not what the applicant submitted), and so are the parser's
  column parts (origin "column": a column of short cells read top to bottom, which is no cell).
* pdf — the ruled tables the parser found (`Document.tables`, pdfplumber's table finder in
  screening/parsers/tables.py, on the pages `budget_pages` names): a ruled table is cut along its
  drawn lines, so a wrapped item name stays in its cell and empty cells keep their column. Without
  ruled tables, the tables the parser rebuilt from where the characters stand (method "pdf_aligned",
  screening/parsers/aligned.py); there a line holding one piece of text under a cell that names no
  budget row by itself continues that cell (a wrapped name). A table continued on the next page
  (no header of its own, or the same header again; same width) is joined to it, unless its 合计
  came after its items (a table whose 合计 is its first row goes on).
* xlsx / xls — the sheets' TABLE parts, named as docx cells ("sheet1:预算#t1r3c2",
  screening/parsers/sheets/): any format whose record has `table_parts` is read this way.
* scan — a picture or scanned page: the OCR text rebuilt into a table (screening/budget_scan.py and
  screening/scan_grid.py, method "ocr_table"), its sums used to settle digits OCR confuses.
* text — when no table is found (a budget typed as paragraphs or "科目：金额" lines, or a PDF whose
  tables were not read), the text lines are read as rows: "设备费 180.0", "一、设备费 180.00 60.00 120.00",
  several items on one line separated by ；/，, and a line of column heads ("预算科目 合计 财政补助
  自筹") naming the money columns. A line holding only a name is joined to the next one (a name
  wrapped in its cell). `Table.method` says which reading was used.

Reading a grid. A cell is a budget row when lexicons/budget-items.tsv names it (compared whole after
cleaning: numbering, 其中, spaces, / 、 · and a trailing （…） removed). A table one of whose rows
holds more item names than any of its columns is transposed (items as columns, amounts in a row
below) and read turned. Two or more label columns, each with money columns to its right (科目|金额|科目|金额), are
item lists side by side: they are read one after the other, the left one first; a row whose name
stands in one list and whose amount in another (a 合计 merged across the table) is read whole, at
the top when it comes before the items, else at the end. The label column is the one with the most
budget rows; a row whose label cell is empty takes the budget row left of it (a 间接费用 or 合计
merged across a category column and the item column). Rows above the first budget row with an
amount are the header (a head "经费支出" over the labels is read as a row too, without amount); each money column is named by the header words of lexicons/budget-columns.tsv (自筹, then
财政补助, then 合计/金额…); without a header word, the first column of numbers right of the labels
is the amount.

Rows. An item row counts towards the sum; a sub-item row (其中：…, a row after a sub-item indented more than
its item, or a sub-item name of the item above it, e.g. 购置设备费 under 设备费) does not — when the item's own cell is empty its
amount is the sum of its sub-items; a sub-item without its item above counts as that item. 合计 is
the total, wherever it stands (the last row, or the first: 经费支出合计 / 一、经费支出 above the
items); the first 合计 row with an amount is the table's. 直接费用/小计 are subtotals (never
counted), 间接费用 is the item that ends the direct items, 研发投入 is the project's R&D budget, and
经费来源 / 财政补助 / 自筹 rows are the sources of the money (a 经费来源 section of the form; they
stand for the 财政补助 / 自筹 columns a table without them lacks; a name that is a source and also
something else — 合计, 其他 — is the source right under other sources, so the 合计 of a 经费来源 list
beside the 经费支出 list is the sources' total). A row with an amount and a short
name that is no budget row, above a 合计 that follows items, is kept in `unknown`, so a message can
say it was not counted (a long name is prose with a number in it). Below a 合计 that follows items
come notes: an item named there again (预算说明："1. 设备费20.74万元，主要用于…") is no new item; only
经费来源 rows are still read. An item named a second time anywhere is no new item either.

Levels (`Table.levels`). Each subtotal with an amount is the sum of its items: the items above it
back to the previous subtotal, 合计 or 间接费用 (小计 under its items), or — when there is none —
the items below it up to the next one (一、直接费用 heading its items). 合计 is the sum of the
subtotals (or their items when a subtotal has no amount) and of the items no subtotal holds:
直接费用 + 间接费用 = 合计; without subtotals, of all items.

Units. The table's unit is read from its cells first ("金额（万元）", "预算数（元）", a cell holding only
"万元"), then from the unit statement of the document's text nearest the table ("单位：元",
"金额单位：万元", "表中金额单位为元", "以万元为单位"; a docx: the nearest paragraph before or after the
table; a PDF: the first on the table's page, else the nearest page before; text lines: the
document's first statement); a cell with its own unit
("180万元") keeps it, and a table every amount of which states its unit is in 万元 once read.
Amounts in 元 are divided by 10000; thousands separators (1,800,000.00,
1，800，000.00, 1 800 000.00) and a leading ¥ are read. When no unit is stated, `unit` is None and
amounts are as printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache, lru_cache
from itertools import pairwise

from screening import budget_scan, formats, lexicons
from screening.errors import ConfigError
from screening.model import Document, Location, Part, PartKind
from screening.parsers.docx.columns import COLUMN_ORIGIN
from screening.text import norm

AMOUNT, SUBSIDY, SELF_RAISED = "amount", "subsidy", "self_raised"
OTHER = "other"  # money that is neither 财政补助 nor 自筹 (其他来源, 银行贷款…): a column or a source row
COLUMNS = (AMOUNT, SUBSIDY, SELF_RAISED, OTHER)
OTHER_SOURCE = OTHER
WAN, YUAN = "万元", "元"
MAX_WRAPPED_LABEL = 30  # characters of a name-only line kept to join with the next line
MAX_UNKNOWN_LABEL = 16  # an unrecognised row label longer than this is prose, not a budget row
MAX_HEAD = 10  # characters of one column head in a text line of heads

_UNSEEN = frozenset({"deleted", "hidden", "alt_text"})
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ZERO = r"[—–－/／]+"  # nothing budgeted: a dash, or a slash (the cell does not apply)
# one amount in a cell of its own: thousands separated by commas or by single spaces (a cell holds
# one number, so "1 800 000.00" is one), a leading ¥, a unit of its own
_CELL_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AMOUNT_CELL = re.compile(
    rf"^[\s:：]*(?P<neg>-)?\s*¥?\s*(?P<num>{_CELL_NUM})\s*(?P<unit>万元|万|元)?\s*$|^\s*(?P<zero>{_ZERO}|-)\s*$")
_GROUP_COMMA = re.compile(r"(?<=\d)\s*,\s*(?=\d{3}(?!\d))")
_WRAPPED_NUMBER = re.compile(r"(?<=[\d,.])[^\S\n]*\n\s*(?=[\d,.])")  # "1,800,00⏎0.00": a number wrapped in its cell
_SEGMENT = re.compile(
    rf"^(?P<label>.*?)(?P<nums>(?:[\s:：]*(?:{_NUM})(?:\s*(?:万元|元))?|\s+{_ZERO})+)\s*$")
_TOKEN = re.compile(rf"(?P<num>{_NUM})\s*(?P<unit>万元|元)?|(?P<zero>{_ZERO})")
_SPLIT = re.compile(r"[；;。]|，|,(?!\d{3})")
# a unit statement, matched on normalised text (no spaces, half-width brackets): 单位：万元,
# 金额单位为元, （单位：人民币元）, （万元）, （万）, 以万元为单位
_UNIT = re.compile(
    r"单位(?:[:：]|为|是)(?:人民币)?\(?(万元|元|万(?![\u3400-\u9fff]))"
    r"|\((?:单位[:：]?)?(?:人民币)?(万元|元|万)\)"
    r"|以(?:人民币)?(万元|元)为单位")
_UNIT_ALONE = re.compile(r"\(?(万元|元)\)?")  # a cell holding only its unit (a header of two rows)
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．)]|\([一二三四五六七八九十\d]+\)|\d+(?:\.\d+)*[、.．)]?|[①-⑳]|[a-z][、.)])")
_QIZHONG = re.compile(r"^其中[:：]?")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_SEPARATORS = re.compile(r"[/、·,，:：]")
_CJK = re.compile(r"[\u3400-\u9fff]")


class Kind(StrEnum):
    ITEM = "item"
    SUB = "sub"
    TOTAL = "total"
    SUBTOTAL = "subtotal"
    RD = "rd"
    SOURCE = "source"


INDIRECT = "indirect"  # the lexicon's kind of the 间接费用 item: counted, and it ends the direct items
SUMMARIES = (Kind.TOTAL, Kind.SUBTOTAL, Kind.RD, Kind.SOURCE)  # rows that are no part of an item


# -- the lexicons ---------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def clean_label(text: str) -> tuple[str, bool]:
    """A row label as it is compared with the lexicon, and whether it began with 其中."""
    label = norm(text)
    qizhong = False
    for _ in range(3):  # "一、其中：（1）…" and the like
        label = _NUMBERING.sub("", label)
        if _QIZHONG.match(label):
            label, qizhong = _QIZHONG.sub("", label), True
    while _TRAILING_NOTE.search(label):
        label = _TRAILING_NOTE.sub("", label)
    return _SEPARATORS.sub("", label), qizhong


@dataclass(frozen=True, slots=True)
class Entry:
    kind: Kind
    name: str  # the item's name in the report (for SUB: the parent item's name; for SOURCE: a column)
    indirect: bool = False  # the 间接费用 item


@cache
def _entries(lexicon: str) -> dict[str, tuple[Entry, ...]]:
    """Cleaned variant → the lexicon entries it names (a variant may be an item and a sub-item)."""
    out: dict[str, list[Entry]] = {}
    kinds = {k.value for k in Kind} | {INDIRECT}
    sources = COLUMNS
    for key, variants in lexicons.table(lexicon):
        kind, _, name = key.partition(":")
        if kind not in kinds or not name:
            raise ConfigError(f"lexicons/{lexicon}: “{key}”应为 kind:名称，kind 为 {'、'.join(sorted(kinds))} 之一")
        if kind == Kind.SOURCE and name not in sources:
            raise ConfigError(f"lexicons/{lexicon}: “{key}”的名称应为 {'、'.join(sources)} 之一")
        entry = Entry(Kind.ITEM, name, indirect=True) if kind == INDIRECT else Entry(Kind(kind), name)
        for variant in variants:
            bucket = out.setdefault(clean_label(variant)[0], [])
            if entry not in bucket:
                bucket.append(entry)
    return {variant: tuple(entries) for variant, entries in out.items()}


def entries(label: str, lexicon: str) -> tuple[Entry, ...]:
    return _entries(lexicon).get(clean_label(label)[0], ())


@cache
def _column_words(lexicon: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((column, tuple(norm(w) for w in words)) for column, words in lexicons.table(lexicon))


def column_of(header: str, lexicon: str) -> str | None:
    """The money column a header names (amount / subsidy / self_raised / other), or None. A word
    written "=其他" in the lexicon names the column only as the whole header (其他支出 is an item)."""
    text = _UNIT.sub("", norm(header))
    for column, words in _column_words(lexicon):
        if any(text == word[1:] if word.startswith("=") else word in text for word in words):
            return column
    return None


def split_gap(amounts: dict[str, Decimal]) -> Decimal | None:
    """财政补助 + 自筹 (+ 其他) − 合计 on a row that prints all of them, else None."""
    if not all(c in amounts for c in (AMOUNT, SUBSIDY, SELF_RAISED)):
        return None
    return amounts[SUBSIDY] + amounts[SELF_RAISED] + amounts.get(OTHER, Decimal(0)) - amounts[AMOUNT]


def unit_in(text: str) -> str | None:
    """The unit a text states (万元 or 元), or None."""
    folded = norm(text)
    match = _UNIT.search(folded) or _UNIT_ALONE.fullmatch(folded)
    if match is None:
        return None
    unit = next(g for g in match.groups() if g)
    return YUAN if unit == YUAN else WAN


# -- cells, grids and the table -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    location: Location


Grid = list[list[Cell]]


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal  # in the table's unit, converted to 万元 when the unit is known
    unit: str | None  # the cell's own unit, when it states one


def parse_amount(text: str) -> Amount | None:
    """A money cell: "180.00", "1,800,000", "1 800 000.00", "¥180", "180万元", "—" (nothing budgeted:
    0), a number wrapped in a narrow cell ("1,800,00⏎0.00"); else None."""
    text = " ".join(_WRAPPED_NUMBER.sub("", unicodedata.normalize("NFKC", text)).split())
    match = _AMOUNT_CELL.match(_GROUP_COMMA.sub(",", text)) if text else None
    if match is None:
        return None
    if match["zero"]:
        return Amount(Decimal(0), None)
    try:
        value = Decimal(match["num"].replace(",", "").replace(" ", ""))
    except InvalidOperation:
        return None
    unit = match["unit"] and (YUAN if match["unit"] == YUAN else WAN)
    return Amount(-value if match["neg"] else value, unit or None)


@dataclass(frozen=True, slots=True)
class Row:
    kind: Kind
    name: str  # the lexicon's name (for a sub-item: the sub-item as printed, cleaned)
    label: str  # as printed
    amounts: dict[str, Decimal]  # column → value (万元 when the unit is known)
    location: Location
    parent: str | None = None  # a sub-item's item
    derived: frozenset[str] = frozenset()  # columns whose value is the sum of the sub-items
    indirect: bool = False  # the 间接费用 item

    @property
    def printed(self) -> str:
        """The row's name as the table prints it, without its numbering ("5、会议/差旅/国际合作交流费"
        → "会议/差旅/国际合作交流费"): what the report shows, so that a clerk finds it in the table."""
        return printed_name(self.label) or self.name


_LEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．)）]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+(?:\.\d+)*(?:\s*[、.．)）]|\s+)|[①-⑳]"
    r"|[a-z][、.)]|其中\s*[:：]?)\s*")
_INNER_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def printed_name(label: str) -> str:
    """A label without its numbering (一、 1. （1） ① 其中：) and the spaces inside its words ("合  计")."""
    text = " ".join(label.split())
    for _ in range(3):
        text = _LEADING.sub("", text, count=1)
    return _INNER_SPACE.sub("", text).strip()


@dataclass(frozen=True, slots=True)
class Level:
    """A printed sum (a subtotal or the 合计) and the rows that should add up to it."""

    row: Row
    parts: tuple[Row, ...]

    def summed(self, column: str = AMOUNT) -> Decimal | None:
        values = [r.amounts[column] for r in self.parts if column in r.amounts]
        return sum(values, Decimal(0)) if values else None

    @property
    def of_items(self) -> bool:
        """Whether the parts are all items (else a subtotal stands for its items)."""
        return all(r.kind is Kind.ITEM for r in self.parts)


@dataclass(frozen=True, slots=True)
class Table:
    file: str
    method: str  # docx_table | xlsx_table | xls_table | pdf_table | ocr_table (budget_scan.py) | text
    unit: str | None  # 万元 | 元 | None (not stated)
    columns: tuple[str, ...]  # the money columns read, amount first
    rows: tuple[Row, ...]
    location: Location  # where the table starts
    unknown: tuple[str, ...] = ()  # labels of rows with amounts that are no budget row
    note: str = ""  # why a PDF was read as text although its bytes were at hand

    def of(self, kind: Kind) -> list[Row]:
        return [r for r in self.rows if r.kind is kind]

    @property
    def items(self) -> list[Row]:
        return self.of(Kind.ITEM)

    @property
    def total_row(self) -> Row | None:
        """The first 合计 row with an amount (a 一、经费支出 heading without one is none)."""
        totals = [r for r in self.of(Kind.TOTAL) if r.amounts]
        return next((r for r in totals if AMOUNT in r.amounts), totals[0] if totals else None)

    def source(self, column: str) -> Row | None:
        """The first 经费来源 row of `column` (SUBSIDY, SELF_RAISED, AMOUNT: their total) with an amount."""
        return next((r for r in self.of(Kind.SOURCE) if r.name == column and AMOUNT in r.amounts), None)

    def total(self, column: str = AMOUNT) -> Decimal | None:
        """The 合计 row's `column`; for 财政补助 / 自筹 when the table has no such column, the amount of
        its 经费来源 row."""
        row = self.total_row
        value = row.amounts.get(column) if row else None
        if value is None and column != AMOUNT and column not in self.columns:
            source = self.source(column)
            value = source.amounts[AMOUNT] if source else None
        return value

    def item_sum(self, column: str = AMOUNT) -> Decimal | None:
        values = [r.amounts[column] for r in self.items if column in r.amounts]
        return sum(values, Decimal(0)) if values else None

    @property
    def rd(self) -> Decimal | None:
        rows = [r for r in self.of(Kind.RD) if AMOUNT in r.amounts]
        return rows[0].amounts[AMOUNT] if rows else None

    def groups(self) -> list[tuple[Row, tuple[Row, ...]]]:
        """Each subtotal row with the items it sums (see the module docstring, Levels)."""
        rows = self.rows

        def bound(row: Row) -> bool:
            return row.kind in SUMMARIES or row.indirect

        out: list[tuple[Row, tuple[Row, ...]]] = []
        for i, row in enumerate(rows):
            if row.kind is not Kind.SUBTOTAL:
                continue
            above: list[Row] = []
            for prior in reversed(rows[:i]):
                if bound(prior):
                    break
                if prior.kind is Kind.ITEM:
                    above.insert(0, prior)
            below: list[Row] = []
            for after in rows[i + 1:]:
                if bound(after):
                    break
                if after.kind is Kind.ITEM:
                    below.append(after)
            if above or below:
                out.append((row, tuple(above or below)))
        return out

    def levels(self, column: str = AMOUNT) -> list[Level]:
        """The sums to check in `column`, the subtotals first, 合计 last."""
        groups = self.groups()
        out = [Level(row, parts) for row, parts in groups if column in row.amounts]
        total = self.total_row
        if total is None or column not in total.amounts:
            return out
        held: set[int] = set()
        stands: dict[int, tuple[Row, ...]] = {}  # id of a subtotal → what it stands for in 合计
        for row, parts in groups:
            if any(id(p) in held for p in parts):
                continue  # a 小计 under the items of an 一、直接费用 heading: the heading holds them
            held.update(id(p) for p in parts)
            stands[id(row)] = (row,) if column in row.amounts else parts
        top: list[Row] = []
        for row in self.rows:
            if id(row) in stands:
                top.extend(stands[id(row)])
            elif row.kind is Kind.ITEM and id(row) not in held:
                top.append(row)
        out.append(Level(total, tuple(top)))
        return out


@dataclass
class _Builder:
    """Turns classified rows into `Row`s: sub-items under their item, units applied."""

    items_lexicon: str
    unit: str | None
    rows: list[Row] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    open_item: int | None = None  # index in rows of the item sub-items attach to
    over: bool = False  # a 合计 came after items: what follows is notes

    def value(self, amount: Amount) -> Decimal:
        unit = amount.unit or self.unit
        return amount.value / 10000 if unit == YUAN else amount.value

    def add(self, label: str, amounts: dict[str, Amount], location: Location) -> None:
        cleaned, qizhong = clean_label(label)
        found = entries(label, self.items_lexicon)
        values = {column: self.value(a) for column, a in amounts.items()}
        parent = self.rows[self.open_item] if self.open_item is not None else None
        summary = any(e.kind in SUMMARIES for e in found)  # "其中：研发投入" is no part
        indented = (parent is not None and self.rows[-1].kind is Kind.SUB
                    and _indent(label) > _indent(parent.label))
        if parent is not None and not summary and (
                qizhong or indented or any(e.kind is Kind.SUB and e.name == parent.name for e in found)):
            # "其中：人员劳务费" and the rows indented under it ("　　　专家咨询费") are the item's parts
            self.rows.append(Row(Kind.SUB, cleaned, label, values, location, parent=parent.name))
            return
        sourcing = next((e for e in found if e.kind is Kind.SOURCE), None) if self.in_sources() else None
        entry = sourcing or next((e for e in found if e.kind is Kind.ITEM), None) or next(
            (e for e in found if e.kind is not Kind.SUB), None)
        if entry is None and found:  # a sub-item without its item above: it stands for the item
            entry = next((e for e in entries(found[0].name, self.items_lexicon) if e.kind is Kind.ITEM),
                         Entry(Kind.ITEM, found[0].name))
        if entry is None:
            # after 合计 the table is over (notes follow); a long label is prose with a number in it
            if values and len(cleaned) <= MAX_UNKNOWN_LABEL and not self.over:
                self.unknown.append(label.strip())
            return
        if self.over and entry.kind in (Kind.ITEM, Kind.SUB, Kind.SUBTOTAL):
            return  # below the 合计 that closed the items: a 预算说明 repeating them, not more items
        if entry.kind is Kind.ITEM and any(r.kind is Kind.ITEM and r.name == entry.name and r.amounts
                                           for r in self.rows):
            return  # an item named again (a 预算说明 under a table whose 合计 came first): no new item
        self.close_item()
        if entry.kind is Kind.TOTAL and values and any(r.kind is Kind.ITEM for r in self.rows):
            self.over = True
        self.rows.append(Row(entry.kind, entry.name, label, values, location, indirect=entry.indirect))
        self.open_item = len(self.rows) - 1 if entry.kind is Kind.ITEM else None

    def in_sources(self) -> bool:
        """Whether the rows read last are the 经费来源 section (there 合计 is the sources' total and 其他
        another source)."""
        last = next((r for r in reversed(self.rows) if r.kind in (Kind.ITEM, Kind.SOURCE, Kind.TOTAL)), None)
        return last is not None and last.kind is Kind.SOURCE

    def close_item(self) -> None:
        """An item whose own cell is empty takes the sum of its sub-items."""
        if self.open_item is None:
            return
        item = self.rows[self.open_item]
        subs = [r for r in self.rows[self.open_item + 1 :] if r.kind is Kind.SUB]
        filled = dict(item.amounts)
        derived = set()
        for column in COLUMNS:
            values = [r.amounts[column] for r in subs if column in r.amounts]
            if column not in filled and values:
                filled[column] = sum(values, Decimal(0))
                derived.add(column)
        if derived:
            self.rows[self.open_item] = replace(item, amounts=filled, derived=frozenset(derived))
        self.open_item = None

    def finish(self) -> tuple[tuple[Row, ...], tuple[str, ...]]:
        self.close_item()
        return tuple(self.rows), tuple(self.unknown)


def _indent(label: str) -> int:
    """How far a label is indented: its leading spaces (a full-width space counts two)."""
    stripped = label.lstrip()
    return sum(2 if ch == "\u3000" else 1 for ch in label[: len(label) - len(stripped)])


def is_budget_row(text: str, lexicon: str) -> bool:
    """Whether a cell's text names a budget row of the lexicon (an item, a total, a level …)."""
    return bool(text.strip()) and bool(entries(text, lexicon))


def _padded(grid: Grid) -> Grid:
    width = max((len(r) for r in grid), default=0)
    return [[*r, *[Cell("", r[-1].location if r else Location(PartKind.TABLE))] * (width - len(r))] for r in grid]


def _is_item(text: str, lexicon: str) -> bool:
    """An item or sub-item name (a 合计 or 财政补助 cell may be a column head; an item never is)."""
    return bool(text.strip()) and any(e.kind in (Kind.ITEM, Kind.SUB) for e in entries(text, lexicon))


def _upright(rows: Grid, items: str) -> Grid:
    """The grid turned when a row holds more item names than any column (items as columns)."""
    if not rows or not rows[0]:
        return rows
    by_column = max(sum(_is_item(r[c].text, items) for r in rows) for c in range(len(rows[0])))
    by_row = max(sum(_is_item(cell.text, items) for cell in r) for r in rows)
    return [list(column) for column in zip(*rows, strict=True)] if by_row > by_column else rows


def _side_by_side(rows: Grid, items: str) -> Grid:
    """Item lists side by side (科目|金额|科目|金额) stacked into one list (see the module docstring);
    any other grid as it is."""
    width = len(rows[0]) if rows else 0
    scores = [sum(is_budget_row(r[c].text, items) for r in rows) for c in range(width)]
    numeric = [any(parse_amount(r[c].text) for r in rows) for c in range(width)]
    candidates = [c for c in range(width) if scores[c] >= 2]
    labels = [c for k, c in enumerate(candidates)
              if any(numeric[j] for j in range(c + 1, candidates[k + 1] if k + 1 < len(candidates) else width))]
    if len(labels) < 2:
        return rows
    starts = [0]  # a list starts after the last money column of the one before it
    for previous, label in pairwise(labels):
        starts.append(max(j for j in range(previous + 1, label) if numeric[j]) + 1)
    bands = [(start, label, end) for start, label, end in zip(starts, labels, [*starts[1:], width], strict=True)]
    lead = max(label - start for start, label, _ in bands)
    size = lead + max(end - label for _, label, end in bands)

    def cut(row: list[Cell], band: tuple[int, int, int]) -> list[Cell]:
        start, label, end = band
        blank = Cell("", row[label].location)
        cells = [blank] * (lead - (label - start)) + row[start:end]
        return cells + [blank] * (size - len(cells))

    def whole(row: list[Cell]) -> list[Cell] | None:
        """A row named in one list and priced in another (merged across), or a 合计 alone on its row:
        read as one row."""
        parts = [cut(row, band) for band in bands]
        names = [label_cell(p, lead, items) for p in parts]  # "合  计" merged over 序号 and 科目 too
        named = [k for k, name in enumerate(names) if name.text.strip()]
        if len(named) != 1:
            return None
        own, name = parts[named[0]], names[named[0]]
        others = [p for p in parts if p is not own]
        if any(parse_amount(c.text) for c in own[lead + 1:]):
            alone = not any(c.text.strip() for p in others for c in p)
            return own if alone and any(e.kind is Kind.TOTAL for e in entries(name.text, items)) else None
        if not any(parse_amount(c.text) for p in others for c in p[lead + 1:]):
            return None
        return [*own[:lead], name,
                *(next((p[j] for p in parts if p[j].text.strip()), own[j]) for j in range(lead + 1, size))]

    first = next((i for i, r in enumerate(rows) if any(is_budget_row(r[c].text, items) for c in labels)), len(rows))
    head = [cut(r, bands[0]) for r in rows[:first]]
    top: list[list[Cell]] = []
    end: list[list[Cell]] = []
    lists: list[list[list[Cell]]] = [[] for _ in bands]
    for row in rows[first:]:
        joined = whole(row)
        if joined is None:
            for k, band in enumerate(bands):
                lists[k].append(cut(row, band))
        else:
            (end if any(lists) else top).append(joined)
    return head + top + [r for rows_ in lists for r in rows_] + end


def upright(grid: Grid, items: str) -> Grid:
    """A table's grid as one list of rows: turned when its items are columns, item lists side by
    side stacked (see the module docstring)."""
    return _side_by_side(_upright(_padded(grid), items), items)


def label_cell(row: list[Cell], label_col: int, items: str) -> Cell:
    """The row's label cell; when it is empty, the budget row left of it (merged across columns)."""
    cell = row[label_col]
    if cell.text.strip():
        return cell
    return next((row[c] for c in range(label_col - 1, -1, -1) if is_budget_row(row[c].text, items)), cell)


def read_grid(grid: Grid, *, file: str, method: str, items: str, columns: str,
              text_unit: str | None = None) -> Table | None:
    """One table read from its cells, or None when it holds no budget item.

    For text lines (method "text") a cell is only known by its place in the line, so an empty cell
    shifts the ones after it: when a budget row has fewer amounts than there are money columns,
    only the first (合计) column is read and the table's note says so. Only a table's cells are
    turned (`_upright`) or stacked (`_side_by_side`).
    """
    rows = _padded(grid)
    if method != "text":
        rows = upright(rows, items)
    width = max((len(r) for r in rows), default=0)
    if width < 2:
        return None
    scores = [sum(is_budget_row(r[c].text, items) for r in rows) for c in range(width)]
    label_col = max(range(width), key=lambda c: scores[c])
    if scores[label_col] < 2:
        return None
    labelled = [i for i, r in enumerate(rows) if is_budget_row(label_cell(r, label_col, items).text, items)]
    first = labelled[0]
    # the header ends at the first budget row with an amount: a head cell "经费支出" over the labels
    # or a heading "一、直接费用" without amounts is read as a row, and the heads above stay heads
    priced = next((i for i in labelled if any(parse_amount(c.text) for c in rows[i][label_col + 1:])), first)
    header = ["".join(r[c].text for r in rows[:priced]) for c in range(width)]
    named = {c: column_of(header[c], columns) for c in range(label_col + 1, width)}
    body = rows[first:]
    numeric = [c for c in range(label_col + 1, width) if any(parse_amount(r[c].text) for r in body)]
    assigned: dict[str, int] = {}
    for c in numeric:
        if (name := named.get(c)) is not None and name not in assigned:
            assigned[name] = c
    if AMOUNT not in assigned:
        free = [c for c in numeric if named.get(c) is None and c not in assigned.values()]
        if free:
            assigned[AMOUNT] = free[0]
    if AMOUNT not in assigned:
        return None
    note = ""
    if method == "text" and len(assigned) > 1 and any(
            is_budget_row(r[label_col].text, items) and sum(parse_amount(r[c].text) is not None for c in numeric)
            < len(assigned) for r in body):
        assigned = {AMOUNT: assigned[AMOUNT]}
        note = "部分行的金额个数少于栏数，各栏无法对齐，只读取了合计栏"
    cell_texts = [cell.text for r in rows for cell in r]
    unit = next((u for t in cell_texts if (u := unit_in(t))), None) or text_unit
    builder = _Builder(items, unit)
    own_units: set[str | None] = set()
    for r in body:
        cell = label_cell(r, label_col, items)
        amounts = {name: a for name, c in assigned.items() if (a := parse_amount(r[c].text)) is not None}
        if cell.text.strip():
            builder.add(cell.text, amounts, cell.location)
            own_units.update(a.unit for a in amounts.values() if a.value)
    built, unknown = builder.finish()
    if not any(row.kind is Kind.ITEM for row in built):
        return None
    if unit is None and own_units and None not in own_units:
        unit = WAN  # every amount states its own unit ("20.74万元"): the values are in 万元 now
    ordered = tuple(c for c in COLUMNS if c in assigned)
    return Table(file, method, unit, ordered, built, rows[first][label_col].location, unknown, note)
# -- where grids come from -------------------------------------------------------------------------

_CELL = re.compile(r"t(\d+)r(\d+)c(\d+)$")
_NO_CELL = _UNSEEN | {COLUMN_ORIGIN}  # a column part repeats cells read top to bottom: it is no cell


def part_grids(doc: Document) -> list[Grid]:
    """The document's tables rebuilt from its TABLE parts (source "member#t1r2c3[/t2r1c1]")."""
    tables: dict[str, dict[tuple[int, int], list[Part]]] = {}
    for part in doc.parts:
        if part.kind is not PartKind.TABLE or part.origin in _NO_CELL or "#" not in part.source:
            continue
        member, _, path = part.source.partition("#")
        *outer, last = path.split("/")
        match = _CELL.match(last)
        if match is None:
            continue
        key = f"{part.embedded}|{member}#{'/'.join([*outer, 't' + match[1]])}"  # an embedded file's tables are its own
        tables.setdefault(key, {}).setdefault((int(match[2]), int(match[3])), []).append(part)
    grids: list[Grid] = []
    for cells in tables.values():
        n_rows = max(r for r, _ in cells)
        n_cols = max(c for _, c in cells)
        first = next(iter(cells.values()))[0]
        blank = Location(PartKind.TABLE, page=first.page)
        grid: Grid = []
        for r in range(1, n_rows + 1):
            row = []
            for c in range(1, n_cols + 1):
                parts = cells.get((r, c), [])
                loc = Location(PartKind.TABLE, page=parts[0].page, paragraph=parts[0].paragraph) if parts else blank
                row.append(Cell("\n".join(p.text for p in parts), loc))
            grid.append(row)
        grids.append(grid)
    return grids


def _words(items: str, *kinds: Kind) -> tuple[str, ...]:
    return tuple(k for k, found in _entries(items).items() if any(e.kind in kinds for e in found))


def budget_pages(doc: Document, items: str) -> set[int]:
    """The pages whose text names a budget item, and the page after each one whose table may go on:
    its last line opening with a total word (合计, 小计… of the lexicon) does not come after its last
    line opening with an item (a 合计 at the top of the table is no end of it; a note under the table
    that names an item does not open with it). pdfplumber's layout analysis is slow, so it looks only
    there. Two-character item words other than the totals (其他) are too common in prose to count."""
    totals = _words(items, Kind.TOTAL, Kind.SUBTOTAL)
    words = tuple(k for k in _entries(items) if len(k) >= 3 or k in totals)
    item_words = tuple(w for w in _words(items, Kind.ITEM, Kind.SUB) if len(w) >= 3)
    text_of: dict[int, str] = {}
    lines_of: dict[int, list[str]] = {}
    for part in doc.parts:
        if part.page is not None and part.kind in (PartKind.BODY, PartKind.TABLE):
            text_of[part.page] = text_of.get(part.page, "") + norm(part.text)
            lines_of.setdefault(part.page, []).extend(
                _NUMBERING.sub("", norm(line)) for line in part.text.splitlines())
    pages = {page for page, text in text_of.items() if any(w in text for w in words)}

    def ended(lines: list[str]) -> bool:
        last_total = max((i for i, line in enumerate(lines) if line.startswith(totals)), default=-1)
        last_item = max((i for i, line in enumerate(lines) if line.startswith(item_words)), default=-1)
        return last_total > last_item

    return pages | {p + 1 for p in pages if not ended(lines_of[p])}


def pdf_grids(doc: Document, *, ruled: bool, items: str = "") -> list[Grid]:
    """The ruled (or the aligned) tables the parser found in a PDF (`Document.tables`), as grids of
    located cells; an aligned one with its wrapped names joined (`_unwrapped`)."""
    grids = [[[Cell(text, Location(PartKind.TABLE, page=table.page)) for text in row] for row in table.rows]
             for table in doc.tables or () if table.ruled == ruled]
    return grids if ruled else [_unwrapped(grid, items) for grid in grids]


def _unwrapped(grid: Grid, items: str) -> Grid:
    """A table without rules has a line per row of text: a line holding only one piece of text (no
    amount) under a cell that does not name a budget row by itself ("差旅费/会议费/国际合作与交" +
    "流费", "序" + "号") goes on that cell."""
    out: Grid = []
    for row in grid:
        filled = [c for c, cell in enumerate(row) if cell.text.strip()]
        if out and len(filled) == 1 and parse_amount(row[filled[0]].text) is None:
            c = filled[0]
            above = out[-1][c].text.strip()
            if above and parse_amount(above) is None and not is_budget_row(above, items):
                out[-1] = [*out[-1][:c], Cell(above + row[c].text.strip(), out[-1][c].location), *out[-1][c + 1:]]
                continue
        out.append(list(row))
    return out


def _continues(table_rows: Grid, following: Grid, items: str) -> bool:
    """`following` carries on `table_rows` across a page: same width, and no header of its own or
    the same header again (`_repeated_header`)."""
    return bool(following) and len(following[0]) == len(table_rows[0]) and (
        any(is_budget_row(cell.text, items) for cell in following[0]) or _repeated_header(table_rows, following))


def _repeated_header(table_rows: Grid, following: Grid) -> bool:
    """The table on the next page opens with the first row of this one (Word's "repeat header row")."""
    def texts(row: list[Cell]) -> list[str]:
        return [norm(c.text) for c in row]

    return len(following) > 1 and any(t for t in texts(following[0])) and texts(following[0]) == texts(table_rows[0])


def _join_pages(grids: list[Grid], items: str) -> list[Grid]:
    out: list[Grid] = []
    for grid in grids:
        if not grid:
            continue
        if out and _continues(out[-1], grid, items) and not _ended(out[-1], items):
            out[-1] = out[-1] + (grid[1:] if _repeated_header(out[-1], grid) else grid)
        else:
            out.append(grid)
    return out


def _ended(grid: Grid, items: str) -> bool:
    """A 合计 row with an amount below an item row: the table is over (a column head "合计" is no
    such row, nor a 合计 above the items)."""
    seen_item = False
    for row in grid:
        found = [e for cell in row for e in entries(cell.text, items)]
        if seen_item and any(e.kind is Kind.TOTAL for e in found) and any(parse_amount(c.text) for c in row):
            return True
        seen_item = seen_item or any(e.kind is Kind.ITEM for e in found)
    return False


def text_grid(doc: Document, columns: str, items: str) -> Grid:
    """The document's text lines as rows [label, amount…] (see the module docstring)."""
    grid: Grid = []
    pending: tuple[str, Location] | None = None
    for part in doc.parts:
        if part.kind not in (PartKind.BODY, PartKind.TABLE, PartKind.IMAGE) or part.origin in _UNSEEN:
            continue
        where = Location(part.kind, page=part.page, paragraph=part.paragraph)
        for line in part.text.splitlines():
            tokens = line.split()
            if _is_head_line(tokens, columns):
                # "序号 项目 合计 财政补助 自筹": the heads before the money columns head the one label cell
                name_head, heads = budget_scan.columns_of(tokens, columns)
                grid.append([Cell(name_head, where), *(Cell(t, where) for t in heads)] if heads and name_head
                            else [Cell(t, where) for t in tokens])
                pending = None
                continue
            for segment in _SPLIT.split(line):
                row, pending = _segment_row(segment, pending, where, items)
                if row is not None:
                    grid.append(row)
    return grid


def _is_head_line(tokens: list[str], columns: str) -> bool:
    """A line of column heads: short words, no numbers, a money column named after the first."""
    return (len(tokens) >= 2 and all(len(t) <= MAX_HEAD and not re.search(r"[\d。，；]", t) for t in tokens)
            and any(column_of(t, columns) for t in tokens[1:]))


def _segment_row(segment: str, pending: tuple[str, Location] | None, where: Location,
                 items: str) -> tuple[list[Cell] | None, tuple[str, Location] | None]:
    """A row from one segment of a line, and the name-only text to join with the next segment."""
    text = segment.strip()
    if not text:
        return None, pending
    match = _SEGMENT.match(text)
    if match is None:  # no amount: a name wrapped onto the next line, or prose
        if len(text) <= MAX_WRAPPED_LABEL and _CJK.search(text):
            joined = (pending[0] + text, pending[1]) if pending and not is_budget_row(pending[0], items) else None
            return None, joined or (text, where)
        return None, None
    label = match["label"].strip()
    # a name wrapped onto this line: joined when together they name a row ("出版/文献/信息传播" +
    # "/知识产权事务费", although the second half alone names one too)
    if pending is not None and (not label or is_budget_row(pending[0] + label, items)) and (
            not is_budget_row(label, items) or not is_budget_row(pending[0], items)):
        label, where = pending[0] + label, pending[1]
    if not _CJK.search(label):
        return None, None
    amounts = [m["num"] + (m["unit"] or "") if m["num"] else m["zero"] for m in _TOKEN.finditer(match["nums"])]
    return [Cell(label, where), *(Cell(a, where) for a in amounts)], None


def _visible(part: Part) -> bool:
    return part.kind in (PartKind.BODY, PartKind.TABLE, PartKind.HEADER) and part.origin not in _UNSEEN


def document_unit(doc: Document) -> str | None:
    """The first unit statement in the document's visible text."""
    for part in doc.parts:
        if _visible(part) and (unit := unit_in(part.text)) is not None:
            return unit
    return None


Statement = tuple[int, Part, str]  # a unit statement: the part's index in Document.parts, the part, the unit


def unit_statements(doc: Document) -> list[Statement]:
    """Every unit statement of the document's visible text, in order."""
    return [(i, part, unit) for i, part in enumerate(doc.parts) if _visible(part) and (unit := unit_in(part.text))]


def table_unit(doc: Document, grid: Grid, statements: Sequence[Statement] | None = None) -> str | None:
    """The unit statement of the document's text nearest the table (see the module docstring);
    `statements` as `unit_statements` gives them, when they are at hand."""
    statements = unit_statements(doc) if statements is None else statements
    if not statements:
        return None
    cells = {(c.location.page, c.location.paragraph) for r in grid for c in r
             if c.text.strip() and c.location.paragraph is not None}
    at = [i for i, p in enumerate(doc.parts) if p.kind is PartKind.TABLE and (p.page, p.paragraph) in cells]
    if at:  # a docx: the paragraphs nearest the table's first or last cell, the one above on a tie
        first, last = min(at), max(at)
        return min(statements, key=lambda s: (first - s[0], 0) if s[0] < first else (max(s[0] - last, 0), 1))[2]
    pages = sorted({c.location.page for r in grid for c in r if c.location.page is not None})
    if not pages:
        return statements[0][2]
    page = pages[0]

    def distance(statement: Statement) -> tuple[int, int]:
        where = statement[1].page
        if where is None:
            return 3, statement[0]
        if where in pages:
            return 0, statement[0]
        return (1, page - where) if where < page else (2, where - page)

    return min(statements, key=distance)[2]


def best(tables: Sequence[Table]) -> Table | None:
    """The budget table among several: one with a 合计 row first, then the most items."""
    return max(tables, key=lambda t: (t.total_row is not None, len(t.items)), default=None)


def _tables(grids: list[Grid], doc: Document, method: str, items: str, columns: str) -> Iterator[Table]:
    unit = document_unit(doc) if method == "text" else None
    statements = unit_statements(doc) if method != "text" else []
    for grid in _join_pages(grids, items):
        near = unit if method == "text" else table_unit(doc, grid, statements)
        table = read_grid(grid, file=doc.file, method=method, items=items, columns=columns, text_unit=near)
        if table is not None:
            yield table
def read(doc: Document, *, items: str, columns: str) -> Table | None:
    """The budget table of one attachment, or None when none can be read.

    A PDF is read from the ruled tables its parser found (`Document.tables`, screening/parsers/
    tables.py); without them, or when none holds the budget, from its text lines. `items` and
    `columns` name the lexicons (the call's budget.items and budget.columns).
    """
    found: list[Table] = []
    note = ""
    if formats.info(doc.format).table_parts:
        found = list(_tables(part_grids(doc), doc, f"{doc.format}_table", items, columns))
    elif doc.format == "pdf" and doc.tables is not None:
        note = doc.tables_note
        found = list(_tables(pdf_grids(doc, ruled=True), doc, "pdf_table", items, columns))
        if not found:
            found = list(_tables(pdf_grids(doc, ruled=False, items=items), doc, "pdf_aligned", items, columns))
    if (table := best(found)) is not None:
        return table
    if (table := budget_scan.read(doc, items=items, columns=columns)) is not None:
        return table  # a picture or a scan: rebuilt from its OCR boxes (screening/budget_scan.py)
    table = best(list(_tables([text_grid(doc, columns, items)], doc, "text", items, columns)))
    return replace(table, note="；".join(n for n in (note, table.note) if n)) if table is not None and note else table
