"""`screening classify (FILE | --text TEXT | --jsonl FILE)`: rank the call guide's domains.

FILE is an attachment (docx, pdf, picture): its body is classified and its first non-empty body
paragraph stands in for the title. `--text` classifies a title. `--jsonl` streams lines
`{"id": …, "text": …}` (`"title"` is read when `"text"` is absent; a missing id becomes the 0-based
number of the line among the non-blank ones, as shared/tools/score.py counts) and writes one line
`{"id": …, "domains": [{"code", "area", "name", "score"}…], "none_fits": …}` per input line (and
`"none_why"`: "score" or "model", when none fits), always JSON.

A bad --jsonl line (not JSON, not an object, no text) is skipped with one line on stderr naming its
line number; the other lines are still written, and the exit code is 2. Exit codes: 0 done (also when
no domain fits: that is an answer), 2 bad arguments or bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from screening.cli import USAGE_EXIT, CallOpt, Format, FormatOpt, app, parse_limited
from screening.errors import UsageError
from screening.report import NONE_WHY

if TYPE_CHECKING:
    from screening.classify import Guide, Ranking


def render_text(title: str, ranking: Ranking, none_below: float, out: IO[str]) -> None:
    if title:
        out.write(f"题目：{title}\n")
    if not ranking.domains:
        out.write("结论：没有找到任何指南领域的用语，无法归入指南领域。\n")
        return
    if ranking.none_fits:
        why = f"低于{none_below:.2f}" if ranking.none_why == "score" else NONE_WHY[ranking.none_why]
        out.write(f"结论：没有合适的指南领域（最高得分{ranking.domains[0].score:.2f}，{why}），"
                  "以下仅为得分最高的候选。\n")
    for n, d in enumerate(ranking.domains, 1):
        learned = f"（其中据本地更正：{'、'.join(d.corrections)}）" if d.corrections else ""
        out.write(f"{n}. {d.code} {d.name}（{d.area}） {d.score:.2f}  依据：{'、'.join(d.terms)}{learned}\n")
    shown = [t for d in ranking.domains for t in d.terms]
    legend = [text for mark, text in (("「", "「」为词表未列出的字组（「…纸」：题目中心词的末字）"),
                                      ("『", "『』为从真实项目名称学得的字词"))
              if any(t.startswith(mark) for t in shown)]
    if legend:
        out.write(f"注：{'；'.join(legend)}。\n")


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    if str(path) == "-":
        yield from enumerate(sys.stdin.buffer, 1)
        return
    try:
        with path.open("rb") as fh:
            yield from enumerate(fh, 1)
    except OSError as err:
        raise UsageError(f"{path}: 无法读取：{err.strerror or err}") from None


def _request(raw: bytes) -> tuple[Any, str]:
    """(id or None, text) of one --jsonl line; ValueError with a message for people when it is bad."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("不是UTF-8编码") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"不是合法的JSON（{err.msg}，第{err.colno}列）") from None
    if not isinstance(data, dict):
        raise ValueError("应为JSON对象，如 {\"id\": 1, \"text\": \"项目名称\"}")
    text = data.get("text", data.get("title"))
    if not isinstance(text, str) or not text.strip():
        raise ValueError("缺少非空的字符串字段 text")
    return data.get("id"), text


def stream_jsonl(path: Path, top: int, guide: Guide, out: IO[str], err: IO[str]) -> int:
    """Classify every line of a JSONL file; returns the number of bad lines."""
    from screening.classify import rank

    bad = counted = 0
    for number, raw in _lines(path):
        if not raw.strip():
            continue
        index, counted = counted, counted + 1
        try:
            ident, text = _request(raw)
        except ValueError as problem:
            bad += 1
            err.write(f"screening: 第{number}行：{problem}，已跳过\n")
            continue
        ranking = rank(guide, text, top=top)
        line = {
            "id": index if ident is None else ident,
            "domains": [d.to_json(terms=False) for d in ranking.domains],
            **ranking.verdict_json(),
        }
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return bad


