"""OFD (GB/T 33190-2016, 版式文档: China's fixed-layout format) → `Parsed`: the text of every
page, the annotations, the properties, the attachments' names and the pictures.

An OFD file is a zip whose entry file OFD.xml names each document's Document.xml (`reader` shows
the structure); it is opened and every member read under the guards of `screening.parsers.zippkg`
(entries, sizes, zip bombs, the XML budget, DOCTYPE). The map: `reader` (the structure, what each
member yields), `text` (text objects → lines → paragraphs).

What becomes a `Part` (kind / origin; pages numbered across the package's documents, 1-based):

* each page's text objects (every layer, PageBlocks too) → BODY, one part per paragraph, on its
  page, `paragraph` numbered per page, `source` the page's Content.xml, lines joined with "\\n"
  (see `text` for how runs become lines and paragraphs); OFD has no tables: a table's rows are
  lines like any other;
* template pages (CommonData/TemplatePage, drawn under or over the pages that use them: letterheads,
  running heads) → HEADER origin "template", read once each, no page;
* annotations (Annotations.xml → each page's Annot file): the Remark, each Parameter (data blobs
  longer than `MAX_PARAMETER` characters left out) and the text drawn in the Appearance → COMMENT
  origin "annotation" on the annotated page; each distinct Annot Creator → COMMENT "annotation_author";
* DocInfo → METADATA with the origins a docx's properties have: Title "core.title", Author
  "core.creator", Subject "core.subject", Abstract "core.description", each Keyword
  "core.keywords", DocUsage "core.category", Creator (the program that wrote it)
  "app.Application", CustomData "custom.<Name>";
* outline entries (bookmarks) → METADATA "outline"; attachments (Attachments.xml) → METADATA
  "embedded_file" with the attachment's name; their content is handed over as files inside the
  attachment (`Parsed.inner`, screened as attachments of their own) by `attachments(data)`, each
  of at most `MAX_ATTACHMENT` bytes; one not read is `document.unverifiable`;
* pictures (ImageObject → its MultiMedia resource, Res/*.png|jpg…) → `ImageRef` for OCR
  (`ocr.zip_pictures`) on the page that first shows them; a picture the zip guard stops is
  `document.unverifiable`.

Electronic seals (Signatures) are not read (their seal picture and signer are in binary SES data):
a file with any gets a `document.scanned` problem asking a person to look. Fonts are not needed:
an OFD TextCode holds the characters themselves.

Raises `CorruptError` for no zip (or a truncated one) or a package without OFD.xml or any
document, `TooLargeError` beyond the entry limit.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from screening.model import PartKind, Problem
from screening.parsers.base import Inner, Parsed
from screening.parsers.ofd.reader import MAX_ATTACHMENT, MAX_PARAMETER, WHAT, Reader
from screening.parsers.zippkg import open_zip


def parse(data: bytes) -> Parsed:
    """Read an .ofd (see the module docstring): its attached files are handed over as files inside
    the attachment (`Parsed.inner`); one not read (too large, missing) is said so."""
    with open_zip(data, WHAT) as zf:
        parsed = Reader.of(zf).read()
    names = [p.text for p in parsed.parts if p.origin == "embedded_file"]
    if not names:
        return parsed
    files = attachments(data)
    inner = tuple(Inner(f"附件：{name}", PurePosixPath(name).name or name, blob) for name, blob in files)
    unread = [n for n in names if n not in {name for name, _ in files}]
    problems = parsed.problems
    if unread:
        listed = "、".join(f"“{n}”" for n in unread[:5]) + ("等" if len(unread) > 5 else "")
        problems = (*problems, Problem("document.unverifiable", f"{WHAT}内嵌的附件{listed}未能读取，其内容未审查，请人工核对",
                                       part=PartKind.METADATA))
    return replace(parsed, problems=problems, inner=inner)


def attachments(data: bytes) -> list[tuple[str, bytes]]:
    """The files attached to an OFD (Attachments.xml), each as (name, bytes), in document order;
    one larger than `MAX_ATTACHMENT`, one the zip guard does not inflate or whose member is missing
    is left out (`parse` names every one of them). Raises what `parse` raises for a bad file."""
    out: list[tuple[str, bytes]] = []
    with open_zip(data, WHAT) as zf:
        reader = Reader.of(zf)
        for doc in reader.documents(metadata=False):
            for name, member in reader.attachment_files(doc):
                if member is None or zf.getinfo(member).file_size > MAX_ATTACHMENT:
                    continue
                blob = reader.pkg.read(member)
                if blob is not None:
                    out.append((name, blob))
    return out


__all__ = ["MAX_ATTACHMENT", "MAX_PARAMETER", "attachments", "parse"]
