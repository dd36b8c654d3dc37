"""Budget tables that are pictures (issue 14): a photographed or scanned 经费预算表 rebuilt from OCR.

What OCR leaves. screening/parsers/ocr.py gives one Part per paragraph of a picture or scanned
page: its rows joined with "\\n" (the pieces of one row joined with a space), `box` the paragraph's
box, `confidence` its mean score. Several rows of a table often share a paragraph, the names and
the amounts of a table may be two tall paragraphs side by side, a name may be cut ("二、" |
"材料费", "十、1" | "间接费用": the cut went through a character) and an amount with thousands
separators split ("300 000.00", "100," … "000.00", "200,0" … "000.00"). Read as text lines, amounts
went to the wrong rows. So each paragraph is cut back into its lines (`pieces_of`): a one-line
paragraph keeps its box (`Piece.exact`); the lines of a longer one are spread evenly between its
first and last line, a line without amounts ending where its characters end (`glyphs`). Lengths are
in text heights (the median height of the one-line boxes). The numbers used are those of
lexicons/budget-scan.yaml.

Rows (`build_rows`). Every line with a name (CJK text) starts a row. Two rows are one when their
names, joined, name a budget row (lexicons/budget-items.tsv) — or begin one that a wrapped line
completes — and one alone does not: side by side (centres within `rows.level`; a character both
cut boxes read is kept once: "（7）差" + "差旅费/…") or wrapped in the cell (the second line at
most `rows.wrap` below, without amounts of its own). Numbers before a name are a 序号 column and
are dropped; text after the amounts is a note column and is ignored. Words are read as amounts
after NFKC, with the letters OCR reads for digits (`repair.letters`: "$,200,000.00") and two cells
run together ("600,000.001,200,000.00") taken apart. A line holding only amounts joins the row
whose name is nearest vertically (at most `rows.attach` away) among those that still have an empty
money column, after the amounts the row has, left to right; pieces of a split amount are joined
again ("300"+"000.00", "100,"+"000.00", "200,0"+"000.00", "100."+"0.00"), and a lone decimal tail
completes the amount of a full row that lacks it ("20" + "0.00"). A picture turned slightly puts a
row's amounts higher or lower than its name, so the rows are built at each slope up to
`rows.skew_max` and the slope that leaves the amounts nearest their names, the fewest amount lines
without a row and the fewest rows without amounts is taken.

Columns. The header is the row above the first item row naming the most money columns
(lexicons/budget-columns.tsv; a word holding a `header.name_heads` word such as 预算科目 or 序号
heads the name column instead), a unit in brackets ("金额 (万元)") staying with its word; a header
of two rows (合计 | 其中 over 财政补助 | 自筹) is read as one. The rows start below it (a subtotal or
合计 heading the items is a row). A row with as many amounts as money columns fills them in order.
A row with fewer (an empty cell) or more (a stray mark read as a digit) could be placed in several
ways: each placement (合计 filled first, a 备注 column only when the money columns are too few) is
tried against the table's own sums — each level of `Table.levels`, 财政补助 + 自筹 = 合计 on a row,
the sub-items of an item — and the one that leaves the fewest broken is taken; when that is no
single placement, or there are more than `columns.max_combinations`, only the 合计 column is read
and the note says so. Without a header the first amount after the name is the amount. The grid so
built is read by `budget.read_grid` (method `METHOD`); the unit comes from a cell ("金额（万元）"),
else from any line of the same picture ("单位：万元"), else from the document's text. A table
without 合计 whose next page or frame goes on is read with that page's lines stacked below.

Arithmetic as a self-check (`repair`). When a sum is broken (by more than `repair.tolerance`: a
level of the table, or sub-items over their item — what budget.sum reports), the cells of its
column are read otherwise — OCR's usual confusions (`repair.confusions`: 1/7, 0/8, 3/8, 5/6), a
decimal point not seen (1800 → 18.00, when the table's amounts have decimals), a leading digit not
seen (20.00 → 120.00, ",000,000.00" → 1,000,000.00) — the least confident paragraph first. A
reading must mend a broken sum and break none that held; of those, the one with the fewest changed
cells (at most `repair.max_changes`) mending the most sums is taken when it is the only one (a tie
goes to the clearly least confident paragraph, `repair.confidence_margin`) and when more than the
one sum speaks for it: it also mends (or lets one check, and hold) a row's 财政补助 + 自筹, an
item's sub-items or a subtotal; or the cell shows the misreading (no decimal point, digits cut
off); or OCR doubted the paragraph (`repair.doubtful`). A table of one money column offers no such
check, and a lone confusion that happens to fit could hide a real error of the applicant. The note
says what was read otherwise ("第5行“二、材料费”合计栏按识别备选读作120.00（原识别为170.00），表内
加总相符"), or which readings would fit and why none was taken. A sum still broken is reported by
checks/budget.py as budget.sum at the call's `budget.ocr_sum_severity` (warn) with both amounts and
`caution`: never a fail on OCR alone.

Two readings. The one above goes by the paragraphs' lines: columns are told apart by their order
and by the sums, not by x positions (a paragraph's box does not give them for its lines). The
other goes by where OCR's pieces stand (`Part.segments`, screening/scan_grid.py): rows by their
centres once the slant and the lean of the picture are taken out, columns by the x-ranges of the
cells, as on a PDF page without rules. Both are repaired as above; `read_sheet` takes the one
that has a 合计, leaves fewer sums broken and holds more items (the positions on a tie). A row
with an empty cell in a table whose sums cannot tell where it stands is read in its 合计 column
only by the first reading; by position it stays empty.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from math import prod

from pydantic import Field, field_validator

from screening import budget, lexicons, scan_grid
from screening.model import Document, Location, Part, PartKind
from screening.parsers.ocr import ORIGIN
from screening.resources import data_dir
from screening.settings import Strict, load_yaml

METHOD = "ocr_table"
SETTINGS = "budget-scan.yaml"
ONLY_AMOUNT = "部分行的金额个数与栏数不符且无法按各栏合计确定位置，只读取了合计栏"
INFERRED = "部分行有空栏，各金额所在栏按各栏合计推定"

# -- settings (lexicons/budget-scan.yaml) ----------------------------------------------------------




class RowSettings(Strict):
    level: float = Field(gt=0, le=2)
    wrap: float = Field(gt=0, le=4)
    attach: float = Field(gt=0, le=4)
    skew_max: float = Field(ge=0, le=0.2)
    skew_step: float = Field(gt=0, le=0.05)
    box_margin: float = Field(ge=0, le=1)


class HeaderSettings(Strict):
    name_heads: tuple[str, ...] = Field(min_length=1)
    upper: float = Field(gt=0, le=6)


class ColumnSettings(Strict):
    max_combinations: int = Field(ge=1)


class GlyphSettings(Strict):
    wide: float = Field(gt=0, le=2)
    narrow: float = Field(gt=0, le=2)


class RepairSettings(Strict):
    tolerance: float = Field(ge=0)
    max_changes: int = Field(ge=0, le=3)
    confusions: tuple[str, ...]
    lost_point: bool
    lost_leading_digit: bool
    letters: dict[str, str]
    confidence_margin: float = Field(ge=0, le=1)
    doubtful: float = Field(ge=0, le=1)
    max_named: int = Field(ge=0)
    max_pairs: int = Field(ge=0)

    @field_validator("confusions")
    @classmethod
    def _pairs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pair in value:
            if len(pair) != 2 or not pair.isdigit() or pair[0] == pair[1]:
                raise ValueError(f"“{pair}”应为两个不同的数字，如 \"17\"")
        return value


class Settings(Strict):
    rows: RowSettings
    header: HeaderSettings
    columns: ColumnSettings
    glyphs: GlyphSettings
    repair: RepairSettings


@cache
def settings() -> Settings:
    return load_yaml(data_dir("lexicons") / SETTINGS, Settings, "扫描预算表设置")


# -- pieces: the lines of the OCR paragraphs -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """One line of OCR text and where it stands (`exact`: its own box; else estimated within its
    paragraph's box, see `pieces_of`)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    exact: bool
    confidence: float
    location: Location

    @property
    def y(self) -> float:
        return (self.top + self.bottom) / 2


Sheet = tuple[PartKind, int | None, str]  # one picture or scanned page: its coordinates are its own


def sheets(doc: Document) -> dict[Sheet, list[Piece]]:
    """The OCR lines of `doc`, by picture or scanned page, in the order of their paragraphs."""
    parts: dict[Sheet, list[Part]] = {}
    for part in doc.parts:
        if part.origin == ORIGIN and part.box is not None and part.kind in (PartKind.BODY, PartKind.IMAGE):
            parts.setdefault((part.kind, part.page, part.source), []).append(part)
    return {sheet: pieces_of(group) for sheet, group in parts.items()}


def segments(doc: Document) -> dict[Sheet, list[scan_grid.Located]]:
    """The pieces OCR's detector found (`Part.segments`), by picture or scanned page, each with the
    paragraph it belongs to."""
    out: dict[Sheet, list[scan_grid.Located]] = {}
    for part in doc.parts:
        if part.origin == ORIGIN and part.kind in (PartKind.BODY, PartKind.IMAGE):
            where = Location(part.kind, page=part.page, paragraph=part.paragraph, origin=ORIGIN)
            out.setdefault((part.kind, part.page, part.source), []).extend((s, where) for s in part.segments)
    return out


def pieces_of(parts: Sequence[Part]) -> list[Piece]:
    """The lines of one picture's OCR paragraphs. A paragraph of one line keeps its box; the lines of
    a longer one are spread evenly between its first line (at its top) and its last (at its
    bottom), each one text height tall; a line without amounts ends where its characters end
    (`glyphs`), a line with amounts where the paragraph ends (a table row)."""
    glyphs = settings().glyphs
    heights = [p.box[3] - p.box[1] for p in parts if p.box is not None and "\n" not in p.text.strip()]
    unit = max(statistics.median(heights), 1.0) if heights else None
    out: list[Piece] = []
    for part in parts:
        assert part.box is not None
        lines = [line.strip() for line in part.text.split("\n")]
        x0, top, x1, bottom = part.box
        where = Location(part.kind, page=part.page, paragraph=part.paragraph, origin=ORIGIN)
        confidence = part.confidence if part.confidence is not None else 1.0
        if len(lines) == 1:
            if lines[0]:
                out.append(Piece(lines[0], x0, x1, top, bottom, True, confidence, where))
            continue
        height = min(unit or (bottom - top) / len(lines), (bottom - top) / len(lines))
        pitch = (bottom - top - height) / (len(lines) - 1)
        for i, line in enumerate(lines):
            if not line:
                continue
            end = x1
            if not any(is_number for is_number, _ in tokens(line)):
                wide = len(_CJK.findall(line))
                end = min(x1, x0 + height * (glyphs.wide * wide + glyphs.narrow * (len(line) - wide)))
            y = top + height / 2 + i * pitch
            out.append(Piece(line, x0, end, y - height / 2, y + height / 2, False, confidence, where))
    return out


def text_height(pieces: Sequence[Piece]) -> float:
    """The unit of length: the median height of the one-line boxes (else of the estimated lines)."""
    heights = [p.bottom - p.top for p in pieces if p.exact] or [p.bottom - p.top for p in pieces]
    return max(statistics.median(heights), 1.0) if heights else 1.0


def by_ocr(doc: Document, table: budget.Table) -> bool:
    """Whether `table` was read from OCR text: rebuilt here, or read as text lines that OCR gave."""
    if table.method == METHOD:
        return True
    ocr = {(p.kind, p.page, p.paragraph) for p in doc.parts if p.origin == ORIGIN}
    rows = [r for r in (table.total_row, *table.items) if r is not None]
    return any((r.location.part, r.location.page, r.location.paragraph) in ocr for r in rows)


def caution(table: budget.Table) -> str:
    """What a budget.sum message on an OCR-read table adds: where the amounts come from, and the note."""
    note = f"；{table.note}" if table.note else ""
    return f"（该表为图片或扫描件，以上金额为文字识别读数{note}；请对照原件核对）"


# -- tokens ----------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^(?:(?:-?,?\d[\d,]*(?:\.\d*)?|\.\d+)(?:万元|元)?|[—–-]+)$")
_GLUED = re.compile(r"^(?P<text>.*[^\d,.(\[（\-])(?P<num>\d[\d,]*(?:\.\d*)?(?:万元|元)?)$")
_UNIT_WORD = re.compile(r"^[(（]?\s*(?:单位[:：]?)?\s*(?:人民币)?\s*(?:万元|元)\s*[)）]?$")
_RULE_MARK = re.compile(r"^[|丨│｜¦]+$")  # a table's drawn rule read as a character
_GROUPED = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_FRAGMENT = re.compile(r"^,\d{3}(?:,\d{3})*(?:\.\d+)?$")  # an amount whose leading digits OCR did not see


def tokens(text: str) -> list[tuple[bool, str]]:
    """A line's words as (is_number, word): "十、1" is ("十、", "1"), "180 万元" one amount, two
    amounts run together ("600,000.001,200,000.00") two, a letter OCR reads for a digit in an
    amount ("$,200,000.00": `repair.letters`) that digit."""
    letters = settings().repair.letters
    out: list[tuple[bool, str]] = []
    for raw in text.split():  # amounts in ASCII (NFKC: full-width digits, ，．), names as printed
        word = unicodedata.normalize("NFKC", raw)
        if _RULE_MARK.match(word):
            continue
        digits = "".join(letters.get(c, c) for c in word)
        if re.search(r"\d", word) and digits != word and _NUMBER.match(digits):
            word = digits
        if len(together := _run_together(word)) > 1:
            out += [(True, w) for w in together]
        elif _NUMBER.match(word):
            out.append((True, word))
        elif out and out[-1][0] and word in (budget.WAN, budget.YUAN):
            out[-1] = (True, out[-1][1] + word)
        elif (glued := _GLUED.match(word)) and _CJK.search(glued["text"]) and len(word) == len(raw):
            out += [(False, raw[: len(glued["text"])]), (True, glued["num"])]
        else:
            out.append((False, raw))
    return out


def _run_together(word: str) -> list[str]:
    """Amounts printed in cells side by side that OCR read as one word, each with the same decimals."""
    for decimals in (2, 1):
        amount = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+)\.\d{{{decimals}}}"
        if re.fullmatch(rf"(?:{amount}){{2,}}", word):
            return re.findall(amount, word)
    return [word]


