"""The scanner: a certificate's page texts → its fields as printed (`FieldText`), its headings,
its prose and its page markers. No value is interpreted here (`certificate.py` does that).

Line by line (shared/spec/patents.md §3, §4):

* a line that starts with one of the certificate's sentences (grant statement, term sentence,
  register notice, annual-fee note; `prose` in lexicons/patent-certificate.tsv) is prose until a
  line ends a sentence — unless a line opens with a label and a separator;
* a label (`label.*`) — matched letter-spaced, with any of `：:;；，,` or nothing after it, and
  through the lexicon's OCR confusions (专利权入 for 专利权人) — opens a field; a line may hold
  two fields (授权公告日… 授权公告号…): a value stops at the next label. A label counts at the
  start of a line, or inside a line when a separator follows it or spaces surround it, so
  专利权人 inside 专利权人应当依照… never opens a field; a short label (地址, 局长) glued to a
  Chinese character does not count (`glued_label_chars` in lexicons/patent-reading.tsv);
* after the two-page layout's filing marker (申请日时本专利记载的申请人、发明人信息), 申请人 and
  发明人 are the filing-time fields;
* a heading (发明专利证书 …) is noted and blanked out of its line;
* any other line continues the open field (a wrapped title, a wrapped list of names);
* `第1页（共2页）` page markers are collected; they close the open field.

The first reading of a field wins. On an OCR page a field keeps the lowest score of the lines it
was read from (`FieldText.confidence`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from screening.patents.kinds import PatentType
from screening.patents.lexicon import CJK, SEPARATORS, SPACES, Words, canonical, headings, labels, phrase
from screening.patents.pages import PageText, line_marker
from screening.patents.thresholds import thresholds


@dataclass(frozen=True, slots=True)
class FieldText:
    """One field as printed: its label and its value's lines (the first one after the label)."""

    key: str
    label: str
    lines: tuple[str, ...]
    page: int
    repaired: bool = False  # the label was read through an OCR confusion
    row: int = 0  # the label's line on its page (0-based)
    inline: str = ""  # the value's text on the label's own line
    confidence: float | None = None  # OCR: the lowest score of the lines it was read from; None: no score

    @property
    def raw(self) -> str:
        return "\n".join(line for line in self.lines if line)

    @property
    def joined(self) -> str:
        return "".join(self.lines)


@dataclass(slots=True)
class _Open:
    """The field being read: its label, and its value's lines so far."""

    key: str
    label: str
    page: int
    repaired: bool
    lines: list[str]
    row: int
    inline: str
    scores: list[float | None]  # the recognition score of each line read into the field


@dataclass(slots=True)
class Scan:
    """What the scanner found on all pages."""

    fields: dict[str, FieldText] = field(default_factory=dict)
    headings: list[tuple[PatentType, int]] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    markers: list[tuple[int, int]] = field(default_factory=list)  # (page number printed, pages in all)
    labels_seen: int = 0

    def close(self, item: _Open | None) -> None:
        if item is not None and item.key not in self.fields:  # the first reading of a field wins
            known = [score for score in item.scores if score is not None]
            confidence = min(known) if known and len(known) == len(item.scores) else None
            self.fields[item.key] = FieldText(item.key, item.label, tuple(item.lines), item.page, item.repaired,
                                              item.row, item.inline, confidence)


@dataclass(frozen=True, slots=True)
class _Hit:
    """A label found on a line."""

    start: int
    end: int  # after the separator
    key: str
    label: str
    repaired: bool


def _ends_sentence(line: str) -> bool:
    return line.rstrip(" ”’）)").endswith(("。", "．", "."))


def _label_hits(line: str, words: Words) -> list[_Hit]:
    lead = len(line) - len(line.lstrip(SPACES))
    glued = thresholds().glued_label_chars
    hits = []
    for m in words.pattern.finditer(line):
        after = line[m.end():]
        rest = after.lstrip(SPACES)
        separated = bool(rest) and rest[0] in SEPARATORS
        spaced_after = not after or after[0] in SPACES
        key = words.key(m.group())
        if m.start() == lead:  # a short label (地址, 局长) needs something that is not a Chinese character after it
            ok = separated or spaced_after or len(canonical(m.group())) >= glued or not re.match(CJK, rest)
        else:
            ok = separated or (line[m.start() - 1] in SPACES and spaced_after)
        if ok:
            end = m.end() + (len(after) - len(rest)) + (1 if separated else 0)
            end += len(line[end:]) - len(line[end:].lstrip(SPACES))
            repaired = canonical(m.group()) != "".join(ch for ch in m.group() if ch not in SPACES)
            hits.append(_Hit(m.start(), end, key, m.group(), repaired))
    return hits


def _strict_label_at_start(line: str) -> bool:
    hits = _label_hits(line, labels(False))
    if not hits or hits[0].start != len(line) - len(line.lstrip(SPACES)):
        return False
    return any(ch in SEPARATORS for ch in line[hits[0].start:hits[0].end])


def _blank_headings(line: str, found: Scan, page: int) -> str:
    words = headings()
    for m in words.pattern.finditer(line):
        found.headings.append((PatentType(words.key(m.group())), page))
    return words.pattern.sub(lambda m: " " * len(m.group()), line)


def scan(pages: Sequence[PageText]) -> Scan:
    """Scan the pages' lines into fields, headings, prose and page markers (see the module docstring)."""
    found = Scan()
    prose_start = phrase("prose")
    filing_marker = phrase("filing.marker")
    for page in pages:
        in_prose = in_filing = False
        current: _Open | None = None
        for row, raw_line in enumerate(page.text.splitlines()):
            line = raw_line.strip(SPACES + "\r")
            if not line:
                continue
            if (mark := line_marker(line)) is not None:
                found.markers.append(mark)
                found.close(current)
                current = None
                continue
            if in_prose and not _strict_label_at_start(line):
                found.prose.append(line)
                in_prose = not _ends_sentence(line)
                continue
            in_prose = False
            if prose_start.match(line):
                found.close(current)
                current = None
                found.prose.append(line)
                in_prose = not _ends_sentence(line)
                continue
            if filing_marker.search(line):
                found.close(current)
                current = None
                in_filing = True
                continue
            line = _blank_headings(line, found, page.page)
            hits = _label_hits(line, labels(in_filing))
            before = line[: hits[0].start if hits else len(line)].strip(SPACES)
            score = page.line_score(row)
            if before and current is not None:
                current.lines.append(before)
                current.scores.append(score)
            for index, hit in enumerate(hits):
                found.close(current)
                found.labels_seen += 1
                stop = hits[index + 1].start if index + 1 < len(hits) else len(line)
                value = line[hit.end:stop].strip(SPACES)
                current = _Open(hit.key, hit.label, page.page, hit.repaired, [value] if value else [], row, value,
                                [score])
        found.close(current)
    return found

