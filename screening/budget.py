"""Budget tables (经费预算列表) → item rows, the 合计 row and the 财政补助 / 自筹 columns, in 万元.

Where the table comes from:

* docx — the parser's TABLE parts: `source` "word/document.xml#t1r2c3" names the table (nested
  tables have their own path), the row and the grid column, so the grid is rebuilt from the parts
  without opening the file again; the paragraphs of one cell are joined, tracked deletions and
  hidden text are left out (they are not what the applicant submitted).
* pdf — the ruled tables the parser found (`Document.tables`, pdfplumber's table finder in
  screening/parsers/tables.py, on the pages `budget_pages` names): a ruled table is cut along its
  drawn lines, so a wrapped item name stays in its cell and empty cells keep their column. A table
  continued on the next page (no header of its own, same width) is joined to it.
* text — when no table is found (a PDF without rules, a budget typed as paragraphs, or a PDF whose
  tables were not read), the text lines are read as rows: "设备费 180.0", "一、设备费 180.00 60.00 120.00",
  several items on one line separated by ；/，, and a line of column heads ("预算科目 合计 财政补助
  自筹") naming the money columns. A line holding only a name is joined to the next one (a name
  wrapped in its cell). `Table.method` says which reading was used.

Reading a grid. The label column is the one with the most cells that are budget rows
(lexicons/budget-items.tsv, compared whole after cleaning: numbering, 其中, spaces, / 、 · and a
trailing （…） removed). Rows above the first budget row are the header; each money column is named
by the header words of lexicons/budget-columns.tsv (自筹, then 财政补助, then 合计/金额…); without a
header word, the first column of numbers right of the labels is the amount. A transposed table
(items as columns) or two item lists side by side are not read: no budget row is found, and the
caller reports the table as unreadable rather than guess.

Rows. An item row counts towards the sum; a sub-item row (其中：…, or a sub-item name of
the item above it, e.g. 购置设备费 under 设备费) does not — when the item's own cell is empty its
amount is the sum of its sub-items; a sub-item without its item above counts as that item. 合计 is
the total, 直接费用/小计 are subtotals (never counted), 研发投入 is the project's R&D budget. A row
above 合计 with an amount and a short name that is no budget row is kept in `unknown`, so a message
can say it was not counted (a long name is prose with a number in it; below 合计 come notes).

Units. The table's unit is read from its cells first, then from the document's text:
"单位：万元", "（万元）", "单位：元", "（元）"; a cell with its own unit ("180万元") keeps it. Amounts
in 元 are divided by 10000. When no unit is stated, `unit` is None and amounts are as printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache

from screening import formats, lexicons
from screening.errors import ConfigError
from screening.model import Document, Location, Part, PartKind
from screening.text import norm

AMOUNT, SUBSIDY, SELF_RAISED = "amount", "subsidy", "self_raised"
COLUMNS = (AMOUNT, SUBSIDY, SELF_RAISED)
WAN, YUAN = "万元", "元"
MAX_WRAPPED_LABEL = 30  # characters of a name-only line kept to join with the next line
MAX_UNKNOWN_LABEL = 16  # an unrecognised row label longer than this is prose, not a budget row
MAX_HEAD = 10  # characters of one column head in a text line of heads

_UNSEEN = frozenset({"deleted", "hidden", "alt_text"})
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ZERO = r"[—–－]+"
_AMOUNT_CELL = re.compile(rf"^[\s:：]*(?P<neg>-)?(?P<num>{_NUM})\s*(?P<unit>万元|元)?\s*$|^\s*(?P<zero>{_ZERO}|-)\s*$")
_SEGMENT = re.compile(
    rf"^(?P<label>.*?)(?P<nums>(?:[\s:：]*(?:{_NUM})(?:\s*(?:万元|元))?|\s+{_ZERO})+)\s*$")
_TOKEN = re.compile(rf"(?P<num>{_NUM})\s*(?P<unit>万元|元)?|(?P<zero>{_ZERO})")
_SPLIT = re.compile(r"[；;。]|，|,(?!\d{3})")
_UNIT = re.compile(r"单位[:：]\s*(?:人民币)?\s*(万元|元)|[（(]\s*(?:单位[:：]?\s*)?(?:人民币)?\s*(万元|元)\s*[)）]")
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


# -- the lexicons ---------------------------------------------------------------------------------


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
    name: str  # the item's name in the report (for SUB: the parent item's name)


@cache
def _entries(lexicon: str) -> dict[str, tuple[Entry, ...]]:
    """Cleaned variant → the lexicon entries it names (a variant may be an item and a sub-item)."""
    out: dict[str, list[Entry]] = {}
    kinds = {k.value for k in Kind}
    for key, variants in lexicons.table(lexicon):
        kind, _, name = key.partition(":")
        if kind not in kinds or not name:
            raise ConfigError(f"lexicons/{lexicon}: “{key}”应为 kind:名称，kind 为 {'、'.join(sorted(kinds))} 之一")
        entry = Entry(Kind(kind), name)
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
    """The money column a header names (amount / subsidy / self_raised), or None."""
    text = norm(_UNIT.sub("", header))
    for column, words in _column_words(lexicon):
        if any(word in text for word in words):
            return column
    return None


def unit_in(text: str) -> str | None:
    match = _UNIT.search(text)
    return (match.group(1) or match.group(2)) if match else None


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
    """A money cell: "180.00", "1,800,000", "180万元", "—" (nothing budgeted: 0); else None."""
    text = unicodedata.normalize("NFKC", text).strip()
    match = _AMOUNT_CELL.match(text) if text else None
    if match is None:
        return None
    if match["zero"]:
        return Amount(Decimal(0), None)
    try:
        value = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:
        return None
    return Amount(-value if match["neg"] else value, match["unit"])


@dataclass(frozen=True, slots=True)
class Row:
    kind: Kind
    name: str  # the lexicon's name (for a sub-item: the sub-item as printed, cleaned)
    label: str  # as printed
    amounts: dict[str, Decimal]  # column → value (万元 when the unit is known)
    location: Location
    parent: str | None = None  # a sub-item's item
    derived: frozenset[str] = frozenset()  # columns whose value is the sum of the sub-items


@dataclass(frozen=True, slots=True)
class Table:
    file: str
    method: str  # docx_table | pdf_table | text
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
        totals = self.of(Kind.TOTAL)
        return totals[0] if totals else None

    def total(self, column: str = AMOUNT) -> Decimal | None:
        row = self.total_row
        return row.amounts.get(column) if row else None

    def item_sum(self, column: str = AMOUNT) -> Decimal | None:
        values = [r.amounts[column] for r in self.items if column in r.amounts]
        return sum(values, Decimal(0)) if values else None

    @property
    def rd(self) -> Decimal | None:
        rows = [r for r in self.of(Kind.RD) if AMOUNT in r.amounts]
        return rows[0].amounts[AMOUNT] if rows else None


@dataclass
class _Builder:
    """Turns classified rows into `Row`s: sub-items under their item, units applied."""

    items_lexicon: str
    unit: str | None
    rows: list[Row] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    open_item: int | None = None  # index in rows of the item sub-items attach to

    def value(self, amount: Amount) -> Decimal:
        unit = amount.unit or self.unit
        return amount.value / 10000 if unit == YUAN else amount.value

    def add(self, label: str, amounts: dict[str, Amount], location: Location) -> None:
        cleaned, qizhong = clean_label(label)
        found = entries(label, self.items_lexicon)
        values = {column: self.value(a) for column, a in amounts.items()}
        parent = self.rows[self.open_item] if self.open_item is not None else None
        summary = any(e.kind in (Kind.RD, Kind.TOTAL, Kind.SUBTOTAL) for e in found)  # "其中：研发投入" is no part
        if parent is not None and not summary and (
                qizhong or any(e.kind is Kind.SUB and e.name == parent.name for e in found)):
            self.rows.append(Row(Kind.SUB, cleaned, label, values, location, parent=parent.name))
            return
        entry = next((e for e in found if e.kind is Kind.ITEM), None) or next(
            (e for e in found if e.kind is not Kind.SUB), None)
        if entry is None and found:  # a sub-item without its item above: it stands for the item
            entry = Entry(Kind.ITEM, found[0].name)
        if entry is None:
            # after 合计 the table is over (notes follow); a long label is prose with a number in it
            if values and len(cleaned) <= MAX_UNKNOWN_LABEL and not any(r.kind is Kind.TOTAL for r in self.rows):
                self.unknown.append(label.strip())
            return
        self.close_item()
        self.rows.append(Row(entry.kind, entry.name, label, values, location))
        self.open_item = len(self.rows) - 1 if entry.kind is Kind.ITEM else None

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
            self.rows[self.open_item] = Row(item.kind, item.name, item.label, filled, item.location,
                                            derived=frozenset(derived))
        self.open_item = None

    def finish(self) -> tuple[tuple[Row, ...], tuple[str, ...]]:
        self.close_item()
        return tuple(self.rows), tuple(self.unknown)


def _is_budget_row(text: str, lexicon: str) -> bool:
    return bool(text.strip()) and bool(entries(text, lexicon))


def read_grid(grid: Grid, *, file: str, method: str, items: str, columns: str,
              text_unit: str | None = None) -> Table | None:
    """One table read from its cells, or None when it holds no budget item.

    For text lines (method "text") a cell is only known by its place in the line, so an empty cell
    shifts the ones after it: when a budget row has fewer amounts than there are money columns,
    only the first (合计) column is read and the table's note says so.
    """
    width = max((len(r) for r in grid), default=0)
    if width < 2:
        return None
    rows = [[*r, *[Cell("", r[-1].location if r else Location(PartKind.TABLE))] * (width - len(r))] for r in grid]
    scores = [sum(_is_budget_row(r[c].text, items) for r in rows) for c in range(width)]
    label_col = max(range(width), key=lambda c: scores[c])
    if scores[label_col] < 2:
        return None
    first = next(i for i, r in enumerate(rows) if _is_budget_row(r[label_col].text, items))
    header = ["".join(r[c].text for r in rows[:first]) for c in range(width)]
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
            _is_budget_row(r[label_col].text, items) and sum(parse_amount(r[c].text) is not None for c in numeric)
            < len(assigned) for r in body):
        assigned = {AMOUNT: assigned[AMOUNT]}
        note = "部分行的金额个数少于栏数，各栏无法对齐，只读取了合计栏"
    cell_texts = [cell.text for r in rows for cell in r]
    unit = next((u for t in cell_texts if (u := unit_in(t))), None) or text_unit
    builder = _Builder(items, unit)
    for r in body:
        label = r[label_col].text
        amounts = {name: a for name, c in assigned.items() if (a := parse_amount(r[c].text)) is not None}
        if label.strip():
            builder.add(label, amounts, r[label_col].location)
    built, unknown = builder.finish()
    if not any(row.kind is Kind.ITEM for row in built):
        return None
    ordered = tuple(c for c in COLUMNS if c in assigned)
    return Table(file, method, unit, ordered, built, rows[first][label_col].location, unknown, note)


# -- where grids come from -------------------------------------------------------------------------

_CELL = re.compile(r"t(\d+)r(\d+)c(\d+)$")


def part_grids(doc: Document) -> list[Grid]:
    """The document's tables rebuilt from its TABLE parts (source "member#t1r2c3[/t2r1c1]")."""
    tables: dict[str, dict[tuple[int, int], list[Part]]] = {}
    for part in doc.parts:
        if part.kind is not PartKind.TABLE or part.origin in _UNSEEN or "#" not in part.source:
            continue
        member, _, path = part.source.partition("#")
        *outer, last = path.split("/")
        match = _CELL.match(last)
        if match is None:
            continue
        key = f"{member}#{'/'.join([*outer, 't' + match[1]])}"
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