def _complete(word: str) -> bool:
    """An amount as printed, not a piece of one ("100,", "200,0")."""
    return budget.parse_amount(word) is not None and not re.search(r",\d{0,2}$", word)


def join_split(words: Sequence[str], grouped: bool) -> list[str]:
    """Pieces of amounts the detector split, joined: "300"+"000.00", "100,"+"000.00", "400,"+",000.00",
    and "200,0"+"000.00" (the two boxes overlapped by a digit) → 300,000.00 …"""
    out: list[str] = []
    for word in words:
        joined = _join(out[-1], word, grouped) if out else None
        if joined is not None:
            out[-1] = joined
        else:
            out.append(word)
    return out


def _join(left: str, right: str, grouped: bool) -> str | None:
    if left.endswith(".") and (decimals := re.fullmatch(r"(?:\d*\.)?(\d+)", right)):
        joined = left + decimals[1]  # "100." + "00", or "100." + "0.00" (the boxes overlapped)
        return joined if re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d+|\d+\.\d+", joined) else None
    candidates = []
    if left.endswith(",") or right.startswith(","):
        candidates.append(left.rstrip(",") + "," + right.lstrip(","))
    if (partial := re.search(r",(\d{1,2})$", left)) and (lead := re.match(r"\d+", right)):
        if len(partial[1]) + len(lead[0]) == 3:
            candidates.append(left + right)
        elif len(lead[0]) == 3:  # overlapping boxes: the right piece repeats the left one's last digits
            candidates.append(left[: partial.start() + 1] + right)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})*", left) and re.match(r"\d{3}(?:[,.]|$)", right) and (
            right.startswith("0") or (grouped and "." in right)):
        candidates.append(left + "," + right)
    return next((c for c in candidates if _GROUPED.match(c)), None)


