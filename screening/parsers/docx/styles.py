"""Styles: what makes text hidden or starts a page, resolved once from word/styles.xml.

A run is hidden (its text becomes a part of origin "hidden") by w:vanish set directly in its
w:rPr, else through its character style (w:rStyle), else through its paragraph's style; a
paragraph style (or, without one, the default paragraph style) may also set w:pageBreakBefore,
which the walker counts as an explicit page break. Each style's value is resolved along its
w:basedOn chain (at most 32 steps, which also ends a cycle); a paragraph style that says nothing
about w:vanish takes the document default (w:docDefaults). A paragraph style's outline level
(w:outlineLvl, or a name such as "heading 2" / "标题 2") makes its paragraphs headings, by which the
reader says where a body paragraph is ("二、研究内容 › 第4段"). The parser's walker and masking
(which must see the same hidden text as the parser) both use `read_styles` / `Styles`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from screening.parsers.docx.ooxml import (
    W_BASEDON,
    W_DEFAULT,
    W_DOCDEFAULTS,
    W_NAME,
    W_OUTLINELVL,
    W_PAGEBREAKBEFORE,
    W_PPR,
    W_RPR,
    W_RSTYLE,
    W_STYLE,
    W_STYLEID,
    W_TYPE,
    W_VAL,
    W_VANISH,
    is_on,
    w,
)


@dataclass(slots=True)
class Styles:
    """The resolved styles: by style id, whether a paragraph style hides its text and breaks the page
    before it, whether a character style hides its text."""

    para_hidden: dict[str, bool]
    char_hidden: dict[str, bool]
    para_break: dict[str, bool]
    default_para: str = ""
    default_hidden: bool = False
    # a paragraph style's outline level (0 = Heading 1 … 8), from its w:outlineLvl along w:basedOn or
    # its name ("heading 2", "标题 2"); absent for body text
    para_outline: dict[str, int] = field(default_factory=dict)

    def outline(self, style: str) -> int | None:
        """The outline level a paragraph style gives its paragraph (a heading), or None."""
        return self.para_outline.get(style or self.default_para)

    def paragraph(self, style: str) -> tuple[bool, bool]:
        """(hidden, page break before) that a paragraph style gives its paragraph."""
        style = style or self.default_para
        return self.para_hidden.get(style, self.default_hidden), self.para_break.get(style, False)

    def run_hidden(self, rpr: etree._Element | None, para_hidden: bool) -> bool:
        """Whether a run (its w:rPr) in a paragraph hidden or not (`para_hidden`) is hidden."""
        if rpr is None:
            return para_hidden
        vanish = rpr.find(W_VANISH)
        if vanish is not None:
            return is_on(vanish)
        rstyle = rpr.find(W_RSTYLE)
        if rstyle is not None:
            return self.char_hidden.get(rstyle.get(W_VAL) or "", para_hidden)
        return para_hidden


def read_styles(root: etree._Element | None) -> Styles:
    """The styles of word/styles.xml (`root`; None when there is none or it was refused: no style
    hides anything)."""
    styles = Styles({}, {}, {})
    if root is None:
        return styles
    raw: dict[tuple[str, str], tuple[str, bool | None, bool | None, int | None]] = {}
    for el in root.iter(W_STYLE):
        sid, stype = el.get(W_STYLEID) or "", el.get(W_TYPE) or "paragraph"
        based = el.find(W_BASEDON)
        vanish = el.find(f"{W_RPR}/{W_VANISH}")
        pbb = el.find(f"{W_PPR}/{W_PAGEBREAKBEFORE}")
        raw[(stype, sid)] = (
            based.get(W_VAL) or "" if based is not None else "",
            is_on(vanish) if vanish is not None else None,
            is_on(pbb) if pbb is not None else None,
            _outline_level(el),
        )
        if stype == "paragraph" and _on_attr(el.get(W_DEFAULT)):
            styles.default_para = sid
    default_vanish = root.find(f"{W_DOCDEFAULTS}/{w('rPrDefault')}/{W_RPR}/{W_VANISH}")
    styles.default_hidden = default_vanish is not None and is_on(default_vanish)

    def effective(stype: str, sid: str, index: int) -> bool | int | None:
        for _ in range(32):  # basedOn chains are short; this also ends a cycle
            entry = raw.get((stype, sid))
            if entry is None:
                return None
            value = entry[index]  # index 1 or 2: a bool, 3: an int; None when the style does not say
            if value is not None and not isinstance(value, str):
                return value
            sid = entry[0]
        return None

    for stype, sid in raw:
        hidden = effective(stype, sid, 1)
        if stype == "paragraph":
            styles.para_hidden[sid] = styles.default_hidden if hidden is None else bool(hidden)
            styles.para_break[sid] = bool(effective(stype, sid, 2))
            level = effective(stype, sid, 3)
            if isinstance(level, int) and not isinstance(level, bool):
                styles.para_outline[sid] = level
        elif stype == "character" and hidden is not None:
            styles.char_hidden[sid] = bool(hidden)
    return styles


_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
BODY_LEVEL = 9  # w:outlineLvl 9 is "body text"


def outline_value(el: etree._Element | None) -> int | None:
    """A w:outlineLvl element's level 0–8; None for none, body text (9) or a bad value."""
    if el is None:
        return None
    try:
        level = int(el.get(W_VAL) or "")
    except ValueError:
        return None
    return level if 0 <= level < BODY_LEVEL else None


def _outline_level(style: etree._Element) -> int | None:
    """A style's own outline level: its w:pPr/w:outlineLvl, else its name's ("heading 2", "标题 2")."""
    own = style.find(f"{W_PPR}/{W_OUTLINELVL}")
    if own is not None:
        return outline_value(own)
    name = style.find(W_NAME)
    match = _HEADING_NAME.match((name.get(W_VAL) or "").strip()) if name is not None else None
    return int(match[1]) - 1 if match else None


def _on_attr(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "true", "on")
