"""The document model and the report: frozen dataclasses shared by every module.

A `Document` is what a parser saw in one attachment: a flat tuple of `Part`s, each keeping the
original text exactly as it stands in the file (line breaks included) together with where it
came from. Matching happens on normalised text (`screening.text`), and offsets are mapped back to
`Part.text`, so a finding always quotes the file as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


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


class Verdict(StrEnum):
    PASS = "pass"
    REVIEW = "review"
    FAIL = "fail"


class Role(StrEnum):
    FEASIBILITY_REPORT = "feasibility_report"
    BUDGET = "budget"
    PATENT_CERTIFICATE = "patent_certificate"
    COMMITMENT = "commitment"
    OTHER = "other"


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
class Document:
    file: str  # the file name as uploaded (no directory)
    format: str  # "docx" | "pdf" | "image" | "" when unknown
    sha256: str
    pages: int | None
    parts: tuple[Part, ...] = ()
    images: tuple[ImageRef, ...] = ()
    problems: tuple[Problem, ...] = ()
    role: Role = Role.OTHER
    role_source: str = "inferred"  # "application" | "filename" | "content" | "inferred"
    ocr: bool = False


@dataclass(frozen=True, slots=True)
class Location:
    part: PartKind
    page: int | None = None
    paragraph: int | None = None
    start: int | None = None
    end: int | None = None
    origin: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"part": self.part.value}
        for key in ("page", "paragraph", "start", "end"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.origin:
            out["origin"] = self.origin
        return out


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
            out["location"] = self.location.to_json()
        for key in ("matched", "target", "method", "score", "context"):
            value = getattr(self, key)
            if value is not None:
                out[key] = round(value, 4) if isinstance(value, float) else value
        if self.evidence:
            out["evidence"] = list(self.evidence)
        return out


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
        severities = {f.severity for f in self.findings}
        if Severity.FAIL in severities:
            return Verdict.FAIL
        if Severity.WARN in severities:
            return Verdict.REVIEW
        return Verdict.PASS

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
