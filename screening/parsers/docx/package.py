"""Opening a .docx package: the zip, the per-member guard, and its XML members read safely.

`open_zip` opens the zip (or refuses it); `Package` gives case-insensitive access to its members,
their relationships and their XML, streamed through `xmlsafe.read_member` within one `Budget` for
the whole package, and reports each member that cannot be read (or only in part) as a problem in
the `Sink`. The limits are in `limits`.

Safety. A size guard never hides what is readable; what truly cannot be read is reported where it
is, and the rest of the package is still read.

* The zip as a whole (`open_zip`): a file that is no zip, or whose central directory is missing (a
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
  what is inflated is bounded by the sizes already. Such a picture is not listed for OCR but
  becomes a `document.unverifiable` problem (fail: a logo or a scanned stamp can name the
  applicant) naming the picture and where it is shown ("正文第3段（第2页）",
  "页眉（word/header1.xml）第1段", …); any other such member (never read anyway: embedded
  objects, fonts, the thumbnail) a `document.too_large` one. At most `MAX_PICTURE_PROBLEMS` of
  each are listed one by one, the rest counted in one more problem (the reader reports them: it
  knows where each picture is shown). Masking, which copies every member, opens the package with
  `open_zip_for_copy`, which refuses it whole when any member is one of these.
* XML members are not judged by their compression ratio — a 3 MB comment or run of whitespace
  compresses a thousandfold and hides nothing — but streamed through lxml by
  `xmlsafe.read_member` (comments and processing instructions dropped, entities unresolved, no
  DTD, no network, libxml2's size limits kept: `huge_tree=False`, so "billion laughs" is refused
  instead of expanding), bounded by their real cost: 64 MB a member, 256 MB and 2 000 000 elements
  for the whole package. A member that stops being well-formed XML or whose zip data is damaged
  (a broken deflate stream, a CRC error) is read up to the damage.
* The main document is read first (`reader`). It bears the body, where a leak would be: when a
  limit, damage or a refusal (a DOCTYPE, a root that is no w:document) stops it, it is
  `document.unverifiable` (fail: the bureau cannot verify blindness), what was read of it is
  screened, and the headers, footers, notes, comments and properties are still read. Any other
  text-bearing member (headers, footers, notes, comments, drawings, settings, properties,
  relationships) likewise (`Package.xml`); the styles cut by a limit are a `document.too_large`
  problem, damaged styles a `document.unreadable` one. An encrypted main part refuses the file
  (`EncryptedError`).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from screening.errors import CorruptError, EncryptedError, TooLargeError
from screening.model import PartKind, Problem
from screening.parsers.docx import limits
from screening.parsers.docx.ooxml import PR_RELATIONSHIP, STRICT
from screening.parsers.docx.sink import Sink
from screening.parsers.xmlsafe import ZIP_DAMAGE, Budget, Cut, DoctypeError, open_package, read_member
from screening.parsers.zippkg import skipped


def open_zip(data: bytes) -> zipfile.ZipFile:
    """The package opened (`xmlsafe.open_package`; see the module docstring for its one limit)."""
    return open_package(data, "Word文档", limits.MAX_ENTRIES)


def open_zip_for_copy(data: bytes) -> zipfile.ZipFile:
    """The package for a caller that inflates every member (masking): refused whole
    (`TooLargeError`) when any member is one the parser would not inflate."""
    zf = open_zip(data)
    skipped = _skipped(zf.infolist())
    if skipped:
        zf.close()
        name, reason = next(iter(skipped.items()))
        raise TooLargeError(f"Word文档中的“{name}”{reason}，未予审查")
    return zf


def _is_xml(info: zipfile.ZipInfo) -> bool:
    return info.filename.lower().endswith((".xml", ".rels"))


def natural(name: str) -> tuple[object, ...]:
    """Sort key for member names: header2.xml before header10.xml."""
    return tuple(int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", name.lower()))


def is_media(name: str) -> bool:
    return name.lower().startswith("word/media/")


def _guarded(info: zipfile.ZipInfo) -> bool:
    """Members judged by the zip guard: everything not read as XML (pictures whatever their name)."""
    return not info.is_dir() and (not _is_xml(info) or is_media(info.filename))


def _skipped(infos: list[zipfile.ZipInfo]) -> dict[str, str]:
    """The members not to inflate, in zip order, each with why (Chinese): the per-member guard."""
    return skipped(infos, _guarded, limits.MAX_MEDIA_PART, limits.MAX_TOTAL_BYTES)


def refused(err: Exception) -> str:
    """Why a member was not read at all (Chinese, after the member's name)."""
    if isinstance(err, DoctypeError):
        return "含有文档类型声明(DOCTYPE)，Word不会生成这种内容，疑似恶意文件，其中的内容未予读取"
    if isinstance(err, EncryptedError):
        return "被加密，其中的内容无法读取"
    return f"无法读取（{type(err).__name__}）"


@dataclass(frozen=True, slots=True)
class Rel:
    rid: str
    type: str
    target: str
    external: bool


class Package:
    """Case-insensitive access to the zip members, their XML and their relationships."""

    def __init__(self, zf: zipfile.ZipFile, sink: Sink) -> None:
        self.zf = zf
        self.sink = sink
        self.names: dict[str, str] = {i.filename.lower(): i.filename for i in zf.infolist() if not i.is_dir()}
        self.skipped = _skipped(zf.infolist())  # member → why the zip guard does not inflate it
        self.budget = Budget()
        self._rels: dict[str, dict[str, Rel]] = {}

    def find(self, name: str) -> str | None:
        name = name.lstrip("/")
        return self.names.get(name.lower()) or self.names.get(unquote(name).lower())

    def read_xml(self, member: str) -> tuple[etree._Element | None, Cut | None]:
        """A member's XML, streamed within the package's budget: (root, why it was cut short)."""
        info = self.zf.getinfo(member)
        if info.flag_bits & 0x1:
            raise EncryptedError(f"Word文档中的“{member}”被加密，无法审查")
        return read_member(self.zf, info, self.budget, STRICT)

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
                self.unverifiable(member, what, refused(err), part)
            else:
                self.sink.problem(f"Word文档中的{what}（{member}）{refused(err)}", part)
            return None
        if cut is not None:
            self.cut(member, what, cut, part, bears_text)
        return root

    def rels_of(self, source: str) -> dict[str, Rel]:
        """The relationships of a part ("" for the package)."""
        folder, name = posixpath.split(source)
        return self.rels_file(posixpath.join(folder, "_rels", f"{name}.rels"))

    def rels_file(self, rels_name: str) -> dict[str, Rel]:
        if rels_name in self._rels:
            return self._rels[rels_name]
        rels: dict[str, Rel] = {}
        member = self.find(rels_name)
        root = self.xml(member, "关系表") if member else None
        if root is not None:
            for el in root.iter(PR_RELATIONSHIP):
                rid, target = el.get("Id") or "", el.get("Target") or ""
                external = (el.get("TargetMode") or "").lower() == "external"
                rels[rid] = Rel(rid, el.get("Type") or "", target, external)
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
