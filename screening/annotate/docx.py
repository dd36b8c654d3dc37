"""A Word document with its findings as comments (python-docx's `Document.add_comment`), author
"形式审查筛查".

Each finding with a place in the body (`docx_places.Places.anchor`) gets its own comment: on the
matched text itself, the runs cut so that the comment covers exactly those characters
(`docx_runs.runs_around`), or on the mark that shows it (a note's reference, the text an existing
comment covers, a picture). The comment says the severity, where the finding is and its message
(`notes.note`). Everything else — headers and footers (Word has no comments there), properties,
the file name, embedded files, findings without a location — is listed in one comment on the
first paragraph of the body (`notes.overview`). Every finding given appears in some comment.

A comment's reference mark that would land inside a tracked deletion (the finding is deleted
text) is put right after the deletion, so that the comment is not itself deleted text. Nothing
else of the document changes: the text of every paragraph stays as it was.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import cast

import docx
from docx.document import Document as WordDocument
from docx.opc.exceptions import OpcError
from docx.oxml.parser import OxmlElement
from docx.oxml.text.run import CT_R
from docx.text.run import Run
from lxml import etree

from screening.annotate.docx_places import Places, Runs, Text
from screening.annotate.docx_runs import runs_around
from screening.annotate.notes import AUTHOR, INITIALS, AnnotationError, Marked, note, overview
from screening.model import Document, Finding
from screening.parsers.docx.ooxml import W_DEL, W_DOCUMENT, W_MOVEFROM, W_P, W_R, w

W_COMMENTRANGEEND = w("commentRangeEnd")
DELETED = frozenset({W_DEL, W_MOVEFROM})


def annotate_docx(data: bytes, findings: Sequence[Finding], document: Document | None = None) -> Marked:
    """A copy of the .docx with every finding as a comment (see the module docstring). `document`
    (the parsed attachment) is not needed: the findings' locations say where."""
    word = _open(data)
    places = Places(word)
    listed: list[Finding] = []
    for finding in findings:
        anchor = places.anchor(finding)
        runs = runs_around(anchor.pieces) if isinstance(anchor, Text) else anchor
        if runs is None:
            listed.append(finding)
            continue
        first, last = (runs.first, runs.last) if isinstance(runs, Runs) else runs
        _comment(word, first, last, note(finding))
    if listed:
        first, last = _overview_runs(places)
        _comment(word, first, last, "\n".join(overview(listed)))
    out = io.BytesIO()
    word.save(out)
    return Marked(out.getvalue(), anchored=len(findings) - len(listed), listed=len(listed))


def _open(data: bytes) -> WordDocument:
    try:
        word = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, OpcError, etree.LxmlError) as err:
        raise AnnotationError(f"Word文档已损坏或不完整，未能添加批注（{type(err).__name__}）") from None
    except ValueError:  # python-docx: the main part is not a document's (a template, a macro document)
        raise AnnotationError("不是普通的Word文档（可能是模板或启用宏的文档），无法添加批注，请另存为docx后再试") from None
    if word.element.tag != W_DOCUMENT:
        raise AnnotationError("Word文档使用了严格(Strict)格式，无法添加批注，请另存为普通的docx后再试")
    return word


def _comment(word: WordDocument, first: etree._Element, last: etree._Element, text: str) -> None:
    """A comment from `first` to `last` (runs of the main document); its reference mark out of any
    tracked deletion."""
    word.add_comment([Run(cast(CT_R, first), word), Run(cast(CT_R, last), word)], text=text, author=AUTHOR,
                     initials=INITIALS)
    end = last.getnext()
    reference = end.getnext() if end is not None and end.tag == W_COMMENTRANGEEND else None
    deletion = _deletion(last)
    if reference is not None and deletion is not None:
        deletion.addnext(reference)  # moved: the mark is not deleted text


def _deletion(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != W_P:
        if parent.tag in DELETED:
            return parent
        parent = parent.getparent()
    return None


def _overview_runs(places: Places) -> tuple[etree._Element, etree._Element]:
    """Where the overview comment stands: the first paragraph with text, else an empty run added
    to the first paragraph (a body without any text)."""
    runs = places.first_runs()
    if runs is not None:
        return runs.first, runs.last
    paragraph = places.first_paragraph()
    if paragraph is None:
        raise AnnotationError("Word文档的正文中没有任何段落，无法添加批注")
    run = OxmlElement("w:r")
    paragraph.append(run)
    assert run.tag == W_R
    return run, run
