"""Screen a blind set for real and score it: builds the projects (build.py), runs
`screening batch`, then ../shared/tools/score.py, and adds what score.py does not count: clean
projects sent to review by an unsure identity finding.

    python benchmarks/blind/evaluate.py dev        # tune on this one
    python benchmarks/blind/evaluate.py frozen     # report this one, never tune on it
    python benchmarks/blind/evaluate.py dev --show # also list every wrong finding (dev only)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCORE = ROOT.parent / "shared" / "tools" / "score.py"
sys.path.insert(0, str(HERE))

from build import build  # noqa: E402


def _norm(s: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKC", s).lower() if c.isalnum())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("set", choices=["dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "frozen"])
    p.add_argument("--show", action="store_true", help="list wrong and unsure findings (refused for frozen)")
    p.add_argument("--workers", default="2")
    args = p.parse_args()
    if args.show and args.set == "frozen":
        sys.exit("--show is for the development set: the frozen set is reported, not tuned on")
    work = Path(tempfile.mkdtemp(prefix=f"blind-{args.set}-"))
    gold = build(HERE / args.set / "cases.jsonl", work / "projects")
    (work / "projects" / "gold.json").rename(work / "gold.json")
    subprocess.run([sys.executable, "-m", "screening", "batch", str(work / "projects"), "--out", str(work / "out"), "--workers",
                    args.workers, "--force"], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    scored = subprocess.run([sys.executable, str(SCORE), "reports", "--gold", str(work / "gold.json"),
                             "--reports", str(work / "out"), "--mode", "batch", "--json"],
                            capture_output=True, text=True, check=True)
    figures = json.loads(scored.stdout)
    clean = [pid for pid, g in gold["projects"].items() if g["identity_clean"]]
    unsure = 0
    for pid in clean:
        report = json.loads((work / "out" / f"{pid}.json").read_text(encoding="utf-8"))
        idf = [f for f in report["findings"] if f["rule"].startswith("identity.")]
        if any(f["severity"] == "warn" for f in idf) and not any(f["severity"] == "fail" for f in idf):
            unsure += 1
    keys = ("leak_recall", "located", "identity_precision", "decoys_failed", "clean_projects_failed")
    for k in keys:
        print(f"{k:24} {figures.get(k)}")
    print(f"{'clean_projects_unsure':24} {unsure}/{len(clean)}")
    if args.show:
        for pid, g in gold["projects"].items():
            report = json.loads((work / "out" / f"{pid}.json").read_text(encoding="utf-8"))
            surfaces = [_norm(leak["surface"]) for leak in g["leaks"]]
            for f in report["findings"]:
                if not f["rule"].startswith("identity.") or f["severity"] == "info":
                    continue
                m = _norm(f.get("matched") or "")
                true = any(m and (m in s or s in m) for s in surfaces)
                if f["severity"] == "warn" or not true:
                    print(f"{pid} {f['severity']:4} {'TRUE ' if true else 'FALSE'} {f['rule']:16} {f['matched']!r} "
                          f"[{f.get('method')}] {f['context']}")
            found = {_norm(f.get("matched") or "") for f in report["findings"] if f["severity"] == "fail"}
            for leak in g["leaks"]:
                s = _norm(leak["surface"])
                if not any(m and (m in s or s in m) for m in found):
                    print(f"{pid} MISS {leak['kind']:8} {leak['surface']!r}")
    print(f"(work files: {work})")


if __name__ == "__main__":
    main()
