"""Sanitising a PDF (`screening redact --sanitize`): what Acrobat's "Sanitize document" removes,
whatever it holds.

The copy is written anew by pypdf from the objects the document uses, so the objects of earlier
revisions kept by incremental updates are not carried over. Removed:

* the document information dictionary and the XMP metadata (catalog and page /Metadata);
* embedded files (/Names /EmbeddedFiles), document JavaScript (/Names /JavaScript), the open action
  and additional actions (/OpenAction, /AA on the catalog and the pages), page labels (/PageLabels),
  the optional content properties (/OCProperties: the layers, every one then shown), the structure
  of a form (/AcroForm);
* every annotation (comments, stamps, links, attached files, form widgets; the page content they
  sit on stays);
* pictures' own metadata streams (/Metadata on image XObjects).

Text that is on a page but not seen (invisible, white, covered, tiny, outside the crop box, in a
hidden layer) is removed before this runs, by `redact.sanitize_bytes`: each run of it is masked out
of the content streams as a leak would be (`masking.pdf`), whatever it says.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from screening.masking import RedactionError

_CATALOG_KEYS = {"/OpenAction": "打开时执行的动作", "/AA": "附加动作（脚本）", "/PageLabels": "页码标签",
                 "/OCProperties": "图层设置（隐藏图层）", "/AcroForm": "表单", "/Metadata": "XMP元数据"}
_NAME_TREES = {"/EmbeddedFiles": "嵌入文件", "/JavaScript": "PDF脚本（JavaScript）"}


def sanitize(data: bytes) -> tuple[bytes, list[str]]:
    """The sanitised copy of a PDF and what was removed (module docstring)."""
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    except Exception as err:
        raise RedactionError(f"PDF无法清理（{type(err).__name__}）") from None
    removed: set[str] = set()
    root = writer._root_object
    for key, what in _CATALOG_KEYS.items():
        if key in root:
            del root[NameObject(key)]
            removed.add(what)
    names = root.get("/Names")
    if names is not None:
        tree = names.get_object()
        for key, what in _NAME_TREES.items():
            if key in tree:
                del tree[NameObject(key)]
                removed.add(what)
    for page in writer.pages:
        for key, what in (("/Annots", "注释、链接和附件"), ("/AA", "附加动作（脚本）"), ("/Metadata", "XMP元数据")):
            if key in page:
                del page[NameObject(key)]
                removed.add(what)
        _image_metadata(page, removed)
    if writer._info is not None and writer._info.get_object():
        writer._info.get_object().clear()  # type: ignore[union-attr]
        removed.add("文档属性（作者、标题等）")
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), sorted(removed)


def _image_metadata(page: DictionaryObject, removed: set[str]) -> None:
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is None:
        return
    for ref in xobjects.get_object().values():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image" and "/Metadata" in obj:
            del obj[NameObject("/Metadata")]
            removed.add("图片属性（XMP）")
