"""What every screening process loads once — the call, the lexicons, jieba's dictionary, the
guide, the identity engine's models — loaded by screening a built-in sample (ours, so parsed in
this process): the service's warm-up (`server.warm_up`), and the batch's fork server, whose workers
are forked from it warm (`screening.batch.warm_workers`) instead of each loading them again.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from screening.application import Application
from screening.engine import Upload, parse_upload, screen
from screening.model import Report

APPLICATION = {
    "project_id": "WARMUP", "title": "服务启动自检",
    "applicant": {"name": "自检示例科技有限公司", "aliases": ["自检示例"]},
    "team": [{"name": "欧阳自检", "role": "leader"}],
}
TEXT = "本项目由自检示例科技有限公司承担，项目负责人欧阳自检。"  # names both: loads everything
PLAIN_TEXT = "本项目研究含氟聚合物的超临界纯化工艺。"  # names nobody: everything but spaCy's pipeline


def tiny_docx(text: str) -> bytes:
    """A minimal valid .docx with one paragraph (for the warm-up; no template needed)."""
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
            'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
            'main+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p></w:body></w:document>'),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in members.items():
            zf.writestr(name, xml.encode("utf-8"))
    return out.getvalue()


def screen_sample(text: str = TEXT) -> tuple[Application, Upload, Report]:
    """The built-in sample screened in this process: everything a project needs is loaded after it
    — but spaCy's pipeline (`identity.nlp.pipeline`) when `text` names nobody (`PLAIN_TEXT`): it is
    loaded when a name is first found, to check the word boundaries around it."""
    application = Application.model_validate(APPLICATION)
    upload = Upload("自检.docx", data=tiny_docx(text))
    return application, upload, screen(application, [upload], parse=parse_upload)
