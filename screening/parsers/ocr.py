"""OCR of scanned pages and pictures → `Part`s, with rapidocr-onnxruntime (PP-OCRv4, fully offline).

What is read. `ocr_document(doc, data)` takes an attachment the format parser has read and reads
the pixels that parser listed as `ImageRef`s:

* a picture file (format "image"): every frame → kind IMAGE, page = the frame number;
* a PDF page without a text layer (pdf.py listed it as "page N" and reported it
  `document.scanned`) → kind BODY, page N. The page's picture itself is read when it is the only
  picture of an unrotated page and covers at least `FULL_PAGE_SHARE` of it (the scanner's own
  pixels, at their own resolution); any other page is rendered at `RENDER_DPI`;
* pictures on PDF pages that have text ("page N image k") and pictures in a docx
  (word/media/*) → kind IMAGE, when at least `pdf.MIN_IMAGE_AREA` pixels large with both sides at
  least `pdf.MIN_IMAGE_SIDE` (150 × 150 px of area, 32 px), or when a strip that may hold one line
  of text (`pdf.is_strip`: shorter side ≥ 16 px, 4:1 or wider, ≥ 2400 px; a name pasted as a
  700 × 31 px picture), at most `pdf.MAX_STRIPS` strips per document (one rule for both formats,
  kept in pdf.py because it also decides which PDF pictures are listed). A docx picture of unknown size
  is tried; SVG pictures are skipped (Word stores a bitmap copy of each next to it); a picture
  Pillow cannot decode (EMF/WMF, damaged data) is reported, never skipped silently; of a
  multi-frame picture inside a docx only the first frame is read.

Parts. The recogniser returns pieces of lines, four corners each (on a slightly rotated scan
lines are slanted, so heights and gaps are taken at the lines' ends, not from upright boxes).
Rows first (`rows`): a piece level with the previous one of its row (centres within 0.4 line
heights, heights within 30 %) and at most `ROW_GAP` line heights after it continues that row,
joined with a space — a form's label and its value, a table row's cells, as pdfium gives a text
PDF's row (two text columns side by side would be joined too; such layouts are rare here).
Then paragraphs (`paragraphs`, i.e. `layout.recognised_paragraphs`, the same module that lays out
a PDF's text layer): a row continues the latest paragraph whose last row it sits right under —
a gap of at most 0.8 line heights, or 1.3 × the picture's usual gap (its lower quartile) up to
1.2 line heights; heights within 30 %; overlapping horizontally; not indented by more than 0.8
line heights; the row above not a short one ending a sentence. So a name wrapped over two lines
is one string again; when in doubt rows are joined, as on a text layer (the rows of a table may
become one paragraph; joined with "\n", they never make a name that is not there). One Part
per paragraph: its rows joined with "\n", origin `ORIGIN` ("ocr"), `confidence` the mean line
score weighted by characters, `source` the ImageRef's source, page as above. Paragraphs are
numbered per picture from 1, on a scanned PDF page after the page's other body paragraphs.
`box` is (x0, top, x1, bottom) in points of the displayed page for a scanned PDF page, and in
pixels of the picture for pictures (a picture has no page geometry of its own). `segments` keeps
the recogniser's pieces the paragraph was joined from, each with its four corners in pixels of the
picture (a table's cells, which screening/scan_grid.py lays out again by position) and its upright
box where the paragraph's box is (what a finding's `location.box` is made of: `Part.span_box`).

The engine's angle classifier turns a short word upside down now and then (a "总计" beside a
table's rule came out as nothing); a piece it turned is recognised both ways round and the
reading with the better score kept.

Known limit: the detector can miss a lone character at the start of a line ("目。" ending a
paragraph); a name split so that its last character stands alone may lose that character.

Confidence. A line scoring below `LINE_MIN_SCORE` (the engine's own default) is noise and dropped.
A picture's confidence is the character-weighted mean score of its lines. Below `LOW_CONFIDENCE`
the picture keeps a `document.scanned` problem asking for a person's look, although its text is
still screened. 0.90, measured on a page of report text rendered at falling resolutions: 75–200
dpi, even blurred, scores ≥ 0.985 with ≥ 99 % of characters right; 60 dpi 0.95 / 99 %; 50 dpi
0.88 / 91.5 % (a three-character name then comes out wrong about one time in four); 40 dpi
0.75 / 75 %. Too blurred to read at all, detection finds no text (→ "no text found" below).

Problems (`document.scanned`). A scanned page or frame read with confidence loses its "not read"
problem; read with low confidence, or with no text found at all, or not read because OCR failed,
it gets a problem saying so instead. A picture inside a page gets a problem only when read with
low confidence or not read at all (most pictures — charts, photos — hold no text). OCR enabled
but not installed: one problem naming `INSTALL_HINT`, and the "not read" problems stay.

Speed and resources. The engine is loaded once per process (`engine()`), with onnxruntime's
thread count `ocr_threads()`: `SCREENING_OCR_THREADS` if set, else the CPU count divided by
`SCREENING_WORKERS` (the number of processes screening in parallel on this machine, default 1),
at least 1 — oversubscribed cores make OCR markedly slower. Its three models are rewritten as
it loads (screening/parsers/onnx_fusion.py: the same functions with a fraction of the element-wise
operators, 30 % less time per line) into a temporary folder RapidOCR loads them from. Text
detection runs on a copy scaled to `DET_MAX_SIDE`, on all the threads (Pillow's Lanczos, 0.04 s a
page: OpenCV's area average takes 0.005 s but moves boxes by a pixel, which changes the reports'
boxes and paragraphs and what is read off a figure of them). Recognition crops lines from the
picture scaled to at most `MAX_SIDE` and reads one line per model run (`REC_BATCH`), the lines
spread over `ocr_threads()` threads (`_pool`; two lines at a time on two cores, one core each, take
8 % less time than each line on both), longest first, the readings in their order; the angle
classifier's runs likewise. The picture's QR codes and barcodes are decoded on the pool meanwhile
(`_meanwhile`; 0.06 s a page). What is read stays the same (the fused models round differently
in the last digits; the sample reports of tests/golden do not change).

Measured and left as they were (benchmarks/ocr_speed.py, and pages of prose, of numbers and codes,
at 75–300 dpi and 6.5–14 pt): batches of long lines cost more per line than one line a run
(4 × 1600 px: 40 % more; 4 × 400 px 13 % less, and padding changes the readings); detection at
1024 px instead of 1280 (a third less detection time) makes taller boxes, so smaller characters,
and lost digits of a scanned table (tests/test_budget_scan.py) and confidence on a certificate
(tests/test_patents_scans.py); lines recognised lower than the model's 48 px (44, 40, or the
crop's own height) cost 15–30 % less and misread 20–60 % more Latin letters and symbols; a memory
arena, thread spinning, memory patterns and denormals-as-zero change nothing measurable. The
recogniser's time is 86 % convolutions (onnxruntime's profiler, 40 lines); 8-bit weights do not pay:
onnxruntime's dynamic quantisation (ConvInteger) made it 35 % slower and garbled every line, static
quantisation of the convolutions (QDQ, per channel, calibrated on 192 lines of other rendered pages)
12 % faster but misread 柑 as 相 on the first page read.

A full 200-dpi A4 page takes about 0.7 s with 2 threads (1.3 s of CPU) and 1.15 s with 1
(benchmarks/ocr_speed.py; 1.0–1.2 s and 1.6–2.0 s before these changes, on the same machine at
the same time); nearly all of it is the recogniser's convolutions, about 0.8 s of CPU for the 32
lines of a page. The benchmark's process peaks near 600 MB resident with 2 threads (520 MB with
`MALLOC_ARENA_MAX=1`: glibc's arenas of the pool's threads), 550 MB with 1; one reading a single
page, 1.25 GB of address space (1.1 GB on one thread), and it still reads it under an `RLIMIT_AS`
of 1.25 GB, not under 1.2 GB (each picture is then reported).

Results are cached on disk (`Cache`): one JSON file per picture, named by the SHA-256 of its
prepared pixels, in a folder named by the cache schema, the engine's version and these settings,
under `$SCREENING_CACHE_DIR/ocr` (default `~/.cache/screening/ocr`); files are written atomically
(temporary file + rename). A cache that cannot be read is a miss; one that cannot be written is
logged as a warning and the run goes on.

Like pdfium, call this from one thread at a time (processes are fine); it starts its own
threads (`_pool`).

The thresholds above (row and paragraph factors, `LINE_MIN_SCORE`, `LOW_CONFIDENCE`,
`FULL_PAGE_SHARE`, the picture sizes of pdf.py) are values of lexicons/parsing.yaml; the engine
settings (resolutions, sizes, batch) stay here, beside the measurements that chose them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import math
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from PIL import Image

from screening import files, formats
from screening.errors import ConfigError
from screening.model import Document, ImageRef, Part, PartKind, Problem, Segment
from screening.parsers import barcodes
from screening.parsers import pdf as pdf_parser
from screening.parsers.layout import recognised_paragraphs
from screening.parsers.thresholds import thresholds

log = logging.getLogger(__name__)

ORIGIN = "ocr"
INSTALL_HINT = "OCR未安装：在源码目录中执行 pip install -c constraints.txt -e '.[ocr]'"
_T = thresholds().ocr  # lexicons/parsing.yaml `ocr:` (what each value decides, and its unit)
_ROWS = _T.rows
# Engine settings (speed and resolution, measured with benchmarks/ocr_speed.py; part of the cache key):
RENDER_DPI = 200  # scanned PDF pages that are not one full-page picture are rendered at this
MAX_SIDE = 2400  # px: larger pictures are scaled down first (a 200-dpi A4 page is not: 2339 px)
DET_MAX_SIDE = 1280  # px: text detection runs on a copy this large (0.2 s of CPU a page; see the docstring)
DET_MIN_SIDE = 64  # px: … padded to at least this
MAX_UPSCALE = 4.0  # … and small pictures enlarged at most this much for it
REC_BATCH = 1  # lines recognised per model run: batches of 4 (6 is the engine's default) cost 40 % more CPU
# Thresholds (from the data file):
FULL_PAGE_SHARE = _T.full_page_share  # a page's only picture covering this share of the page is the scan itself
ROW_GAP = _ROWS.gap  # line heights: pieces of one row this far apart are still one row (a label and its value)
LINE_MIN_SCORE = _T.line_min_score  # recognised lines scoring below this are noise
LOW_CONFIDENCE = _T.low_confidence  # a picture read with a lower mean score needs a person's look (see the docstring)
VECTOR_SUFFIXES = (".svg",)  # docx keeps a bitmap copy of these
CACHE_SCHEMA = 3  # 2: a crop the angle classifier turned is read both ways round; 3: the fused models (onnx_fusion)
SCANNED = "document.scanned"

Box = tuple[float, float, float, float]  # x0, top, x1, bottom
Quad = tuple[float, float, float, float, float, float, float, float]

_FALSE = frozenset({"0", "false", "no", "off"})
_TRUE = frozenset({"", "1", "true", "yes", "on"})
_PAGE_REF = re.compile(r"page (\d+)(?: (image|region) (\d+))?")
_In = TypeVar("_In")
_Out = TypeVar("_Out")


class OcrUnavailableError(RuntimeError):
    """rapidocr-onnxruntime is not installed."""


# ---------------------------------------------------------------- settings from the environment


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether OCR should run: yes unless SCREENING_OCR is 0 / false / no / off."""
    raw = (os.environ if environ is None else environ).get("SCREENING_OCR", "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"环境变量 SCREENING_OCR={raw!r} 无效，应为 1（启用文字识别）或 0（关闭）")


def _positive(variable: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"环境变量 {variable}={raw!r} 不是整数") from None
    if value < 1:
        raise ConfigError(f"环境变量 {variable}={raw!r} 必须是正整数")
    return value


def ocr_threads(environ: Mapping[str, str] | None = None) -> int:
    """onnxruntime threads: SCREENING_OCR_THREADS, else CPUs // SCREENING_WORKERS, at least 1."""
    env = os.environ if environ is None else environ
    cpus = os.cpu_count() or 1
    if raw := env.get("SCREENING_OCR_THREADS", "").strip():
        return min(_positive("SCREENING_OCR_THREADS", raw), cpus)
    raw = env.get("SCREENING_WORKERS", "").strip()
    workers = _positive("SCREENING_WORKERS", raw) if raw else 1
    return max(1, cpus // workers)


# ---------------------------------------------------------------- what OCR saw


@dataclass(frozen=True, slots=True)
class Line:
    """One recognised line. `quad` is its four corners in pixels of the picture, in the engine's
    order: top-left, top-right, bottom-right, bottom-left (x, y each) — on a slightly rotated scan
    a long line's upright box is much taller than the line, so the layout uses the corners."""

    text: str
    score: float
    quad: Quad

    @property
    def box(self) -> Box:
        xs, ys = self.quad[0::2], self.quad[1::2]
        return min(xs), min(ys), max(xs), max(ys)

    @property
    def height(self) -> float:
        q = self.quad
        return max((math.dist(q[0:2], q[6:8]) + math.dist(q[2:4], q[4:6])) / 2, 1.0)

    @property
    def top(self) -> float:  # at the left end of the line
        return self.quad[1]

    @property
    def bottom(self) -> float:
        return self.quad[7]

    @property
    def x0(self) -> float:
        return min(self.quad[0], self.quad[6])

    @property
    def x1(self) -> float:
        return max(self.quad[2], self.quad[4])


@dataclass(frozen=True, slots=True)
class Reading:
    """The recognised lines of one picture, in reading order."""

    lines: tuple[Line, ...]
    width: int
    height: int

    @property
    def confidence(self) -> float | None:
        """Mean line score weighted by characters; None when nothing was recognised."""
        return mean_score(self.lines)

    def scaled(self, factor: float, width: int, height: int) -> Reading:
        lines = tuple(replace(line, quad=_quad(v * factor for v in line.quad)) for line in self.lines)
        return Reading(lines, width, height)

    def to_json(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height,
                "lines": [[line.text, line.score, *line.quad] for line in self.lines]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reading:
        lines = tuple(Line(str(text), float(score), _quad(quad)) for text, score, *quad in data["lines"])
        return cls(lines, int(data["width"]), int(data["height"]))


def mean_score(lines: Sequence[Line]) -> float | None:
    weight = sum(len(line.text) for line in lines)
    if not weight:
        return None
    return round(sum(line.score * len(line.text) for line in lines) / weight, 4)


def _round_box(values: Iterable[float]) -> Box:
    x0, top, x1, bottom = (round(float(v), 1) for v in values)
    return x0, top, x1, bottom


def _quad(values: Iterable[float]) -> Quad:
    x0, y0, x1, y1, x2, y2, x3, y3 = (round(float(v), 1) for v in values)
    return x0, y0, x1, y1, x2, y2, x3, y3


# ---------------------------------------------------------------- the engine


def _engine_class() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as err:
        raise OcrUnavailableError(INSTALL_HINT) from err
    return RapidOCR


def _session(model: Path, threads: int) -> Any:
    """An onnxruntime session as RapidOCR makes them (all graph optimisations, no memory arena: inputs
    of every width would keep the largest one's memory), on `threads` threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.enable_cpu_mem_arena = False
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])


def shipped_models() -> dict[str, Path]:
    """RapidOCR's own model files, by module: "det", "cls", "rec" (from its configuration)."""
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    config = update_model_path(read_yaml(str(DEFAULT_CFG_PATH)))
    return {module: Path(config[module.capitalize()]["model_path"]) for module in ("det", "cls", "rec")}


def _models(folder: Path | None) -> dict[str, str]:
    """RapidOCR's three models as its `*_model_path` arguments: simplified by `onnx_fusion.fuse` and
    written to `folder`, or the shipped file where that fails or there is no folder (slower, not
    wrong: the readings agree but for rounding, so they share the cache); none when RapidOCR's
    configuration cannot be read (its own models then, detection on one thread)."""
    from screening.parsers.onnx_fusion import fuse

    try:
        shipped = shipped_models()
    except Exception as err:  # another RapidOCR version
        log.warning("OCR模型路径无法读取（%s：%s），按原模型运行", type(err).__name__, err)
        return {}
    paths = {}
    for module, model in shipped.items():
        target = model
        if folder is not None:
            try:
                (folder / model.name).write_bytes(fuse(model.read_bytes()))
                target = folder / model.name
            except Exception as err:
                log.warning("OCR模型%s未能简化（%s：%s），按原模型运行", model.name, type(err).__name__, err)
        paths[f"{module}_model_path"] = str(target)
    return paths


@functools.cache
def engine() -> Any:
    """The process's one RapidOCR engine (models load in ~0.3 s; a failed import is not cached).

    Its models are `_models`. Detection runs on all `ocr_threads()`; the angle classifier and the
    recogniser on one thread each, called for several lines at once from `_pool` (lines are
    independent: two lines on two cores beat one line on two)."""
    rapid_ocr = _engine_class()
    threads = ocr_threads()
    with contextlib.ExitStack() as stack:
        try:
            folder: Path | None = Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="screening-ocr-", ignore_cleanup_errors=True)))
        except OSError as err:  # no temporary folder to write to: the shipped models
            log.warning("OCR模型无法写入临时目录（%s），按原模型运行", err)
            folder = None
        models = _models(folder)
        ocr = rapid_ocr(intra_op_num_threads=1, inter_op_num_threads=1, text_score=LINE_MIN_SCORE,
                        max_side_len=MAX_SIDE, rec_batch_num=REC_BATCH, print_verbose=False, **models)
        if threads > 1 and "det_model_path" in models:
            ocr.text_det.infer.session = _session(Path(models["det_model_path"]), threads)
    ocr.text_det.limit_type = "max"  # detect at the size `_recognise` chose: never scaled up to 736 px again
    return ocr


