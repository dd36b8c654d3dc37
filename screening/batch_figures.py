"""The figures of a project's findings in the batch report (OUT/report.html): where on the page each
finding in a PDF or a picture stands, the hit outlined in red (screening/figures.py), as `<img>`
elements whose source is a `data:` URI — the page still needs nothing from outside.

The attachments are read from the project's folder (`BatchItem.project.folder`), only those with a
finding to show and among the folder's attachments as the batch found them (a name in a report
read back from OUT never reaches outside the folder), and only when their SHA-256 is still the one
the report was made from. At most
`figures.MAX_FIGURES` figures per project, the most severe findings first; the page says how many
more were left out, and why a finding that should have one has none.

A thumbnail is shown at most `THUMB_PX` wide; clicked (focused) it is shown at full size. Pure CSS.
"""

from __future__ import annotations

import html
import logging
import struct

from screening import figures
from screening.batch import BatchItem
from screening.figures import Figures
from screening.report import printable

log = logging.getLogger(__name__)

THUMB_PX = 320

CSS = f"""
figure.where{{margin:6px 0 0}}figure.where img{{display:block;max-width:min(100%,{THUMB_PX}px);height:auto;border:1px solid #ccc;background:#fff;cursor:zoom-in}}
figure.where img:focus{{max-width:none;position:relative;z-index:2;outline:2px solid #555;box-shadow:0 4px 16px rgba(0,0,0,.35);cursor:zoom-out}}
figure.where figcaption{{color:#666;font-size:85%}}
.fig-missing,.fig-note{{color:#8a5a00;font-size:90%;margin:4px 0 0}}
"""


def _e(value: object) -> str:
    return html.escape(printable(str(value)), quote=True)


def of_item(item: BatchItem) -> Figures:
    """The figures of one project's findings, its attachments read from its folder."""
    report = item.report
    attached = {name for name, _ in item.project.attachments}  # only the folder's own files, never a path
    wanted = {report["findings"][i]["file"] for i in figures.placeable(report)} & attached
    files: dict[str, bytes] = {}
    for name in sorted(wanted):
        path = item.project.folder / name
        try:
            files[name] = path.read_bytes()
        except OSError as err:
            log.warning("%s：附件%s无法读取，不生成缩略图（%s）", item.project_id, name, err)
    return figures.project_figures(report, files, limit=figures.MAX_FIGURES)


def _size(uri: str) -> tuple[int, int] | None:
    """A PNG data URI's width and height (its IHDR), for the `<img>` to keep its place while loading."""
    import base64

    head = base64.b64decode(uri.split(",", 1)[1][:44])
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def cell(found: Figures, index: int, finding: dict[str, object]) -> str:
    """The figure of finding `index` (or why it has none) for its row; "" when it has no place to show."""
    location = finding.get("location")
    page = location.get("page") if isinstance(location, dict) else None
    if index in found.shown:
        uri = found.shown[index]
        size = _size(uri)
        dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
        where = f"第{page}页" if page else "页面"
        return (f'<figure class="where"><img src="{uri}"{dims} tabindex="0" alt="{_e(where)}命中位置示意">'
                f"<figcaption>{_e(where)}位置示意，红框为命中处（点击放大）</figcaption></figure>")
    if index in found.missing:
        return f'<p class="fig-missing">未生成页面缩略图：{_e(found.missing[index])}</p>'
    return ""


def note(found: Figures) -> str:
    """The line under a project's findings saying how many figures were left out."""
    if not found.left_out:
        return ""
    return (f'<p class="fig-note">另有 {found.left_out} 处未显示缩略图'
            f"（每个项目最多显示 {figures.MAX_FIGURES} 张，按严重程度排序）</p>")