@dataclass(frozen=True, slots=True)
class Amount:
    text: str
    piece: Piece


@dataclass
class _Row:
    """A table row under construction: the pieces of its name, its amounts, its vertical span."""

    names: list[tuple[Piece, str]]  # (piece, its part of the name), in the name's order
    amounts: list[Amount]
    top: float
    bottom: float
    attached: list[tuple[Piece, list[str]]] = field(default_factory=list)  # amounts-only lines

    @property
    def label(self) -> str:
        return "".join(text for _, text in self.names)

    @property
    def y(self) -> float:
        return (self.top + self.bottom) / 2

    def distance(self, y: float) -> float:
        return max(0.0, self.top - y, y - self.bottom)


def _line(piece: Piece) -> tuple[list[str], list[str]]:
    """A line's name words and the amounts after them (a 序号 before the name and notes after the
    amounts left out)."""
    name: list[str] = []
    amounts: list[str] = []
    for is_number, word in tokens(piece.text):
        if is_number:
            if name:
                amounts.append(word)
        elif amounts:
            break  # a note column after the amounts
        else:
            name.append(word)
    return name, amounts


def _merge(rows: list[_Row], items: str, level: float, wrap: float) -> list[_Row]:
    """Rows whose names belong together (side by side, or wrapped in the cell) made one."""
    out: list[_Row] = []
    for row in rows:
        prev = out[-1] if out else None
        merged = _together(prev, row, items, level, wrap) if prev is not None else None
        if merged is not None:
            out[-1] = merged
        else:
            out.append(row)
    return out


def _together(prev: _Row, row: _Row, items: str, level: float, wrap: float) -> _Row | None:
    near = abs(row.y - prev.y) <= level or abs(row.top - prev.bottom) <= level
    if near:  # side by side: "二、" + "材料费 120.00 …", "十、1" + "间接费用 50.00 …", "（7）差" + "差旅费/…"
        for first, second in ((prev, row), (row, prev)):
            if budget.is_budget_row(first.label, items) and budget.is_budget_row(second.label, items):
                continue
            for names in _side_by_side(first, second):
                label = "".join(text for _, text in names)
                if budget.is_budget_row(label, items) or _begins_row(label, items):
                    amounts = second.amounts or first.amounts  # a digit read in the cut ("十、1") is no amount
                    return _Row(names, amounts, min(prev.top, row.top), max(prev.bottom, row.bottom))
        return None
    below = 0 < row.top - prev.bottom <= wrap or 0 < row.y - prev.y <= wrap
    if below and not row.amounts and not budget.is_budget_row(row.label, items) and (
            budget.is_budget_row(prev.label + row.label, items) or _begins_row(prev.label + row.label, items)):
        return _Row(prev.names + row.names, prev.amounts, prev.top, row.bottom)
    return None


def _side_by_side(first: _Row, second: _Row) -> list[list[tuple[Piece, str]]]:
    """The names of two pieces of one name side by side, joined: as they are, and without the
    characters both read where the cut went through them ("（7）差" + "差旅费/…")."""
    out = [first.names + second.names]
    head, tail = first.label, second.label
    for size in (1, 2):
        if len(head) > size and head[-size:] == tail[:size]:
            piece, text = first.names[-1]
            if len(text) > size:
                out.append([*first.names[:-1], (piece, text[:-size]), *second.names])
    return out