_pools: dict[int, ThreadPoolExecutor] = {}


def _pool() -> ThreadPoolExecutor | None:
    """The threads lines are recognised on (`ocr_threads()` of them; None for one), per process."""
    threads = ocr_threads()
    if threads < 2:
        return None
    pid = os.getpid()  # a forked child has none of its parent's threads
    if pid not in _pools:
        _pools[pid] = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="screening-ocr")
    return _pools[pid]


def _spread(function: Callable[[_In], _Out], items: Sequence[_In], costs: Sequence[float]) -> list[_Out]:
    """`function` of each item, on `_pool` (the costliest first), in the items' order."""
    pool = _pool()
    if pool is None or len(items) < 2:
        return [function(item) for item in items]
    order = sorted(range(len(items)), key=lambda i: -costs[i])
    done = dict(zip(order, pool.map(function, [items[i] for i in order]), strict=True))
    return [done[i] for i in range(len(items))]


@functools.cache
def engine_version() -> str:
    from importlib.metadata import version

    return f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')}, onnxruntime {version('onnxruntime')}"


def _bgr(image: Image.Image) -> Any:
    import cv2
    import numpy as np

    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)  # the engine works in OpenCV's channel order


def _detection_copy(image: Image.Image) -> tuple[Image.Image, float]:
    """The picture scaled for text detection (longer side DET_MAX_SIDE, enlarged at most
    MAX_UPSCALE times), padded on the right and bottom to DET_MIN_SIDE; and the scale."""
    factor = min(DET_MAX_SIDE / max(image.size), MAX_UPSCALE)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    small = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
    if min(small.size) < DET_MIN_SIDE:
        padded = Image.new("RGB", (max(small.width, DET_MIN_SIDE), max(small.height, DET_MIN_SIDE)), "white")
        padded.paste(small, (0, 0))
        small = padded
    return small, factor