@app.command("classify")
def classify(
    file: Annotated[Path | None, typer.Argument(help="按正文归类的附件（docx、pdf、图片）")] = None,
    text: Annotated[str | None, typer.Option("--text", help="要归类的项目名称")] = None,
    jsonl: Annotated[Path | None, typer.Option(
        "--jsonl", help="每行一个 {\"id\", \"text\"}，每行输出一行结果（'-' 表示从标准输入读）")] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=24, help="列出得分最高的几个领域")] = 3,
    learn: Annotated[Path | None, typer.Option(
        "--learn", help="从更正文件学习：每行一个 {\"title\": 项目名称, \"code\": 正确的领域编号}，学到的词写入本地更正文件，"
                        "随软件发布的词表不改动")] = None,
    overlay: Annotated[Path | None, typer.Option(
        "--overlay", help="本地更正文件（默认在词表旁，如 guide-2020.local.yaml；也可用环境变量 SCREENING_GUIDE_OVERLAY）")] = None,
    fmt: FormatOpt = Format.TEXT,
    call: CallOpt = None,
) -> None:
    """按申报指南的领域给项目名称、附件或一批名称（JSONL）归类排序；--learn 从更正中学习。"""
    from screening.calls import load_call
    from screening.classify import classify_file, load_guide, rank
    from screening.engine import call_of
    from screening.model import Role
    from screening.parsers import parse_file

    if sum(x is not None for x in (file, text, jsonl, learn)) != 1:
        raise UsageError("请给出且只给出一个输入：FILE、--text TEXT、--jsonl FILE 或 --learn FILE")
    lexicon = load_call(call_of(None, call)).domains
    if learn is not None:
        teach(learn, lexicon, overlay, fmt)
    guide = load_guide(lexicon, overlay)
    if jsonl is not None:
        if str(jsonl) != "-" and not jsonl.is_file():
            raise UsageError(f"{jsonl}: 文件不存在或不是普通文件")
        bad = stream_jsonl(jsonl, top, guide, sys.stdout, sys.stderr)
        raise typer.Exit(USAGE_EXIT if bad else 0)
    if text is not None:
        if not text.strip():
            raise UsageError("--text 不能为空")
        title, ranking = text.strip(), rank(guide, text, top=top)
    else:
        assert file is not None
        title, ranking = classify_file(file, top=top, lexicon=lexicon, overlay=overlay, parse=lambda path: parse_limited(
            parse_file, path, Role.FEASIBILITY_REPORT, "command"))
    if fmt is Format.JSON:
        out = {"title": title, "domains": ranking.to_json(), **ranking.verdict_json()}
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        render_text(title, ranking, guide.scoring.none_below, sys.stdout)
    raise typer.Exit(0)


STATUS = {"learned": "已学习", "already": "本已归类正确，记为已标注的题目", "unsettled": "无法仅靠学词纠正，未写入"}


def teach(path: Path, lexicon: str, overlay: Path | None, fmt: Format) -> None:
    """`--learn FILE`: learn the corrections, say what was learned, exit (2 when some could not be)."""
    from screening.learn import learn, read_corrections

    if not path.is_file():
        raise UsageError(f"{path}: 文件不存在或不是普通文件")
    outcome = learn(read_corrections(path), lexicon=lexicon, overlay=overlay)
    if fmt is Format.JSON:
        out = {"overlay": str(outcome.overlay), "learned_terms": outcome.terms,
               "corrections": [{"title": x.title, "code": x.code, "status": x.status, "terms": x.terms}
                               for x in outcome.lessons]}
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        for x in outcome.lessons:
            terms = f"：{'、'.join(f'{t}（{w:g}）' for t, w in x.terms.items())}" if x.terms else ""
            sys.stdout.write(f"{x.code} {x.title} — {STATUS[x.status]}{terms}\n")
        sys.stdout.write(f"共{len(outcome.lessons)}条更正：学习{outcome.count('learned')}条（{outcome.terms}个词），"
                         f"本已正确{outcome.count('already')}条，无法纠正{outcome.count('unsettled')}条；"
                         f"本地更正文件：{outcome.overlay}\n")
    raise typer.Exit(USAGE_EXIT if outcome.count("unsettled") else 0)