def _begins_row(label: str, items: str) -> bool:
    """A name that only begins a budget row (the rest wrapped onto the next line): at least four
    characters after cleaning, and the start of a lexicon name."""
    cleaned = budget.clean_label(label)[0]
    return len(cleaned) >= 4 and any(v.startswith(cleaned) and v != cleaned for v in _variants(items))


@cache
def _variants(items: str) -> tuple[str, ...]:
    """The budget rows' names as `budget.entries` compares them (cleaned)."""
    return tuple({budget.clean_label(v)[0] for _, variants in lexicons.table(items) for v in variants})


@dataclass(frozen=True, slots=True)
class _Header:
    head: str  # the name column's head (预算科目), "" when none
    columns: tuple[str, ...]  # the column heads, in order
    pieces: tuple[Piece, ...]
    y: float


def _header(rows: Sequence[_Row], first_item: int, columns: str, unit: float) -> _Header | None:
    """The header: of the rows above the first item row, the one naming the most money columns
    (the nearest of equals), with the name column's head beside it when that is a row of its own.
    A header of two rows (合计 | 其中 over 财政补助 | 自筹) is read as one when the lower row names
    fewer columns than the rows below hold amounts: the upper row's money words come first."""
    level, upper = settings().rows.level * unit, settings().header.upper * unit
    best: tuple[int, int] | None = None
    for index in range(first_item - 1, -1, -1):
        count = len(columns_of(_head_words(rows[index]), columns)[1])
        if count and (best is None or count > best[0]):
            best = (count, index)
    if best is None:
        return None
    row = rows[best[1]]
    head, heads = columns_of(_head_words(row), columns)
    widest = max((len(r.amounts) for r in rows[first_item:]), default=0)
    above = [r for r in rows[: best[1]] if 0 < row.y - r.y <= upper]
    if len(heads) < widest and above:
        upper_head, upper_words = columns_of(_head_words(above[-1]), columns)
        money = tuple(w for w in upper_words if budget.column_of(w, columns))
        if money and len(money) + len(heads) <= widest:
            head, heads = head or upper_head, money + heads
    beside = [r for r in rows[:first_item] if r is not row and abs(r.y - row.y) <= level
              and not columns_of(_head_words(r), columns)[1]]
    return _Header(head or "".join(r.label for r in beside), heads, tuple(p for p, _ in row.names), row.y)


def columns_of(words: Sequence[str], columns: str) -> tuple[str, tuple[str, ...]]:
    """A header row's name-column head and its column heads: the words after the last name head
    (预算科目, 序号), from the first that names a money column on."""
    name_heads = settings().header.name_heads
    last_head = max((i for i, w in enumerate(words) if any(h in w for h in name_heads)), default=-1)
    rest = list(words[last_head + 1:])
    start = next((i for i, w in enumerate(rest) if budget.column_of(w, columns)), None)
    if start is None:
        return "".join(words[: last_head + 1]), ()
    return "".join(words[: last_head + 1]), tuple(rest[start:])


def _head_words(row: _Row) -> list[str]:
    """A header row's words, a unit in brackets kept with the word before it ("金额 (万元)")."""
    words: list[str] = []
    for piece, _ in row.names:
        for is_number, word in tokens(piece.text):
            if is_number:
                continue
            if words and _UNIT_WORD.match(word):
                words[-1] += word
            else:
                words.append(word)
    return words


def build_rows(pieces: Sequence[Piece], items: str, columns: str) -> tuple[_Header | None, list[_Row], list[Piece]]:
    """The header, the rows below it with their amounts, and the amount lines no row took; the rows
    as they line up best when the picture is slightly turned (`rows.skew_max`): each line's height is
    taken as if the picture were turned back by the slope that leaves the amounts nearest their
    names, the fewest amount lines without a row and the fewest rows without amounts."""
    cfg = settings().rows
    unit = text_height(pieces)
    left = min((p.x0 for p in pieces), default=0.0)
    steps = round(cfg.skew_max / cfg.skew_step)
    best: tuple[float, float] | None = None
    found: tuple[_Header | None, list[_Row], list[Piece]] = (None, [], [])
    for slope in sorted((k * cfg.skew_step for k in range(-steps, steps + 1)), key=abs):
        turned = [_turned(p, slope, left) for p in pieces]
        header, body, unplaced, distance = _rows_at(turned, items, columns, unit)
        empty = sum(1 for r in body if not r.amounts and not r.attached and budget.is_budget_row(r.label, items))
        score = distance / unit + cfg.attach * (len(unplaced) + empty)
        if best is None or score < best[0] - 1e-9:
            best, found = (score, slope), (header, body, unplaced)
    header, body, unplaced = found
    grouped = any(re.search(r"\d,\d{3}", p.text) for p in pieces)
    for row in body:
        ordered = [a.text for a in row.amounts]
        owners = [a.piece for a in row.amounts]
        for piece, words in sorted(row.attached, key=lambda pw: pw[0].x0):
            ordered += words
            owners += [piece] * len(words)
        joined = join_split(ordered, grouped)
        row.amounts = _owned(joined, ordered, owners)
    return header, body, unplaced


def _turned(piece: Piece, slope: float, left: float) -> Piece:
    """The piece's height as if the picture were turned back by `slope` (its middle as the pivot)."""
    shift = slope * ((piece.x0 + piece.x1) / 2 - left)
    return replace(piece, top=piece.top - shift, bottom=piece.bottom - shift)


