"""Word (.docx) → `Parsed`: every place in the OOXML package where an applicant's identity can leak.

python-docx's object model shows what Word shows in its default view; a leak hides precisely in
what it drops (text boxes, tracked deletions, hidden runs, comment authors, unreferenced headers…).
So this module opens the zip itself and walks the XML parts with lxml, one recursive pass per part.

Safety. A size guard never hides what is readable; what truly cannot be read is reported where it
is, and the rest of the package is still read.

* The zip as a whole (`_zip`): a file that is no zip, or whose central directory is missing (a
  truncated download), cannot be opened at all — nothing was read, so it is `CorruptError`
  (document.unreadable), as is a zip without a main document part (no docx at all). The only
  limit on the whole archive is `MAX_ENTRIES` (5000) members: above it the file is refused
  (`TooLargeError`, document.too_large), since every member is listed, judged and reported before
  any is read. There is deliberately no refusal for the declared total size: sizes are declared
  by the file, a member that is not inflated costs nothing, and one forged size field would
  otherwise turn a leak's fail into a review.
* Pictures and other non-XML members, one by one (`_skipped`; word/media/* counts as a picture
  whatever its name): a member is not inflated when it declares more than `MAX_MEDIA_PART`
  (64 MB), or more than what is left of `MAX_TOTAL_BYTES` (500 MB, spent in zip order by the
  members that are inflated); zipfile never inflates a member past the size it declares. The
  compression ratio decides nothing: a white BMP a scanner wrote deflates a thousandfold too, and
  what is inflated is bounded by the sizes already. Such a picture is not listed for OCR but becomes a `document.unverifiable` problem
  (fail: a logo or a scanned stamp can name the applicant) naming the picture and where it is
  shown ("正文第3段（第2页）", "页眉（word/header1.xml）第1段", …); any other such member (never
  read anyway: embedded objects, fonts, the thumbnail) a `document.too_large` one. At most
  `MAX_PICTURE_PROBLEMS` of each are listed one by one, the rest counted in one more problem.
  Masking, which copies every member, opens the package with `_open_zip`, which refuses it whole
  when any member is one of these.
* XML members are not judged by their compression ratio — a 3 MB comment or run of whitespace
  compresses a thousandfold and hides nothing — but streamed through lxml by
  `xmlsafe.read_member` (comments and processing instructions dropped, entities unresolved, no
  DTD, no network, libxml2's size limits kept: `huge_tree=False`, so "billion laughs" is refused
  instead of expanding), bounded by their real cost: 64 MB a member, 256 MB and 2 000 000 elements
  for the whole package. A member that stops being well-formed XML or whose zip data is damaged
  (a broken deflate stream, a CRC error) is read up to the damage.
* The main document is read first. It bears the body, where a leak would be: when a limit,
  damage or a refusal (a DOCTYPE, a root that is no w:document) stops it, it is
  `document.unverifiable` (fail: the bureau cannot verify blindness), what was read of it is
  screened, and the headers, footers, notes, comments and properties are still read. Any other
  text-bearing member (headers, footers, notes, comments, drawings, settings, properties,
  relationships) likewise; the styles cut by a limit are a `document.too_large` problem, damaged
  styles a `document.unreadable` one. An encrypted main part refuses the file (`EncryptedError`).

Strict OOXML is read by mapping its namespaces onto the transitional ones while streaming.

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
  Safety); wp:docPr/pic:cNvPr @descr/@title and VML @alt/@o:title → IMAGE origin "alt_text".
* w:altChunk (imported foreign content) cannot be read here and becomes a Problem.

Coordinates. `paragraph` is 1-based and counted per (kind, member): every w:p of that kind in
that zip member counts, empty ones included, so a number points at the same paragraph Word has.
`source` is the zip member; for a paragraph inside a table cell it also carries the cell as a
fragment: "word/document.xml#t1r2c3" is table 1 (tables numbered in document order within the
member, nested ones included), row 2, grid column 3 (w:gridBefore and w:gridSpan counted), and a
nested table appends its own step: "word/document.xml#t1r2c3/t2r1c1". Deleted/hidden parts keep
their paragraph's number and source. Metadata parts have no paragraph.

Pages. A docx has no pages, but Word records where its last layout broke them
(w:lastRenderedPageBreak). If the main document has any, a main-document part's page is 1 + the
rendered breaks before its first character; otherwise explicit breaks are counted instead
(w:br w:type="page", w:pageBreakBefore direct or from the paragraph style, and section breaks
that start a new page). Text boxes, pictures, comments and notes take the page of their anchor.
Without any break, pages stay None. `Parsed.pages` is the larger of that count + 1 and app.xml's
<Pages> (explicit breaks alone undercount; a generator's app.xml can be stale), whichever exist.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree
from PIL import Image

from screening.errors import CorruptError, EncryptedError, TooLargeError
from screening.model import ImageRef, Part, PartKind, Problem
from screening.parsers.base import Parsed
from screening.parsers.xmlsafe import MAX_XML_PART, ZIP_DAMAGE, Budget, Cut, DoctypeError, read_member

__all__ = ["MAX_ENTRIES", "MAX_MEDIA_PART", "MAX_PICTURE_PROBLEMS", "MAX_TOTAL_BYTES", "MAX_XML_PART",
           "parse"]

MB = 1024 * 1024
MAX_ENTRIES = 5000  # the whole archive: more members than this and nothing is read
MAX_MEDIA_PART = 64 * MB  # one picture (or other non-XML member) larger than this, inflated, is not inflated
MAX_TOTAL_BYTES = 500 * MB  # pictures and other non-XML members inflated in all (XML: xmlsafe's own bounds)
MAX_PICTURE_PROBLEMS = 20  # pictures reported one by one; any more are counted in one more problem
MAX_DOCVAR = 2000  # longer document variables are add-in data blobs, not text

# -- namespaces and tags -------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC_NS = "http://schemas.openxmlformats.org/drawingml/2006/picture"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
V_NS = "urn:schemas-microsoft-com:vml"
O_NS = "urn:schemas-microsoft-com:office:office"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

# Strict OOXML → transitional, applied to the raw bytes of a part before it is parsed
_STRICT = (
    (b"http://purl.oclc.org/ooxml/wordprocessingml/main", W_NS.encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships", R_NS.encode()),
    (b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing", WP_NS.encode()),
    (b"http://purl.oclc.org/ooxml/drawingml/main", A_NS.encode()),
    (b"http://purl.oclc.org/ooxml/drawingml/picture", PIC_NS.encode()),
    (b"http://purl.oclc.org/ooxml/drawingml/chart", C_NS.encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/math", M_NS.encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties", EP_NS.encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/customProperties", CUSTOM_NS.encode()),
)


def _w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


W_DOCUMENT, W_BODY, W_P, W_R, W_T, W_DELTEXT = map(_w, ("document", "body", "p", "r", "t", "delText"))
W_PPR, W_RPR, W_PSTYLE, W_RSTYLE, W_VANISH = map(_w, ("pPr", "rPr", "pStyle", "rStyle", "vanish"))
W_TAB, W_PTAB, W_BR, W_CR = map(_w, ("tab", "ptab", "br", "cr"))
W_NOBREAKHYPHEN, W_SOFTHYPHEN, W_INSTRTEXT = map(_w, ("noBreakHyphen", "softHyphen", "instrText"))
W_LASTRENDERED, W_PAGEBREAKBEFORE = map(_w, ("lastRenderedPageBreak", "pageBreakBefore"))
W_TBL, W_TR, W_TC, W_TRPR, W_TCPR = map(_w, ("tbl", "tr", "tc", "trPr", "tcPr"))
W_GRIDBEFORE, W_GRIDSPAN = map(_w, ("gridBefore", "gridSpan"))
W_SDT, W_SDTCONTENT, W_CUSTOMXML = map(_w, ("sdt", "sdtContent", "customXml"))
W_INS, W_DEL, W_MOVETO, W_MOVEFROM = map(_w, ("ins", "del", "moveTo", "moveFrom"))
W_SECTPR, W_SECTPRCHANGE, W_TYPE = map(_w, ("sectPr", "sectPrChange", "type"))
W_HEADERREF, W_FOOTERREF, W_ALTCHUNK = map(_w, ("headerReference", "footerReference", "altChunk"))
W_TXBXCONTENT, W_FLDSIMPLE, W_RUBY, W_RUBYBASE = map(_w, ("txbxContent", "fldSimple", "ruby", "rubyBase"))
W_FOOTNOTEREFERENCE, W_ENDNOTEREFERENCE = map(_w, ("footnoteReference", "endnoteReference"))
W_COMMENTREFERENCE, W_COMMENTRANGESTART = map(_w, ("commentReference", "commentRangeStart"))
W_COMMENT, W_FOOTNOTE, W_ENDNOTE = map(_w, ("comment", "footnote", "endnote"))
W_STYLE, W_BASEDON, W_DOCDEFAULTS, W_DOCVAR = map(_w, ("style", "basedOn", "docDefaults", "docVar"))
W_VAL, W_ID, W_AUTHOR, W_INITIALS, W_NAME = map(_w, ("val", "id", "author", "initials", "name"))
W_STYLEID, W_DEFAULT, W_INSTR = map(_w, ("styleId", "default", "instr"))
R_ID, R_EMBED, R_LINK = f"{{{R_NS}}}id", f"{{{R_NS}}}embed", f"{{{R_NS}}}link"
MC_ALTERNATE, MC_CHOICE, MC_FALLBACK = (f"{{{MC_NS}}}{n}" for n in ("AlternateContent", "Choice", "Fallback"))
WP_DOCPR, PIC_CNVPR = f"{{{WP_NS}}}docPr", f"{{{PIC_NS}}}cNvPr"
A_BLIP, A_P, A_T, A_BR = (f"{{{A_NS}}}{n}" for n in ("blip", "p", "t", "br"))
C_STRCACHE, C_V = f"{{{C_NS}}}strCache", f"{{{C_NS}}}v"
M_T = f"{{{M_NS}}}t"
V_IMAGEDATA, V_TEXTPATH = f"{{{V_NS}}}imagedata", f"{{{V_NS}}}textpath"
V_ALT_SHAPES = frozenset(f"{{{V_NS}}}{n}" for n in ("shape", "rect", "roundrect", "oval", "group", "image"))
O_TITLE = f"{{{O_NS}}}title"
W15_PERSON, W15_PRESENCE = f"{{{W15_NS}}}person", f"{{{W15_NS}}}presenceInfo"
W15_AUTHOR, W15_USERID = f"{{{W15_NS}}}author", f"{{{W15_NS}}}userId"
PR_RELATIONSHIP = f"{{{PR_NS}}}Relationship"

# elements whose text is never document text, skipped while walking a paragraph
_INLINE_SKIP = frozenset(
    {W_PPR, W_RPR, W_SECTPR, MC_FALLBACK, *map(_w, ("sdtPr", "sdtEndPr", "bookmarkStart", "bookmarkEnd", "proofErr"))}
)
_INLINE_DELETED = frozenset({W_DEL, W_MOVEFROM})
_BLOCK_TRANSPARENT = frozenset({W_CUSTOMXML, W_SDTCONTENT, W_INS, W_DEL, W_MOVETO, W_MOVEFROM})
_RUN_SKIP = frozenset({W_RPR, *map(_w, ("fldChar", "delInstrText", "sym", "footnoteRef", "endnoteRef", "annotationRef",
                                        "separator", "continuationSeparator"))})
_REVISION_TAGS = tuple(_w(n) for n in (
    "ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblGridChange",
    "trPrChange", "tcPrChange", "tblPrExChange", "numberingChange", "cellIns", "cellDel", "cellMerge",
    "moveFromRangeStart", "moveToRangeStart", "customXmlInsRangeStart", "customXmlDelRangeStart",
    "customXmlMoveFromRangeStart", "customXmlMoveToRangeStart",
))
_SKIPPED_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})
_NO_NEW_PAGE = frozenset({"continuous", "nextColumn"})
_CORE_FIELDS = ("creator", "lastModifiedBy", "title", "subject", "keywords", "description", "category",
                "contentStatus", "identifier")
_APP_FIELDS = ("Company", "Manager", "HyperlinkBase", "Template")
_FIELD_LINK = re.compile(r'\b(HYPERLINK|INCLUDEPICTURE|INCLUDETEXT|LINK)\s+(?:\\[a-zA-Z*]\s+)*"([^"]+)"')
_HEADER_NAME = re.compile(r"word/(header|footer)\d*\.xml", re.IGNORECASE)
_DIAGRAM_NAME = re.compile(r"word/diagrams/data\d*\.xml", re.IGNORECASE)
_CHART_NAME = re.compile(r"word/charts/chart\d*\.xml", re.IGNORECASE)

_Marks = tuple[int, int]  # (rendered page breaks, explicit page breaks) before a point of the main document
_Page = int | _Marks | None  # a fixed page, a position in the main document, or unknown


# -- small helpers -------------------------------------------------------------------------------


def _text(el: etree._Element) -> str:
    """Text of a w:t-like leaf; unresolved entity references (never in a real file) are dropped."""
    text = el.text or ""
    if len(el):
        text += "".join(child.tail or "" for child in el)
    return text


def _on(el: etree._Element) -> bool:
    """A WordprocessingML on/off property: present without w:val, or with a true value."""
    val = el.get(W_VAL)
    return val is None or val.strip().lower() not in ("0", "false", "off")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _natural(name: str) -> tuple[object, ...]:
    return tuple(int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", name.lower()))


def _section_type(sect: etree._Element) -> str:
    """How a section starts: "nextPage" (the default), "continuous", "evenPage", …"""
    el = sect.find(W_TYPE)
    return (el.get(W_VAL) or "nextPage") if el is not None else "nextPage"


def _localname(el: etree._Element) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


# -- the zip -------------------------------------------------------------------------------------


def _zip(data: bytes) -> zipfile.ZipFile:
    """The package opened, or `CorruptError` when it is no zip (or its central directory, at the
    end of the file, is missing — a truncated download: then nothing at all can be read)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
            struct.error) as err:
        raise CorruptError("Word文档已损坏或不完整") from err
    if len(infos) > MAX_ENTRIES:  # the one limit on the whole archive (see the module docstring)
        zf.close()
        raise TooLargeError(f"Word文档内含文件过多（{len(infos)}个，上限{MAX_ENTRIES}个），疑似恶意文件，未予审查")
    return zf


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """The package for a caller that inflates every member (masking): refused whole
    (`TooLargeError`) when any member is one the parser would not inflate."""
    zf = _zip(data)
    skipped = _skipped(zf.infolist())
    if skipped:
        zf.close()
        name, reason = next(iter(skipped.items()))
        raise TooLargeError(f"Word文档中的“{name}”{reason}，未予审查")
    return zf


