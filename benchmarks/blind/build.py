"""Turn a blind case file (cases.jsonl, written by someone who had not read the engine) into
project folders the product screens for real, plus a gold file for ../shared/tools/score.py.

Each case becomes <out>/<id>/ with application.json, 可行性报告.docx (header, footer, body
paragraphs and tables in the case's order) and a plain 经费预算表.docx that adds up, so the
verdict depends on identities alone. The case format is described in README.md beside this file.

    python benchmarks/blind/build.py benchmarks/blind/frozen/cases.jsonl --out /tmp/blind-frozen
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.shared import Pt

REPORT = "可行性报告.docx"
BUDGET = "经费预算表.docx"
CALL_REGIONS = {"市本级", "柯城区", "衢江区", "龙游县", "江山市", "常山县", "开化县", "创新飞地"}
BUDGET_ROWS = [
    ["预算科目", "金额（万元）"],
    ["设备费", "180.0"], ["材料费", "120.0"], ["测试化验加工费", "40.0"], ["燃料动力费", "20.0"],
    ["差旅费/会议费/国际合作与交流费", "10.0"], ["出版/文献/信息传播/知识产权事务费", "10.0"],
    ["劳务费", "60.0"], ["专家咨询费", "10.0"], ["其他支出", "20.0"], ["间接费用", "50.0"], ["合计", "520.0"],
]


def application(case: dict[str, Any]) -> dict[str, Any]:
    a = case["applicant"]
    region = a.get("region") if a.get("region") in CALL_REGIONS else "市本级"
    applicant = {
        "name": a["name"], "aliases": a.get("aliases") or [], "region": region, "kind": "enterprise",
        "industrial": True, "rd_investment_prev_year": 860.0, "blacklisted": False, "unaccepted_projects": 0,
    }
    for key in ("phone", "email", "website", "address", "credit_code"):
        if a.get(key):
            applicant[key] = a[key]
    team = [{"name": m["name"], "role": m.get("role", "member"),
             **({"ongoing_as_leader": 0, "ongoing_as_member": 0} if m.get("role") == "leader" else {})}
            for m in case.get("team", [])]
    return {
        "project_id": case["id"], "call": "quzhou-2020", "title": case.get("title") or "项目", "category": "key",
        "recommender": region, "submitted_at": "2020-06-20T10:15:00+08:00", "applicant": applicant,
        "partners": [{"name": p["name"], "aliases": p.get("aliases") or []} for p in case.get("partners", [])],
        "team": team, "budget": {"total": 520.0, "rd": 380.0, "subsidy": 100.0}, "implementation_months": 24,
    }


def _table(doc: Any, rows: list[list[str]]) -> None:
    width = max((len(r) for r in rows), default=1) or 1
    table = doc.add_table(rows=len(rows) or 1, cols=width)
    table.style = "Table Grid"
    for row, values in zip(table.rows, rows, strict=False):
        for cell, text in zip(row.cells, values, strict=False):
            cell.text = str(text)


def report_docx(case: dict[str, Any], path: Path) -> None:
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10.5)
    section = doc.sections[0]
    headers = [b["text"] for b in case["document"] if b["part"] == "header"]
    footers = [b["text"] for b in case["document"] if b["part"] == "footer"]
    if headers:
        section.header.paragraphs[0].text = "\n".join(headers)
    if footers:
        section.footer.paragraphs[0].text = "\n".join(footers)
    doc.add_paragraph(case.get("title") or "项目可行性报告")
    for block in case["document"]:
        if block["part"] == "table":
            _table(doc, block["rows"])
        elif block["part"] == "body":
            doc.add_paragraph(block["text"])
    doc.core_properties.author = ""
    doc.core_properties.last_modified_by = ""
    doc.save(str(path))


def budget_docx(path: Path, title: str) -> None:
    doc = Document()
    doc.add_paragraph(f"“{title}”经费预算列表（单位：万元）")
    _table(doc, BUDGET_ROWS)
    doc.core_properties.author = ""
    doc.core_properties.last_modified_by = ""
    doc.save(str(path))


def gold_of(case: dict[str, Any]) -> dict[str, Any]:
    leaks = [{"file": REPORT, "part": leak.get("part") or "body", "page": None, "surface": leak["surface"],
              "kind": leak.get("kind", "org"), "difficulty": "medium", "needs_ocr": False}
             for leak in case.get("leaks", [])]
    decoys = [{"file": REPORT, "surface": d["surface"], "why": d.get("why", "")} for d in case.get("decoys", [])]
    out: dict[str, Any] = {"leaks": leaks, "decoys": decoys, "identity_clean": not leaks}
    out["verdict"] = "fail" if leaks else "pass"
    return out


def build(cases: Path, out: Path) -> dict[str, Any]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gold: dict[str, Any] = {"projects": {}}
    for n, line in enumerate(cases.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as e:
            sys.exit(f"{cases}:{n}: {e}")
        folder = out / case["id"]
        folder.mkdir()
        (folder / "application.json").write_text(json.dumps(application(case), ensure_ascii=False, indent=2),
                                                 encoding="utf-8")
        report_docx(case, folder / REPORT)
        budget_docx(folder / BUDGET, case.get("title") or "项目")
        gold["projects"][case["id"]] = gold_of(case)
    (out / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
    return gold


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("cases", type=Path)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    gold = build(args.cases, args.out)
    print(f"{len(gold['projects'])} projects → {args.out}")


if __name__ == "__main__":
    main()
