"""OpenDocument text (.odt) → `Parsed`: every place in the package where an applicant's identity
can leak, read as the docx parser reads a Word file.

An .odt is a zip whose first member, `mimetype`, holds "application/vnd.oasis.opendocument.text"
(the sniffer's test); its text is in content.xml, its headers and footers in styles.xml, its
properties in meta.xml. The package is opened and every member read under the guards of
`screening.parsers.zippkg` (the docx limits: entries, sizes, zip bombs, XML budget, DOCTYPE).

The map: `reader` (the order members are read in, pages, pictures), `walker` (one story into
parts), `styles` (which styles hide text), `meta` (properties), `names` (the vocabulary).

What becomes a `Part` (kind / origin; `text` is always the original text):

* body (content.xml office:text): paragraphs and headings, in lists and sections too → BODY;
  paragraphs in table cells (nested tables too) → TABLE, `source` "content.xml#t1r2c3" (the docx
  naming: `budget.part_grids` rebuilds the grid, `docx.columns` adds the columns read top to
  bottom, origin "column");
* frames, text boxes and shapes (draw:frame/draw:text-box, draw:custom-shape…) → TEXTBOX, origin ""
  in the body, "header" / "footer" in a header or footer, "comment" in an annotation; a picture's
  svg:title / svg:desc → IMAGE "alt_text";
* annotations (office:annotation) → COMMENT ""; each distinct dc:creator and
  meta:creator-initials of one → COMMENT "comment_author";
* footnotes / endnotes (text:note) → FOOTNOTE "" / "endnote";
* tracked changes: the text a deletion removed (text:tracked-changes/text:deletion) → a part of
  its paragraph's kind and number, origin "deleted" (a deletion no paragraph marks: BODY
  "deleted" without a number); every change's dc:creator → METADATA "revision_author";
* hidden text: a span or paragraph whose style (or its parent styles) says text:display="none",
  text:hidden-text, and the paragraphs holding a text:hidden-paragraph field → a part of the
  paragraph's kind, origin "hidden";
* headers and footers of every master page (styles.xml): style:header / style:footer → HEADER /
  FOOTER "default", style:header-left / footer-left → "even", style:header-first / footer-first
  (also loext:) → "first" (page 1);
* meta.xml → METADATA "core.creator" (meta:initial-creator), "core.lastModifiedBy" (dc:creator),
  "core.lastPrintedBy", "core.title", "core.subject", "core.description", "core.keywords",
  "custom.<name>" (meta:user-defined), "app.Template" (see `meta`);
* links: text:a's xlink:href → METADATA "hyperlink"; a picture linked from outside → "external_target";
* embedded charts and objects (Object N/content.xml) → TEXTBOX "chart";
* pictures (Pictures/*) → `ImageRef` for OCR (`ocr.zip_pictures`), on the page that shows them.

Pages: Writer's recorded page breaks (text:soft-page-break) number the parts when there are any;
`Parsed.pages` is the larger of that count and meta.xml's page count.
"""

from __future__ import annotations

from screening.parsers.base import Parsed
from screening.parsers.odt.names import MIMETYPE, TEMPLATE_MIMETYPE
from screening.parsers.odt.reader import WHAT, Reader
from screening.parsers.zippkg import open_zip


def parse(data: bytes) -> Parsed:
    """Read an .odt. Raises `CorruptError` for no zip (or a truncated one) or a package without
    content.xml, `TooLargeError` beyond the entry limit, `EncryptedError` for a password-protected
    one; anything else that cannot be read is a problem in `Parsed`."""
    with open_zip(data, WHAT) as zf:
        return Reader(zf).read()


__all__ = ["MIMETYPE", "TEMPLATE_MIMETYPE", "parse"]