def _is_xml(info: zipfile.ZipInfo) -> bool:
    return info.filename.lower().endswith((".xml", ".rels"))


def _is_media(name: str) -> bool:
    return name.lower().startswith("word/media/")


def _guarded(info: zipfile.ZipInfo) -> bool:
    """Members judged by the zip guard: everything not read as XML (pictures whatever their name)."""
    return not info.is_dir() and (not _is_xml(info) or _is_media(info.filename))


def _skipped(infos: list[zipfile.ZipInfo]) -> dict[str, str]:
    """The members not to inflate, in zip order, each with why (Chinese): the per-member guard."""
    out: dict[str, str] = {}
    left = MAX_TOTAL_BYTES
    for info in infos:
        if not _guarded(info):
            continue  # XML: streamed and bounded by what it really holds (xmlsafe), never by its ratio
        size = info.file_size
        if size > MAX_MEDIA_PART:
            out[info.filename] = f"解压后{_mb(size)}，超过单个文件{_mb(MAX_MEDIA_PART)}的上限，疑似压缩炸弹"
        elif size > left:
            out[info.filename] = f"超出整个文档可解压的图片等文件总量（{_mb(MAX_TOTAL_BYTES)}）"
        else:
            left -= size
    return out


def _mb(n: int) -> str:
    return f"{n / MB:.0f}MB" if n >= MB else f"{n}字节"


