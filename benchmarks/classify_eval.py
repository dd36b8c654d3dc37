"""Guide-domain ranking: accuracy on the evaluation titles, and speed.

    python benchmarks/classify_eval.py [--titles samples/titles.jsonl] [--unseen samples/titles-unseen.jsonl]
                                       [--lines 5000]

Prints, for the titles alone (no report body):
  * the lexicon's load time (read, validate, compile, jieba dictionary) in this fresh process;
  * top-1 and top-3 accuracy overall and per domain (a prediction in `also` counts as right);
  * none-fits precision and recall (the positive class is "label none");
  * the same summary for the unseen set: titles written after the lexicon was last tuned and never
    used to change it (samples/titles.jsonl was used while writing the lexicon, so its figures are
    optimistic; the unseen set's are the honest estimate);
  * the throughput of `screening classify --jsonl` in titles per second (in process, the lexicon
    already loaded, output to a file), over the titles repeated to --lines lines, beside jieba's own
    dictionary segmentation of the same lines (a baseline in the same run: the ratio holds on any
    machine);
  * the figures of ../shared/tools/score.py `domains` on the --jsonl predictions, when it exists.
Targets: top-1 ≥ 85 %, top-3 ≥ 95 %.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCORE_PY = ROOT.parent / "shared" / "tools" / "score.py"

if TYPE_CHECKING:
    from screening.classify import Ranking


def pct(hit: int, total: int) -> str:
    return f"{hit}/{total} = {100 * hit / total:.1f}%" if total else "n/a"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--titles", type=Path, default=ROOT / "samples" / "titles.jsonl")
    ap.add_argument("--unseen", type=Path, default=ROOT / "samples" / "titles-unseen.jsonl")
    ap.add_argument("--lines", type=int, default=5000, help="lines streamed through --jsonl for the speed figure")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from screening.classify import load_guide

    guide = load_guide()
    load_s = time.perf_counter() - t0
    print(f"lexicon: {guide.path.name}, {len(guide.weights)} terms, {len(guide.domains)} domains; "
          f"load (import + validate + compile + jieba dictionary) {load_s:.2f} s")

    rows = load_rows(args.titles)
    result = evaluate(rows)
    names = {d.code: d.name for d in guide.domains}
    print(f"\n{args.titles.name}, titles alone: {result['total']} labelled titles, {result['none_total']} that fit none")
    print(f"top-1 {pct(result['top1'], result['total'])}   (target ≥ 85%)")
    print(f"top-3 {pct(result['top3'], result['total'])}   (target ≥ 95%)")
    print("\nper domain      top-1            top-3")
    per = result["per"]
    for code in sorted(per, key=lambda c: tuple(map(int, c.split(".")))):
        s = per[code]
        print(f"  {code:<4} {names.get(code, ''):<10} {pct(s[0], s[2]):<16} {pct(s[1], s[2])}")
    print(f"\nnone fits: precision {result['none_precision']}, recall {result['none_recall']}")
    if result["misses"]:
        print(f"\nnot first ({len(result['misses'])}):")
        print("\n".join(result["misses"]))
    if args.unseen.is_file():
        unseen = evaluate(load_rows(args.unseen))
        print(f"\n{args.unseen.name} (never used to tune the lexicon): top-1 {pct(unseen['top1'], unseen['total'])}, "
              f"top-3 {pct(unseen['top3'], unseen['total'])}; none fits precision {unseen['none_precision']}, "
              f"recall {unseen['none_recall']}")
        print("\n".join(unseen["misses"]))

    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        stream = tmp_dir / "stream.jsonl"
        with stream.open("w", encoding="utf-8") as fh:
            for n in range(args.lines):
                row = rows[n % len(rows)]
                fh.write(json.dumps({"id": f"{row['id']}#{n}", "text": row["title"]}, ensure_ascii=False) + "\n")
        seconds = run_jsonl(stream, tmp_dir / "stream.out")
        floor = jieba_floor([rows[n % len(rows)]["title"] for n in range(args.lines)])
        print(f"\n--jsonl throughput: {args.lines} titles in {seconds:.2f} s = {args.lines / seconds:.0f} titles/s "
              f"(in process, lexicon loaded; target ≥ 5,000); jieba alone segments them at {args.lines / floor:.0f} "
              f"titles/s: ranking is {seconds / floor:.1f}× segmenting")

        predictions = tmp_dir / "predictions.jsonl"
        run_jsonl(args.titles, predictions)
        if SCORE_PY.is_file():
            print(f"\n{SCORE_PY.name} domains:")
            done = subprocess.run(
                [sys.executable, str(SCORE_PY), "domains", "--gold", str(args.titles), "--predictions", str(predictions)],
                capture_output=True, text=True, check=False,
            )
            print(done.stdout.rstrip() or done.stderr.rstrip())
    return 0


def load_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Tally:
    """How a ranker did on labelled titles: per label [top-1 hits, top-3 hits, titles], none-fits
    counts (the positive class is "label none"), and the titles it did not get (a domain title not
    ranked first, or a none title not said to fit none) with their rankings."""

    per: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    none_tp: int = 0
    none_fp: int = 0
    none_fn: int = 0
    misses: list[tuple[dict[str, Any], Ranking]] = field(default_factory=list)

    @property
    def top1(self) -> int:
        return sum(s[0] for s in self.per.values())

    @property
    def top3(self) -> int:
        return sum(s[1] for s in self.per.values())

    @property
    def total(self) -> int:
        return sum(s[2] for s in self.per.values())


def tally(rows: list[dict[str, Any]], ranker: Callable[[str], Ranking] | None = None) -> Tally:
    """`ranker` (default: `classify_text`) over labelled rows ({"title", "label", "also"}); a code
    in `also` counts as right."""
    if ranker is None:
        from screening.classify import classify_text as ranker
    out = Tally()
    for row in rows:
        ranking = ranker(row["title"])
        got = [d.code for d in ranking.domains]
        if row["label"] == "none":
            out.none_tp += ranking.none_fits
            out.none_fn += not ranking.none_fits
            if not ranking.none_fits:
                out.misses.append((row, ranking))
            continue
        out.none_fp += ranking.none_fits
        ok = {row["label"], *row.get("also", [])}
        hit1 = bool(got) and got[0] in ok
        stats = out.per[row["label"]]
        stats[0] += hit1
        stats[1] += bool(ok & set(got[:3]))
        stats[2] += 1
        if not hit1:
            out.misses.append((row, ranking))
    return out


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Top-1/top-3 overall and per label, none-fits precision/recall, and the titles not ranked first."""
    t = tally(rows)
    misses = []
    for row, ranking in t.misses:
        got = [d.code for d in ranking.domains]
        if row["label"] == "none":
            misses.append(f"  none  {row['title']}  → {got} (expected: none fits)")
        else:
            misses.append(f"  {row['label']:<5} {row['title']}  → {got}{' (none fits)' if ranking.none_fits else ''}")
    return {
        "per": t.per,
        "top1": t.top1,
        "top3": t.top3,
        "total": t.total,
        "none_total": t.none_tp + t.none_fn,
        "none_precision": pct(t.none_tp, t.none_tp + t.none_fp),
        "none_recall": pct(t.none_tp, t.none_tp + t.none_fn),
        "misses": misses,
    }


def jieba_floor(titles: list[str]) -> float:
    """Seconds jieba's own dictionary segmentation (`jieba.lcut(…, HMM=False)`, its default
    dictionary) takes over the titles, best of three: the baseline measured in the same run, so the
    throughput can be read as a ratio on any machine."""
    import jieba

    jieba.initialize()
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        for title in titles:
            jieba.lcut(title, HMM=False)
        best = min(best, time.perf_counter() - t0)
    return best


def run_jsonl(source: Path, target: Path) -> float:
    """Time `screening classify --jsonl source` with stdout into target."""
    from screening.cli import main as cli_main

    with target.open("w", encoding="utf-8") as out, contextlib.redirect_stdout(out):
        t0 = time.perf_counter()
        code = cli_main(["classify", "--jsonl", str(source)])
        seconds = time.perf_counter() - t0
    if code != 0:
        raise SystemExit(f"classify --jsonl exited {code}")
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())
