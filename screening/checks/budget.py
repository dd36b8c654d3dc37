"""`budget.*`: the budget table of the budget attachment(s), read by `screening.budget`, checked.

* `budget.unreadable` — a budget attachment from which no table could be read (prose only, a
  picture nobody read, a layout the reader does not know). A file the parser could not open at all
  (encrypted, corrupt, no text layer) already has its `document.*` finding and gets no second one.
* `budget.total_missing` — items were read but no 合计 row: the sum cannot be checked.
* `budget.sum` — a level of the table does not add up (`budget.Table.levels`): the items under a
  subtotal (一、直接费用, 小计) against it, the subtotals and the other items (直接费用 + 间接费用)
  or, without subtotals, the items against the printed 合计 — the message names the level; or an
  item's sub-items add up to more than the item. On a table read by OCR (a picture or a scan,
  screening/budget_scan.py) at most the call's `budget.ocr_sum_severity`: never a fail on OCR alone.
* `budget.split` — 财政补助 + 自筹 differs from 合计 on a row where all three are printed, the
  items' 财政补助 (自筹) do not add up to the 合计 row's (level by level, as budget.sum; not when
  the level's 合计 column is broken too, which budget.sum reports, nor when a row's split explains
  it), or the 经费来源 rows (财政补助, 自筹, 其他来源) do not add up to their total or to the 合计.
* `budget.total_mismatch` — the printed 合计 (or 财政补助) differs from application.json's
  budget.total (budget.subsidy). A missing budget.total is `eligibility.missing_value`.
* `budget.unit` — the table states no unit: its amounts are as printed and are not compared with
  application.json (which is in 万元).
* `budget.rd_threshold` — the table states the project's R&D budget (研发投入) and it is below the
  category's minimum (四、2).

Tolerances are the call's `budget` section, in 万元. PDFs are read from their ruled tables with
pdfplumber by the parser (`Document.tables`), else from the tables it rebuilt from where the
characters stand, else from their text lines (the report's block says which: `method`). The
report names each item as the table prints it (`Row.printed`). The checks only read the Documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from screening import budget, budget_scan
from screening.checks.context import Context
from screening.model import Document, Finding, Location, PartKind, Role
from screening.rules import NOT_READ

MEMO = "budget"
COLUMN_NAMES = {budget.AMOUNT: "合计", budget.SUBSIDY: "财政补助", budget.SELF_RAISED: "自筹", budget.OTHER: "其他来源"}
_BLOCKING = NOT_READ | {"document.scanned"}  # a scan's text, OCR'd or not, is no table to total


@dataclass(frozen=True, slots=True)
class Reading:
    """One budget attachment and what could be read from it."""

    doc: Document
    table: budget.Table | None


def _opened(doc: Document) -> bool:
    """Whether the parser got into the file (else its document.* finding says why it is unread)."""
    text = any(p.kind not in (PartKind.METADATA, PartKind.FILENAME) and p.text.strip() for p in doc.parts)
    return text or not any(p.rule in _BLOCKING for p in doc.problems)


def readings(ctx: Context) -> list[Reading]:
    """Every budget attachment the parser opened, with its table (computed once per project)."""

    def compute() -> list[Reading]:
        lexicons = {"items": ctx.call.budget.items, "columns": ctx.call.budget.columns}
        return [Reading(doc, budget.read(doc, **lexicons))
                for doc in ctx.documents if doc.role is Role.BUDGET and _opened(doc)]

    return ctx.once(MEMO, compute)


def _amount(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _wan(value: Decimal, table: budget.Table) -> str:
    return f"{_amount(value)}万元" if table.unit else _amount(value)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 4)


def block(ctx: Context) -> dict[str, Any] | None:
    """The report's `budget` block (contract §3) from the first budget table read, else None.
    `sum_ok` is true when every level adds up (the items of 直接费用 to it, 直接费用 + 间接费用 to
    合计; without subtotals the items to 合计), as budget.sum checks them; `subsidy` / `self_raised`
    come from the 合计 row's columns, or from the 经费来源 rows of a table without those columns."""
    tolerance = Decimal(str(ctx.call.budget.sum_tolerance))
    for reading in readings(ctx):
        table = reading.table
        if table is None:
            continue
        total, summed = table.total(), table.item_sum()
        out: dict[str, Any] = {
            "total": _float(total),
            "items": [{"name": r.printed, "amount": _float(r.amounts[budget.AMOUNT])}
                      for r in table.items if budget.AMOUNT in r.amounts],
            # every level from the items up to 合计 (direct items → 直接费用, 直接 + 间接 → 合计)
            "sum_ok": None if total is None or summed is None else not _disagreeing(table, budget.AMOUNT, tolerance),
            "unit": table.unit,
            "file": reading.doc.file,
            "method": table.method,
        }
        for column, key in ((budget.SUBSIDY, "subsidy"), (budget.SELF_RAISED, "self_raised")):
            if (value := table.total(column)) is not None:
                out[key] = _float(value)
        if table.rd is not None:
            out["rd"] = _float(table.rd)
        if table.note:
            out["note"] = table.note
        return out
    return None


