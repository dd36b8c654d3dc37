"""Redacted copies for applicants: screen one attachment, mask what leaked, prove the copy clean.

`redact(application, upload)`:

1. screens the attachment with the application (the same `screen()` as everything else);
   refuses (`RedactionError`) what cannot be vouched for: a picture OCR did not read (or read
   with low confidence), an unreadable, encrypted, timed-out or too large file;
2. takes the identity findings of that file that fail or warn (`info` ones — the owner printed on
   a patent certificate — are meant to be there) and masks every occurrence of their matched
   text (`screening.masking`: docx runs, parts and properties; PDF content streams, strings,
   annotations, metadata);
3. names the copy after the original with leaks in the name masked and the extension of what the
   file really is;
4. with `sanitize` (`redact --sanitize`), removes every place a name could hide that the reader
   does not see, whatever it holds — comments, tracked changes, hidden text, properties, custom
   XML, embedded files, scripts, XMP, earlier revisions (`masking.sanitize_docx`, `sanitize_pdf`);
5. screens the copy again and refuses it if any identity finding that fails or warns is left.

`plan()` is steps 1–2 without writing: what a copy would mask, one item per distinct text with
the findings it answers (`redact --dry-run`, the upload page's preview). A person may leave some
of those texts as they are (`keep`: a name that is not the applicant's, a term the matcher took
for one); the copy then keeps exactly those, the check of step 5 accepts them, and the result
says so (`Redaction.kept`).

`parse` and `mask` are injectable so that the HTTP hook runs both in limited processes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from screening import formats
from screening.application import Application
from screening.engine import Upload, parse_upload, screen
from screening.errors import AttachmentError
from screening.masking import MASK, Needles, RedactionError, pictures
from screening.model import Document, Finding, PartKind, Report, Severity

__all__ = ["Plan", "Redaction", "RedactionError", "leaks", "mask_bytes", "plan", "redact"]

REFUSED = {
    "document.encrypted": "附件设置了密码",
    "document.too_large": "附件过大或结构异常",
    "document.unverifiable": "附件的部分内容无法读取",
    "document.timeout": "附件处理超时",
    "document.unreadable": "附件有无法读取的部分",
}

Parse = Callable[[Upload, Application | None], Document]
Mask = Callable[[bytes, str, tuple[str, ...], pictures.Boxes], bytes]
Clean = Callable[[bytes, str], tuple[bytes, tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class Redaction:
    data: bytes
    file: str  # the name the copy should have
    format: str  # "docx" | "pdf"
    masked: tuple[Finding, ...]  # the findings whose text was masked
    notes: tuple[str, ...] = ()  # what the copy still needs a person for (scanned pages)
    removed: tuple[str, ...] = ()  # what --sanitize removed, whatever it held (comments, properties …)
    kept: tuple[str, ...] = ()  # texts a person chose to leave unmasked (`keep`), each found in the copy


@dataclass(frozen=True, slots=True)
class Plan:
    """What a copy of one attachment would mask (`plan()`)."""

    file: str
    format: str
    found: tuple[Finding, ...]  # the leaks, in report order
    texts: tuple[str, ...]  # the distinct texts masked wherever they occur, in the order first found

    def findings_of(self, text: str) -> list[Finding]:
        """The findings whose matched text is `text` (wherever they are: body, properties, file name)."""
        return [f for f in self.found if f.matched == text]

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "format": self.format, "would_mask": [f.to_json() for f in self.found],
                "items": [{"text": t, "findings": [f.to_json() for f in self.findings_of(t)]} for t in self.texts]}


def mask_bytes(data: bytes, fmt: str, needles: tuple[str, ...], boxes: pictures.Boxes = ()) -> bytes:
    """The file with every occurrence of the needles masked, and the pieces of its pictures where OCR
    read one painted over (`boxes`, `masking.pictures`); runs in a limited process in the service."""
    masker = formats.info(fmt).masker
    if masker is None:
        raise RedactionError(f"无法为“{formats.info(fmt).name}”格式的附件生成脱敏副本（只支持docx、pdf和图片）")
    if fmt == formats.Format.IMAGE:  # painted and stripped in one re-save (a JPEG is encoded once)
        return pictures.picture_copy(data, Needles(needles), boxes)
    masked = formats.function(masker)(data, Needles(needles))
    if boxes and fmt == formats.Format.DOCX:
        masked = pictures.mask_docx_pictures(masked, boxes)
    elif boxes and fmt == formats.Format.PDF:
        masked = pictures.mask_pdf_pictures(pictures.mask_pdf_pages(masked, boxes), boxes)
    return masked


def sanitize_bytes(data: bytes, fmt: str) -> tuple[bytes, tuple[str, ...]]:
    """The file with every place a name could hide that the reader does not see removed, whatever it
    holds (`masking.sanitize_docx`, `masking.sanitize_pdf`), and what was removed."""
    sanitizer = formats.info(fmt).sanitizer
    if sanitizer is None:
        raise RedactionError(f"无法清理“{formats.info(fmt).name}”格式的附件（只支持docx、pdf和图片）")
    unseen: list[str] = []
    if fmt == formats.Format.PDF:  # text on the pages nobody sees: removed from the content streams
        data, unseen = _without_unseen_text(data)
    data, removed = formats.function(sanitizer)(data)
    return data, tuple(removed) + (("页面上看不到的文字",) if unseen else ())


UNSEEN = frozenset({"invisible", "white", "covered", "tiny", "outside_crop", "hidden_layer"})


def _without_unseen_text(data: bytes) -> tuple[bytes, list[str]]:
    """The PDF with the text of its pages that nobody sees (`parsers.pdf_unseen`) removed — every
    run of it as the masking removes a leak — and those runs."""
    from screening.masking.pdf import mask_pdf
    from screening.parsers import pdf as pdf_parser

    runs = sorted({p.text for p in pdf_parser.parse(data).parts if p.origin in UNSEEN and len(p.text.strip()) >= 2})
    return (mask_pdf(data, Needles(runs), bars=False), runs) if runs else (data, [])


def leaks(report: Report, file: str) -> list[Finding]:
    """The identity findings of one file that a redacted copy must not have."""
    return [f for f in report.findings if f.file == file and f.rule.startswith("identity.")
            and f.severity is not Severity.INFO and f.matched]


def copy_name(name: str, fmt: str, needles: Sequence[str], data: bytes = b"") -> str:
    """The original name with leaks masked and the extension of the real format (of a picture, of
    its kind, from the copy's first bytes: `formats.picture_kind`)."""
    stem = re.sub(f"{MASK}+", "", Needles(needles).mask(Path(name).stem)).strip("-_ ·　") or "附件"
    kind = formats.picture_kind(data) if fmt == formats.Format.IMAGE else None
    return f"{stem}-脱敏{kind[0] if kind else formats.info(fmt).extensions[0]}"


def plan(application: Application, upload: Upload, *, parse: Parse = parse_upload, call: str | None = None) -> Plan:
    """What `redact()` would mask in this attachment, nothing written; refused (`RedactionError`) as
    `redact()` refuses it."""
    data = upload.content(RedactionError)
    _, doc, found = _screened(application, Upload(Path(upload.name).name, data=data), parse, call)
    return Plan(doc.file, doc.format, tuple(found), tuple(dict.fromkeys(f.matched for f in found if f.matched)))


def _screened(application: Application, upload: Upload, parse: Parse,
              call: str | None) -> tuple[Report, Document, list[Finding]]:
    report = screen(application, [upload], parse=parse, call=call)
    doc = report.documents[0]
    _check_readable(doc)
    return report, doc, leaks(report, doc.file)


def redact(application: Application, upload: Upload, *, parse: Parse = parse_upload, mask: Mask = mask_bytes,
           call: str | None = None, output_name: str | None = None, sanitize: bool = False,
           clean: Clean = sanitize_bytes, keep: Collection[str] = ()) -> Redaction:
    """A verified redacted copy of one attachment (see the module docstring); with `sanitize`, also
    every place a name could hide that the reader does not see removed (`sanitize_bytes`); the texts
    in `keep` (items of `plan()`) left as they are."""
    data = upload.content(RedactionError)
    upload = Upload(Path(upload.name).name, data=data)
    _, doc, found = _screened(application, upload, parse, call)
    # a text of the plan, as a browser's form sends it back (line breaks as CRLF) or as given
    texts = {_lines(f.matched): f.matched for f in found if f.matched}
    wanted = list(dict.fromkeys(_lines(k) for k in keep))
    unknown = [k for k in wanted if k not in texts]
    if unknown:
        raise RedactionError(f"要保留的内容“{'、'.join(unknown)}”不在将遮盖的内容中（先预览，再从其中选择要保留的项）")
    kept = tuple(texts[k] for k in wanted)
    found = [f for f in found if f.matched not in kept]
    needles = tuple(sorted({f.matched for f in found if f.matched and f.location and f.location.part
                            is not PartKind.FILENAME}))
    name_needles = [f.matched for f in found if f.matched]
    removed: tuple[str, ...] = ()
    try:
        boxes = pictures.boxes_of(doc, needles)
        masked = mask(data, doc.format, needles, boxes) if needles else data
        if sanitize:
            masked, removed = clean(masked, doc.format)
    except AttachmentError as err:  # the limited process timed out or ran out of memory
        raise RedactionError(f"无法生成脱敏副本：{err.message}") from None
    name = output_name or copy_name(doc.file, doc.format, name_needles, masked)
    again = screen(application, [Upload(name, data=masked)], parse=parse, call=call)
    left = [f for f in leaks(again, name) if not _kept(f, kept)]
    if left:
        listed = "；".join(f"{f.message}" for f in left[:5])
        raise RedactionError(f"脱敏后仍发现{len(left)}处身份信息，未生成副本：{listed}")
    problems = [p for p in again.documents[0].problems if p.rule in REFUSED]
    if problems:
        raise RedactionError(f"脱敏后的副本无法完整读取（{problems[0].message}），未生成副本")
    painted = {int(source.split()[1]) for source, _ in boxes if re.fullmatch(r"page \d+", source)}
    notes = tuple(f"第{p.page}页为扫描图像，其中的文字未能脱敏，请人工检查" if p.page else "附件中有图片文字未能脱敏，请人工检查"
                  for p in doc.problems if p.rule == "document.scanned" and p.page not in painted)
    notes += tuple(("图片中识别出的身份信息已涂黑，请人工核对" if doc.format == formats.Format.IMAGE
                    else f"第{page}页扫描图像中识别出的身份信息已涂黑，请人工核对") for page in sorted(painted))
    notes += tuple(f"{_picture_name(source)}中识别出的身份信息已涂黑，请人工核对" for source, _ in boxes
                   if not re.fullmatch(r"page \d+", source))
    return Redaction(data=masked, file=name, format=doc.format, masked=tuple(found), notes=notes, removed=removed,
                     kept=kept)


def _lines(text: str) -> str:
    """The text with its line breaks as one "\n" (an HTML form sends a field's line breaks as CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _kept(finding: Finding, kept: Sequence[str]) -> bool:
    """A leak of the copy that a person chose to keep: its text is (inside) one of the kept texts."""
    matched = finding.matched
    return matched is not None and any(matched in text for text in kept)


def _picture_name(source: str) -> str:
    """A picture as a clerk finds it: 第2页第1张图片, 第3页第1处图形文字, 图片“image1.png”."""
    if match := re.fullmatch(r"page (\d+) (image|region) (\d+)", source):
        return f"第{match[1]}页第{match[3]}{'张图片' if match[2] == 'image' else '处图形文字'}"
    return f"图片“{Path(source).name}”"


def _check_readable(doc: Document) -> None:
    if doc.format not in formats.REDACTABLE:
        what = formats.info(doc.format).name
        raise RedactionError(f"{doc.file}：{what}无法自动脱敏（只支持docx、pdf和图片），请人工处理")
    if doc.format == formats.Format.IMAGE:
        unread = next((p for p in doc.problems if p.rule == "document.scanned"), None)
        if unread is not None:  # a picture is all picture: what OCR did not read cannot be vouched for
            raise RedactionError(f"{doc.file}：图片中的文字未能可靠识别，无法保证脱敏完整，未生成副本（{unread.message}）")
    for problem in doc.problems:
        if problem.rule in REFUSED:
            raise RedactionError(f"{doc.file}：{REFUSED[problem.rule]}，无法保证脱敏完整，未生成副本（{problem.message}）")
