"""Annotated copies for applicants: an attachment with every finding shown where it is — Word
comments on the leaked text, PDF highlights over it — so that the applicant sees what to change.

`annotate(application, upload)` screens one attachment and makes its copy; `annotate_bytes(upload,
findings, document)` makes it from findings already at hand (the HTTP service); `mark_bytes` is the
format's annotator (the formats table names it), which the command and a batch run in limited
processes. Only docx and PDF can be annotated; anything else is refused with an `AnnotationError`
(exit code 2). Every finding given appears in the copy: where it is when it has a place in the text
(or on a mark that shows it), else in one overview note. Nothing else of the file changes.

| module | its job |
| --- | --- |
| `notes` | the Chinese text of a note and of the overview, the author, `Marked`, `AnnotationError` |
| `copies` | `annotate`, `annotate_bytes`, `mark_bytes`: screening, the format's annotator, the copy's name |
| `docx_places` | where a finding is in a Word document (paragraph numbers as the parser counts them) |
| `docx_runs` | runs cut so that a comment covers exactly the matched characters |
| `docx` | `annotate_docx`: the comments (python-docx) |
| `pdf_places` | where a finding is on a PDF page (pdfium's characters, OCR boxes, annotations) |
| `pdf_marks` | the highlight and sticky-note annotations (pypdf dictionaries with appearances) |
| `pdf` | `annotate_pdf`: the annotations, written as an incremental update |

A batch's copies (`screening batch --annotate`) are made by `screening.batch.annotated`.
"""

from __future__ import annotations

from screening.annotate.copies import (
    Annotation,
    annotate,
    annotate_bytes,
    check_annotatable,
    copy_name,
    findings_of,
    mark_bytes,
)
from screening.annotate.notes import AUTHOR, AnnotationError, Marked, note, overview

__all__ = [
    "AUTHOR",
    "Annotation",
    "AnnotationError",
    "Marked",
    "annotate",
    "annotate_bytes",
    "check_annotatable",
    "copy_name",
    "findings_of",
    "mark_bytes",
    "note",
    "overview",
]
