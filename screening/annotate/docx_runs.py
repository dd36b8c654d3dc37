"""Run boundaries where a comment must start and end: a Word comment covers whole runs, so the run
holding the first matched character is cut before it and the run holding the last one after it.

A cut keeps the run's properties (w:rPr copied) and attributes on both sides and splits only the
text element at the boundary (w:t or w:delText, `xml:space="preserve"` on both halves); everything
else in the run stays on its side, in order. The text of the paragraph is unchanged.
"""

from __future__ import annotations

import copy
from typing import TypeAlias

from docx.oxml.parser import OxmlElement
from lxml import etree

from screening.annotate.docx_places import Piece
from screening.parsers.docx.ooxml import W_DELTEXT, W_R, W_RPR

Element: TypeAlias = etree._Element
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TEXT_TAGS = {W_DELTEXT: "w:delText"}  # any other text element is a w:t


def runs_around(pieces: tuple[Piece, ...]) -> tuple[Element, Element] | None:
    """The first and last run covering exactly the matched characters (runs cut as needed), or
    None when the text is not in ordinary runs (math, DrawingML)."""
    first, start, _ = pieces[0]
    last, _, end = pieces[-1]
    if not (_in_run(first) and _in_run(last)):
        return None
    _, start_run, held = _cut(first, start)
    if last is first:  # the end is now in the element holding the text from the start on
        last, end = held, end - start
    end_run, _, _ = _cut(last, end)
    assert start_run is not None and end_run is not None  # a match has characters on both sides of a cut
    return start_run, end_run


def _in_run(el: Element) -> bool:
    parent = el.getparent()
    return parent is not None and parent.tag == W_R


def _cut(t: Element, offset: int) -> tuple[Element | None, Element | None, Element]:
    """A run boundary before character `offset` of text element `t`: (the run ending there, the run
    starting there — None when there is no text on that side in this run — and the element that
    now holds `t`'s text from `offset` on)."""
    run = t.getparent()
    assert run is not None
    text = t.text or ""
    content = [c for c in run if c.tag != W_RPR]
    i = content.index(t)
    held = t
    if 0 < offset < len(text):
        held = OxmlElement(TEXT_TAGS.get(t.tag, "w:t"))
        held.text = text[offset:]
        held.set(XML_SPACE, "preserve")
        t.text = text[:offset]
        t.set(XML_SPACE, "preserve")
        t.addnext(held)
        left, right = [*content[:i], t], [held, *content[i + 1:]]
    elif offset == 0:
        left, right = content[:i], content[i:]
    else:
        left, right = content[:i + 1], content[i + 1:]
    if not left:
        return None, run, held
    if not right:
        return run, None, held
    second = OxmlElement("w:r", attrs=dict(run.attrib))
    properties = run.find(W_RPR)
    if properties is not None:
        second.append(copy.deepcopy(properties))
    for child in right:
        second.append(child)  # moved, in order
    run.addnext(second)
    return run, second, held