def _refused(err: Exception) -> str:
    """Why a member was not read at all (Chinese, after the member's name)."""
    if isinstance(err, DoctypeError):
        return "含有文档类型声明(DOCTYPE)，Word不会生成这种内容，疑似恶意文件，其中的内容未予读取"
    if isinstance(err, EncryptedError):
        return "被加密，其中的内容无法读取"
    return f"无法读取（{type(err).__name__}）"


@dataclass(frozen=True, slots=True)
class _Rel:
    rid: str
    type: str
    target: str
    external: bool


class _Sink:
    """Collects parts in document order, numbers paragraphs, de-duplicates one-per-value parts."""

    def __init__(self) -> None:
        self.items: list[tuple[PartKind, str, int | None, str, str, _Page]] = []
        self.counters: dict[tuple[PartKind, str], int] = {}
        self.once_items: dict[tuple[PartKind, str, str], str] = {}
        self.problems: list[Problem] = []

    def number(self, kind: PartKind, member: str) -> int:
        key = (kind, member)
        self.counters[key] = n = self.counters.get(key, 0) + 1
        return n

    def add(self, kind: PartKind, text: str, *, source: str, origin: str = "", paragraph: int | None = None,
            page: _Page = None) -> None:
        if text.strip():
            self.items.append((kind, text, paragraph, origin, source, page))

    def once(self, kind: PartKind, origin: str, text: str | None, source: str) -> None:
        """A part emitted once per distinct value (authors, links), at the end."""
        if text and text.strip():
            self.once_items.setdefault((kind, origin, text), source)

    def problem(self, message: str, part: PartKind | None = None) -> None:
        self.problems.append(Problem("document.unreadable", message, part=part))


class _Package:
    """Case-insensitive access to the zip members, their XML and their relationships."""

    def __init__(self, zf: zipfile.ZipFile, sink: _Sink) -> None:
        self.zf = zf
        self.sink = sink
        self.names: dict[str, str] = {i.filename.lower(): i.filename for i in zf.infolist() if not i.is_dir()}
        self.skipped = _skipped(zf.infolist())  # member → why the zip guard does not inflate it
        self.budget = Budget()
        self._rels: dict[str, dict[str, _Rel]] = {}

    def find(self, name: str) -> str | None:
        name = name.lstrip("/")
        return self.names.get(name.lower()) or self.names.get(unquote(name).lower())

    def read_xml(self, member: str) -> tuple[etree._Element | None, Cut | None]:
        """A member's XML, streamed within the package's budget: (root, why it was cut short)."""
        info = self.zf.getinfo(member)
        if info.flag_bits & 0x1:
            raise EncryptedError(f"Word文档中的“{member}”被加密，无法审查")
        return read_member(self.zf, info, self.budget, _STRICT)

    def cut(self, member: str, what: str, cut: Cut, part: PartKind | None, bears_text: bool = True) -> None:
        """A member a size limit or damage stopped: text-bearing, the attachment cannot be verified
        blind (what was read of it is still screened)."""
        rest = "其后的内容" if cut.partial else "其中的内容"
        if not bears_text:  # the styles: only how text looks is lost, every text is still read
            rule = "document.unreadable" if cut.damaged else "document.too_large"
            self.sink.problems.append(Problem(rule, f"Word文档中的{what}（{member}）{cut.reason}，{rest}未能读取", part=part))
            return
        self.unverifiable(member, what, f"{cut.reason}，{rest}无法读取", part)

    def unverifiable(self, member: str, what: str, why: str, part: PartKind | None) -> None:
        """A text-bearing member (or the rest of one) that cannot be read: it could hide a name."""
        self.sink.problems.append(Problem(
            "document.unverifiable", f"附件的{what}部分（{member}）{why}，无法确认是否暴露身份", part=part))

    def xml(self, member: str, what: str, part: PartKind | None = None, *,
            bears_text: bool = True) -> etree._Element | None:
        """A part; one a limit or damage cut short is reported and what was read of it is returned,
        one refused outright (encrypted, a DOCTYPE) is reported and skipped."""
        try:
            root, cut = self.read_xml(member)
        except (*ZIP_DAMAGE, RuntimeError, EncryptedError, CorruptError) as err:
            if bears_text:  # a refused header or comments part could hide a name: blindness unverifiable
                self.unverifiable(member, what, _refused(err), part)
            else:
                self.sink.problem(f"Word文档中的{what}（{member}）{_refused(err)}", part)
            return None
        if cut is not None:
            self.cut(member, what, cut, part, bears_text)
        return root

    def rels_of(self, source: str) -> dict[str, _Rel]:
        """The relationships of a part ("" for the package)."""
        folder, name = posixpath.split(source)
        return self.rels_file(posixpath.join(folder, "_rels", f"{name}.rels"))

    def rels_file(self, rels_name: str) -> dict[str, _Rel]:
        if rels_name in self._rels:
            return self._rels[rels_name]
        rels: dict[str, _Rel] = {}
        member = self.find(rels_name)
        root = self.xml(member, "关系表") if member else None
        if root is not None:
            for el in root.iter(PR_RELATIONSHIP):
                rid, target = el.get("Id") or "", el.get("Target") or ""
                external = (el.get("TargetMode") or "").lower() == "external"
                rels[rid] = _Rel(rid, el.get("Type") or "", target, external)
        self._rels[rels_name] = rels
        return rels

    def resolve(self, source: str, target: str) -> str | None:
        """The zip member an internal relationship target of `source` points at."""
        if target.startswith("/"):
            return self.find(target)
        return self.find(posixpath.normpath(posixpath.join(posixpath.dirname(source), target)))

    def related(self, source: str, type_suffix: str) -> list[str]:
        out: list[str] = []
        for rel in self.rels_of(source).values():
            if not rel.external and rel.type.endswith(type_suffix):
                member = self.resolve(source, rel.target)
                if member and member not in out:
                    out.append(member)
        return out

    def part(self, source: str, type_suffix: str, fallback: str) -> str | None:
        found = self.related(source, type_suffix)
        return found[0] if found else self.find(fallback)


