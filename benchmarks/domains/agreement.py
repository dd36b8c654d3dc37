"""How often two people agree on a title's domain, and how the ranking compares (issue 18).

    python benchmarks/domains/agreement.py

The frozen and dev sets were labelled by one helper while collecting them; agreement/ holds a
second labelling of the same titles by another helper that saw only the titles and the guide
(附件1 of the 2020 notice; the brief is agreement/BRIEF.md: label, up to two `also` codes, `sure`),
never the first labels, the lexicon or the code. For each set it prints
  * the second person's label against the first's: the same code; acceptable (the first's label
    or one of its `also` codes) — the measure the ranking's top-1 is held to; and the ranking's
    top-1 and top-3 against each person's labels and against either;
so "top-1 ≥ 90 %" can be read against what two careful readers of the guide reach.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))

from evaluate import SETS, load, pct  # noqa: E402


def accepted(row: dict[str, Any]) -> set[str]:
    return {row["label"], *row.get("also", [])} - {"none"}


def main() -> int:
    from screening.classify import classify_text

    for name in ("frozen", "dev"):
        first = load(SETS[name])
        second = {r["id"]: r for r in load(HERE / "agreement" / f"{name}-second.jsonl")}
        same = ok = total = 0
        hits = {"first": [0, 0], "second": [0, 0], "either": [0, 0]}
        for row in first:
            other = second[row["id"]]
            same += other["label"] == row["label"]
            if row["label"] == "none":
                continue
            total += 1
            ok += other["label"] in accepted(row)
            got = [d.code for d in classify_text(row["title"]).domains]
            sets = {"first": accepted(row), "second": accepted(other)}
            sets["either"] = sets["first"] | sets["second"]
            for key, good in sets.items():
                hits[key][0] += bool(got) and got[0] in good
                hits[key][1] += bool(good & set(got[:3]))
        print(f"{name} ({len(first)} titles): the two people give the same label to {pct(same, len(first))}; "
              f"of the {total} titles the first gave a domain, the second's label is acceptable to the first for "
              f"{pct(ok, total)}")
        for key, (h1, h3) in hits.items():
            print(f"  ranking against {key:6}: top-1 {pct(h1, total)}, top-3 {pct(h3, total)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