def budget_pages(doc: Document, items: str) -> set[int]:
    """The pages whose text names a budget item, and the page after each one that has no total
    yet (the table may go on): pdfplumber's layout analysis is slow, so it looks only there.
    Two-character item words other than the totals (其他) are too common in prose to count."""
    totals = ("合计", "总计", "小计")
    words = tuple(k for k in _entries(items) if len(k) >= 3 or k in totals)
    text_of: dict[int, str] = {}
    for part in doc.parts:
        if part.page is not None and part.kind in (PartKind.BODY, PartKind.TABLE):
            text_of[part.page] = text_of.get(part.page, "") + norm(part.text)
    pages = {page for page, text in text_of.items() if any(w in text for w in words)}
    return pages | {p + 1 for p in pages if not any(t in text_of[p] for t in totals)}


def pdf_grids(doc: Document) -> list[Grid]:
    """The ruled tables the parser found in a PDF (`Document.tables`), as grids of located cells."""
    return [[[Cell(text, Location(PartKind.TABLE, page=table.page)) for text in row] for row in table.rows]
            for table in doc.tables or ()]


def _continues(table_rows: Grid, following: Grid, items: str) -> bool:
    """`following` carries on `table_rows` across a page: same width, no header of its own."""
    return bool(following) and len(following[0]) == len(table_rows[0]) and any(
        _is_budget_row(cell.text, items) for cell in following[0])


