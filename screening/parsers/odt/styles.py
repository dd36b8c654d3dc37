"""Which styles hide text: a style whose text properties say `text:display="none"` (what Writer
writes for 隐藏 / Hidden), directly or through its `style:parent-style-name` chain (at most 32
steps, which also ends a cycle).

A span (`text:span`) in such a text style, or a paragraph in such a paragraph style, is hidden:
its text becomes a part of origin "hidden". Styles are read from content.xml's automatic styles
and styles.xml's common and automatic styles, each file keeping its own (a name may repeat).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from screening.parsers.odt.names import (
    FO_DISPLAY,
    STYLE_FAMILY,
    STYLE_NAME,
    STYLE_PARENT,
    STYLE_STYLE,
    STYLE_TEXT_PROPERTIES,
    TEXT_DISPLAY,
)

MAX_CHAIN = 32


@dataclass(slots=True)
class HiddenStyles:
    """(family, name) → (parent, hides: True / False / None when the style does not say)."""

    raw: dict[tuple[str, str], tuple[str, bool | None]] = field(default_factory=dict)

    def add(self, *roots: etree._Element | None) -> None:
        for root in roots:
            if root is None:
                continue
            for el in root.iter(STYLE_STYLE):
                props = el.find(STYLE_TEXT_PROPERTIES)
                display = None
                if props is not None:
                    value = props.get(TEXT_DISPLAY) or props.get(FO_DISPLAY)
                    display = None if value is None else value.strip().lower() == "none"
                key = (el.get(STYLE_FAMILY) or "", el.get(STYLE_NAME) or "")
                self.raw[key] = (el.get(STYLE_PARENT) or "", display)

    def hides(self, family: str, name: str | None) -> bool:
        for _ in range(MAX_CHAIN):
            if not name:
                return False
            entry = self.raw.get((family, name))
            if entry is None:
                return False
            if entry[1] is not None:
                return entry[1]
            name = entry[0]
        return False