def _rows_at(pieces: Sequence[Piece], items: str, columns: str,
             unit: float) -> tuple[_Header | None, list[_Row], list[Piece], float]:
    """Rows at one slope: the header, the rows from the first item on with the amount lines they
    took, the amount lines no row took, and how far the taken ones stood from their rows."""
    cfg = settings().rows
    named: list[_Row] = []
    alone: list[tuple[Piece, list[str]]] = []
    for piece in sorted(pieces, key=lambda p: (p.y, p.x0)):
        name, amounts = _line(piece)
        if _CJK.search("".join(name)):
            named.append(_Row([(piece, "".join(name))], [Amount(a, piece) for a in amounts], piece.y, piece.y))
        elif words := [w for is_number, w in tokens(piece.text) if is_number]:
            alone.append((piece, words))  # amounts alone (a stray latin letter before them is noise)
    rows = _merge(named, items, cfg.level * unit, cfg.wrap * unit)
    first_item = next((i for i, r in enumerate(rows) if any(
        e.kind in (budget.Kind.ITEM, budget.Kind.SUB) for e in budget.entries(r.label, items))), None)
    if first_item is None:
        return None, [], [], 0.0
    header = _header(rows, first_item, columns, unit)
    # the body starts below the header: a subtotal or 合计 heading the items (一、直接费用) is a row
    start = next((i for i in range(first_item) if rows[i].y > header.y and budget.is_budget_row(rows[i].label, items)),
                 first_item) if header is not None else first_item
    body = rows[start:]
    width = len(header.columns) if header else max((len(r.amounts) for r in body), default=1)
    unplaced: list[Piece] = []
    distance = 0.0
    for piece, words in alone:
        if header is not None and piece.y <= header.y:
            continue
        free = [r for r in body if r.distance(piece.y) <= cfg.attach * unit
                and sum(_complete(a.text) for a in r.amounts) + sum(
                    _complete(w) for _, ws in r.attached for w in ws) < max(width, 1)
                and not _left_of_name(piece, r)]
        if free:
            nearest = min(free, key=lambda r: r.distance(piece.y))
            nearest.attached.append((piece, words))
            distance += nearest.distance(piece.y)
        elif _completed(body, piece, words, cfg.attach * unit):
            continue
        elif body and body[0].top - cfg.attach * unit <= piece.y <= body[-1].bottom + cfg.attach * unit:
            unplaced.append(piece)
    return header, body, unplaced, distance


def _completed(body: Sequence[_Row], piece: Piece, words: Sequence[str], reach: float) -> bool:
    """A lone decimal tail ("0.00", ".00") of the nearest full row's last amount, which lacks the
    decimals the row's other amounts have ("20" where 20.00 stood: the boxes overlapped): that
    amount completed."""
    near = [r for r in body if r.distance(piece.y) <= reach and r.amounts]
    if len(words) != 1 or not near:
        return False
    row = min(near, key=lambda r: r.distance(piece.y))
    last, tail = row.amounts[-1].text, words[0]
    if "." in last or not re.fullmatch(r"\d[\d,]*", last) or not any("." in a.text for a in row.amounts[:-1]):
        return False
    if re.fullmatch(r"\.\d+", tail):
        whole = last + tail
    elif re.fullmatch(r"\d\.\d+", tail) and tail[0] == last[-1]:
        whole = last + tail[1:]
    else:
        return False
    row.amounts[-1] = Amount(whole, row.amounts[-1].piece)
    return True


def _left_of_name(piece: Piece, row: _Row) -> bool:
    """An amount line left of the row's name: a 序号 column, not an amount."""
    name = row.names[0][0]
    return piece.exact and name.exact and piece.x1 <= name.x0


def _owned(joined: list[str], ordered: list[str], owners: list[Piece]) -> list[Amount]:
    """Each joined amount with the piece its first word came from."""
    out: list[Amount] = []
    index = 0
    for word in joined:
        out.append(Amount(word, owners[index] if index < len(owners) else owners[-1]))
        consumed = ""
        while index < len(ordered) and len(consumed.replace(",", "")) < len(word.replace(",", "")):
            consumed += ordered[index]
            index += 1
    return out


# -- the grid and its placements -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Layout:
    """What a grid is built from: the header, the rows (names and amounts), the money columns."""

    header: _Header | None
    rows: tuple[_Row, ...]
    width: int  # money columns
    named: tuple[str | None, ...]  # each column's money column (amount / subsidy / self_raised) or None


def _placements(k: int, m: int, named: Sequence[str | None]) -> list[tuple[int | None, ...]]:
    """The ways k amounts in order can stand in m columns: for each amount its column, or None
    when it is dropped (more amounts than columns). Columns that name no money (备注, 占比) are
    used only when the money columns are too few; with 合计 named, a row's 合计 is filled first."""
    money = [c for c in range(m) if named[c] is not None] if any(named) else list(range(m))
    if k <= len(money) or k <= m:
        usable = money if k <= len(money) else list(range(m))
        out: list[tuple[int | None, ...]] = list(itertools.combinations(usable, k))
        if budget.AMOUNT in named and k:
            amount = named.index(budget.AMOUNT)
            out = [p for p in out if amount in p] or out
        return out
    kept_sets = itertools.combinations(range(k), len(money))
    return [tuple(money[kept.index(i)] if i in kept else None for i in range(k)) for kept in kept_sets]


def _grid_row(row: _Row, placement: Sequence[int | None], width: int) -> list[budget.Cell]:
    where = row.names[0][0].location
    cells = [budget.Cell(row.label, where)] + [budget.Cell("", where) for _ in range(width)]
    for amount, column in zip(row.amounts, placement, strict=False):
        if column is not None:
            cells[column + 1] = budget.Cell(amount.text, amount.piece.location)
    return cells


def _grid(layout: Layout, choice: Sequence[Sequence[int | None]]) -> budget.Grid:
    grid: budget.Grid = []
    if layout.header is not None:
        where = layout.header.pieces[0].location
        grid.append([budget.Cell(layout.header.head, where)] + [budget.Cell(c, where) for c in layout.header.columns])
    grid += [_grid_row(row, placement, layout.width) for row, placement in zip(layout.rows, choice, strict=True)]
    return grid


@dataclass(frozen=True, slots=True)
class _Reader:
    file: str
    items: str
    columns: str
    unit: str | None

    def __call__(self, grid: budget.Grid) -> budget.Table | None:
        return budget.read_grid(grid, file=self.file, method=METHOD, items=self.items, columns=self.columns,
                                text_unit=self.unit)


Violation = tuple[str, str, int]  # ("sum", column, row of the printed sum) | ("split" | "sub", "", row)
CHECKED = ("sum", "sub")  # what budget.sum reports: a level that does not add up, sub-items over their item