def check(ctx: Context) -> Iterator[Finding]:
    for reading in readings(ctx):
        if reading.table is None:
            yield _finding(ctx, "budget.unreadable", reading.doc, Location(PartKind.BODY),
                           f"{reading.doc.file}：未能读出经费预算表（未找到预算科目与金额），请人工核对经费预算")
        else:
            yield from _check_table(ctx, reading.doc, reading.table)


def _finding(ctx: Context, rule: str, doc: Document, where: Location, message: str) -> Finding:
    return Finding(rule=rule, severity=ctx.call.severity(rule), message=message, file=doc.file, location=where)


def _check_table(ctx: Context, doc: Document, table: budget.Table) -> Iterator[Finding]:
    total_row = table.total_row
    if table.unit is None:
        yield _finding(ctx, "budget.unit", doc, table.location,
                       f"{doc.file}：经费预算表未注明金额单位（万元或元），金额未与申报书及限额核对")
    if total_row is None:
        yield _finding(ctx, "budget.total_missing", doc, table.location,
                       f"{doc.file}：经费预算表读出{len(table.items)}个科目，但未找到合计行，无法核对合计")
    else:
        yield from _sums(ctx, doc, table)
        yield from _against_application(ctx, doc, table, total_row)
    yield from _subitems(ctx, doc, table)
    yield from _split(ctx, doc, table)
    yield from _rd(ctx, doc, table)


def _disagreeing(table: budget.Table, column: str, tolerance: Decimal) -> list[tuple[budget.Level, Decimal, Decimal]]:
    """The levels of `column` whose parts do not add up to their printed sum: (level, printed, summed)."""
    out = []
    for level in table.levels(column):
        printed, summed = level.row.amounts.get(column), level.summed(column)
        if printed is not None and summed is not None and abs(summed - printed) > tolerance:
            out.append((level, printed, summed))
    return out


def _parts(level: budget.Level) -> str:
    """What a level adds up, for the message: 各科目, or the subtotals and items by name."""
    if level.of_items:
        return "各科目"
    return "与".join(f"“{budget.clean_label(r.label)[0] if r.kind is budget.Kind.SUBTOTAL else r.printed}”"
                    for r in level.parts)


def _scanned(ctx: Context, doc: Document, table: budget.Table, finding: Finding) -> Finding:
    """budget.sum on a table read by OCR (screening/budget_scan.py): at most the call's
    budget.ocr_sum_severity — a misread digit is no error of the applicant's — and the message says
    that the amounts are OCR readings (with the reader's note on what it tried)."""
    if finding.rule != "budget.sum" or not budget_scan.by_ocr(doc, table):
        return finding
    severity = min(finding.severity, ctx.call.budget.ocr_sum_severity, key=lambda s: s.rank)
    return replace(finding, severity=severity, message=finding.message + budget_scan.caution(table))


def _sums(ctx: Context, doc: Document, table: budget.Table) -> Iterator[Finding]:
    """Each level against its printed sum (subtotals, then 合计): budget.sum; the 财政补助 / 自筹
    columns level by level: budget.split — unless the level's 合计 column is broken too (budget.sum
    says it: one subject mistyped across the row) or a row's 财政补助 + 自筹 ≠ 合计 explains it
    (`_split` names the row)."""
    broken: set[int] = set()
    for column in table.columns:
        rule = "budget.sum" if column == budget.AMOUNT else "budget.split"
        tolerance = Decimal(str(ctx.call.budget.sum_tolerance if column == budget.AMOUNT
                                else ctx.call.budget.split_tolerance))
        if column != budget.AMOUNT and _split_rows(table, tolerance):
            continue
        where = "" if column == budget.AMOUNT else f"“{COLUMN_NAMES[column]}”栏"
        for level, printed, summed in _disagreeing(table, column, tolerance):
            if column == budget.AMOUNT:
                broken.add(id(level.row))
            elif id(level.row) in broken:
                continue
            gap = f"（相差{_wan(abs(summed - printed), table)}）"
            if level.row.kind is budget.Kind.TOTAL:
                unread = f"（未计入无法识别的行：{'、'.join(table.unknown)}）" if table.unknown else ""
                message = (f"经费预算表{where}{_parts(level)}之和为{_wan(summed, table)}，"
                           f"与合计行的{_wan(printed, table)}不符{gap}{unread}")
            else:
                message = (f"经费预算表{where}“{level.row.label.strip()}”所含{_parts(level)}之和为"
                           f"{_wan(summed, table)}，与该行的{_wan(printed, table)}不符{gap}")
            yield _scanned(ctx, doc, table, _finding(ctx, rule, doc, level.row.location, f"{doc.file}：{message}"))


