"""The document model and the report: frozen dataclasses shared by every module.

A `Document` is what a parser saw in one attachment: a flat tuple of `Part`s, each keeping the
original text exactly as it stands in the file (line breaks included) together with where it
came from. Matching happens on normalised text (`screening.text`), and offsets are mapped back to
`Part.text`, so a finding always quotes the file as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from screening.formats import Format

Box = tuple[float, float, float, float]  # x0, top, x1, bottom: from the page's (or picture's) top-left


class PartKind(StrEnum):
    """Where in an attachment a piece of text lives (contract §3, `location.part`)."""

    BODY = "body"
    TABLE = "table"
    HEADER = "header"
    FOOTER = "footer"
    TEXTBOX = "textbox"
    FOOTNOTE = "footnote"
    COMMENT = "comment"
    METADATA = "metadata"
    FILENAME = "filename"
    IMAGE = "image"


class Severity(StrEnum):
    FAIL = "fail"
    WARN = "warn"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe; used to sort findings most severe first."""
        return {"fail": 2, "warn": 1, "info": 0}[self.value]

    @property
    def verdict(self) -> Verdict:
        """The verdict a finding of this severity gives on its own (contract §3)."""
        return {"fail": Verdict.FAIL, "warn": Verdict.REVIEW, "info": Verdict.PASS}[self.value]


class Verdict(StrEnum):
    """A project's outcome (contract §3); a set of projects is as bad as its worst (contract §2)."""

    PASS = "pass"
    REVIEW = "review"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        """Higher is worse: pass 0, review 1, fail 2."""
        return {"fail": 2, "review": 1, "pass": 0}[self.value]

    @classmethod
    def worst(cls, verdicts: Iterable[Verdict]) -> Verdict:
        """The worst of `verdicts`: fail when any fails, else review when any needs a person's look,
        else pass (also when there is none). The one place a verdict is combined: a report's from
        its findings, a batch's and the exit code's from its projects."""
        return max(verdicts, key=lambda v: v.rank, default=cls.PASS)


class Role(StrEnum):
    FEASIBILITY_REPORT = "feasibility_report"
    BUDGET = "budget"
    PATENT_CERTIFICATE = "patent_certificate"
    COMMITMENT = "commitment"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of a line as OCR's detector found it (a table's cell, a label, a value): its text,
    its score 0..1, and its four corners in pixels of the picture it was read from (top-left,
    top-right, bottom-right, bottom-left; x, y each). `box`: its upright box where its part's box is
    (`Part.box`: points of the page for a scanned PDF page, pixels of the picture for a picture),
    None when not known."""

    text: str
    score: float
    quad: tuple[float, float, float, float, float, float, float, float]
    box: Box | None = None


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of text of an attachment.

    `text` is the original text (never normalised). `origin` refines `kind` in a stable,
    machine-readable way: for a header "first" / "even" / "default"; for a footnote "endnote";
    for body text "deleted" (a tracked deletion) or "hidden"; for metadata the property, e.g.
    "core.creator", "app.Company", "custom.项目单位", "info.Author", "xmp", "annotation",
    "form_field", "outline", "revision_author", "comment_author", "hyperlink", "embedded_file".
    `paragraph` is 1-based within its kind (and, for PDFs, within its page).
    """

    kind: PartKind
    text: str
    page: int | None = None
    paragraph: int | None = None
    origin: str = ""
    source: str = ""  # the container inside the file, e.g. "word/header2.xml" or "page 3"
    box: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom in points, where known
    confidence: float | None = None  # OCR parts (origin "ocr"): mean recognition score 0..1; None: not OCR
    # OCR parts: the detector's pieces the paragraph was joined from, where they stand in the picture
    # (a table rebuilt by position: screening/budget_scan.py); () for any other part
    segments: tuple[Segment, ...] = ()
    # a part of a file inside the attachment (a zip member, an embedded workbook, a PDF's attached
    # file): where that file sits, outermost first ("word/embeddings/预算.xlsx", "a.zip › b.docx");
    # "" for the attachment's own parts
    embedded: str = ""
    # a Word body paragraph (parsers/docx/headings.py): the nearest heading above it ("" before the first
    # one, or itself for a heading) and its place as a person counts it, the n-th paragraph with text
    # under that heading (None for a heading itself and for every other part)
    heading: str = ""
    heading_paragraph: int | None = None

    def span_box(self, start: int, end: int) -> Box | None:
        """Where characters start…end-1 of `text` stand, as far as the part knows: for an OCR part the
        union of the boxes of the detector's pieces holding them (`segments`, `segment_places`); else,
        or when the pieces do not spell the text, the part's whole box (None when it has none). In
        the units of `box`."""
        places = self.segment_places()
        if places is None or any(seg.box is None for seg in self.segments):
            return self.box
        boxes = [seg.box for seg, (at, after) in zip(self.segments, places, strict=True)
                 if seg.box is not None and at < end and start < after]
        if not boxes:
            return self.box
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

    def segment_places(self) -> list[tuple[int, int]] | None:
        """Each OCR piece's [start, end) in `text`, which is their texts in order with one space or
        line break between two; None when there are no pieces or they do not spell the text."""
        if not self.segments:
            return None
        places: list[tuple[int, int]] = []
        at = 0
        for k, seg in enumerate(self.segments):
            after = at + len(seg.text)
            if self.text[at:after] != seg.text or (k + 1 < len(self.segments) and self.text[after:after + 1] not in (" ", "\n")):
                return None
            places.append((at, after))
            at = after + 1
        return places if at - 1 == len(self.text) else None


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A picture inside an attachment (or the attachment itself), for OCR."""

    source: str  # zip member ("word/media/image1.png"), "page 3", or the file name
    page: int | None = None
    width: int | None = None
    height: int | None = None
    size: int | None = None  # bytes


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a parser could not do with a file; the engine turns it into a finding."""

    rule: str  # e.g. "document.scanned", "document.unsupported"
    message: str  # Chinese, for people
    page: int | None = None
    part: PartKind | None = None