def checks(table: budget.Table, tolerance: Decimal) -> dict[Violation, bool]:
    """Each sum the table allows to check, and whether it holds: its levels (see `gaps`),
    财政补助 + 自筹 = 合计 on a row with all three, the sub-items of an item against it."""
    out: dict[Violation, bool] = {("sum", column, row): abs(gap) <= tolerance for (column, row), gap in gaps(table).items()}
    for index, row in enumerate(table.rows):
        if (gap := budget.split_gap(row.amounts)) is not None:
            out[("split", "", index)] = abs(gap) <= tolerance
    subs: dict[int, Decimal] = {}
    parent: int | None = None
    for index, row in enumerate(table.rows):
        if row.kind is budget.Kind.ITEM:
            parent = index
        elif row.kind is budget.Kind.SUB and parent is not None:
            if budget.AMOUNT in row.amounts:
                subs[parent] = subs.get(parent, Decimal(0)) + row.amounts[budget.AMOUNT]
        else:
            parent = None
    for index, summed in subs.items():
        item = table.rows[index]
        if budget.AMOUNT in item.amounts and budget.AMOUNT not in item.derived:
            out[("sub", "", index)] = abs(summed - item.amounts[budget.AMOUNT]) <= tolerance
    return out


def violations(table: budget.Table, tolerance: Decimal) -> frozenset[Violation]:
    """The table's sums that do not hold (`checks`)."""
    return frozenset(key for key, holds in checks(table, tolerance).items() if not holds)


def _place(layout: Layout, read: _Reader, tolerance: Decimal) -> tuple[budget.Grid, str]:
    """The grid with each row's amounts in their columns, and a note when that was not certain."""
    options = [_placements(len(r.amounts), layout.width, layout.named) for r in layout.rows]
    options = [o or [()] for o in options]
    if all(len(o) == 1 for o in options):
        return _grid(layout, [o[0] for o in options]), ""
    if prod(len(o) for o in options) <= settings().columns.max_combinations:
        scored: list[tuple[int, int, list[tuple[int | None, ...]]]] = []
        for number, choice in enumerate(itertools.product(*options)):
            table = read(_grid(layout, choice))
            if table is not None:
                scored.append((len(violations(table, tolerance)), number, list(choice)))
        scored.sort(key=lambda s: (s[0], s[1]))
        if scored and (len(scored) == 1 or scored[0][0] < scored[1][0]):
            return _grid(layout, scored[0][2]), INFERRED
        if scored:
            tied = [s[2] for s in scored if s[0] == scored[0][0]]
            sums = {_column_sums(read(_grid(layout, c))) for c in tied}
            if len(sums) == 1:  # the ties differ only in rows that change no column's sum
                return _grid(layout, tied[0]), INFERRED
    return _amount_only(layout), ONLY_AMOUNT


def _column_sums(table: budget.Table | None) -> tuple[tuple[str, Decimal | None, Decimal | None], ...]:
    if table is None:
        return ()
    return tuple((c, table.item_sum(c), table.total(c)) for c in table.columns)


def _amount_only(layout: Layout) -> budget.Grid:
    """Only the 合计 column: each row's first amount (its last when 合计 is the last column)."""
    amount = layout.named.index(budget.AMOUNT) if budget.AMOUNT in layout.named else 0
    last = amount == layout.width - 1 and layout.width > 1
    header = replace(layout.header, columns=(layout.header.columns[amount],)) if layout.header else None
    rows = []
    for row in layout.rows:
        pick = row.amounts[-1:] if last else row.amounts[:1]
        rows.append(_Row(row.names, pick, row.top, row.bottom))
    single = Layout(header, tuple(rows), 1, (budget.AMOUNT,))
    return _grid(single, [(0,) if r.amounts else () for r in rows])


# -- arithmetic: reading cells otherwise -----------------------------------------------------------


def alternatives(word: str, decimals: int) -> list[tuple[str, str]]:
    """Other readings of an amount as OCR may have misread it, each with what was misread
    ("digit", "point", "lead"; see the module docstring)."""
    cfg = settings().repair
    if cfg.lost_leading_digit and re.fullmatch(r",\d{3}(?:,\d{3})*(?:\.\d+)?", word):
        return [(lead + word, "cut") for lead in "123456789"]  # the cell's first digits cut off
    match = re.fullmatch(r"(?P<int>\d[\d,]*)(?:\.(?P<dec>\d*))?(?P<unit>万元|元)?", word)
    if match is None:
        return []
    grouped = "," in match["int"]
    digits = match["int"].replace(",", "")
    dec = match["dec"]
    unit = match["unit"] or ""

    def spell(integer: str, fraction: str | None) -> str:
        if len(integer) > 1 and integer.startswith("0"):
            return ""
        body = f"{int(integer):,}" if grouped else integer
        return body + (f".{fraction}" if fraction is not None else "") + unit

    out: list[tuple[str, str]] = []
    plain = digits + ("" if dec is None else "." + dec)
    for i, char in enumerate(plain):
        for pair in cfg.confusions:
            if char in pair:
                other = pair[1] if char == pair[0] else pair[0]
                integer, _, fraction = (plain[:i] + other + plain[i + 1:]).partition(".")
                out.append((spell(integer, fraction if dec is not None else None), "digit"))
    if cfg.lost_point and dec is None and decimals and len(digits) > decimals:
        out.append((spell(digits[:-decimals], digits[-decimals:]), "point"))
    if cfg.lost_leading_digit:
        for lead in "123456789":
            out.append((spell(lead + digits if digits != "0" else lead, dec), "lead"))
    seen: set[str] = {word, ""}
    unique = []
    for text, kind in out:
        if text not in seen:
            seen.add(text)
            unique.append((text, kind))
    return unique


@dataclass(frozen=True, slots=True)
class Change:
    row: int  # in the grid
    column: int  # in the grid (1 = the first money column)
    old: str
    new: str
    confidence: float  # the OCR score of the paragraph the cell was read from
    kind: str  # what OCR misread: "digit", "point" (a decimal point not seen), "lead" (a leading digit),
    # "cut" (an amount whose first digits were cut off: ",000,000.00")


@dataclass(frozen=True, slots=True)
class _Trial:
    changes: tuple[Change, ...]
    table: budget.Table
    mended: frozenset[Violation]  # sums broken before that hold now
    confirmed: frozenset[Violation]  # sums that could not be checked before (a cell unread) and hold now
    effect: dict[tuple[str, int], Decimal]  # (column, row of a printed sum) → change of its gap

    @property
    def key(self) -> tuple[int, int, float]:
        return len(self.changes), -len(self.mended | self.confirmed), sum(c.confidence for c in self.changes)


def gaps(table: budget.Table) -> dict[tuple[str, int], Decimal]:
    """Each printed sum's parts minus the printed amount, by (column, its row): the levels of
    `Table.levels` (subtotals, then 合计), as checks/budget.py weighs them."""
    out: dict[tuple[str, int], Decimal] = {}
    for column in table.columns:
        for level in table.levels(column):
            printed, summed = level.row.amounts.get(column), level.summed(column)
            if printed is not None and summed is not None:
                out[(column, next(i for i, r in enumerate(table.rows) if r is level.row))] = summed - printed
    return out


