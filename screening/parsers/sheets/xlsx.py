"""Excel (.xlsx) → `Parsed`, with openpyxl reading the workbook and its cells, streamed.

openpyxl's `ExcelReader` reads the package's structure (content types, the workbook part and its
sheet list with each sheet's state, the shared strings, the styles that say which numbers are
dates); each worksheet is then streamed here, row by row, and every cell is decoded by openpyxl's
own `WorkSheetParser.parse_cell` with data_only on (the cached value of a formula), which is what
openpyxl's read-only mode does — but read-only mode drops merged ranges, headers and footers and
pads rows to the declared dimension (one forged <dimension> would cost a million empty rows), so
the rows are walked here. The rest of the package (comments, text boxes, charts, properties,
external links) is read as the docx parser reads its parts, through its `Package` (each member
streamed by `xmlsafe`, a member cut short or refused reported where it is).

Safety, as for a docx (see screening/parsers/docx/package.py):

* the zip: no zip, or no central directory → `CorruptError`; more than `limits.MAX_ENTRIES`
  members → `TooLargeError`. openpyxl is given the members it reads whole (content types, the
  workbook and its relationships, shared strings, styles) only after their declared sizes are
  checked (`xmlsafe.MAX_XML_PART` each, `xmlsafe.MAX_XML_TOTAL` in all; zipfile never inflates
  past a declared size) and their prologs searched for a DOCTYPE or ENTITY declaration, which Excel never
  writes (`CorruptError`, like a docx member's). openpyxl parses without network access, its lxml
  parser without resolving entities, and expat (its stream parser) refuses entity expansion bombs.
  External links are never followed: openpyxl's `keep_links` is off and their targets are only
  reported as text (METADATA "external_target").
* a worksheet: larger than `xmlsafe.MAX_XML_PART` or than what is left of `xmlsafe.MAX_XML_TOTAL`,
  declaring a DOCTYPE, damaged (a broken deflate stream, a CRC error, XML that stops being well-formed) →
  `document.unverifiable` for that sheet; what was read of it is kept and the other sheets are
  still read. More than `limits.MAX_CELLS` cells with a value or formula in the workbook → the rest is
  not read,
  `document.unverifiable`.
* a password-protected workbook is an OLE2 file (EncryptionInfo), never a zip: it is sniffed as
  `encrypted_office` and refused before any parser runs; a zip member encrypted with the zip's
  own (legacy) password → `EncryptedError`.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from typing import Any

from lxml import etree

from screening.errors import CorruptError, EncryptedError, TooLargeError
from screening.model import PartKind, Problem
from screening.parsers import xmlsafe
from screening.parsers.base import Parsed
from screening.parsers.docx import metadata
from screening.parsers.docx.ooxml import A_BR, A_P, A_T, C_STRCACHE, C_V, leaf_text
from screening.parsers.docx.package import Package, natural
from screening.parsers.docx.sink import Sink
from screening.parsers.sheets import book, limits, naming
from screening.parsers.sheets.book import Sheet, SheetCells
from screening.parsers.xmlsafe import ZIP_DAMAGE, mb, open_package

WHAT = "Excel工作簿"
_PROLOG_TRAPS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!ENTITY".encode("utf-16-le"),
                 "<!DOCTYPE".encode("utf-16-be"), "<!ENTITY".encode("utf-16-be"))
_PROLOG_BYTES = 64 * 1024  # a declaration is searched for in a member's first bytes
_CHUNK = 16 * 1024  # a sheet is inflated this much at a time: damage loses at most this much before it
_HEADERS = {"oddHeader": (PartKind.HEADER, "default"), "evenHeader": (PartKind.HEADER, "even"),
            "firstHeader": (PartKind.HEADER, "first"), "oddFooter": (PartKind.FOOTER, "default"),
            "evenFooter": (PartKind.FOOTER, "even"), "firstFooter": (PartKind.FOOTER, "first")}
_STATES = {"visible": naming.VISIBLE, "hidden": naming.HIDDEN, "veryHidden": naming.VERY_HIDDEN}
_TRUE = ("1", "true")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"  # openpyxl reads no other (Strict) namespace
_ROW, _COL, _MERGE, _C, _IS, _F, _V = (f"{_MAIN}{n}" for n in ("row", "col", "mergeCell", "c", "is", "f", "v"))
_SHEET_TAGS = (_ROW, _COL, _MERGE, f"{_MAIN}headerFooter")
_DOCTYPE = "含有文档类型声明(DOCTYPE)，Excel不会生成这种内容，疑似恶意文件，其中的内容未予读取"
_THREADED_AUTHOR = re.compile(r"^tc=\{[0-9A-Fa-f-]+\}$")  # a legacy copy of a threaded comment


def parse(data: bytes) -> Parsed:
    """Read an .xlsx. Raises `CorruptError` for a file that is no workbook at all (no zip, no
    workbook part, a structural part openpyxl cannot read), `TooLargeError` for one too big to
    read safely, `EncryptedError` for one whose members are zip-encrypted. Everything else that
    cannot be read is a problem in `Parsed`."""
    zf = open_package(data, WHAT, limits.MAX_ENTRIES)
    with zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of what it does not keep (extensions, odd dates …)
        return _Reader(zf, data).read()


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _declares_doctype(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    with zf.open(info) as fh:
        head = fh.read(_PROLOG_BYTES)
    return any(trap in head for trap in _PROLOG_TRAPS)


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, data: bytes) -> None:
        self.zf = zf
        self.data = data
        self.sink = Sink()
        self.pkg = Package(zf, self.sink)
        self.workbook = ""  # the workbook part's member, once known
        self.bytes_left = xmlsafe.MAX_XML_TOTAL
        self.cells_left = limits.MAX_CELLS
        self.stopped = False  # the cell limit was reached: no further cells are read

    # -- the structure, by openpyxl ---------------------------------------------------------------
    def _guard(self, member: str) -> None:
        """A member openpyxl reads whole: refused unless its size and prolog are safe."""
        try:
            info = self.zf.getinfo(member)
        except KeyError:
            return  # openpyxl reports a missing part itself
        if info.flag_bits & 0x1:
            raise EncryptedError(f"{WHAT}中的“{member}”被加密，无法审查")
        if info.file_size > xmlsafe.MAX_XML_PART:
            raise TooLargeError(f"{WHAT}中的“{member}”解压后{mb(info.file_size)}，超过单个部分{mb(xmlsafe.MAX_XML_PART)}的上限，"
                                "疑似压缩炸弹，未予审查")
        if info.file_size > self.bytes_left:
            raise TooLargeError(f"{WHAT}的结构部分解压后超过{mb(xmlsafe.MAX_XML_TOTAL)}的上限，疑似压缩炸弹，未予审查")
        self.bytes_left -= info.file_size
        try:
            doctype = _declares_doctype(self.zf, info)
        except ZIP_DAMAGE as err:
            raise CorruptError(f"{WHAT}中的“{member}”已损坏") from err
        if doctype:
            raise CorruptError(f"{WHAT}中的“{member}”含有文档类型声明(DOCTYPE)，Excel不会生成这种内容，疑似恶意文件，未予审查")

    def _structure(self) -> Any:
        """openpyxl's reader with the manifest, shared strings, workbook and styles read."""
        from openpyxl.packaging.relationship import get_rels_path
        from openpyxl.reader.excel import ExcelReader, _find_workbook_part
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS

        step = "结构清单"
        try:
            reader = ExcelReader(io.BytesIO(self.data), read_only=True, keep_vba=False, data_only=True,
                                 keep_links=False)
            self._guard(ARC_CONTENT_TYPES)
            reader.read_manifest()
            step = "工作簿部分"
            workbook = _find_workbook_part(reader.package).PartName.lstrip("/")
            self._guard(workbook)
            self._guard(get_rels_path(workbook))
            step = "共享字符串"
            strings = reader.package.find(SHARED_STRINGS)
            if strings is not None:
                self._guard(strings.PartName.lstrip("/"))
            reader.read_strings()
            step = "工作簿部分"
            reader.read_workbook()
            step = "样式表"
            self._guard(ARC_STYLE)
            apply_stylesheet(reader.archive, reader.wb)
        except (CorruptError, EncryptedError, TooLargeError, MemoryError):
            raise
        except RuntimeError as err:  # zipfile: a member encrypted with the zip's own password
            raise EncryptedError(f"{WHAT}的{step}被加密，无法审查") from err
        except Exception as err:  # openpyxl raises what its XML and zip libraries raise
            raise CorruptError(f"{WHAT}已损坏或不是Excel工作簿（{step}无法读取：{type(err).__name__}）") from err
        self.workbook = workbook
        return reader

    # -- the whole workbook -----------------------------------------------------------------------
    def read(self) -> Parsed:
        reader = self._structure()
        from openpyxl.worksheet._reader import WorkSheetParser

        wb = reader.wb
        sheets = 0
        for index, sheet in enumerate(reader.parser.sheets, start=1):
            sheets = index
            info = Sheet(index, str(sheet.name or ""), _STATES.get(str(sheet.state or "visible"), naming.HIDDEN))
            book.sheet_name(self.sink, info)
            try:
                rel = reader.parser.rels.get(sheet.id)
            except KeyError:
                rel = None
            member = self.pkg.find(rel.target) if rel is not None else None
            if rel is None or member is None:  # nothing to read, so nothing hidden: the file is damaged
                self.sink.problems.append(Problem(
                    "document.unreadable", f"{WHAT}已损坏：{info.label}的内容部分缺失", page=index, part=PartKind.TABLE))
                continue
            if "chartsheet" not in (rel.Type or ""):
                cells = WorkSheetParser(None, reader.shared_strings, data_only=True, epoch=wb.epoch,
                                        date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
                self._worksheet(info, member, cells)
            self._comments(info, member)
            self._drawings(info, member)
        self._people()
        metadata.properties(self.pkg, self.sink)
        metadata.external_links(self.pkg, self.sink)
        self._pictures()
        return book.parsed(self.sink, sheets)

    def _unverifiable(self, sheet: Sheet, member: str, why: str, part: PartKind) -> None:
        where = f"（{member}）" if member else ""
        self.sink.problems.append(Problem(
            "document.unverifiable", f"附件的{sheet.label}{where}{why}，无法确认是否暴露身份", page=sheet.index, part=part))

    # -- one worksheet, streamed ------------------------------------------------------------------
    def _worksheet(self, sheet: Sheet, member: str, cells: Any) -> None:
        info = self.zf.getinfo(member)
        if self.stopped:
            return
        if info.flag_bits & 0x1:
            self._unverifiable(sheet, member, "被加密，其中的内容无法读取", PartKind.TABLE)
            return
        if info.file_size > xmlsafe.MAX_XML_PART:
            self._unverifiable(sheet, member, f"解压后{mb(info.file_size)}，超过单个部分{mb(xmlsafe.MAX_XML_PART)}的上限，"
                                              "其中的内容无法读取", PartKind.TABLE)
            return
        if info.file_size > self.bytes_left:
            self._unverifiable(sheet, member, f"超出整个工作簿可读取的XML总量（{mb(xmlsafe.MAX_XML_TOTAL)}），其中的内容无法读取",
                               PartKind.TABLE)
            return
        self.bytes_left -= info.file_size
        read = SheetCells()
        try:
            why = self._stream(sheet, info, cells, read)
        finally:
            book.emit_sheet(self.sink, sheet, read)
        if why:
            self._unverifiable(sheet, member, why, PartKind.TABLE)

    def _stream(self, sheet: Sheet, info: zipfile.ZipInfo, cells: Any, read: SheetCells) -> str:
        """Feed the sheet to a pull parser chunk by chunk; returns why it stopped early ("" if not).
        Only the elements read here are reported by the parser; each is freed once read."""
        parser = etree.XMLPullParser(events=("end",), tag=_SHEET_TAGS, resolve_entities=False, no_network=True,
                                     huge_tree=False, load_dtd=False, remove_comments=True, remove_pis=True)
        prolog = b""  # the bytes before the first element read: where a DOCTYPE would be
        started = False
        bad = 0
        try:
            fh = self.zf.open(info)
        except ZIP_DAMAGE:
            return "已损坏（压缩数据无效），其中的内容无法读取"
        with fh:
            while True:
                try:
                    chunk = fh.read(_CHUNK)
                except ZIP_DAMAGE:
                    return "已损坏（压缩数据不完整或校验失败），其后的内容无法读取"
                if not started:
                    prolog = prolog[-16:] + chunk
                    if any(trap in prolog for trap in _PROLOG_TRAPS):
                        return _DOCTYPE
                try:
                    if chunk:
                        parser.feed(chunk)
                    else:
                        parser.close()
                except etree.XMLSyntaxError:
                    return "已损坏（不是格式正确的XML），其后的内容无法读取"
                for _event, el in parser.read_events():
                    if not started:
                        started = True
                        if el.getroottree().docinfo.internalDTD is not None:
                            return _DOCTYPE
                    tag = el.tag
                    if tag == _ROW:
                        bad += self._row(el, cells, read)
                        if self.stopped:
                            return f"所在工作簿的单元格超过{limits.MAX_CELLS}个的上限，其后的内容未能读取"
                    elif tag == _COL:
                        if (el.get("hidden") or "").lower() in _TRUE:
                            read.hide_columns(_int(el.get("min")), _int(el.get("max")))
                    elif tag == _MERGE:
                        self._merge(el.get("ref") or "", read)
                    else:
                        self._header_footer(sheet, el)
                    _drop(el)
                if not chunk:
                    break
        return f"有{bad}个单元格格式错误，无法读取" if bad else ""

    def _row(self, row: etree._Element, cells: Any, read: SheetCells) -> int:
        """One <row>: its cells decoded by openpyxl (cached values; inline strings here, openpyxl's
        reader of them is slow), formulas without a cache kept."""
        from openpyxl.utils.cell import coordinate_to_tuple

        number = _int(row.get("r"), cells.row_counter + 1)
        cells.row_counter, cells.col_counter = number, 0
        if (row.get("hidden") or "").lower() in _TRUE:
            read.hidden_rows.add(number)
        bad = 0
        for c in row.iterchildren(_C):
            if not len(c):
                continue  # no value, no formula: a cell that only has a format
            if self.cells_left <= 0:
                self.stopped = True
                break
            self.cells_left -= 1
            try:
                if c.get("t") == "inlineStr":
                    ref = c.get("r")
                    if ref:
                        at = coordinate_to_tuple(ref)
                        cells.col_counter = at[1]
                    else:
                        cells.col_counter += 1
                        at = (cells.row_counter, cells.col_counter)
                    text = "".join(_rich_text(inline) for inline in c.iterchildren(_IS))
                else:
                    cell = cells.parse_cell(c)
                    at, text = (cell["row"], cell["column"]), book.value_text(cell["value"])
            except MemoryError:
                raise
            except Exception:  # a forged coordinate or shared-string index: counted, reported once
                bad += 1
                continue
            formula = ""
            if c.find(_F) is not None and not _cached(c):
                try:
                    formula = str(cells.parse_formula(c))
                except MemoryError:
                    raise
                except Exception:  # a shared formula openpyxl cannot translate
                    bad += 1
            read.add(int(at[0]), int(at[1]), text, formula)
        return bad

    @staticmethod
    def _merge(ref: str, read: SheetCells) -> None:
        from openpyxl.utils.cell import range_boundaries

        try:
            c1, r1, c2, r2 = range_boundaries(ref)
        except (ValueError, TypeError):
            return  # a range that names no cells covers none
        if None not in (c1, r1, c2, r2):
            read.merge(int(r1), int(c1), int(r2), int(c2))

    def _header_footer(self, sheet: Sheet, el: etree._Element) -> None:
        for child in el:
            kind_origin = _HEADERS.get(_local(child.tag))
            if kind_origin is not None:
                kind, origin = kind_origin
                self.sink.add(kind, book.header_text(leaf_text(child)), source=sheet.source(), origin=origin,
                              page=sheet.index)

    # -- what belongs to a sheet besides its cells ------------------------------------------------
    def _comments(self, sheet: Sheet, member: str) -> None:
        """Notes (xl/comments*.xml) → COMMENT at their cell, authors → COMMENT "comment_author";
        threaded comments likewise, their authors from the workbook's persons list."""
        threaded = self.pkg.related(member, "/threadedComment")
        for part in self.pkg.related(member, "/comments"):
            root = self.pkg.xml(part, f"{sheet.label}的批注", PartKind.COMMENT)
            if root is None:
                continue
            authors = [leaf_text(a) for a in root.iter("{*}author")]
            for comment in root.iter("{*}comment"):
                author_id = _int(comment.get("authorId"), -1)
                author = authors[author_id] if 0 <= author_id < len(authors) else ""
                if threaded and _THREADED_AUTHOR.match(author):
                    continue  # the threaded comment itself is read below
                text = "".join(_rich_text(t) for t in comment.iter("{*}text"))
                self._comment(sheet, comment.get("ref") or "", text, part)
                if not _THREADED_AUTHOR.match(author):
                    self.sink.once(PartKind.COMMENT, "comment_author", author, sheet.source())
        for part in threaded:
            root = self.pkg.xml(part, f"{sheet.label}的批注", PartKind.COMMENT)
            if root is None:
                continue
            for comment in root.iter("{*}threadedComment"):
                text = "".join(leaf_text(t) for t in comment.iter("{*}text"))
                self._comment(sheet, comment.get("ref") or "", text, part)

    def _comment(self, sheet: Sheet, ref: str, text: str, part: str) -> None:
        from openpyxl.utils.cell import coordinate_to_tuple

        try:
            row, col = coordinate_to_tuple(ref)
        except (ValueError, TypeError, AttributeError):
            self.sink.add(PartKind.COMMENT, text, source=sheet.source(), page=sheet.index)
            return
        self.sink.add(PartKind.COMMENT, text, source=sheet.source(row, col), paragraph=row, page=sheet.index)

    def _people(self) -> None:
        """The workbook's persons (authors of threaded comments): name → COMMENT "comment_author",
        account → METADATA "people"."""
        for part in self.pkg.related(self.workbook, "/person"):
            root = self.pkg.xml(part, "批注作者列表", PartKind.COMMENT)
            if root is None:
                continue
            for person in root.iter("{*}person"):
                self.sink.once(PartKind.COMMENT, "comment_author", person.get("displayName"), part)
                self.sink.once(PartKind.METADATA, "people", person.get("userId"), part)

    def _drawings(self, sheet: Sheet, member: str) -> None:
        """Text boxes and shapes drawn on the sheet → TEXTBOX ""; the titles and labels of its
        charts → TEXTBOX "chart"."""
        for drawing in self.pkg.related(member, "/drawing"):
            self._drawing_text(sheet, drawing, "", f"{sheet.label}中的图形")
            for chart in self.pkg.related(drawing, "/chart"):
                self._drawing_text(sheet, chart, "chart", f"{sheet.label}中的图表")

    def _drawing_text(self, sheet: Sheet, member: str, origin: str, what: str) -> None:
        root = self.pkg.xml(member, what, PartKind.TEXTBOX)
        if root is None:
            return
        for p in root.iter(A_P):
            text = "".join(leaf_text(el) if el.tag == A_T else "\n" for el in p.iter(A_T, A_BR))
            self.sink.add(PartKind.TEXTBOX, text, source=sheet.source(), origin=origin, page=sheet.index)
        for cache in root.iter(C_STRCACHE):
            for value in cache.iter(C_V):
                self.sink.add(PartKind.TEXTBOX, leaf_text(value), source=sheet.source(), origin=origin,
                              page=sheet.index)

    def _pictures(self) -> None:
        """Pictures cannot be read by OCR in a workbook yet: said, never passed over in silence."""
        media = sorted((n for n in self.pkg.names.values() if n.lower().startswith("xl/media/")), key=natural)
        if media:
            self.sink.problems.append(Problem(
                "document.scanned", f"{WHAT}中有{len(media)}张图片（{media[0]}等），电子表格中的图片暂不做文字识别，"
                "其中的文字（如单位名称、印章）需人工查看", part=PartKind.IMAGE))


def _cached(c: etree._Element) -> bool:
    """Whether a cell holds a value: a non-empty <v>, or an empty one of a string result (a formula
    giving ""); a program that does not calculate writes a formula with an empty or no <v>."""
    if c.find(_IS) is not None:
        return True
    value = c.find(_V)
    return value is not None and bool(value.text or c.get("t") in ("str", "s", "inlineStr"))


def _rich_text(el: etree._Element) -> str:
    """The text of a rich string (a note's <text>, a cell's <is>): its <t>, its runs' <t>, phonetic
    readings (<rPh>) left out."""
    out: list[str] = []
    for t in el.iter("{*}t"):
        parent = t.getparent()
        if parent is not None and _local(parent.tag) == "rPh":
            continue
        out.append(leaf_text(t))
    return "".join(out)


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(float(value)) if value is not None else default
    except (ValueError, OverflowError):
        return default


def _drop(el: etree._Element) -> None:
    """Free what was read: the element and the siblings before it (the parser keeps the tree)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]