# -- styles: what makes text hidden or starts a page ----------------------------------------------


@dataclass(slots=True)
class _Styles:
    para_hidden: dict[str, bool]
    char_hidden: dict[str, bool]
    para_break: dict[str, bool]
    default_para: str = ""
    default_hidden: bool = False

    def paragraph(self, style: str) -> tuple[bool, bool]:
        """(hidden, page break before) that a paragraph style gives its paragraph."""
        style = style or self.default_para
        return self.para_hidden.get(style, self.default_hidden), self.para_break.get(style, False)

    def run_hidden(self, rpr: etree._Element | None, para_hidden: bool) -> bool:
        if rpr is None:
            return para_hidden
        vanish = rpr.find(W_VANISH)
        if vanish is not None:
            return _on(vanish)
        rstyle = rpr.find(W_RSTYLE)
        if rstyle is not None:
            return self.char_hidden.get(rstyle.get(W_VAL) or "", para_hidden)
        return para_hidden


def _read_styles(root: etree._Element | None) -> _Styles:
    styles = _Styles({}, {}, {})
    if root is None:
        return styles
    raw: dict[tuple[str, str], tuple[str, bool | None, bool | None]] = {}
    for el in root.iter(W_STYLE):
        sid, stype = el.get(W_STYLEID) or "", el.get(W_TYPE) or "paragraph"
        based = el.find(W_BASEDON)
        vanish = el.find(f"{W_RPR}/{W_VANISH}")
        pbb = el.find(f"{W_PPR}/{W_PAGEBREAKBEFORE}")
        raw[(stype, sid)] = (
            based.get(W_VAL) or "" if based is not None else "",
            _on(vanish) if vanish is not None else None,
            _on(pbb) if pbb is not None else None,
        )
        if stype == "paragraph" and _on_attr(el.get(W_DEFAULT)):
            styles.default_para = sid
    default_vanish = root.find(f"{W_DOCDEFAULTS}/{_w('rPrDefault')}/{W_RPR}/{W_VANISH}")
    styles.default_hidden = default_vanish is not None and _on(default_vanish)

    def effective(stype: str, sid: str, index: int) -> bool | None:
        for _ in range(32):  # basedOn chains are short; this also ends a cycle
            entry = raw.get((stype, sid))
            if entry is None:
                return None
            if entry[index] is not None:
                return entry[index]
            sid = entry[0]
        return None

    for stype, sid in raw:
        hidden = effective(stype, sid, 1)
        if stype == "paragraph":
            styles.para_hidden[sid] = styles.default_hidden if hidden is None else hidden
            styles.para_break[sid] = bool(effective(stype, sid, 2))
        elif stype == "character" and hidden is not None:
            styles.char_hidden[sid] = hidden
    return styles


def _on_attr(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "true", "on")


# -- the story walker ----------------------------------------------------------------------------


class _Para:
    """What one w:p yields while it is walked: text pieces by channel, boxes, field codes."""

    __slots__ = ("alts", "boxes", "hidden", "instr", "kind", "number", "page", "pieces")

    def __init__(self, hidden: bool, kind: PartKind, number: int) -> None:
        self.pieces: list[tuple[str, str]] = []  # (channel, text); channel "" | "deleted" | "hidden"
        self.page: _Page = None
        self.boxes: list[etree._Element] = []
        self.instr: list[str] = []
        self.alts: set[str] = set()
        self.hidden = hidden
        self.kind = kind  # the paragraph's kind and number, for the pictures in it
        self.number = number