def _apply(grid: budget.Grid, changes: Iterable[Change]) -> budget.Grid:
    new = [list(r) for r in grid]
    for change in changes:
        new[change.row][change.column] = replace(grid[change.row][change.column], text=change.new)
    return new


def repair(grid: budget.Grid, table: budget.Table, read: _Reader, confidence: dict[tuple[int, int], float],
           items: str) -> tuple[budget.Grid, budget.Table, list[str]]:
    """The grid read otherwise where that makes a broken sum agree (module docstring); the notes."""
    cfg = settings().repair
    tolerance = Decimal(str(cfg.tolerance))
    notes: list[str] = []
    changes_left = cfg.max_changes
    while changes_left > 0:
        broken = violations(table, tolerance)
        if not any(kind in CHECKED for kind, _, _ in broken):
            break
        trial, named, why = _best_reading(grid, table, read, confidence, items, broken, changes_left)
        if trial is None:
            notes.append(_unresolved(grid, named, why))
            break
        grid = _apply(grid, trial.changes)
        table = trial.table
        changes_left -= len(trial.changes)
        notes += [_changed(grid, c) for c in trial.changes]
    return grid, table, notes


def _best_reading(grid: budget.Grid, table: budget.Table, read: _Reader, confidence: dict[tuple[int, int], float],
                  items: str, broken: frozenset[Violation], most: int) -> tuple[_Trial | None, list[_Trial], str]:
    """The reading to take, else the candidates and why none is taken ("" none found, "several",
    "unsupported")."""
    cfg = settings().repair
    tolerance = Decimal(str(cfg.tolerance))
    decimals = _usual_decimals(grid)
    before, gaps_before = checks(table, tolerance), gaps(table)
    body = [r for r in range(len(grid)) if budget.is_budget_row(grid[r][0].text, items)]
    money = _money_columns(grid, read.columns, items)
    wanted = {column if kind == "sum" else budget.AMOUNT for kind, column, _ in broken if kind in CHECKED}
    cells = sorted(((r, c) for r in body for c in range(1, len(grid[r])) if money.get(c) in wanted and (
        budget.parse_amount(grid[r][c].text) or _FRAGMENT.match(grid[r][c].text.strip()))),
                   key=lambda rc: (confidence.get(rc, 1.0), rc))
    singles: list[_Trial] = []
    good: list[_Trial] = []
    for r, c in cells:
        old = grid[r][c].text.strip()
        for new, kind in alternatives(old, decimals):
            change = Change(r, c, old, new, confidence.get((r, c), 1.0), kind)
            trial = _try(grid, (change,), read, before, gaps_before, tolerance)
            if trial is None:
                continue
            singles.append(trial)
            if trial.mended:
                good.append(trial)
    if not good and most >= 2:
        good = _pairs(grid, singles, read, before, gaps_before, tolerance)
    if not good:
        return None, [], ""
    good.sort(key=lambda t: t.key)
    best = good[0]
    rivals = [t for t in good[1:] if t.key[:2] == best.key[:2]]
    if rivals and rivals[0].key[2] - best.key[2] < cfg.confidence_margin:
        return None, [best, *rivals], "several"
    if not _supported(best):
        return None, [best], "unsupported"
    return best, [], ""


def _supported(trial: _Trial) -> bool:
    """Whether more than the one sum speaks for a reading: it mends (or lets one check and hold) a
    row's 财政补助 + 自筹, an item's sub-items or a subtotal too; or the cell shows the misreading
    (no decimal point where the table's amounts have one, leading digits cut off); or OCR itself
    doubted the paragraph (`repair.doubtful`)."""
    doubtful = settings().repair.doubtful
    return len(trial.mended | trial.confirmed) >= 2 or all(
        c.kind in ("point", "cut") or c.confidence < doubtful for c in trial.changes)


def _money_columns(grid: budget.Grid, columns: str, items: str) -> dict[int, str | None]:
    """Grid column → the money column `read_grid` reads in it (as it names them: by the header,
    else the first column of amounts is 合计)."""
    width = max((len(r) for r in grid), default=0)
    header = grid[0] if grid and not budget.is_budget_row(grid[0][0].text, items) else None
    named = {c: budget.column_of(header[c].text, columns) if header and c < len(header) else None
             for c in range(1, width)}
    if budget.AMOUNT not in named.values():
        free = next((c for c in range(1, width) if named[c] is None), None)
        if free is not None:
            named[free] = budget.AMOUNT
    return named


def _try(grid: budget.Grid, changes: tuple[Change, ...], read: _Reader, before: dict[Violation, bool],
         gaps_before: dict[tuple[str, int], Decimal], tolerance: Decimal) -> _Trial | None:
    table = read(_apply(grid, changes))
    if table is None:
        return None
    after = checks(table, tolerance)
    broken = frozenset(k for k, holds in before.items() if not holds)
    broken_after = frozenset(k for k, holds in after.items() if not holds)
    gap = gaps(table)
    effect = {key: gap[key] - gaps_before[key] for key in gaps_before if key in gap}
    acceptable = broken_after < broken and any(kind in CHECKED for kind, _, _ in broken - broken_after)
    if not acceptable:
        return _Trial(changes, table, frozenset(), frozenset(), effect)
    confirmed = frozenset(k for k, holds in after.items() if holds and k not in before)
    return _Trial(changes, table, broken - broken_after, confirmed, effect)


def _pairs(grid: budget.Grid, singles: list[_Trial], read: _Reader, before: dict[Violation, bool],
           gaps_before: dict[tuple[str, int], Decimal], tolerance: Decimal) -> list[_Trial]:
    """Two cells read otherwise whose effects on a broken sum add up to its difference."""
    cfg = settings().repair
    cent = Decimal("0.01")
    out: list[_Trial] = []
    tried = 0
    for kind, column, row in sorted(k for k, holds in before.items() if not holds):
        key = (column, row)
        if kind != "sum" or key not in gaps_before:
            continue
        by_effect: dict[Decimal, list[_Trial]] = {}
        for trial in singles:
            by_effect.setdefault(trial.effect.get(key, Decimal(0)).quantize(cent), []).append(trial)
        for first in singles:
            want = (-gaps_before[key] - first.effect.get(key, Decimal(0))).quantize(cent)
            for second in by_effect.get(want, []):
                a, b = first.changes[0], second.changes[0]
                if (a.row, a.column) >= (b.row, b.column):
                    continue
                if tried >= cfg.max_pairs:
                    return out
                tried += 1
                both = _try(grid, (a, b), read, before, gaps_before, tolerance)
                if both is not None and both.mended:
                    out.append(both)
    return out


