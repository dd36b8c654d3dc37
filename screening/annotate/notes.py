"""What an annotated copy says, in Chinese: one finding as a note, the overview of the findings
that have no place in the text, who wrote them; and what a format's annotator gives back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from screening.errors import UsageError
from screening.model import Finding
from screening.report import one_line
from screening.wording import SEVERITY, location

AUTHOR = "形式审查筛查"  # the author of every comment and PDF annotation of a copy
INITIALS = "审查"


class AnnotationError(UsageError):
    """A copy with the findings cannot be made: an unsupported format, a file that cannot be opened
    or written (exit code 2, as `redact`'s refusals)."""


@dataclass(frozen=True, slots=True)
class Marked:
    """What a format's annotator gives back: the copy, and how many findings it shows where they
    are (`anchored`: on the text, a picture, a note mark or an annotation) and how many only in an
    overview (`listed`: a comment on the first paragraph, a note on the page or on page 1)."""

    data: bytes
    anchored: int
    listed: int

    @property
    def count(self) -> int:
        """Every finding the copy shows (all that were given: none is left out)."""
        return self.anchored + self.listed


def note(finding: Finding) -> str:
    """One finding on one line, as a clerk reads it: its severity, where it is, its message —
    "【不通过】文本框第1段：可行性报告.docx文本框第1段出现项目负责人姓名“陈志明”"."""
    where = location(finding.location)
    head = f"【{SEVERITY[finding.severity.value]}】"
    return one_line(f"{head}{where}：{finding.message}" if where else f"{head}{finding.message}")


def overview(findings: Sequence[Finding], scope: str = "本文件") -> list[str]:
    """The lines of the one note listing the findings that have no place of their own in `scope`
    ("本文件", "本页"): a title, then one line each."""
    title = f"{AUTHOR}：{scope}有{len(findings)}处问题无法标注在原文位置，列出如下"
    return [title, *(note(f) for f in findings)]


__all__ = ["AUTHOR", "INITIALS", "AnnotationError", "Marked", "note", "overview"]
