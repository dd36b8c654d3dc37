"""Screen samples/batch and compare every report with those of a reference run, byte for byte:
the check of a refactoring that must not change behaviour.

    .venv/bin/python benchmarks/compare_reports.py REFERENCE_OUT [--keep OUT]

REFERENCE_OUT is the `--out` folder of an earlier `screening batch samples/batch` run (of the
commit before the change). Prints the reports that differ (with the first differing lines) and
exits 1 when any does, 0 when all are identical.
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", type=Path)
    parser.add_argument("--keep", type=Path, help="write this run's reports here (default: a temporary folder)")
    args = parser.parse_args()
    out = args.keep or Path(tempfile.mkdtemp(prefix="compare-"))
    done = subprocess.run([sys.executable, "-m", "screening", "batch", str(ROOT / "samples" / "batch"), "--out", str(out),
                           "--force", "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    if done.returncode == 2:
        print(done.stderr, file=sys.stderr)
        return 2
    ours = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.json")}
    theirs = {p.name: p.read_text(encoding="utf-8") for p in args.reference.glob("*.json")}
    differ = sorted(n for n in ours.keys() | theirs.keys() if ours.get(n) != theirs.get(n))
    for name in differ:
        print(f"--- {name}")
        diff = difflib.unified_diff(theirs.get(name, "").splitlines(), ours.get(name, "").splitlines(), lineterm="", n=1)
        print("\n".join(list(diff)[:20]))
    print(f"{len(ours)} reports, {len(differ)} differ from {args.reference}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