@dataclass(frozen=True, slots=True)
class PageTable:
    """A table the parser found on a PDF page: its cells row by row, "" for an empty or merged cell.
    `ruled`: cut along drawn rules (pdfplumber's table finder); else rebuilt from where the
    characters stand (screening/parsers/aligned.py)."""

    page: int
    rows: tuple[tuple[str, ...], ...]
    ruled: bool = True


@dataclass(frozen=True, slots=True)
class Document:
    file: str  # the file name as uploaded (no directory)
    format: Format  # what the file really is (screening/formats.py); UNKNOWN ("") when not recognised
    sha256: str
    pages: int | None
    parts: tuple[Part, ...] = ()
    images: tuple[ImageRef, ...] = ()
    problems: tuple[Problem, ...] = ()
    role: Role = Role.OTHER
    role_source: str = "inferred"  # "application" | "filename" | "content" | "inferred"
    ocr: bool = False
    # the tables of a budget PDF, ruled or aligned (screening/parsers/tables.py); None: not looked for. Not in
    # the report: the budget block says what was read from them
    tables: tuple[PageTable, ...] | None = None
    tables_note: str = ""  # why the table finder read nothing, when it failed


@dataclass(frozen=True, slots=True)
class Location:
    part: PartKind
    page: int | None = None
    paragraph: int | None = None
    start: int | None = None
    end: int | None = None
    origin: str = ""
    embedded: str = ""  # inside a file inside the attachment (`Part.embedded`); "" for its own text
    source: str = ""  # the container inside the file (`Part.source`: "word/document.xml#t2r3c2", a sheet's cell)
    heading: str = ""  # a Word body paragraph: the heading it stands under (`Part.heading`)
    heading_paragraph: int | None = None  # … and its place under that heading (`Part.heading_paragraph`)
    # where on the page (`Part.span_box`, rounded to 0.1): points from the top-left of the page as
    # displayed for a PDF page (its text, a scanned page, text drawn as curves); pixels of the picture
    # for text read from a picture (a picture file's frame, `source` "page N image k" in a PDF, a
    # Word document's picture); None where the part has no box. JSON: [x0, top, x1, bottom]
    box: Box | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Location:
        """The inverse of `to_json`."""
        return cls(
            part=PartKind(data["part"]),
            page=data.get("page"),
            paragraph=data.get("paragraph"),
            start=data.get("start"),
            end=data.get("end"),
            origin=data.get("origin", ""),
            embedded=data.get("embedded", ""),
            source=data.get("source", ""),
            heading=data.get("heading", ""),
            heading_paragraph=data.get("heading_paragraph"),
            box=_box(data.get("box")),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"part": self.part.value}
        for key in ("page", "paragraph", "start", "end"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.origin:
            out["origin"] = self.origin
        if self.embedded:
            out["embedded"] = self.embedded
        if self.source:
            out["source"] = self.source
        if self.heading:
            out["heading"] = self.heading
        if self.heading_paragraph is not None:
            out["heading_paragraph"] = self.heading_paragraph
        if self.box is not None:
            out["box"] = [round(v, 1) for v in self.box]
        return out


def _box(value: Any) -> Box | None:
    """A location's JSON box back as a tuple; None when absent (a report written before boxes)."""
    if value is None:
        return None
    x0, top, x1, bottom = (round(float(v), 1) for v in value)
    return x0, top, x1, bottom


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found; exactly the contract's fields (contract §3)."""

    rule: str
    severity: Severity
    message: str
    file: str | None = None
    location: Location | None = None
    matched: str | None = None
    target: str | None = None
    method: str | None = None
    score: float | None = None
    context: str | None = None
    evidence: tuple[str, ...] = ()  # why an identity finding was (or was not) sure, in short Chinese phrases

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        part_order = list(PartKind).index(loc.part) if loc else -1
        return (
            -self.severity.rank,
            self.file or "",
            part_order,
            (loc.page or 0) if loc else 0,
            (loc.paragraph or 0) if loc else 0,
            (loc.start or 0) if loc else 0,
            self.rule,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "severity": self.severity.value, "message": self.message}
        if self.file is not None:
            out["file"] = self.file
        if self.location is not None:
            from screening.wording import location  # late: wording builds on this module

            out["location"] = self.location.to_json()
            out["where"] = location(self.location)  # the location in Chinese, as a clerk finds it (extra)
        for key in ("matched", "target", "method", "score", "context"):
            value = getattr(self, key)
            if value is not None:
                out[key] = round(value, 4) if isinstance(value, float) else value
        if self.evidence:
            out["evidence"] = list(self.evidence)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """The inverse of `to_json`: a finding of a report JSON back as a `Finding` (to order a
        report's findings again and derive its verdict). Fields `to_json` never writes are ignored."""
        location = data.get("location")
        return cls(
            rule=data["rule"],
            severity=Severity(data["severity"]),
            message=data["message"],
            file=data.get("file"),
            location=Location.from_json(location) if location else None,
            matched=data.get("matched"),
            target=data.get("target"),
            method=data.get("method"),
            score=data.get("score"),
            context=data.get("context"),
            evidence=tuple(data.get("evidence") or ()),
        )


SCHEMA = "screening-report/1"


@dataclass(frozen=True, slots=True)
class Report:
    project_id: str
    findings: tuple[Finding, ...]
    documents: tuple[Document, ...] = ()
    call: str = ""
    title: str | None = None
    patent: dict[str, Any] | None = None
    domains: tuple[dict[str, Any], ...] = ()
    budget: dict[str, Any] | None = None

    @property
    def verdict(self) -> Verdict:
        """Contract §3: fail when any finding fails, else review when any warns, else pass."""
        return Verdict.worst(f.severity.verdict for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "project_id": self.project_id,
            "verdict": self.verdict.value,
            "findings": [f.to_json() for f in sorted(self.findings, key=Finding.sort_key)],
            "documents": [
                {
                    "file": d.file,
                    "role": d.role.value,
                    "role_source": d.role_source,
                    "format": d.format,
                    "pages": d.pages,
                    "sha256": d.sha256,
                    "ocr": d.ocr,
                    "parts": len(d.parts),
                    "images": len(d.images),
                }
                for d in self.documents
            ],
            "patent": self.patent,
            "domains": list(self.domains),
            "budget": self.budget,
            "call": self.call,
            "title": self.title,
        }
