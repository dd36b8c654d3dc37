"""Where a word-processor body paragraph is, as a person finds it: under which heading, the how-many-th.

Word shows no paragraph numbers, and a docx has pages only where Word's last layout recorded them,
so a clerk is told "二、研究内容 › 第4段": the nearest heading above the paragraph and its place
under that heading, counting the paragraphs that show text (empty ones are not seen as paragraphs).

Headings are the paragraphs with an outline level, recorded by the parser's walker: in Word a
heading style ("标题 1") or w:outlineLvl set on the paragraph (what Word's navigation pane lists),
in an OpenDocument text a text:h. A document
with none (many applicants number their sections by hand) takes instead the short paragraphs that
begin as Chinese section headings do: "第三章", "二、", "（一）". Paragraphs before the first heading
count from the start of the body ("正文第2段").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from screening.model import Part, PartKind

MAX_HEADING = 24  # characters of a heading kept in a location; a longer one ends in "…"
_NUMBERED = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+[章节部篇]|[一二三四五六七八九十]+\s*[、．.]|[（(][一二三四五六七八九十]+[）)])")
_MAX_NUMBERED = 30  # a hand-numbered heading is a short line …
_SENTENCE_END = "。；;，,"  # … that does not end as a sentence does


def with_headings(parts: Sequence[Part], member: str, outline: Mapping[int, int]) -> list[Part]:
    """`parts` with each visible body paragraph of the main document (`member`; `outline`: its heading
    paragraphs' numbers → outline level) and the hidden or deleted text in it told its heading and place (`Part.heading`, `Part.heading_paragraph`)."""
    body = [p for p in parts if _in_body(p, member)]
    visible = sorted({p.paragraph for p in body if p.origin == "" and p.paragraph is not None})
    texts = {p.paragraph: p.text for p in body if p.origin == ""}
    heads = set(outline) & set(visible) if outline else {n for n in visible if _numbered(texts[n])}
    place: dict[int, tuple[str, int | None]] = {}
    heading, count = "", 0
    for number in visible:
        if number in heads:
            heading, count = _short(texts[number]), 0
            place[number] = (heading, None)
        else:
            count += 1
            place[number] = (heading, count)
    out = []
    for part in parts:
        spot = place.get(part.paragraph) if part.paragraph is not None and _in_body(part, member) else None
        out.append(replace(part, heading=spot[0], heading_paragraph=spot[1]) if spot else part)
    return out


def _in_body(part: Part, member: str) -> bool:
    return part.kind is PartKind.BODY and part.source == member and part.origin in ("", "hidden", "deleted")


def _numbered(text: str) -> bool:
    line = text.strip()
    return len(line) <= _MAX_NUMBERED and not line.endswith(tuple(_SENTENCE_END)) and bool(_NUMBERED.match(line))


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_HEADING else line[:MAX_HEADING - 1] + "…"
