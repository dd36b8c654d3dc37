"""Screen the blind budget benchmark and score the report's `budget` block against its gold.

    python benchmarks/budgets/make.py OUT
    python benchmarks/budgets/evaluate.py OUT [--show] [--jobs N] [--reuse]

Every project under OUT/projects is screened with `python -m screening project FOLDER --format json`
(the reports are kept in OUT/reports/<id>.json, so `../shared/tools/score.py reports --gold
OUT/gold.json --reports OUT/reports` also works on them). Printed:

* budget_correct — total, item names + amounts and sum_ok all right — as n/N and %, overall, per
  layout (a project counts under every layout tag it carries) and per file kind;
* budget.sum caught / missed / false (and the same for budget.total_mismatch and budget.split);
* with --show, what was wrong in each project that is not right.

Scoring rules (README.md): amounts within 0.005 万元; names compared after NFKC, without
whitespace, without leading numbering (1、 1. （一） 一、 (1) ①) and a trailing unit; subjects with
amount 0 (gold or report) are left out on both sides; the items may match `items` or any list of
`items_accept`; the item order does not matter.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOL = 0.005 + 1e-9
RULES = ("budget.sum", "budget.total_mismatch", "budget.split")
MAIN_LAYOUTS = ["bottom_total", "top_total", "levels", "subitems", "transposed", "side_by_side", "unit_header",
                "unit_note", "yuan_separators", "split_cols", "single_col"]
KIND_ORDER = ["docx", "pdf_ruled", "pdf_text", "xlsx", "xls", "scan_pdf", "photo_jpg"]

_NUMBERING = re.compile(
    r"^(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+(?:[.．]\d+)*[、.．]?|[①-⑳]|其中[:：]?)+"
)
_UNIT_TAIL = re.compile(r"[(（](?:万元|元)[)）]$")


# The same subject under the names the real forms give it (SOURCES.md): a reader may print either.
SYNONYMS = [
    {"其他支出", "其他费用", "其他"},
    {"测试化验加工费", "测试化验费"},
    {"燃料动力费", "燃料及动力费"},
]


def norm_name(name: str) -> str:
    """A key for a subject name: NFKC, no spaces, numbering, unit, final 费, separators or 与/及/和."""
    s = unicodedata.normalize("NFKC", name or "")
    s = re.sub(r"\s+", "", s)
    s = _NUMBERING.sub("", s)
    s = _UNIT_TAIL.sub("", s)
    s = s.strip(":：,，;；、.")
    for group in SYNONYMS:
        if s in group:
            s = sorted(group)[0]
            break
    s = re.sub(r"费(?=[/、]|$)", "", s)
    return re.sub(r"[/、与及和]", "", s)


def screen(folder: Path, reports: Path, reuse: bool, repo: Path) -> tuple[str, dict[str, Any] | None, str]:
    pid = folder.name
    target = reports / f"{pid}.json"
    if reuse and target.exists():
        return pid, json.loads(target.read_text(encoding="utf-8")), ""
    cmd = [sys.executable, "-m", "screening", "project", str(folder.resolve()), "--format", "json"]
    env = dict(os.environ, PYTHONPATH=str(repo))  # the screener of `repo`, whatever the venv has installed
    try:
        proc = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False)
    except subprocess.TimeoutExpired:
        return pid, None, "timeout (900 s)"
    if proc.returncode == 2 or not proc.stdout.strip():
        return pid, None, f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        return pid, None, f"stdout is not JSON ({exc})"
    target.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return pid, report, ""


def _nonzero(items: list[dict[str, Any]] | None) -> list[tuple[str, float]]:
    out = []
    for it in items or []:
        amount = it.get("amount")
        if not isinstance(amount, int | float) or abs(amount) <= 1e-9:
            continue
        out.append((norm_name(str(it.get("name", ""))), float(amount)))
    return out


def items_match(gold: list[dict[str, Any]], got: list[dict[str, Any]] | None) -> tuple[bool, list[str]]:
    """Same non-zero subjects (by normalised name) with the same amounts; the differences if not."""
    want = _nonzero(gold)
    have = _nonzero(got)
    problems: list[str] = []
    left = list(have)
    for name, amount in want:
        hit = next((h for h in left if h[0] == name), None)
        if hit is None:
            problems.append(f"missing {name} {amount:g}")
            continue
        left.remove(hit)
        if abs(hit[1] - amount) > TOL:
            problems.append(f"{name}: {hit[1]:g} ≠ {amount:g}")
    problems += [f"extra {n} {a:g}" for n, a in left]
    return not problems, problems


def amounts_match(gold: list[dict[str, Any]], got: list[dict[str, Any]] | None) -> bool:
    """The same multiset of non-zero amounts, whatever the names (separates reading numbers from names)."""
    want = sorted(a for _, a in _nonzero(gold))
    have = sorted(a for _, a in _nonzero(got))
    return len(want) == len(have) and all(abs(a - b) <= TOL for a, b in zip(want, have, strict=True))


def score(gold: dict[str, Any], report: dict[str, Any] | None) -> dict[str, Any]:
    g = gold["budget"]
    block = (report or {}).get("budget") or None
    got_total = block.get("total") if block else None
    got_items = block.get("items") if block else None
    total_ok = isinstance(got_total, int | float) and abs(float(got_total) - g["total"]) <= TOL
    ok, problems = items_match(g["items"], got_items)
    for alt in gold.get("items_accept") or []:
        alt_ok, _ = items_match(alt, got_items)
        if alt_ok:
            ok, problems = True, []
            break
    amounts_ok = amounts_match(g["items"], got_items) or any(
        amounts_match(alt, got_items) for alt in gold.get("items_accept") or [])
    sum_ok_ok = block is not None and block.get("sum_ok") is g["sum_ok"]
    fired = {f.get("rule") for f in (report or {}).get("findings", [])}
    rules = {}
    for rule in RULES:
        expect = bool(gold["expect"].get(rule))
        rules[rule] = ("caught" if rule in fired else "missed") if expect else ("false" if rule in fired else "clean")
    return {
        "correct": bool(total_ok and ok and sum_ok_ok),
        "total_ok": total_ok, "items_ok": ok, "amounts_ok": amounts_ok, "sum_ok_ok": sum_ok_ok,
        "problems": problems, "got_total": got_total, "got_sum_ok": block.get("sum_ok") if block else None,
        "has_block": block is not None, "rules": rules,
        "other_budget_rules": sorted(r for r in fired if r and r.startswith(("budget.", "document."))),
    }


def describe(repo: Path) -> str:
    try:
        head = subprocess.run(["git", "-C", str(repo), "describe", "--always", "--dirty"], capture_output=True,
                              text=True, check=False, timeout=30).stdout.strip()
    except OSError:
        head = ""
    return f" ({head})" if head else ""


def pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.1f}%)" if d else "0/0"


def table(title: str, groups: dict[str, list[dict[str, Any]]], order: list[str]) -> None:
    print(f"\n{title:<22} {'n':>3}  {'budget_correct':<16} {'total':>6} {'items':>6} {'amounts':>7} {'sum_ok':>6}"
          f" {'sum caught':>10} {'sum false':>9}")
    for key in order:
        rows = groups.get(key)
        if not rows:
            continue
        n = len(rows)
        c = sum(r["correct"] for r in rows)
        caught = sum(r["rules"]["budget.sum"] == "caught" for r in rows)
        expected = sum(r["rules"]["budget.sum"] in ("caught", "missed") for r in rows)
        false = sum(r["rules"]["budget.sum"] == "false" for r in rows)
        print(f"{key:<22} {n:>3}  {pct(c, n):<16} {sum(r['total_ok'] for r in rows):>6} "
              f"{sum(r['items_ok'] for r in rows):>6} {sum(r['amounts_ok'] for r in rows):>7} "
              f"{sum(r['sum_ok_ok'] for r in rows):>6} {f'{caught}/{expected}':>10} {false:>9}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="the folder make.py wrote (projects/ and gold.json)")
    ap.add_argument("--show", action="store_true", help="list every project that is not right, and why")
    ap.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2)), help="projects screened at once")
    ap.add_argument("--reuse", action="store_true", help="score the reports already in OUT/reports")
    ap.add_argument("--repo", type=Path, default=ROOT,
                    help="the checkout whose screener runs (default: this one); e.g. a `git archive` of a commit")
    args = ap.parse_args()
    repo = args.repo.resolve()
    gold = json.loads((args.out / "gold.json").read_text(encoding="utf-8"))["projects"]
    reports_dir = args.out / "reports"
    reports_dir.mkdir(exist_ok=True)
    folders = [args.out / "projects" / pid for pid in gold]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda f: screen(f, reports_dir, args.reuse, repo), folders))
    scored: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for pid, report, err in results:
        if err:
            errors[pid] = err
        scored[pid] = score(gold[pid], report) | {"pid": pid}

    all_rows = list(scored.values())
    n = len(all_rows)
    correct = sum(r["correct"] for r in all_rows)
    print(f"Blind budget benchmark: {n} projects in {args.out / 'projects'}, each screened with "
          f"`python -m screening project DIR --format json` from {repo}{describe(repo)}")
    print(f"budget_correct {pct(correct, n)}   [total right {sum(r['total_ok'] for r in all_rows)}, "
          f"items right {sum(r['items_ok'] for r in all_rows)}, amounts right whatever the names "
          f"{sum(r['amounts_ok'] for r in all_rows)}, sum_ok right {sum(r['sum_ok_ok'] for r in all_rows)}, "
          f"no budget block {sum(not r['has_block'] for r in all_rows)}]")
    in_contract = [r for r in all_rows if gold[r["pid"]]["kind"] not in ("xlsx", "xls")]
    print(f"  on the file kinds of contract §1 alone (without xlsx/xls): "
          f"{pct(sum(r['correct'] for r in in_contract), len(in_contract))}")
    if errors:
        print(f"screening failed on {len(errors)}: " + "; ".join(f"{p}: {e}" for p, e in sorted(errors.items())))

    by_layout: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pid, r in scored.items():
        for tag in gold[pid]["layouts"]:
            by_layout[tag].append(r)
        by_kind[gold[pid]["kind"]].append(r)
    extra = sorted(t for t in by_layout if t not in MAIN_LAYOUTS)
    table("per layout", by_layout, MAIN_LAYOUTS)
    table("other layout features", by_layout, extra)
    table("per file kind", by_kind, KIND_ORDER)

    print(f"\n{'rule':<22} {'caught':>8} {'missed':>7} {'false':>6}   (false = fired on a project where it should not)")
    line = []
    for rule in RULES:
        counts = Counter(r["rules"][rule] for r in all_rows)
        expected = counts["caught"] + counts["missed"]
        ratio = f"{counts['caught']}/{expected}"
        print(f"{rule:<22} {ratio:>8} {counts['missed']:>7} {counts['false']:>6}"
              f"   (of {n - expected} clean)")
        line.append(f"{rule} caught {counts['caught']}/{expected} missed {counts['missed']} false {counts['false']}")
    unreadable = sum("budget.unreadable" in r["other_budget_rules"] for r in all_rows)
    unsupported = Counter(gold[r["pid"]]["kind"] for r in all_rows if "document.unsupported" in r["other_budget_rules"])
    print(f"budget.unreadable fired on {unreadable}; document.unsupported on "
          + (", ".join(f"{k} {v}" for k, v in sorted(unsupported.items())) or "none"))

    if args.show:
        print("\nMisses:")
        for pid, r in scored.items():
            g = gold[pid]
            wrong_rules = {k: v for k, v in r["rules"].items() if v in ("missed", "false")}
            if r["correct"] and not wrong_rules:
                continue
            print(f"- {pid} [{g['kind']}, {g['template']}] {g['description']}")
            if not r["has_block"]:
                print(f"    no budget block; findings: {', '.join(r['other_budget_rules']) or '-'}")
            else:
                if not r["total_ok"]:
                    print(f"    total {r['got_total']} ≠ {g['budget']['total']:g}")
                if not r["sum_ok_ok"]:
                    print(f"    sum_ok {r['got_sum_ok']} ≠ {g['budget']['sum_ok']}")
                if r["problems"]:
                    print("    items: " + "; ".join(r["problems"]))
            if wrong_rules:
                print("    rules: " + ", ".join(f"{k} {v}" for k, v in wrong_rules.items()))
            if pid in errors:
                print(f"    screening: {errors[pid]}")
    print(f"\nTOTAL budget_correct {pct(correct, n)} | " + " | ".join(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