def _subitems(ctx: Context, doc: Document, table: budget.Table) -> Iterator[Finding]:
    tolerance = Decimal(str(ctx.call.budget.sum_tolerance))
    groups: list[tuple[budget.Row, list[budget.Row]]] = []
    for row in table.rows:
        if row.kind is budget.Kind.ITEM:
            groups.append((row, []))
        elif row.kind is budget.Kind.SUB and groups:
            groups[-1][1].append(row)
    for item, subs in groups:
        amount = item.amounts.get(budget.AMOUNT)
        values = [r.amounts[budget.AMOUNT] for r in subs if budget.AMOUNT in r.amounts]
        if amount is None or not values or budget.AMOUNT in item.derived:
            continue
        summed = sum(values, Decimal(0))
        if summed - amount > tolerance:
            yield _scanned(ctx, doc, table, _finding(
                ctx, "budget.sum", doc, item.location,
                f"{doc.file}：经费预算表中“{item.label.strip()}”的明细之和{_wan(summed, table)}"
                f"超过该科目金额{_wan(amount, table)}"))


def _split_rows(table: budget.Table, tolerance: Decimal) -> list[budget.Row]:
    """The rows whose 财政补助 + 自筹 differs from their 合计 (all three printed)."""
    wrong = []
    for row in table.rows:
        if (gap := budget.split_gap(row.amounts)) is not None and abs(gap) > tolerance:
            wrong.append(row)
    return wrong


def _split(ctx: Context, doc: Document, table: budget.Table) -> Iterator[Finding]:
    tolerance = Decimal(str(ctx.call.budget.split_tolerance))
    if wrong := _split_rows(table, tolerance):
        parts = [c for c in (budget.SUBSIDY, budget.SELF_RAISED, budget.OTHER) if c in table.columns]
        listed = "；".join(
            f"{r.label.strip()}：{'+'.join(_amount(r.amounts.get(c, Decimal(0))) for c in parts)}"
            f"≠{_amount(r.amounts[budget.AMOUNT])}" for r in wrong)
        named = "与".join(COLUMN_NAMES[c] for c in parts)
        yield _finding(ctx, "budget.split", doc, wrong[0].location,
                       f"{doc.file}：经费预算表中{named}之和不等于合计（{listed}）")
    yield from _sources(ctx, doc, table, tolerance)


def _sources(ctx: Context, doc: Document, table: budget.Table, tolerance: Decimal) -> Iterator[Finding]:
    """The 经费来源 rows (财政补助, 自筹, 其他来源) against their total (经费来源合计) and the 合计."""
    subsidy, self_raised, other = (table.source(c) for c in (budget.SUBSIDY, budget.SELF_RAISED, budget.OTHER_SOURCE))
    if subsidy is None or self_raised is None:
        return  # "其中：财政补助" alone under 合计 is no split to add up
    if other is not None and budget.clean_label(other.label)[1]:
        other = None  # "其中：银行贷款" under 自筹 is part of it
    found = [r for r in (subsidy, self_raised, other) if r is not None]
    summed = sum((r.amounts[budget.AMOUNT] for r in found), Decimal(0))
    listed = "、".join(f"{r.label.strip()}{_wan(r.amounts[budget.AMOUNT], table)}" for r in found)
    targets = [(table.source(budget.AMOUNT), "经费来源合计"), (table.total_row, "合计行")]
    for row, name in targets:
        printed = row.amounts.get(budget.AMOUNT) if row is not None else None
        if row is None or printed is None or abs(summed - printed) <= tolerance:
            continue
        yield _finding(ctx, "budget.split", doc, row.location,
                       f"{doc.file}：经费预算表经费来源（{listed}）之和为{_wan(summed, table)}，"
                       f"与{name}的{_wan(printed, table)}不符")


def _against_application(ctx: Context, doc: Document, table: budget.Table, total_row: budget.Row) -> Iterator[Finding]:
    given = ctx.application.budget if ctx.application else None
    if given is None or given.total is None:
        return  # nothing to compare with; eligibility reports the missing budget.total
    if table.unit is None:
        return  # budget.unit says why
    tolerance = Decimal(str(ctx.call.budget.total_tolerance))
    pairs = ((budget.AMOUNT, given.total, "budget.total", "总经费"), (budget.SUBSIDY, given.subsidy, "budget.subsidy", "财政补助"))
    for column, typed, key, what in pairs:
        printed = table.total(column)
        if printed is None or typed is None:
            continue
        if abs(printed - Decimal(str(typed))) > tolerance:
            yield _finding(ctx, "budget.total_mismatch", doc, total_row.location,
                           f"{doc.file}：经费预算表{COLUMN_NAMES[column]}为{_wan(printed, table)}，"
                           f"与申报书填报的{what}（{key}）{_amount(Decimal(str(typed)))}万元不符")


def _rd(ctx: Context, doc: Document, table: budget.Table) -> Iterator[Finding]:
    rd = table.rd
    app = ctx.application
    cid = ctx.call.category_id(app.category) if app else None
    minimum = ctx.call.categories[cid].rd_budget_min if cid else None
    if rd is None or minimum is None or table.unit is None:
        return
    if rd < Decimal(str(minimum)):
        row = next(r for r in table.of(budget.Kind.RD) if budget.AMOUNT in r.amounts)
        names = ctx.call.categories[cid].names if cid else ()
        yield _finding(ctx, "budget.rd_threshold", doc, row.location,
                       f"{doc.file}：经费预算表中研发投入为{_wan(rd, table)}，低于{names[0] if names else cid}"
                       f"要求的{_amount(Decimal(str(minimum)))}万元（含）")
