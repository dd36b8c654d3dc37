"""Rich Text Format (.rtf) → `Parsed`: the body through striprtf (a maintained RTF-to-text
reader), and every other place where a name can stand found by the project's scanner (`scan`)
and decoded by striprtf too.

What becomes a `Part` (kind / origin; paragraphs are the lines striprtf gives, numbered from 1 per
place, empty ones counted; `source` names the RTF group, e.g. "\\\\headerl"):

* the body → BODY. striprtf writes a table row as one line, its cells ended by "|": a row is one
  BODY paragraph (RTF tables are not rebuilt as TABLE parts);
* hidden text (\\v … \\v0, or to the end of its group or a \\plain) → a part of its paragraph's kind
  and number, origin "hidden" (text hidden through a character style of the stylesheet is not
  recognised as hidden: it is read as shown text); tracked deletions (\\deleted) likewise, origin
  "deleted"; the revision authors (\\revtbl) → METADATA "revision_author";
* headers and footers: \\header / \\headerr / \\footer / \\footerr → HEADER / FOOTER "default",
  \\headerl / \\footerl → "even", \\headerf / \\footerf → "first";
* footnotes → FOOTNOTE "" (with \\ftnalt: "endnote"); comments (\\annotation) → COMMENT "", their
  authors (\\atnauthor) → COMMENT "comment_author"; text boxes (\\shptxt, \\dptxbxtext) → TEXTBOX "";
* the \\info group (`info`) → METADATA with the origins a docx's properties have: \\author
  "core.creator", \\operator "core.lastModifiedBy", \\company "app.Company", \\manager
  "app.Manager", \\title, \\subject, \\keywords, \\category "core.*", \\doccomm and \\comment
  "core.description", \\hlinkbase "app.HyperlinkBase"; user properties (\\userprops: \\propname,
  \\staticval) "custom.<name>".

Pictures (\\pict) are skipped: they are not read by OCR; a file with pictures gets a
`document.scanned` problem saying how many a person must look at. Field results (what a field
shows) are text; field instructions are not, except that striprtf writes a HYPERLINK's address
after its text.

A file that does not start with "{\\rtf" or that striprtf cannot decode → `CorruptError`; one cut
short (groups still open at its end) is read as far as it goes and gets a `document.unverifiable`
problem: what is missing could name the applicant.
"""

from __future__ import annotations

from itertools import zip_longest

from screening.errors import CorruptError
from screening.model import Part, PartKind, Problem
from screening.parsers.base import Parsed
from screening.parsers.rtf import info, scan

WHAT = "RTF文档"
_PLACES = {
    "header": (PartKind.HEADER, "default"), "headerr": (PartKind.HEADER, "default"),
    "headerl": (PartKind.HEADER, "even"), "headerf": (PartKind.HEADER, "first"),
    "footer": (PartKind.FOOTER, "default"), "footerr": (PartKind.FOOTER, "default"),
    "footerl": (PartKind.FOOTER, "even"), "footerf": (PartKind.FOOTER, "first"),
    "footnote": (PartKind.FOOTNOTE, ""), "annotation": (PartKind.COMMENT, ""),
    "shptxt": (PartKind.TEXTBOX, ""), "dptxbxtext": (PartKind.TEXTBOX, ""),
}


def is_rtf(data: bytes) -> bool:
    """An RTF file: "{\\rtf" at the start (after a byte-order mark or white space)."""
    return data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf")


def text(head: str, body: str) -> str:
    """striprtf's text of an RTF fragment (`head`: the document's code page and fonts, or "" when
    `body` is a whole document)."""
    from striprtf.striprtf import rtf_to_text

    document = body if not head else "{\\rtf1" + head + body + "}"
    try:
        return str(rtf_to_text(document, errors="replace"))
    except (ValueError, LookupError, IndexError, KeyError) as err:
        raise CorruptError(f"{WHAT}已损坏，无法解码（{type(err).__name__}）") from err


def parse(data: bytes) -> Parsed:
    """Read an .rtf (see the module docstring)."""
    if not is_rtf(data):
        raise CorruptError(f"{WHAT}已损坏或不是RTF文档（缺少“{{\\rtf”开头）")
    rtf = data.decode("latin-1")
    head = scan.header(rtf)
    found, pictures, unclosed = scan.groups(rtf)
    parts = _paragraphs(PartKind.BODY, "", "", {ch: text("", t) for ch, t in scan.split(rtf, 0, len(rtf)).items()})
    numbers: dict[PartKind, int] = {}
    seen: set[tuple[PartKind, str, str]] = set()  # a header repeated in every section is read once
    for group in found:
        if group.word in _PLACES:
            kind, origin = _PLACES[group.word]
            if group.word == "footnote" and "ftnalt" in group.inner:
                origin = "endnote"
            streams = {ch: text(head, t) for ch, t in scan.split(rtf, *group.content).items()}
            key = (kind, origin, "\0".join(streams.values()))
            if kind in (PartKind.HEADER, PartKind.FOOTER) and key in seen:
                continue
            seen.add(key)
            found_parts = _paragraphs(kind, origin, f"\\{group.word}", streams, numbers.get(kind, 0))
            numbers[kind] = max([p.paragraph or 0 for p in found_parts], default=numbers.get(kind, 0))
            parts += found_parts
        elif group.word in ("atnauthor", "revtbl"):
            origin = "comment_author" if group.word == "atnauthor" else "revision_author"
            names = text(head, rtf[slice(*group.content)])
            for name in (names.split(";") if group.word == "revtbl" else [names]):
                if name.strip() and name.strip() != "Unknown" and \
                        not any(p.origin == origin and p.text == name.strip() for p in parts):
                    kind = PartKind.COMMENT if group.word == "atnauthor" else PartKind.METADATA
                    parts.append(Part(kind, name.strip(), origin=origin, source=f"\\{group.word}"))
    parts += info.properties(rtf, found, lambda fragment: text(head, fragment))
    problems: list[Problem] = []
    if unclosed:
        problems.append(Problem(
            "document.unverifiable", f"{WHAT}不完整（文件在结尾处被截断，有{unclosed}个分组未结束），缺少的内容无法读取，"
            "无法确认是否暴露身份；已读到的内容照常审查"))
    if len(found) >= scan.MAX_GROUPS:
        problems.append(Problem(
            "document.unverifiable", f"{WHAT}中的页眉页脚、脚注、批注、文本框和属性超过{scan.MAX_GROUPS}处，其余的未能读取，"
            "无法确认是否暴露身份"))
    if pictures:
        problems.append(Problem(
            "document.scanned", f"{WHAT}中有{pictures}张图片，RTF中的图片暂不做文字识别，其中的文字（如单位名称、印章）需人工查看",
            part=PartKind.IMAGE))
    return Parsed(parts=tuple(parts), pages=None, problems=tuple(problems))


def _blank(line: str) -> bool:
    """Nothing but white space and the "|" striprtf ends a table cell with."""
    return not line.replace("|", "").strip()


def _paragraphs(kind: PartKind, origin: str, source: str, streams: dict[str, str], first: int = 0) -> list[Part]:
    """Paragraphs of a place: the shown text's lines, and the hidden and deleted text's at the same
    numbers (their origin "hidden" / "deleted")."""
    out: list[Part] = []
    channels = list(streams)
    lines = zip_longest(*(streams[ch].split("\n") for ch in channels), fillvalue="")
    for number, texts in enumerate(lines, first + 1):
        for channel, line in zip(channels, texts, strict=True):
            if not _blank(line):
                out.append(Part(kind, line, paragraph=number, origin=channel or origin, source=source))
    return out


__all__ = ["is_rtf", "parse"]