def _join_pages(grids: list[Grid], items: str) -> list[Grid]:
    out: list[Grid] = []
    for grid in grids:
        if not grid:
            continue
        if out and _continues(out[-1], grid, items) and not _has_total(out[-1], items):
            out[-1] = out[-1] + grid
        else:
            out.append(grid)
    return out


def _has_total(grid: Grid, items: str) -> bool:
    """A 合计 row with an amount (a column head "合计" is not one)."""
    return any(any(e.kind is Kind.TOTAL for cell in row for e in entries(cell.text, items))
               and any(parse_amount(cell.text) for cell in row) for row in grid)


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
                grid.append([Cell(t, where) for t in tokens])
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
            joined = (pending[0] + text, pending[1]) if pending and not _is_budget_row(pending[0], items) else None
            return None, joined or (text, where)
        return None, None
    label = match["label"].strip()
    if pending is not None and not _is_budget_row(label, items) and (
            not label or _is_budget_row(pending[0] + label, items)):
        label, where = pending[0] + label, pending[1]
    if not _CJK.search(label):
        return None, None
    amounts = [m["num"] + (m["unit"] or "") if m["num"] else m["zero"] for m in _TOKEN.finditer(match["nums"])]
    return [Cell(label, where), *(Cell(a, where) for a in amounts)], None


def document_unit(doc: Document) -> str | None:
    """The first unit statement in the document's visible text."""
    for part in doc.parts:
        visible = part.kind in (PartKind.BODY, PartKind.TABLE, PartKind.HEADER) and part.origin not in _UNSEEN
        if visible and (unit := unit_in(part.text)) is not None:
            return unit
    return None


def best(tables: Sequence[Table]) -> Table | None:
    """The budget table among several: one with a 合计 row first, then the most items."""
    return max(tables, key=lambda t: (t.total_row is not None, len(t.items)), default=None)


def _tables(grids: list[Grid], doc: Document, method: str, items: str, columns: str) -> Iterator[Table]:
    unit = document_unit(doc)
    for grid in _join_pages(grids, items):
        table = read_grid(grid, file=doc.file, method=method, items=items, columns=columns, text_unit=unit)
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
        found = list(_tables(pdf_grids(doc), doc, "pdf_table", items, columns))
    if (table := best(found)) is not None:
        return table
    table = best(list(_tables([text_grid(doc, columns, items)], doc, "text", items, columns)))
    return replace(table, note="；".join(n for n in (note, table.note) if n)) if table is not None and note else table
