"""The RTF token scanner: the one pass over an RTF file that finds its groups and routes its text.

striprtf turns RTF into text but knows nothing of where a piece of text stands: it drops headers,
footers, notes, comments and text boxes (RTF "destinations") and keeps hidden text (\\v) as if it
were shown. So the file is scanned here once, token by token (control words, \\'hh escapes,
control symbols, braces, runs of plain text; \\binN data skipped), and

* `groups` lists every group that is a place of its own — a header, footer, footnote, comment,
  comment author, text box, the \\info group and its fields, the user properties — with where its
  content starts and ends, so that striprtf can be run on that content alone (with `header`);
* `split` writes a span of the document three times: with only the text shown, with only the
  hidden text (\\v, until \\v0 or \\plain or the end of the group), with only the tracked
  deletions (\\deleted); every control word and paragraph mark goes to all three, so their
  paragraphs come out aligned and a hidden or deleted piece keeps its paragraph's number.
  Pictures (\\pict), embedded objects' data and other binary groups are left out of all three
  (striprtf skips them anyway, slowly); `groups` counts the pictures.

The text is scanned as Latin-1 (one character a byte, nothing lost); raw bytes above 0x7F in
plain text (some writers put GBK bytes there instead of \\'hh escapes) are written back as
\\'hh escapes so that striprtf decodes them with the file's code page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_GROUPS = 5000  # places (headers, notes, comments, boxes, properties) collected from one file; the rest unread

# \word[N][ ] | \'hh | \<symbol> | { | } | a run of plain text
_TOKEN = re.compile(r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}]+)", re.DOTALL)
_HIGH = re.compile(r"[\x80-\xff]")
# groups whose content is binary or never text: left out of the rewritten text
_DROPPED = frozenset({"pict", "objdata", "blipuid", "themedata", "colorschememapping", "datastore", "bin",
                      "fontemb", "fontfile", "passwordhash", "xmlnstbl", "wgrffmtfilter", "rsidtbl"})
# control words that stand for text (routed with the text around them), not for structure
_TEXT_WORDS = frozenset({"u", "tab", "emdash", "endash", "emspace", "enspace", "qmspace", "bullet", "lquote", "rquote",
                         "ldblquote", "rdblquote"})
_TEXT_SYMBOLS = frozenset("\\{}~-_")
# places: groups whose content is read on its own
PLACES = frozenset({"header", "headerl", "headerr", "headerf", "footer", "footerl", "footerr", "footerf", "footnote",
                    "annotation", "atnauthor", "shptxt", "dptxbxtext", "info", "userprops", "propname", "staticval",
                    "title", "subject", "author", "manager", "company", "operator", "category", "keywords", "comment",
                    "doccomm", "hlinkbase", "upr", "ud", "revtbl"})


class RtfError(ValueError):
    """The text is no RTF that can be scanned."""


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    word: str = ""  # a control word's name
    arg: str | None = None  # its numeric argument
    hex: str = ""  # \'hh
    symbol: str = ""  # \<symbol>
    brace: str = ""
    text: str = ""  # plain text


def tokens(rtf: str, start: int = 0, end: int | None = None) -> Iterator[Token]:
    stop = len(rtf) if end is None else end
    pos = start
    while pos < stop:
        m = _TOKEN.match(rtf, pos, stop)
        if m is None:  # a lone backslash at the very end
            return
        word, arg, hexa, symbol, brace, text = m.groups()
        token = Token(pos, m.end(), word or "", arg, hexa or "", symbol or "", brace or "", text or "")
        pos = m.end()
        if word == "bin":  # \binN: N bytes of binary data follow
            pos = min(stop, pos + max(0, int(arg or 0)))
            token = Token(token.start, pos, "bin", arg)
        yield token


@dataclass(frozen=True, slots=True)
class Group:
    """A place: its destination word, the span of its content (after the word) and of the whole
    group (braces included), and its depth."""

    word: str
    content: tuple[int, int]
    span: tuple[int, int]
    depth: int
    starred: bool = False
    arg: str | None = None
    inner: tuple[str, ...] = ()  # the other control words right at its start (\ftnalt …)


def groups(rtf: str) -> tuple[list[Group], int, int]:
    """Every place in the file, in order of their ends; the number of pictures (\\pict groups); and
    how many groups are still open at the end (more than 0: the file was cut short)."""
    found: list[Group] = []
    pictures = 0
    # per open group: its start, its first word (or None while not yet known), starred, arg, content start, words
    stack: list[list[object]] = []
    for tok in tokens(rtf):
        if tok.brace == "{":
            stack.append([tok.start, None, False, None, tok.end, []])
        elif tok.brace == "}":
            if not stack:
                continue
            start, word, starred, arg, content, words = stack.pop()
            if word == "pict":
                pictures += 1
            if isinstance(word, str) and word in PLACES and len(found) < MAX_GROUPS:
                assert isinstance(content, int) and isinstance(start, int) and isinstance(words, list)
                found.append(Group(word, (content, tok.start), (start, tok.end), len(stack), bool(starred),
                                   arg if isinstance(arg, str) else None, tuple(words)))
        elif stack:
            top = stack[-1]
            if top[1] is None:
                if tok.symbol == "*":
                    top[2] = True
                elif tok.word:
                    top[1], top[3], top[4] = tok.word, tok.arg, tok.end
                else:
                    top[1] = ""
            elif tok.word and isinstance(top[5], list) and len(top[5]) < 8:
                top[5].append(tok.word)
    return found, pictures, len(stack)


CHANNELS = ("", "hidden", "deleted")  # shown text, hidden text (\\v), tracked deletions (\\deleted)


def split(rtf: str, start: int, end: int) -> dict[str, str]:
    """The span `start`..`end` written once per channel of `CHANNELS`, each with only its own
    text (see the module docstring; a deletion is "deleted" even when hidden). Binary groups are
    left out of all."""
    out: dict[str, list[str]] = {channel: [] for channel in CHANNELS}
    streams = list(out.values())
    stack: list[tuple[bool, bool]] = []
    hidden = deleted = False  # \v, \deleted in force
    dropping = 0  # depth of a dropped group being skipped (0: none)
    depth = 0
    pending: Token | None = None  # an opening brace whose first word is not known yet
    for tok in tokens(rtf, start, end):
        if dropping:
            if tok.brace == "{":
                depth += 1
            elif tok.brace == "}":
                depth -= 1
                if depth < dropping:
                    dropping = 0
                    hidden, deleted = stack.pop() if stack else (False, False)
            continue
        if pending is not None:
            if tok.symbol == "*":
                continue  # "{\\*" is written with the word that follows
            if tok.word in _DROPPED:
                dropping = depth
                pending = None
                continue
            brace = "{\\*" if rtf[pending.end:tok.start].lstrip().startswith("\\*") else "{"
            for stream in streams:
                stream.append(brace)
            pending = None
        raw = rtf[tok.start:tok.end]
        if tok.brace == "{":
            depth += 1
            stack.append((hidden, deleted))
            pending = tok
            continue
        if tok.brace == "}":
            depth -= 1
            hidden, deleted = stack.pop() if stack else (False, False)
        elif tok.word == "v":
            hidden = tok.arg != "0"
        elif tok.word == "deleted":
            deleted = tok.arg != "0"
        elif tok.word == "plain":
            hidden = deleted = False
        if tok.text:
            raw = _HIGH.sub(lambda m: f"\\'{ord(m.group()):02x}", raw)
        if bool(tok.text or tok.hex) or tok.word in _TEXT_WORDS or tok.symbol in _TEXT_SYMBOLS:
            out["deleted" if deleted else "hidden" if hidden else ""].append(raw)
        else:
            for stream in streams:
                stream.append(raw)
    return {channel: "".join(pieces) for channel, pieces in out.items()}


def header(rtf: str) -> str:
    """What a fragment needs to be decoded as the document is: the code page (\\ansicpgN), the
    default font (\\deffN) and the font table (each font's charset); it ends with an empty group,
    so that text may follow it directly."""
    prefix = ["\\ansi"]
    head = rtf[:4096]
    for word in ("ansicpg", "deff"):
        m = re.search(rf"\\{word}(\d+)", head)
        if m:
            prefix.append(f"\\{word}{m.group(1)}")
    table = re.search(r"\{\\fonttbl", rtf)
    if table is not None:
        depth = 0
        for tok in tokens(rtf, table.start()):
            depth += 1 if tok.brace == "{" else -1 if tok.brace == "}" else 0
            if depth == 0:
                prefix.append(rtf[table.start():tok.end])
                break
    return "".join(prefix) + "{}"