class _Walker:
    """One pass over one story part (the document, a header, the footnotes, …).

    The main document's walker also counts page breaks and remembers where comments, notes and
    pictures are anchored; other walkers carry a fixed `page` for what they emit.
    """

    def __init__(self, sink: _Sink, styles: _Styles, member: str, *, box_origin: str, main: bool = False,
                 page: _Page = None, sect_types: list[str] | None = None) -> None:
        self.sink = sink
        self.styles = styles
        self.member = member
        self.box_origin = box_origin
        self.main = main
        self.page = page
        self.tables = 0
        self.in_box = 0
        self.box_page: _Page = None
        # main document only
        self.rendered = 0
        self.explicit = 0
        self.seen_paragraph = False
        self.sect_types = sect_types or []
        self.section = 0
        self.section_refs: list[tuple[PartKind, str, str, int]] = []  # (kind, w:type, r:id, section index)
        self.anchors: dict[tuple[str, str], _Page] = {}  # ("comment"|"footnote"|"endnote"|"image", id) → page
        self.field_links: list[str] = []
        self.alt_chunks: list[str] = []
        self.pictures: list[tuple[str, PartKind, int, _Page]] = []  # (r:id, paragraph kind, number, page)

    # where the text being read is
    def _where(self) -> _Page:
        if self.in_box:
            return self.box_page
        if self.main:
            return (self.rendered, self.explicit)
        return self.page

    def _counting(self) -> bool:
        return self.main and not self.in_box

    def _anchor(self, what: str, ident: str | None) -> None:
        if self.main and ident is not None:
            self.anchors.setdefault((what, ident), self._where())

    # block level
    def blocks(self, container: etree._Element, kind: PartKind, origin: str, path: str = "") -> None:
        for child in container:
            tag = child.tag
            if tag == W_P:
                self._paragraph(child, kind, origin, path)
            elif tag == W_TBL:
                self._table(child, kind, origin, path)
            elif tag == W_SDT:
                content = child.find(W_SDTCONTENT)
                if content is not None:
                    self.blocks(content, kind, origin, path)
            elif tag in _BLOCK_TRANSPARENT:
                self.blocks(child, kind, origin, path)
            elif tag == MC_ALTERNATE:
                chosen = _choice(child)
                if chosen is not None:
                    self.blocks(chosen, kind, origin, path)
            elif tag == W_SECTPR:
                self._section(child)
            elif tag == W_ALTCHUNK:
                self.alt_chunks.append(child.get(R_ID) or "")

    def _table(self, tbl: etree._Element, kind: PartKind, origin: str, path: str) -> None:
        self.tables += 1
        index = self.tables
        cell_kind = PartKind.TABLE if kind in (PartKind.BODY, PartKind.TABLE) else kind
        prefix = f"{path}/" if path else ""
        for row, tr in enumerate(_descendants(tbl, W_TR), start=1):
            trpr = tr.find(W_TRPR)
            before = trpr.find(W_GRIDBEFORE) if trpr is not None else None
            col = 1 + (_int(before.get(W_VAL), 0) if before is not None else 0)
            for tc in _descendants(tr, W_TC):
                span_el = tc.find(f"{W_TCPR}/{W_GRIDSPAN}")
                span = max(1, _int(span_el.get(W_VAL), 1)) if span_el is not None else 1
                self.blocks(tc, cell_kind, origin, f"{prefix}t{index}r{row}c{col}")
                col += span

    def _section(self, sect: etree._Element) -> None:
        index = self.section
        self.section += 1
        for ref in sect:
            if ref.tag in (W_HEADERREF, W_FOOTERREF):
                kind = PartKind.HEADER if ref.tag == W_HEADERREF else PartKind.FOOTER
                self.section_refs.append((kind, ref.get(W_TYPE) or "default", ref.get(R_ID) or "", index))
        # a paragraph's sectPr ends a section; the next section's w:type says whether a page starts
        if self._counting() and index + 1 < len(self.sect_types) and self.sect_types[index + 1] not in _NO_NEW_PAGE:
            self.explicit += 1

    def _paragraph(self, p: etree._Element, kind: PartKind, origin: str, path: str) -> None:
        number = self.sink.number(kind, self.member)
        style, direct_break, sect = "", None, None
        ppr = p.find(W_PPR)
        if ppr is not None:
            style_el = ppr.find(W_PSTYLE)
            style = style_el.get(W_VAL) or "" if style_el is not None else ""
            break_el = ppr.find(W_PAGEBREAKBEFORE)
            direct_break = _on(break_el) if break_el is not None else None
            sect = ppr.find(W_SECTPR)
        hidden, style_break = self.styles.paragraph(style)
        if self._counting():
            if (style_break if direct_break is None else direct_break) and self.seen_paragraph:
                self.explicit += 1
            self.seen_paragraph = True
        para = _Para(hidden, kind, number)
        self._children(p, para, False)
        page = para.page if para.page is not None else self._where()
        source = f"{self.member}#{path}" if path else self.member
        self._emit(para, kind, origin, number, source, page)
        if sect is not None:
            self._section(sect)
        if para.boxes:
            saved = self.box_page
            self.box_page = page
            self.in_box += 1
            for box in para.boxes:
                self.blocks(box, PartKind.TEXTBOX, self.box_origin)
            self.in_box -= 1
            self.box_page = saved

    def _emit(self, para: _Para, kind: PartKind, origin: str, number: int, source: str, page: _Page) -> None:
        pieces = para.pieces
        self.sink.add(kind, "".join(t for ch, t in pieces if not ch), source=source, origin=origin,
                      paragraph=number, page=page)
        group: list[str] | None = None
        group_channel = ""
        groups: list[tuple[str, list[str]]] = []
        for channel, text in pieces:
            if not channel:
                group = None
            elif group is not None and channel == group_channel:
                group.append(text)
            else:
                group, group_channel = [text], channel
                groups.append((channel, group))
        for channel, texts in groups:
            self.sink.add(kind, "".join(texts), source=source, origin=channel, paragraph=number, page=page)
        if para.instr:
            self.field_links.append("".join(para.instr))

    # inline level
    def _add(self, para: _Para, channel: str, text: str) -> None:
        if text:
            if para.page is None and text.strip():
                para.page = self._where()
            para.pieces.append((channel, text))

    def _children(self, el: etree._Element, para: _Para, deleted: bool) -> None:
        for child in el:
            self._node(child, para, deleted)

    def _node(self, child: etree._Element, para: _Para, deleted: bool) -> None:
        tag = child.tag
        if tag == W_R:
            self._run(child, para, deleted)
        elif tag in _INLINE_SKIP or not isinstance(tag, str):
            return
        elif tag in _INLINE_DELETED:
            self._children(child, para, True)
        elif tag == W_TXBXCONTENT:
            para.boxes.append(child)
        elif tag == MC_ALTERNATE:
            chosen = _choice(child)
            if chosen is not None:
                self._children(chosen, para, deleted)
        elif tag == M_T:
            self._add(para, "deleted" if deleted else ("hidden" if para.hidden else ""), _text(child))
        elif tag in (WP_DOCPR, PIC_CNVPR):
            self._alt(para, child.get("descr"), child.get("title"))
        elif tag == A_BLIP:
            self._picture(para, child.get(R_EMBED) or child.get(R_LINK))
        elif tag == V_IMAGEDATA:
            self._picture(para, child.get(R_ID))
            self._alt(para, child.get(O_TITLE))
        elif tag == V_TEXTPATH:
            origin = "watermark" if self.box_origin in ("header", "footer") else "wordart"
            self.sink.add(PartKind.TEXTBOX, child.get("string") or "", source=self.member, origin=origin,
                          paragraph=self.sink.number(PartKind.TEXTBOX, self.member), page=self._where())
        elif tag == W_COMMENTRANGESTART:
            self._anchor("comment", child.get(W_ID))
        else:
            if tag == W_FLDSIMPLE:
                para.instr.append(child.get(W_INSTR) or "")
            elif tag in V_ALT_SHAPES:
                self._alt(para, child.get("alt"))
            self._children(child, para, deleted)

    def _run(self, r: etree._Element, para: _Para, deleted: bool) -> None:
        hidden = not deleted and self.styles.run_hidden(r.find(W_RPR), para.hidden)
        channel = "deleted" if deleted else ("hidden" if hidden else "")
        for child in r:
            tag = child.tag
            if tag in (W_T, W_DELTEXT):
                self._add(para, channel or ("deleted" if tag == W_DELTEXT else ""), _text(child))
            elif tag in _RUN_SKIP:
                continue
            elif tag in (W_TAB, W_PTAB):
                self._add(para, channel, "\t")
            elif tag == W_BR:
                self._add(para, channel, "\n")
                if child.get(W_TYPE) == "page" and not deleted and self._counting():
                    self.explicit += 1
            elif tag == W_CR:
                self._add(para, channel, "\n")
            elif tag == W_NOBREAKHYPHEN:
                self._add(para, channel, "-")
            elif tag == W_SOFTHYPHEN:
                continue
            elif tag == W_LASTRENDERED:
                if self._counting():
                    self.rendered += 1
            elif tag == W_INSTRTEXT:
                para.instr.append(_text(child))
            elif tag == W_FOOTNOTEREFERENCE:
                self._anchor("footnote", child.get(W_ID))
            elif tag == W_ENDNOTEREFERENCE:
                self._anchor("endnote", child.get(W_ID))
            elif tag == W_COMMENTREFERENCE:
                self._anchor("comment", child.get(W_ID))
            elif tag == W_RUBY:
                base = child.find(W_RUBYBASE)  # the reading (w:rt) above the base text is skipped
                if base is not None:
                    self._children(base, para, deleted)
            else:
                self._node(child, para, deleted)

    def _picture(self, para: _Para, rid: str | None) -> None:
        self._anchor("image", rid)
        if rid:
            self.pictures.append((rid, para.kind, para.number, self._where()))

    def _alt(self, para: _Para, *values: str | None) -> None:
        for value in values:
            if value and value.strip() and value not in para.alts:
                para.alts.add(value)
                self.sink.add(PartKind.IMAGE, value, source=self.member, origin="alt_text",
                              paragraph=self.sink.number(PartKind.IMAGE, self.member), page=self._where())