def _usual_decimals(grid: budget.Grid) -> int:
    counts: dict[int, int] = {}
    for row in grid:
        for cell in row[1:]:
            if budget.parse_amount(cell.text) is not None and re.search(r"\d", cell.text):
                match = re.search(r"\.(\d+)", cell.text)
                size = len(match[1]) if match else 0
                counts[size] = counts.get(size, 0) + 1
    return max(counts, key=lambda k: (counts[k], k)) if counts else 0


def _column_name(grid: budget.Grid, column: int) -> str:
    head = grid[0][column].text if grid and not any(budget.parse_amount(c.text) for c in grid[0][1:]) else ""
    return re.sub(r"[(（].*$", "", head).strip() or "金额"


def _changed(grid: budget.Grid, change: Change) -> str:
    return (f"第{change.row + 1}行“{grid[change.row][0].text}”{_column_name(grid, change.column)}栏"
            f"按识别备选读作{change.new}（原识别为{change.old}），表内加总相符")


def _unresolved(grid: budget.Grid, named: list[_Trial], why: str) -> str:
    if not named:
        return "识别备选中没有能使表内加总相符的读法"
    shown = named[: settings().repair.max_named]
    readings = "，或".join("、".join(f"第{c.row + 1}行“{grid[c.row][0].text}”{_column_name(grid, c.column)}栏"
                                   f"读作{c.new}（原识别为{c.old}）" for c in t.changes) for t in shown)
    more = "等" if len(named) > len(shown) else ""
    if why == "several":
        return f"若{readings}{more}则表内加总相符，但不止一种读法，未更正"
    return f"若{readings}则表内加总相符，但没有其他栏、小计或明细佐证，该处识别置信度也不低，未更正"


def read_sheet(pieces: Sequence[Piece], *, file: str, items: str, columns: str,
               text_unit: str | None, segments: Sequence[scan_grid.Located] = ()) -> budget.Table | None:
    """The budget table of one picture or scanned page, or None when none is found on it: read from
    the lines and from where OCR's pieces stand (`segments`, screening/scan_grid.py), whichever
    leaves fewer sums broken (the positions on a tie)."""
    unit = next((u for p in pieces if (u := budget.unit_in(p.text))), None) or text_unit
    read = _Reader(file, items, columns, unit)
    by_lines = _by_lines(pieces, read)
    by_place = _by_place(segments, read)
    found = [t for t in (by_place, by_lines) if t is not None]
    tolerance = Decimal(str(settings().repair.tolerance))
    return max(found, key=lambda t: (t.total_row is not None, -len(violations(t, tolerance)), len(t.items)),
               default=None)


def _by_place(segments: Sequence[scan_grid.Located], read: _Reader) -> budget.Table | None:
    """The table rebuilt from where the pieces stand, its misreadings mended by its sums."""
    cfg = settings()
    built = scan_grid.grid(segments, read.items, level=cfg.rows.level, margin=cfg.rows.box_margin,
                           wide=cfg.glyphs.wide, narrow=cfg.glyphs.narrow)
    if built is None:
        return None
    grid, confidence = built
    table = read(grid)
    if table is None:
        return None
    grid, table, repaired = repair(grid, table, read, confidence, read.items)
    return replace(table, note="；".join(n for n in (table.note, *repaired) if n))


def _by_lines(pieces: Sequence[Piece], read: _Reader) -> budget.Table | None:
    """The table rebuilt from the paragraphs' lines (the module docstring)."""
    items, columns = read.items, read.columns
    header, rows, unplaced = build_rows(pieces, items, columns)
    if not rows:
        return None
    width = len(header.columns) if header else max((len(r.amounts) for r in rows), default=0)
    if width == 0:
        return None
    named = tuple(budget.column_of(c, columns) for c in header.columns) if header else (None,) * width
    layout = Layout(header, tuple(rows), width, named)
    tolerance = Decimal(str(settings().repair.tolerance))
    grid, placed = _place(layout, read, tolerance)
    table = read(grid)
    if table is None:
        return None
    notes = [n for n in (placed,) if n]
    if unplaced:
        notes.append(f"有{len(unplaced)}处金额无法对应到行，未读入")
    confidence = {(r, c): _confidence(pieces, grid[r][c].location) for r in range(len(grid)) for c in range(1, len(grid[r]))}
    grid, table, repaired = repair(grid, table, read, confidence, items)
    notes += repaired
    note = "；".join(n for n in (table.note, *notes) if n)
    return replace(table, note=note)


def _confidence(pieces: Sequence[Piece], where: Location) -> float:
    return next((p.confidence for p in pieces if p.location == where), 1.0)


def read(doc: Document, *, items: str, columns: str) -> budget.Table | None:
    """The budget table of a picture or scanned document rebuilt from its OCR boxes, or None (no
    OCR text, or no table with budget items in it). A table without 合计 whose next page or frame
    goes on is read with that page's lines stacked below its own."""
    text_unit = budget.document_unit(doc)
    found = []
    by_sheet = sheets(doc)
    placed = segments(doc)
    for sheet, pieces in by_sheet.items():
        table = read_sheet(pieces, file=doc.file, items=items, columns=columns, text_unit=text_unit,
                           segments=placed.get(sheet, ()))
        following = _next_page(sheet, by_sheet)
        if following is not None and (table is None or table.total_row is None):
            stacked = read_sheet(_stacked(pieces, following), file=doc.file, items=items, columns=columns,
                                 text_unit=text_unit)
            if stacked is not None and stacked.total_row is not None:
                table = stacked
        if table is not None:
            found.append(table)
    return budget.best(found)


def _next_page(sheet: Sheet, by_sheet: dict[Sheet, list[Piece]]) -> list[Piece] | None:
    kind, page, _ = sheet
    if page is None:
        return None
    return next((pieces for (k, p, _), pieces in by_sheet.items() if k is kind and p == page + 1), None)


def _stacked(first: Sequence[Piece], second: Sequence[Piece]) -> list[Piece]:
    """`second`'s lines moved below `first`'s (a page break is no row)."""
    below = max(p.bottom for p in first) + 2 * text_height(first) - min(p.top for p in second)
    return [*first, *(replace(p, top=p.top + below, bottom=p.bottom + below) for p in second)]
