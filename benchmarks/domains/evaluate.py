"""Guide domains on real titles nobody on the team wrote (issue 18).

    python benchmarks/domains/evaluate.py [--set frozen|dev|dev2|PATH] [--misses] [--learn-half]

* `frozen/titles.jsonl` — 342 real titles collected and labelled blind (by a helper that never read
  the lexicon or the classifier; sources in frozen/SOURCES.md). Never tuned on: only its figures
  are printed, never its misses.
* `dev/titles.jsonl` — 330 real titles collected the same way from other regions and lists; the set
  to look at and tune on (`--misses` lists the titles not ranked first).
* `dev2/titles.jsonl` — 463 more real titles (a third of them `none`), collected as training
  titles that did not help (dev2/SOURCES.md): a second, larger set to tune on.

Prints top-1 and top-3 (a code in `also` counts as right) over the titles with a domain, and
none-fits precision / recall over the titles labelled `none`. `--learn-half` splits the set in two
halves (by a hash of the id: the same split on every machine), learns the first half's corrections
into a temporary overlay (`screening.learn`) and scores the second half before and after.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.classify_eval import load_rows as load  # noqa: E402
from benchmarks.classify_eval import pct, tally  # noqa: E402

if TYPE_CHECKING:
    from screening.classify import Ranking

SETS = {"frozen": HERE / "frozen" / "titles.jsonl", "dev": HERE / "dev" / "titles.jsonl",
        "dev2": HERE / "dev2" / "titles.jsonl"}


def score(rows: list[dict[str, Any]], overlay: Path | None = None,
          ranker: Callable[[str], Ranking] | None = None) -> dict[str, Any]:
    """Top-1/top-3 (a code in `also` counts), none-fits counts and the misses of `ranker` (default:
    `classify_text` with `overlay`)."""
    from screening.classify import classify_text

    t = tally(rows, ranker or (lambda title: classify_text(title, **({"overlay": overlay} if overlay else {}))))
    misses = []
    for row, ranking in t.misses:
        got = [d.code for d in ranking.domains]
        if row["label"] == "none":
            misses.append(f"  none  {row['id']} {row['title']}  → {got}")
            continue
        terms = "; ".join(f"{d.code}:{'、'.join(d.terms)}" for d in ranking.domains)
        misses.append(f"  {row['label']:<5} {row['id']} {row['title']}  → {got}"
                      f"{' (none fits)' if ranking.none_fits else ''}  [{terms}]")
    return {"top1": t.top1, "top3": t.top3, "total": t.total, "none_tp": t.none_tp, "none_fp": t.none_fp,
            "none_fn": t.none_fn, "misses": misses}


def summary(name: str, r: dict[str, Any]) -> str:
    return (f"{name}: top-1 {pct(r['top1'], r['total'])}, top-3 {pct(r['top3'], r['total'])}; none fits "
            f"precision {pct(r['none_tp'], r['none_tp'] + r['none_fp'])}, "
            f"recall {pct(r['none_tp'], r['none_tp'] + r['none_fn'])}")


def half(row: dict[str, Any]) -> int:
    return hashlib.sha256(str(row["id"]).encode()).digest()[0] % 2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="frozen", help="frozen, dev, dev2, or a titles.jsonl path")
    ap.add_argument("--misses", action="store_true", help="list the titles not ranked first (never for frozen)")
    ap.add_argument("--learn-half", action="store_true", help="learn from one half, test on the other")
    args = ap.parse_args()
    path = SETS.get(args.set, Path(args.set))
    rows = load(path)
    result = score(rows)
    print(summary(f"{path.parent.name}/{path.name} ({len(rows)} titles)", result))
    if args.misses:
        if args.set == "frozen" or path == SETS["frozen"]:
            print("the frozen set's misses are not shown: it is never tuned on")
        else:
            print("\n".join(result["misses"]))
    if args.learn_half:
        from screening.learn import learn

        taught = [r for r in rows if half(r) == 0 and r["label"] != "none"]
        tested = [r for r in rows if half(r) == 1]
        with tempfile.TemporaryDirectory() as tmp:
            overlay = Path(tmp) / "overlay.yaml"
            outcome = learn([(r["title"], r["label"]) for r in taught], overlay=overlay)
            print(f"\nlearned {outcome.terms} terms from {len(taught)} corrections of the first half")
            print(summary(f"second half ({len(tested)} titles), before", score(tested)))
            print(summary(f"second half ({len(tested)} titles), after ", score(tested, overlay)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
