"""Word (.docx) → `Parsed`: every place in the OOXML package where an applicant's identity can leak.

python-docx's object model shows what Word shows in its default view; a leak hides precisely in
what it drops (text boxes, tracked deletions, hidden runs, comment authors, unreferenced headers…).
So this package opens the zip itself and walks the XML parts with lxml, one recursive pass per part.

The map, in reading order (each module's docstring tells its part in full):

* `reader` — `parse`: opens the package, reads its parts in a fixed order (main document first),
  resolves pages, lists the pictures, collects the problems into `Parsed`.
* `package` — the zip: opening it (or refusing it), the per-member guard on pictures and other
  non-XML members, the XML members streamed safely through `screening.parsers.xmlsafe` within one
  budget, relationships; and the Safety rules: what is reported when a member cannot be read.
* `limits` — the guard's limits (`MAX_ENTRIES`, `MAX_MEDIA_PART`, `MAX_TOTAL_BYTES`,
  `MAX_PICTURE_PROBLEMS`, `MAX_DOCVAR`); patch them there, not on this package.
* `styles` — which styles hide text or break the page (also used by masking).
* `walker` — one story part (body, header, notes, comments…) walked into paragraph, table, text
  box and alt-text parts, with paragraph numbers, table-cell coordinates and page marks.
* `metadata` — the parts read flat: properties, reviewers, document variables, external links,
  SmartArt and chart text.
* `columns` — table columns read top to bottom (a name written one character per cell).
* `embedded` — embedded files and OLE objects (handed over as files inside the attachment),
  w:altChunk content, the glossary (building blocks) and custom XML parts.
* `sink` — shared by the above: the `Sink` collecting parts and problems, and `Page`.
* `ooxml` — namespaces, tag names, Strict → transitional mapping, small value readers.

What becomes a `Part` (kind / origin; `text` is always the original text, never normalised):

* main document (word/document.xml): top-level paragraphs → BODY; paragraphs in table cells
  (nested tables too) → TABLE. Run text is w:t; w:tab/w:ptab → "\\t", w:br/w:cr → "\\n",
  w:noBreakHyphen → "-", w:softHyphen → "", math m:t is text; field codes (w:instrText) are not
  text, but the paths of HYPERLINK/INCLUDEPICTURE/INCLUDETEXT/LINK fields are reported as
  metadata. mc:Fallback is skipped (it repeats the mc:Choice text box); ruby readings are skipped.
* tracked changes: w:ins/w:moveTo text is ordinary text; w:del/w:delText and w:moveFrom text is
  left out of its paragraph and emitted as a part of the paragraph's kind with origin "deleted"
  and the same paragraph number (consecutive deleted runs form one part). Hidden runs (w:vanish,
  directly or through a character/paragraph style) likewise become origin "hidden".
* headers / footers: each member referenced by a section's w:headerReference/w:footerReference
  (read once) → HEADER/FOOTER with origin "default" / "first" / "even" (the first reference
  wins); the first-page header/footer of the first section gets page 1. Header/footer members
  in the relationships or in the zip that no section uses → origin "unreferenced".
* text boxes (w:txbxContent of DrawingML wps:txbx and VML v:textbox, wherever they are) →
  TEXTBOX, origin "" in the main document, else "header" / "footer" / "footnote" / "endnote" /
  "comment" after the story holding the box. VML text paths (watermarks, legacy WordArt) →
  TEXTBOX origin "watermark" (in headers/footers) or "wordart". SmartArt data
  (word/diagrams/data*.xml) → TEXTBOX origin "diagram"; chart titles and text labels
  (word/charts/chart*.xml) → TEXTBOX origin "chart".
* comments → COMMENT (origin ""); each distinct w:author / w:initials → COMMENT origin
  "comment_author"; word/people.xml w15:author and presence userId → METADATA origin "people".
* footnotes → FOOTNOTE origin ""; endnotes → FOOTNOTE origin "endnote" (separators skipped).
* revision authors (w:author of w:ins, w:del, w:rPrChange, …) → METADATA "revision_author".
* properties: docProps/core.xml → METADATA "core.creator", "core.lastModifiedBy", "core.title",
  "core.subject", "core.keywords", "core.description", "core.category", "core.contentStatus",
  "core.identifier"; docProps/app.xml → "app.Company", "app.Manager", "app.HyperlinkBase",
  "app.Template"; docProps/custom.xml → "custom.<name>" (the value); settings.xml document
  variables → "docvar.<name>".
* external relationships in every .rels file: hyperlinks → METADATA "hyperlink", anything else
  (attached template, linked picture or object…) → METADATA "external_target"; a percent-encoded
  target is given twice, as written and decoded.
* pictures: each word/media/* member the zip guard lets through → `ImageRef` (size in bytes,
  width/height from Pillow where it can read the header; one it stops is a problem instead, see
  `package`); wp:docPr/pic:cNvPr @descr/@title and VML @alt/@o:title → IMAGE origin "alt_text".
* table columns: a run of short cells down a column → one more part of the cells' kind, origin
  "column" (see `columns`).
* what a picture says about itself (EXIF, XMP, PNG text: `screening.parsers.picture_meta`) →
  IMAGE origin "picture_meta" on the picture's page.
* the glossary document → METADATA "glossary"; custom XML parts → METADATA "custom_xml"; HTML/MHT
  w:altChunk content → BODY "alt_chunk"; embedded files, OLE objects' contents and other imported
  chunks → files inside the attachment (`Parsed.inner`: screened as attachments of their own, their
  parts carry `Part.embedded`).
"""

from __future__ import annotations

from screening.parsers.docx import limits
from screening.parsers.docx.package import open_zip, open_zip_for_copy
from screening.parsers.docx.reader import parse
from screening.parsers.docx.styles import Styles, read_styles

__all__ = ["Styles", "limits", "open_zip", "open_zip_for_copy", "parse", "read_styles"]