def _classified(ocr: Any, crops: list[Any]) -> tuple[list[Any], list[Any]]:
    """The angle classifier's (crops, turned where it says so; [angle, score] of each), on `_pool`
    in as many runs as it has threads (the classifier reads six crops a run)."""
    runs = min(ocr_threads(), max(1, len(crops) // 6))
    chunks = [list(range(k, len(crops), runs)) for k in range(runs)]
    results = _spread(lambda chunk: ocr.text_cls([crops[i] for i in chunk]), chunks, [len(c) for c in chunks])
    turned: list[Any] = list(crops)
    angles: list[Any] = [None] * len(crops)
    for chunk, (images, labels, _) in zip(chunks, results, strict=True):
        for i, image, label in zip(chunk, images, labels, strict=True):
            turned[i], angles[i] = image, label
    return turned, angles


def _read_lines(ocr: Any, crops: Sequence[Any], lengths: Sequence[float]) -> list[Any]:
    """(text, score) of each crop: one recogniser run per line (`REC_BATCH`), the lines in parallel,
    the longest (`lengths`: width / height) first."""
    return _spread(lambda crop: ocr.text_rec([crop])[0][0], crops, lengths)


def _recognise(image: Image.Image) -> Reading:
    """Run the engine on a prepared (RGB, ≤ MAX_SIDE) picture.

    Text is detected on `_detection_copy` and recognised on crops of the picture itself. The
    engine's own pipeline detects at up to 2000 px (and enlarges small pictures to 736 px on their
    shorter side), which costs more than recognising a whole page; at 1280 px a 200-dpi A4 page
    still has 13-px characters for 9-pt print. This calls the engine's parts (text_det,
    sorted_boxes, get_crop_img_list, text_cls, text_rec) in the order its __call__ does.
    """
    import numpy as np

    ocr = engine()
    small, factor = _detection_copy(image)
    boxes, _ = ocr.text_det(_bgr(small))
    if boxes is None or len(boxes) == 0:
        return Reading((), *image.size)
    limits = np.asarray([image.width, image.height], dtype=np.float32)
    quads = [np.clip(np.asarray(box, dtype=np.float32) / factor, 0, limits) for box in ocr.sorted_boxes(boxes)]
    lengths = [math.dist(q[0], q[1]) / max(math.dist(q[0], q[3]), 1.0) for q in quads]  # a line's cost
    upright = ocr.get_crop_img_list(_bgr(image), quads)
    crops, angles = _classified(ocr, list(upright))
    recognised = _read_lines(ocr, crops, lengths)
    # the angle classifier turns a short word upside down now and then ("总计" read as nothing):
    # a crop it turned is read both ways round, and the better reading kept
    turned = [i for i, (angle, _) in enumerate(angles) if str(angle) == "180"]
    if turned:
        again = _read_lines(ocr, [upright[i] for i in turned], [lengths[i] for i in turned])
        for i, rec in zip(turned, again, strict=True):
            if float(rec[1]) > float(recognised[i][1]):
                recognised[i] = rec
    lines = [
        Line(str(rec[0]).strip(), round(float(rec[1]), 4), _quad(float(v) for point in quad for v in point))
        for quad, rec in zip(quads, recognised, strict=True)
        if str(rec[0]).strip() and float(rec[1]) >= LINE_MIN_SCORE
    ]
    return Reading(tuple(lines), *image.size)


def _prepare(image: Image.Image) -> tuple[Image.Image, float]:
    """RGB on white (transparency flattened), at most MAX_SIDE px; and the scale applied."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        alpha = rgba.getchannel("A")
        if alpha.getextrema() == (255, 255):  # opaque (pdfium renders every scan so): nothing to flatten
            image = rgba.convert("RGB")
        else:
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=alpha)
    elif image.mode != "RGB":
        image = image.convert("RGB")
    scale = min(1.0, MAX_SIDE / max(image.size))
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image, scale


def digest(image: Image.Image) -> str:
    """SHA-256 of a picture's pixels (with its size and mode)."""
    sha = hashlib.sha256(f"{image.mode} {image.width}x{image.height}\n".encode())
    sha.update(image.tobytes())
    return sha.hexdigest()


def read_image(image: Image.Image, cache: Cache | None = None) -> Reading:
    """OCR of one picture (from `cache` when read before); boxes in the picture's own pixels."""
    prepared, scale = _prepare(image)
    key = digest(prepared)
    reading = cache.load(key) if cache is not None else None
    if reading is None:
        reading = _recognise(prepared)
        if cache is not None:
            cache.store(key, reading)
    return reading if scale == 1.0 else reading.scaled(1 / scale, image.width, image.height)


# ---------------------------------------------------------------- the cache




@dataclass(frozen=True, slots=True)
class Cache:
    """Readings on disk: `<root>/<settings>/<sha[:2]>/<sha>.json`, one per picture."""

    root: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Cache:
        return cls(files.cache_root(environ) / "ocr")

    @property
    def folder(self) -> Path:
        from screening.parsers.onnx_fusion import VERSION as FUSION

        settings = json.dumps([engine_version(), FUSION, MAX_SIDE, DET_MAX_SIDE, DET_MIN_SIDE, MAX_UPSCALE, REC_BATCH,
                               LINE_MIN_SCORE])
        return self.root / f"v{CACHE_SCHEMA}-{hashlib.sha256(settings.encode()).hexdigest()[:16]}"

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def load(self, key: str) -> Reading | None:
        try:
            return Reading.from_json(json.loads(self.path(key).read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as err:  # damaged: read the picture again
            log.debug("OCR cache entry %s unreadable (%s), ignored", key, err)
            return None

    def store(self, key: str, reading: Reading) -> None:
        data = json.dumps(reading.to_json(), ensure_ascii=False).encode("utf-8")
        files.store(self.path(key), data, root=self.root, cache="OCR", items="识别结果")


# ---------------------------------------------------------------- pieces → rows → paragraphs


def _centre_y(line: Line, end: int) -> float:
    """Vertical centre of a line at its left (end 0) or right (end 1) end."""
    q = line.quad
    return (q[1] + q[7]) / 2 if end == 0 else (q[3] + q[5]) / 2


def _follows(left: Line, right: Line) -> bool:
    """Whether `right` continues `left` on the same row: level with it, after it, not too far."""
    height = max(left.height, right.height)
    if abs(left.height - right.height) > _ROWS.height_change * height:
        return False
    if abs(_centre_y(left, 1) - _centre_y(right, 0)) > _ROWS.level * height:
        return False
    return left.x1 - _ROWS.overlap * height <= right.x0 <= left.x1 + ROW_GAP * height


def _joined(segments: Sequence[Line]) -> Line:
    first, last = segments[0], segments[-1]
    quad = _quad((*first.quad[0:2], *last.quad[2:6], *first.quad[6:8]))
    return Line(" ".join(s.text for s in segments), mean_score(segments) or 0.0, quad)


def rows(lines: Sequence[Line]) -> list[Line]:
    """Pieces of one row joined left to right with a space (a form's label and its value, a table
    row's cells), as pdfium gives a text PDF's row; rows in order of their left ends' tops."""
    return [row for row, _ in _rows(lines)]


def _rows(lines: Sequence[Line]) -> list[tuple[Line, list[Line]]]:
    """`rows`, each with the pieces it was joined from."""
    groups: list[list[Line]] = []
    for line in sorted(lines, key=lambda item: (item.x0, item.top)):
        after = [group for group in groups if _follows(group[-1], line)]
        if after:
            max(after, key=lambda group: (group[-1].x1, -abs(_centre_y(group[-1], 1) - _centre_y(line, 0)))).append(line)
        else:
            groups.append([line])
    return sorted(((_joined(group), group) for group in groups), key=lambda pair: (pair[0].top, pair[0].x0))


def paragraphs(lines: Sequence[Line]) -> list[list[Line]]:
    """Rows grouped into paragraphs (`layout.recognised_paragraphs`)."""
    return recognised_paragraphs(lines)


def _union(lines: Sequence[Line]) -> Box:
    return (min(line.box[0] for line in lines), min(line.box[1] for line in lines),
            max(line.box[2] for line in lines), max(line.box[3] for line in lines))


# ---------------------------------------------------------------- what to read in a document


@dataclass(frozen=True, slots=True)
class _Target:
    ref: ImageRef
    kind: PartKind  # BODY: a scanned PDF page; IMAGE: a picture file's frame or a picture in a page
    whole: bool  # the whole page or frame: its "not read" problem is settled here
    label: str  # how messages name it
    index: int = 0  # a PDF picture's or region's number on its page ("page N image k", "page N region k": k)
    region: bool = False  # a region of text drawn as curves (rendered), not a picture


ToBox = Callable[[Box], Box]
Loaded = tuple[Image.Image, ToBox] | Exception


def _pixels(box: Box) -> Box:
    return _round_box(box)


def _targets(doc: Document) -> list[_Target]:
    out: list[_Target] = []
    for ref in doc.images:
        if doc.format == "image" and ref.page is not None:
            label = "图片" if (doc.pages or 1) == 1 else f"图片第{ref.page}页"
            out.append(_Target(ref, PartKind.IMAGE, True, label))
        elif doc.format == "pdf" and (match := _PAGE_REF.fullmatch(ref.source)):
            if match.group(2) is None:
                out.append(_Target(ref, PartKind.BODY, True, f"第{match.group(1)}页"))
            elif match.group(2) == "region":
                k = int(match.group(3))
                out.append(_Target(ref, PartKind.IMAGE, False, f"第{match.group(1)}页第{k}处图形文字", index=k, region=True))
            else:
                k = int(match.group(3))
                out.append(_Target(ref, PartKind.IMAGE, False, f"第{match.group(1)}页第{k}张图片", index=k))
        elif formats.info(doc.format).ocr_loader is not None and _worth_reading(ref):  # docx and the packages like it
            where = f"第{ref.page}页的" if ref.page else ""
            out.append(_Target(ref, PartKind.IMAGE, False, f"{where}图片“{PurePosixPath(ref.source).name}”"))
    return _bounded(out)


def _is_strip(target: _Target) -> bool:
    ref = target.ref
    return not target.whole and ref.width is not None and ref.height is not None \
        and pdf_parser.is_strip(ref.width, ref.height)


def _bounded(targets: list[_Target]) -> list[_Target]:
    """At most `pdf.MAX_STRIPS` small strips per document: their OCR cost stays bounded."""
    dropped = {id(t) for t in [t for t in targets if _is_strip(t)][pdf_parser.MAX_STRIPS:]}
    return [t for t in targets if id(t) not in dropped]


def _worth_reading(ref: ImageRef) -> bool:
    if ref.source.lower().endswith(VECTOR_SUFFIXES):
        return False
    if ref.width is None or ref.height is None:
        return True  # size unknown: try, and report it if it cannot be decoded
    return pdf_parser.worth_reading(ref.width, ref.height)


def _decode(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
        image.load()
    return image


def image_frames(data: bytes, targets: list[_Target]) -> Iterator[tuple[_Target, Loaded]]:
    from screening.parsers.image import FORMATS

    with Image.open(io.BytesIO(data), formats=FORMATS) as image:
        for target in targets:
            try:
                image.seek((target.ref.page or 1) - 1)
                loaded: Loaded = (image.copy(), _pixels)
            except Exception as err:  # one bad frame must not cost the others
                loaded = err
            yield target, loaded


def docx_pictures(data: bytes, targets: list[_Target]) -> Iterator[tuple[_Target, Loaded]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for target in targets:
            try:
                loaded: Loaded = (_decode(zf.read(target.ref.source)), _pixels)
            except Exception as err:
                loaded = err
            yield target, loaded


def pdf_pictures(data: bytes, targets: list[_Target]) -> Iterator[tuple[_Target, Loaded]]:
    from screening.parsers.pdfium_lib import pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        for target in targets:
            page = None
            try:
                page = pdf[(target.ref.page or 1) - 1]
                loaded: Loaded = (_page_scan(page) if target.whole else _page_region(page, target.index)
                                  if target.region else _page_picture(page, target.index))
            except Exception as err:
                loaded = err
            finally:
                if page is not None:
                    page.close()
            yield target, loaded
    finally:
        pdf.close()


def _pdf_images(page: Any) -> list[Any]:
    """The page's image objects in pdf.py's order (depth first, into form XObjects)."""
    from screening.parsers.pdfium_lib import pdfium_c

    return list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=pdf_parser.MAX_FORM_DEPTH + 1))


def _px_size(obj: Any) -> tuple[int, int] | None:
    try:
        width, height = obj.get_px_size()
    except Exception:  # pdf.py skips pictures whose size pdfium cannot tell; so must the numbering here
        return None
    return int(width), int(height)


def _page_picture(page: Any, k: int) -> tuple[Image.Image, ToBox]:
    """The k-th picture pdf.py listed on a page with text (same size rule, same order)."""
    sized = [(obj, size) for obj in _pdf_images(page) if (size := _px_size(obj))]
    chosen = pdf_parser.selected_images([size for _, size in sized])
    return sized[chosen[k - 1]][0].get_bitmap(render=True).to_pil(), _pixels


def _page_region(page: Any, k: int) -> tuple[Image.Image, ToBox]:
    """The k-th region of text drawn as curves (`pdf_outlines.regions`), rendered with a margin."""
    from screening.parsers import pdf_outlines

    x0, y0, x1, y1 = pdf_outlines.regions(page)[k - 1]
    left, bottom, right, top = page.get_bbox()
    margin = 0.3 * (y1 - y0)
    x0, y0, x1, y1 = max(x0 - margin, left), max(y0 - margin, bottom), min(x1 + margin, right), min(y1 + margin, top)
    scale = pdf_parser.OUTLINE_DPI / 72
    image = page.render(scale=scale, crop=(x0 - left, y0 - bottom, right - x1, top - y1)).to_pil()

    def to_page(box: Box) -> Box:
        return _round_box((x0 - left + box[0] / scale, top - y1 + box[1] / scale,
                           x0 - left + box[2] / scale, top - y1 + box[3] / scale))

    return image, to_page


def _page_scan(page: Any) -> tuple[Image.Image, ToBox]:
    """A scanned page's pixels: its only picture when that is the whole page, else a rendering."""
    left, bottom, right, top = page.get_bbox()
    images = _pdf_images(page)
    if page.get_rotation() % 360 == 0 and len(images) == 1 and images[0].level == 0:
        x0, y0, x1, y1 = images[0].get_bounds()
        covered = max(0.0, min(x1, right) - max(x0, left)) * max(0.0, min(y1, top) - max(y0, bottom))
        if covered >= FULL_PAGE_SHARE * (right - left) * (top - bottom):
            image = images[0].get_bitmap(render=True).to_pil()
            sx, sy = (x1 - x0) / image.width, (y1 - y0) / image.height

            def to_page(box: Box) -> Box:
                return _round_box((x0 - left + box[0] * sx, top - y1 + box[1] * sy,
                                   x0 - left + box[2] * sx, top - y1 + box[3] * sy))

            return image, to_page
    scale = RENDER_DPI / 72
    return page.render(scale=scale).to_pil(), lambda box: _round_box(tuple(v / scale for v in box))


# ---------------------------------------------------------------- the hook


def _problem(target: _Target, message: str) -> Problem:
    return Problem(SCANNED, f"{target.label}{message}，需人工查看", page=target.ref.page, part=target.kind)


def _settled(problem: Problem, targets: list[_Target]) -> bool:
    """Whether a parser's "not read" problem is about a page or frame OCR has now looked at."""
    return problem.rule == SCANNED and any(
        t.whole and problem.page == t.ref.page and problem.part is t.kind for t in targets)


def _verdict(target: _Target, reading: Reading) -> Problem | None:
    confidence = reading.confidence
    if confidence is None:
        return _problem(target, "经文字识别未发现文字") if target.whole else None
    if confidence < LOW_CONFIDENCE:
        return _problem(target, f"文字识别置信度低（{confidence:.2f}，低于{LOW_CONFIDENCE:.2f}）")
    return None


def _parts(target: _Target, reading: Reading, to_box: ToBox, first: int) -> list[Part]:
    joined = _rows(reading.lines)
    pieces = {id(row): group for row, group in joined}
    return [
        Part(kind=target.kind, text="\n".join(line.text for line in group), page=target.ref.page, paragraph=number,
             origin=ORIGIN, source=target.ref.source, box=to_box(_union(group)), confidence=mean_score(group),
             segments=tuple(Segment(s.text, s.score, s.quad, to_box(s.box)) for row in group for s in pieces[id(row)]))
        for number, group in enumerate(paragraphs([row for row, _ in joined]), first)
    ]


def _barcode_parts(target: _Target, codes: list[str], before: int) -> list[Part]:
    """The QR codes and barcodes of a picture (`barcodes.decode`): parts of the picture's kind,
    origin "barcode", numbered after its paragraphs."""
    return [Part(kind=target.kind, text=text, page=target.ref.page, paragraph=before + k, origin="barcode",
                 source=target.ref.source) for k, text in enumerate(codes, 1)]


def _meanwhile(function: Callable[[_In], _Out], argument: _In) -> Callable[[], _Out]:
    """`function(argument)` started on `_pool` (run now without one); call the result for its value.
    The barcode decoder (0.06 s a page, off the GIL) so runs while the OCR's own work leaves a core idle."""
    pool = _pool()
    if pool is None:
        value = function(argument)
        return lambda: value
    return pool.submit(function, argument).result


def _first_paragraph(doc: Document, target: _Target) -> int:
    if target.kind is not PartKind.BODY:
        return 1
    numbers = [p.paragraph or 0 for p in doc.parts if p.kind is PartKind.BODY and p.page == target.ref.page]
    return max(numbers, default=0) + 1


def ocr_document(doc: Document, data: bytes) -> Document:
    """`doc` with the text of its scanned pages and pictures added as Parts, and its problems updated."""
    targets = _targets(doc)
    if not targets:
        return doc
    try:
        _engine_class()
    except OcrUnavailableError:
        kind = PartKind.BODY if doc.format == "pdf" else PartKind.IMAGE
        missing = Problem(SCANNED, f"{INSTALL_HINT}；本附件扫描页和图片中的文字未识别，需人工查看", part=kind)
        return replace(doc, problems=(*doc.problems, missing))
    ocr_threads()  # a bad SCREENING_OCR_THREADS / SCREENING_WORKERS stops the command, before any work
    cache = Cache.from_env()
    parts: list[Part] = []
    problems: list[Problem] = []
    done: list[_Target] = []
    read_any = False
    loader = formats.info(doc.format).ocr_loader  # the format's own (screening/formats.py)
    if loader is None:  # a parser listed pictures of a format without a loader: a bug in formats.py
        raise ValueError(f"formats.py: 格式“{doc.format}”有图片但没有 ocr_loader")
    try:
        for target, loaded in formats.function(loader)(data, targets):
            done.append(target)
            if isinstance(loaded, Exception):
                problems.append(_problem(target, f"无法解码（{type(loaded).__name__}），其中文字未识别"))
                continue
            image, to_box = loaded
            codes = _meanwhile(barcodes.decode, image)
            try:
                reading = read_image(image, cache)
            except Exception as err:  # the engine choking on one picture (or memory running out) costs that picture only
                problems.append(_problem(target, f"文字识别失败（{type(err).__name__}）"))
                continue
            read_any = True
            parts += _parts(target, reading, to_box, _first_paragraph(doc, target))
            parts += _barcode_parts(target, codes(), len(parts))
            if (problem := _verdict(target, reading)) is not None:
                problems.append(problem)
    except Exception as err:  # the file would not open a second time: what was not read stays "not read"
        problems.append(Problem(SCANNED, f"扫描页和图片的文字识别出错（{type(err).__name__}），未识别部分需人工查看"))
    kept = tuple(p for p in doc.problems if not _settled(p, done))
    return replace(doc, parts=(*doc.parts, *parts), problems=(*kept, *problems), ocr=doc.ocr or read_any)


def picture(data: bytes, doc_format: str, source: str, page: int | None) -> Image.Image:
    """The picture whose text became the OCR parts of `source` (`Part.source`: a picture file's frame
    "page N", a picture on a PDF page with text "page N image k", a Word document's "word/media/…"),
    exactly as OCR read it, so that those parts' boxes are in its pixels (screening/figures.py crops
    it). A scanned PDF page or a region is not such a picture: its parts' boxes are in page points.
    Raises ValueError when OCR would read no such picture, and whatever decoding it raises."""
    ref = ImageRef(source=source, page=page)
    doc = Document(file="", format=formats.Format(doc_format), sha256="", pages=None, images=(ref,))
    loader = formats.info(doc.format).ocr_loader
    targets = [t for t in _targets(doc) if not (t.whole and doc.format == "pdf") and not t.region]
    if loader is None or not targets:
        raise ValueError(f"no picture {source!r} read by OCR in a {doc_format or 'unknown'} file")
    for _, loaded in formats.function(loader)(data, targets[:1]):
        if isinstance(loaded, Exception):
            raise loaded
        return loaded[0]
    raise ValueError(f"picture {source!r} not found")


# ---------------------------------------------------------------- loaders of the other document formats


def zip_pictures(data: bytes, targets: list[_Target]) -> Iterator[tuple[_Target, Loaded]]:
    """The pictures of a zip package other than a docx (odt: Pictures/*, ofd: Res/*), by member
    name; the parser listed only members its zip guard lets through."""
    yield from docx_pictures(data, targets)


def legacy_pictures(data: bytes, targets: list[_Target]) -> Iterator[tuple[_Target, Loaded]]:
    """The pictures of a .doc / .wps: word/media/* of the .docx LibreOffice made of it (the
    parser's conversion, cached: the file is not converted twice)."""
    from screening.parsers import legacy

    try:
        converted = legacy.converted(data)
    except Exception as err:  # LibreOffice gone or failing now: each picture is reported unread
        for target in targets:
            yield target, err
        return
    yield from docx_pictures(converted, targets)
