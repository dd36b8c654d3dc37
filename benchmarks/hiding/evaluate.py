"""Score a screening run on the blind hiding-places set, place by place (issue 15).

    python benchmarks/hiding/evaluate.py OUT/gold.json REPORTS_DIR [--show]

For each planted leak (one name per hiding place): found — a fail-level identity finding of the
same file whose matched text overlaps the planted name (normalised as ../shared/tools/score.py
does); part — the finding's location part equals the gold's; origin — for the places a reader
cannot see, the finding's location origin equals the gold's `expected_origin`. Also false alarms
(fail-level identity findings overlapping no planted name, in every project, the clean ones
included). Prints found N/M, the part and origin agreement, a line per place with `--show`, and a
last TOTAL line. Written by the screening team; the set itself (make.py, verify.py) was written
blind.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\W_]+", "", text)


def overlaps(a: str, b: str) -> bool:
    a, b = norm(a), norm(b)
    return bool(a) and bool(b) and (a in b or b in a)


def fails(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report.get("findings", []) if f.get("rule", "").startswith("identity.")
            and f.get("severity") == "fail"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold", type=Path)
    ap.add_argument("reports", type=Path)
    ap.add_argument("--show", action="store_true", help="a line per place")
    args = ap.parse_args()
    gold = json.loads(args.gold.read_text(encoding="utf-8"))["projects"]
    found = parts = origins = unseen = total = false = 0
    lines = []
    for pid, project in sorted(gold.items()):
        path = args.reports / f"{pid}.json"
        report = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        findings = fails(report)
        used: set[int] = set()
        for leak in project.get("leaks", []):
            if leak.get("optional"):
                continue
            total += 1
            hits = [f for f in findings if f.get("file") == leak["file"] and overlaps(f.get("matched") or "", leak["surface"])]
            used.update(id(f) for f in hits)
            location = (hits[0].get("location") or {}) if hits else {}
            got_part, got_origin = location.get("part"), location.get("origin", "")
            want_origin = leak.get("expected_origin", "")
            part_ok = bool(hits) and got_part == leak["part"]
            origin_ok = bool(hits) and (got_origin == want_origin if want_origin else True)
            found += bool(hits)
            parts += part_ok
            if want_origin:
                unseen += 1
                origins += origin_ok and got_origin == want_origin
            lines.append(f"{'FOUND' if hits else 'MISSED':6} {pid} {leak.get('place', '?'):28} {leak['file']}: "
                         f"part {got_part or '-'} (gold {leak['part']}){'' if part_ok or not hits else ' ≠'}"
                         f"{f', origin {got_origin or chr(34) * 2} (gold {want_origin})' if want_origin else ''}"
                         f"{'' if not hits else '  ' + (hits[0].get('message') or '')[:90]}")
        for f in findings:
            if id(f) not in used:
                false += 1
                lines.append(f"FALSE  {pid} {f.get('file')}: {f.get('matched')}  {(f.get('message') or '')[:90]}")
    print(f"found {found}/{total}; right part {parts}/{found}; unseen places with the right origin {origins}/{unseen}; "
          f"false alarms {false}")
    if args.show:
        print("\n".join(lines))
    print(f"TOTAL found {found}/{total} part {parts} origin {origins}/{unseen} false {false}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
