"""Plain text and HTML → `Parsed` (issue 15): not what applicants upload as attachments, but what
they put inside them — a .txt attached to a PDF or packed into an OLE object, an .htm in a zip, a
web page imported into a Word document (w:altChunk).

* text: decoded by its byte-order mark, else as UTF-8, else as GB18030 (the superset of GBK that a
  Chinese Windows writes); each paragraph (lines up to a blank line) → BODY.
* HTML / MHT: the page's blocks (p, h1–h6, li, td, th, div without paragraphs, title) → BODY, one
  part each, scripts and styles left out; an MHT (a web archive, MIME) is read at its first HTML
  part.
"""

from __future__ import annotations

import codecs
import email
import email.policy
from collections.abc import Iterator

from lxml import etree
from lxml import html as lxml_html

from screening.model import Part, PartKind
from screening.parsers.base import Parsed

MAX_CHARS = 5_000_000  # characters read of one text


def decode(data: bytes) -> str:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def paragraphs(text: str) -> Iterator[str]:
    block: list[str] = []
    for line in text[:MAX_CHARS].splitlines():
        if line.strip():
            block.append(line.rstrip())
        elif block:
            yield "\n".join(block)
            block = []
    if block:
        yield "\n".join(block)


def html_paragraphs(data: bytes, *, mht: bool = False) -> Iterator[str]:
    """The blocks of an HTML page (or of the first HTML part of an MHT web archive)."""
    if mht:
        message = email.message_from_bytes(data, policy=email.policy.default)
        bodies = [part for part in message.walk() if part.get_content_type() == "text/html"]
        if not bodies:
            return
        payload = bodies[0].get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        text = data.decode(bodies[0].get_content_charset() or "utf-8", errors="replace")
    else:
        text = decode(data)
    try:
        root = lxml_html.fromstring(text[:MAX_CHARS])
    except (etree.ParserError, ValueError):
        return
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    blocks = root.xpath("//p|//h1|//h2|//h3|//h4|//h5|//h6|//li|//td|//th|//div[not(.//p)]|//title")
    for block in blocks or [root]:
        line = " ".join(block.text_content().split())
        if line:
            yield line


def _parsed(texts: Iterator[str]) -> Parsed:
    parts = tuple(Part(PartKind.BODY, text, paragraph=k, source="text") for k, text in enumerate(texts, 1))
    return Parsed(parts=parts, pages=None)


def parse_text(data: bytes) -> Parsed:
    return _parsed(paragraphs(decode(data)))


def parse_html(data: bytes) -> Parsed:
    return _parsed(html_paragraphs(data, mht=data.lstrip()[:40].lower().startswith((b"mime-version", b"from:", b"content-type"))))
