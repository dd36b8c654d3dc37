"""The OOXML vocabulary the docx parser (and masking) reads: namespaces, tag names, small value readers.

Tags are Clark names (``{namespace}local``) as lxml gives them. Strict OOXML is read by mapping
its namespaces onto the transitional ones while streaming (`STRICT`, applied by
`xmlsafe.read_member` to the raw bytes of a part before it is parsed), so every other module only
ever sees the transitional names below.
"""

from __future__ import annotations

from lxml import etree

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
STRICT = (
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



def w(name: str) -> str:
    """The Clark name of a WordprocessingML (w:) element or attribute."""
    return f"{{{W_NS}}}{name}"


W_DOCUMENT, W_BODY, W_P, W_R, W_T, W_DELTEXT = map(w, ("document", "body", "p", "r", "t", "delText"))
W_PPR, W_RPR, W_PSTYLE, W_RSTYLE, W_VANISH = map(w, ("pPr", "rPr", "pStyle", "rStyle", "vanish"))
W_TAB, W_PTAB, W_BR, W_CR = map(w, ("tab", "ptab", "br", "cr"))
W_NOBREAKHYPHEN, W_SOFTHYPHEN, W_INSTRTEXT = map(w, ("noBreakHyphen", "softHyphen", "instrText"))
W_LASTRENDERED, W_PAGEBREAKBEFORE = map(w, ("lastRenderedPageBreak", "pageBreakBefore"))
W_OUTLINELVL = w("outlineLvl")
W_TBL, W_TR, W_TC, W_TRPR, W_TCPR = map(w, ("tbl", "tr", "tc", "trPr", "tcPr"))
W_GRIDBEFORE, W_GRIDSPAN = map(w, ("gridBefore", "gridSpan"))
W_SDT, W_SDTCONTENT, W_CUSTOMXML = map(w, ("sdt", "sdtContent", "customXml"))
W_INS, W_DEL, W_MOVETO, W_MOVEFROM = map(w, ("ins", "del", "moveTo", "moveFrom"))
W_SECTPR, W_SECTPRCHANGE, W_TYPE = map(w, ("sectPr", "sectPrChange", "type"))
W_HEADERREF, W_FOOTERREF, W_ALTCHUNK = map(w, ("headerReference", "footerReference", "altChunk"))
W_TXBXCONTENT, W_FLDSIMPLE, W_RUBY, W_RUBYBASE = map(w, ("txbxContent", "fldSimple", "ruby", "rubyBase"))
W_FOOTNOTEREFERENCE, W_ENDNOTEREFERENCE = map(w, ("footnoteReference", "endnoteReference"))
W_COMMENTREFERENCE, W_COMMENTRANGESTART = map(w, ("commentReference", "commentRangeStart"))
W_COMMENT, W_FOOTNOTE, W_ENDNOTE = map(w, ("comment", "footnote", "endnote"))
W_STYLE, W_BASEDON, W_DOCDEFAULTS, W_DOCVAR = map(w, ("style", "basedOn", "docDefaults", "docVar"))
W_VAL, W_ID, W_AUTHOR, W_INITIALS, W_NAME = map(w, ("val", "id", "author", "initials", "name"))
W_STYLEID, W_DEFAULT, W_INSTR = map(w, ("styleId", "default", "instr"))
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


def leaf_text(el: etree._Element) -> str:
    """Text of a w:t-like leaf; unresolved entity references (never in a real file) are dropped."""
    text = el.text or ""
    if len(el):
        text += "".join(child.tail or "" for child in el)
    return text


def is_on(el: etree._Element) -> bool:
    """A WordprocessingML on/off property: present without w:val, or with a true value."""
    val = el.get(W_VAL)
    return val is None or val.strip().lower() not in ("0", "false", "off")


def to_int(value: str | None, default: int) -> int:
    """An integer attribute; `default` when it is absent or no integer."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