def _choice(alternate: etree._Element) -> etree._Element | None:
    """The mc:Choice of an mc:AlternateContent; its mc:Fallback only when there is no choice."""
    fallback = None
    for child in alternate:
        if child.tag == MC_CHOICE:
            return child
        if child.tag == MC_FALLBACK and fallback is None:
            fallback = child
    return fallback


def _descendants(el: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Rows of a table / cells of a row, also when wrapped in content controls or custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in (W_SDT, W_SDTCONTENT, W_CUSTOMXML, W_INS, W_DEL):
            yield from _descendants(child, tag)


# -- the package reader --------------------------------------------------------------------------

# a walker's box origin → the story it reads, as a clerk calls it
_STORY_NAMES = {"": "正文", "header": "页眉", "footer": "页脚", "footnote": "脚注", "endnote": "尾注", "comment": "批注"}
_INNER_NAMES = {PartKind.TABLE: "表格中", PartKind.TEXTBOX: "文本框中"}


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a picture is shown: the story, its zip member, the paragraph (kind and number), the page."""

    story: str
    member: str
    kind: PartKind
    paragraph: int
    page: _Page

    def describe(self, page: int | None) -> str:
        """Where, as a clerk reads it: 正文第3段（第2页）, 正文表格中第5段, 页眉（word/header1.xml）第1段, …"""
        story = self.story if self.story == "正文" else f"{self.story}（{self.member}）"
        where = f"{story}{_INNER_NAMES.get(self.kind, '')}第{self.paragraph}段"
        return f"{where}（第{page}页）" if page is not None else where



class _Reader:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.sink = _Sink()
        self.pkg = _Package(zf, self.sink)
        self.main = ""
        self.styles = _Styles({}, {}, {})
        self.walker: _Walker | None = None
        self.places: dict[str, list[_Place]] = {}  # picture member → where it is shown, in reading order
        self.mode: int | None = None  # 0: rendered page breaks, 1: explicit ones, None: no pages
        self.app_pages: int | None = None

    def read(self) -> Parsed:
        root = self._main_root()
        styles_member = self.pkg.part(self.main, "/styles", "word/styles.xml")
        if styles_member:
            self.styles = _read_styles(self.pkg.xml(styles_member, "样式表", bears_text=False))
        if root is not None:
            self._main(root)
        self._headers_footers()
        self._notes("/footnotes", "word/footnotes.xml", W_FOOTNOTE, "footnote", "", "脚注")
        self._notes("/endnotes", "word/endnotes.xml", W_ENDNOTE, "endnote", "endnote", "尾注")
        self._comments()
        self._people()
        self._drawings(_DIAGRAM_NAME, "diagram", "SmartArt图形")
        self._drawings(_CHART_NAME, "chart", "图表")
        self._settings()
        self._properties()
        self._external_links()
        images = self._images()
        return Parsed(parts=self._parts(), pages=self._pages(), images=images, problems=tuple(self.sink.problems))

    # the main document
    def _main_root(self) -> etree._Element | None:
        """The main document, read first. The body is where a leak would be: a main part that
        damage (malformed XML, a broken deflate stream, a CRC error), a limit or a refusal (a
        DOCTYPE) stops is `document.unverifiable`, what was read of it is returned (None: nothing)
        and the other parts are still read. Only a package without a main part is no docx at all
        (`CorruptError`); an encrypted main part refuses the file (`EncryptedError`)."""
        main = self.pkg.part("", "/officeDocument", "word/document.xml")
        if main is None:
            raise CorruptError("Word文档缺少正文部分（word/document.xml），文件已损坏或不是Word文档")
        self.main = main
        try:
            root, cut = self.pkg.read_xml(main)
        except (*ZIP_DAMAGE, RuntimeError, CorruptError) as err:
            self.pkg.unverifiable(main, "正文", _refused(err), PartKind.BODY)
            return None
        if root is not None and root.tag != W_DOCUMENT:
            self.pkg.unverifiable(main, "正文", "不是Word正文格式，其中的内容无法读取", PartKind.BODY)
            return None
        if cut is not None:
            self.pkg.cut(main, "正文", cut, PartKind.BODY)
        return root

    def _main(self, root: etree._Element) -> None:
        sect_types = [_section_type(s) for s in root.iter(W_SECTPR) if s.getparent().tag != W_SECTPRCHANGE]
        walker = _Walker(self.sink, self.styles, self.main, box_origin="", main=True, sect_types=sect_types)
        self.walker = walker
        for body in root.iterchildren(W_BODY):  # Word opens a document with several bodies: read them all
            self._walk(walker, body, PartKind.BODY, "")
        self.mode = 0 if walker.rendered else (1 if walker.explicit else None)
        self._revision_authors(root, self.main)
        rels = self.pkg.rels_of(self.main)
        for rid in walker.alt_chunks:
            rel = rels.get(rid)
            target = rel.target if rel else rid
            self.sink.problems.append(Problem(
                "document.unreadable", f"Word文档嵌入了外部格式的内容块（{target}），其中的文字未能审查，请人工核对",
                part=PartKind.BODY))

    def _walk(self, walker: _Walker, container: etree._Element, kind: PartKind, origin: str) -> None:
        try:
            walker.blocks(container, kind, origin)
        except RecursionError:  # every story bears text: what was walked is kept, the rest is unverifiable
            self.pkg.unverifiable(walker.member, _STORY_NAMES.get(walker.box_origin, "正文"),
                                  "结构嵌套过深，部分内容无法读取", kind)
        self._field_links(walker)
        self._pictures(walker)

    def _pictures(self, walker: _Walker) -> None:
        """Where the pictures the walker met are shown, by the zip member each one is."""
        if not walker.pictures:
            return
        rels = self.pkg.rels_of(walker.member)
        story = _STORY_NAMES.get(walker.box_origin, "正文")
        for rid, kind, paragraph, page in walker.pictures:
            rel = rels.get(rid)
            member = self.pkg.resolve(walker.member, rel.target) if rel and not rel.external else None
            if member is not None:
                self.places.setdefault(member, []).append(_Place(story, walker.member, kind, paragraph, page))
        walker.pictures.clear()

    def _field_links(self, walker: _Walker) -> None:
        for code in walker.field_links:
            for match in _FIELD_LINK.finditer(code):
                origin = "hyperlink" if match.group(1) == "HYPERLINK" else "external_target"
                self.sink.once(PartKind.METADATA, origin, match.group(2), walker.member)
        walker.field_links.clear()

    def _revision_authors(self, root: etree._Element, member: str) -> None:
        for el in root.iter(*_REVISION_TAGS):
            self.sink.once(PartKind.METADATA, "revision_author", el.get(W_AUTHOR), member)

    def _anchor(self, what: str, ident: str | None) -> _Page:
        if self.walker is None or ident is None:
            return None
        return self.walker.anchors.get((what, ident))

    # stories other than the body
    def _story(self, member: str, kind: PartKind, origin: str, page: _Page, what: str) -> None:
        root = self.pkg.xml(member, what, kind)
        if root is None:
            return
        box_origin = "header" if kind == PartKind.HEADER else "footer"
        walker = _Walker(self.sink, self.styles, member, box_origin=box_origin, page=page)
        self._walk(walker, root, kind, origin)
        self._revision_authors(root, member)

    def _headers_footers(self) -> None:
        rels = self.pkg.rels_of(self.main)
        done: set[str] = set()
        refs = self.walker.section_refs if self.walker is not None else ()  # None: the main document was not read
        for kind, typ, rid, section in refs:
            rel = rels.get(rid)
            member = self.pkg.resolve(self.main, rel.target) if rel and not rel.external else None
            if member is None or member in done:
                continue
            done.add(member)
            page = 1 if typ == "first" and section == 0 else None
            self._story(member, kind, typ, page, "页眉" if kind == PartKind.HEADER else "页脚")
        unreferenced = self.pkg.related(self.main, "/header") + self.pkg.related(self.main, "/footer")
        unreferenced += sorted((n for n in self.pkg.names.values() if _HEADER_NAME.fullmatch(n)), key=_natural)
        for member in unreferenced:
            if member in done:
                continue
            done.add(member)
            is_header = posixpath.basename(member).lower().startswith("header")
            self._story(member, PartKind.HEADER if is_header else PartKind.FOOTER, "unreferenced", None,
                        "页眉" if is_header else "页脚")

    def _notes(self, rel_type: str, fallback: str, tag: str, anchor: str, origin: str, what: str) -> None:
        member = self.pkg.part(self.main, rel_type, fallback)
        root = self.pkg.xml(member, what, PartKind.FOOTNOTE) if member else None
        if member is None or root is None:
            return
        walker = _Walker(self.sink, self.styles, member, box_origin=anchor)
        for note in root.iter(tag):
            if (note.get(W_TYPE) or "normal") in _SKIPPED_NOTES:
                continue
            walker.page = self._anchor(anchor, note.get(W_ID))
            self._walk(walker, note, PartKind.FOOTNOTE, origin)
        self._revision_authors(root, member)

    def _comments(self) -> None:
        member = self.pkg.part(self.main, "/comments", "word/comments.xml")
        root = self.pkg.xml(member, "批注", PartKind.COMMENT) if member else None
        if member is None or root is None:
            return
        walker = _Walker(self.sink, self.styles, member, box_origin="comment")
        for comment in root.iter(W_COMMENT):
            self.sink.once(PartKind.COMMENT, "comment_author", comment.get(W_AUTHOR), member)
            self.sink.once(PartKind.COMMENT, "comment_author", comment.get(W_INITIALS), member)
            walker.page = self._anchor("comment", comment.get(W_ID))
            self._walk(walker, comment, PartKind.COMMENT, "")
        self._revision_authors(root, member)

    def _people(self) -> None:
        member = self.pkg.part(self.main, "/people", "word/people.xml")
        root = self.pkg.xml(member, "审阅者列表", PartKind.METADATA) if member else None
        if member is None or root is None:
            return
        for person in root.iter(W15_PERSON):
            self.sink.once(PartKind.METADATA, "people", person.get(W15_AUTHOR), member)
            for presence in person.iter(W15_PRESENCE):
                self.sink.once(PartKind.METADATA, "people", presence.get(W15_USERID), member)

    def _drawings(self, pattern: re.Pattern[str], origin: str, what: str) -> None:
        for member in sorted((n for n in self.pkg.names.values() if pattern.fullmatch(n)), key=_natural):
            root = self.pkg.xml(member, what, PartKind.TEXTBOX)
            if root is None:
                continue
            for p in root.iter(A_P):
                text = "".join(_text(el) if el.tag == A_T else "\n" for el in p.iter(A_T, A_BR))
                self.sink.add(PartKind.TEXTBOX, text, source=member, origin=origin,
                              paragraph=self.sink.number(PartKind.TEXTBOX, member))
            for cache in root.iter(C_STRCACHE):
                for value in cache.iter(C_V):
                    self.sink.add(PartKind.TEXTBOX, _text(value), source=member, origin=origin,
                                  paragraph=self.sink.number(PartKind.TEXTBOX, member))

    def _settings(self) -> None:
        member = self.pkg.part(self.main, "/settings", "word/settings.xml")
        root = self.pkg.xml(member, "文档设置", PartKind.METADATA) if member else None
        if member is None or root is None:
            return
        for var in root.iter(W_DOCVAR):
            value = var.get(W_VAL) or ""
            if len(value) <= MAX_DOCVAR:
                self.sink.add(PartKind.METADATA, value, source=member, origin=f"docvar.{var.get(W_NAME) or ''}")

    # package-level metadata
    def _properties(self) -> None:
        core = self.pkg.part("", "/core-properties", "docProps/core.xml")
        root = self.pkg.xml(core, "文档属性", PartKind.METADATA) if core else None
        if core and root is not None:
            for child in root:
                name = _localname(child)
                if name in _CORE_FIELDS:
                    self.sink.add(PartKind.METADATA, "".join(child.itertext()), source=core, origin=f"core.{name}")
        app = self.pkg.part("", "/extended-properties", "docProps/app.xml")
        root = self.pkg.xml(app, "文档属性", PartKind.METADATA) if app else None
        if app and root is not None:
            for child in root:
                name = _localname(child)
                if name in _APP_FIELDS:
                    self.sink.add(PartKind.METADATA, "".join(child.itertext()), source=app, origin=f"app.{name}")
                elif name == "Pages":
                    pages = _int((child.text or "").strip(), 0)
                    self.app_pages = pages if pages > 0 else None
        custom = self.pkg.part("", "/custom-properties", "docProps/custom.xml")
        root = self.pkg.xml(custom, "自定义属性", PartKind.METADATA) if custom else None
        if custom and root is not None:
            for prop in root:
                if _localname(prop) == "property":
                    self.sink.add(PartKind.METADATA, "".join(prop.itertext()), source=custom,
                                  origin=f"custom.{prop.get('name') or ''}")

    def _external_links(self) -> None:
        for name in sorted((n for n in self.pkg.names.values() if n.lower().endswith(".rels")), key=_natural):
            for rel in self.pkg.rels_file(name).values():
                if not rel.external or not rel.target.strip():
                    continue
                origin = "hyperlink" if rel.type.endswith("/hyperlink") else "external_target"
                self.sink.once(PartKind.METADATA, origin, rel.target, name)
                decoded = unquote(rel.target)
                if decoded != rel.target:
                    self.sink.once(PartKind.METADATA, origin, decoded, name)

    def _images(self) -> tuple[ImageRef, ...]:
        """The pictures (word/media/*) to read by OCR. One the zip guard does not inflate is not
        listed but reported: `document.unverifiable` where it is shown (a logo or a scanned stamp
        can name the applicant); any other member it does not inflate (never read anyway):
        `document.too_large`."""
        pages: dict[str, _Page] = {}
        if self.walker is not None:
            rels = self.pkg.rels_of(self.main)
            for (what, rid), page in self.walker.anchors.items():
                rel = rels.get(rid) if what == "image" else None
                member = self.pkg.resolve(self.main, rel.target) if rel and not rel.external else None
                if member:
                    pages.setdefault(member, page)
        out: list[ImageRef] = []
        unread: list[tuple[str, str]] = []  # pictures not inflated: (member, why)
        others: list[tuple[str, str]] = []  # other members not inflated
        for info in self.pkg.zf.infolist():
            if info.is_dir():
                continue
            reason = self.pkg.skipped.get(info.filename)
            if not _is_media(info.filename):
                if reason is not None:
                    others.append((info.filename, reason))
                continue
            if reason is not None:
                unread.append((info.filename, reason))
                continue
            width, height = _image_size(self.pkg.zf, info)
            out.append(ImageRef(source=info.filename, page=self._resolve(pages.get(info.filename)), width=width,
                                height=height, size=info.file_size))
        for member, reason in unread[:MAX_PICTURE_PROBLEMS]:
            self.sink.problems.append(self._unread_picture(member, reason))
        if len(unread) > MAX_PICTURE_PROBLEMS:
            rest = unread[MAX_PICTURE_PROBLEMS:]
            self.sink.problems.append(Problem(
                "document.unverifiable", f"附件中另有{len(rest)}张图片（{rest[0][0]}等）同样超出解压限制，未予读取，"
                "无法确认其中是否暴露身份", part=PartKind.IMAGE))
        for member, reason in others[:MAX_PICTURE_PROBLEMS]:
            self.sink.problems.append(Problem("document.too_large", f"Word文档中的“{member}”{reason}，未予解压"))
        if len(others) > MAX_PICTURE_PROBLEMS:
            rest = others[MAX_PICTURE_PROBLEMS:]
            self.sink.problems.append(Problem(
                "document.too_large", f"Word文档中另有{len(rest)}个文件（{rest[0][0]}等）同样超出解压限制，未予解压"))
        return tuple(out)

    def _unread_picture(self, member: str, reason: str) -> Problem:
        places = self.places.get(member, [])
        page = self._resolve(places[0].page) if places else None
        where = "中"  # a picture no story shows (a chart's, SmartArt's, or none): only its member is known
        if places:
            where = places[0].describe(page) + (f"等{len(places)}处" if len(places) > 1 else "")
        return Problem(
            "document.unverifiable",
            f"附件{where}的图片（{member}）{reason}，未予读取；图片可能含有申报单位名称或标志（如徽标、印章），"
            "无法确认是否暴露身份", page=page, part=PartKind.IMAGE)

    # results
    def _resolve(self, page: _Page) -> int | None:
        if isinstance(page, tuple):
            return None if self.mode is None else page[self.mode] + 1
        return page

    def _parts(self) -> tuple[Part, ...]:
        parts = [
            Part(kind=kind, text=text, page=self._resolve(page), paragraph=paragraph, origin=origin, source=source)
            for kind, text, paragraph, origin, source, page in self.sink.items
        ]
        parts.extend(
            Part(kind=kind, text=text, origin=origin, source=source)
            for (kind, origin, text), source in self.sink.once_items.items()
        )
        return tuple(parts)

    def _pages(self) -> int | None:
        counted = None
        if self.walker is not None and self.mode is not None:
            counted = (self.walker.rendered, self.walker.explicit)[self.mode] + 1
        known = [n for n in (counted, self.app_pages) if n is not None]
        return max(known) if known else None


def _image_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int | None, int | None]:
    """Width and height from the picture's header; None where Pillow cannot tell (or refuses a bomb)."""
    try:
        with zf.open(info) as fh, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(fh) as im:
                width, height = im.size
                return int(width), int(height)
    except Exception:  # any unreadable or unsupported picture: the size just stays unknown
        return None, None


def parse(data: bytes) -> Parsed:
    """Read a .docx. Raises `CorruptError` for a file that is no docx at all (no zip, a truncated
    one whose central directory is missing, no main document part: nothing could be read),
    `TooLargeError` for one with more than `MAX_ENTRIES` members, `EncryptedError` for one whose
    main document is encrypted. Everything else that cannot be read is a problem in `Parsed`."""
    with _zip(data) as zf:
        return _with_columns(_Reader(zf).read())


# -- table columns read top to bottom ------------------------------------------------------------
#
# A name written down a column, one character per cell (浙/江/衢/晟/… in consecutive rows), is in
# no single cell. So each column of each table is also read as text: a run of at least
# COLUMN_MIN_CELLS consecutive non-empty cells of at most COLUMN_MAX_CHARS characters each (empty
# cells are skipped, a longer cell ends the run) becomes one more part of the cells' kind, origin
# "column", its cells' texts joined with "\n" top to bottom (so digits of adjacent cells never
# make one number), with the first cell's source, page and paragraph.

COLUMN_MAX_CHARS = 2
COLUMN_MIN_CELLS = 4
COLUMN_ORIGIN = "column"
_CELL_SOURCE = re.compile(r"^(?P<table>.*t\d+)r(?P<row>\d+)c(?P<col>\d+)$")


def _column_parts(parts: tuple[Part, ...]) -> list[Part]:
    cells: dict[tuple[PartKind, str, int], dict[int, list[Part]]] = {}
    for part in parts:
        if part.origin or not (m := _CELL_SOURCE.match(part.source)):
            continue
        column = cells.setdefault((part.kind, m.group("table"), int(m.group("col"))), {})
        column.setdefault(int(m.group("row")), []).append(part)
    out: list[Part] = []
    for column in cells.values():
        run: list[tuple[str, Part]] = []
        for row in sorted(column):
            text = "".join("".join(p.text.split()) for p in column[row])
            if 0 < len(text) <= COLUMN_MAX_CHARS:
                run.append((text, column[row][0]))
                continue
            out += _column_run(run)
            run = []
        out += _column_run(run)
    return out


def _column_run(run: list[tuple[str, Part]]) -> list[Part]:
    if len(run) < COLUMN_MIN_CELLS:
        return []
    first = run[0][1]
    return [Part(kind=first.kind, text="\n".join(text for text, _ in run), page=first.page,
                 paragraph=first.paragraph, origin=COLUMN_ORIGIN, source=first.source)]


def _with_columns(parsed: Parsed) -> Parsed:
    columns = _column_parts(parsed.parts)
    if not columns:
        return parsed
    return Parsed(parts=(*parsed.parts, *columns), pages=parsed.pages, images=parsed.images,
                  problems=parsed.problems)
