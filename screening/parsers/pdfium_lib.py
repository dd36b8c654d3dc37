"""pdfium, as every part of the screener uses it: with the stand-in font (fonts/standin.ttf) for the
fonts a PDF names and does not embed, and never the machine's own fonts.

Import pdfium from here (`from screening.parsers.pdfium_lib import pdfium, pdfium_c`), not from
pypdfium2 directly: this module sets the library up before any document is opened.

Why: a PDF may name a CJK font without embedding it (STSong-Light and the like; reportlab and some
form generators write such files). pdfium then draws its characters with a font of the machine —
and on a machine without a CJK font, it finds no glyph, gives every character an empty box and
leaves out of the page's text every text object whose box has no width: a character standing alone
(a 。 wrapped onto a line of its own, a name written one character per line or per table cell) was
simply not there, on that machine only. pypdfium2 starts pdfium with the system's font folders; this
module starts it again with the folder of the stand-in font instead (pdfium's user font paths
replace the system's): every machine places, keeps and draws these characters the same way — as
hollow squares where a picture of the page is made, since the stand-in has one glyph. Fonts a PDF
embeds are untouched, and so are Latin fonts (pdfium's own serve them: the stand-in claims the CJK
code pages only).
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdfium2.internal import bases

from screening.parsers.standin_font import PATH as STANDIN_FONT

__all__ = ["STANDIN_FONT", "pdfium", "pdfium_c"]

_Path = ctypes.POINTER(ctypes.c_char)
# pdfium keeps the pointer and reads the folder when it first maps a font, not at start: the
# buffers live as long as the process
_FOLDER = ctypes.create_string_buffer(str(STANDIN_FONT.parent).encode())
_PATHS = (_Path * 2)(ctypes.cast(_FOLDER, _Path), _Path())  # a NULL pointer ends the list


def _start_with_own_fonts() -> None:
    if any(tracked for tracked in bases.ObjectTracker.values()):
        raise RuntimeError("pdfium已在使用中（有打开的文档），无法改用随附的替代字体："
                           "请先导入 screening.parsers.pdfium_lib，再打开PDF")
    config = pdfium_c.FPDF_LIBRARY_CONFIG(version=2, m_pUserFontPaths=ctypes.cast(_PATHS, ctypes.POINTER(_Path)),
                                          m_pIsolate=None, m_v8EmbedderSlot=0)
    pdfium_c.FPDF_DestroyLibrary()  # started by pypdfium2's import, with the system's font folders
    pdfium_c.FPDF_InitLibraryWithConfig(config)


_start_with_own_fonts()
