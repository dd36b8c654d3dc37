"""The parsers' thresholds: `lexicons/parsing.yaml`, read and validated once.

Every number there decides an outcome (a header, a paragraph, a scanned page, a picture read by
OCR, a reading trusted); the file says for each what it decides and in which unit. `thresholds()`
returns the whole file as frozen, typed objects; pdf.py, ocr.py and layout.py read it when they
are imported. A missing, unknown or out-of-range key raises `ConfigError` naming the file and key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field, model_validator

from screening.resources import data_dir
from screening.settings import Strict, load_yaml

FILE = "parsing.yaml"




class Em(Strict):
    """Where a character of a text layer stands around its origin, in ems."""

    ascent: float = Field(gt=0, le=2)
    descent: float = Field(ge=0, le=1)
    wide_advance: float = Field(gt=0, le=2)
    narrow_advance: float = Field(gt=0, le=2)


class Pictures(Strict):
    """Which pictures are worth OCR (pixels)."""

    min_area: int = Field(gt=0)
    min_side: int = Field(gt=0)
    strip_min_side: int = Field(gt=0)
    strip_min_aspect: float = Field(ge=1)
    strip_min_area: int = Field(gt=0)
    max_strips: int = Field(ge=0)


class Vertical(Strict):
    """Text written down the page, one character per line."""

    min_lines: int = Field(ge=2)
    max_pitch: float = Field(gt=0)
    overlap: float = Field(ge=0)


class Unseen(Strict):
    """Text nobody sees on the page (screening/parsers/pdf_unseen.py)."""

    white: int = Field(ge=200, le=255)
    tiny_pt: float = Field(gt=0, le=6)


class Outlines(Strict):
    """Text drawn as vector outlines on a page with a text layer (screening/parsers/pdf_outlines.py)."""

    min_segments: int = Field(ge=1)
    max_height: float = Field(gt=0)
    gap: float = Field(ge=0)
    min_width: float = Field(ge=0)
    max_regions: int = Field(ge=0)
    max_document_regions: int = Field(ge=0)


class Pdf(Strict):
    band: float = Field(ge=0, lt=0.5)
    min_text_chars: int = Field(ge=0)
    em: Em
    pictures: Pictures
    vertical: Vertical
    unseen: Unseen
    outlines: Outlines


class Rows(Strict):
    """OCR pieces joined into rows (line heights)."""

    level: float = Field(ge=0)
    height_change: float = Field(ge=0)
    overlap: float = Field(ge=0)
    gap: float = Field(ge=0)


class Ocr(Strict):
    line_min_score: float = Field(ge=0, le=1)
    low_confidence: float = Field(ge=0, le=1)
    full_page_share: float = Field(gt=0, le=1)
    rows: Rows


class TextLayer(Strict):
    """Paragraphs of a PDF's text layer (line heights unless said otherwise)."""

    same_row: float = Field(ge=0)
    pitch_range: tuple[float, float]
    pitch_cap: float = Field(gt=0)
    pitch_guess: float = Field(gt=0)
    min_pitches: int = Field(ge=1)
    slack: float = Field(ge=0)
    right_quantile: float = Field(ge=0, le=1)
    height_change: float = Field(ge=0)

    @model_validator(mode="after")
    def _range(self) -> TextLayer:
        low, high = self.pitch_range
        if not 0 <= low < high:
            raise ValueError(f"pitch_range {list(self.pitch_range)}: needs 0 ≤ low < high")
        return self


class Recognised(Strict):
    """Paragraphs of OCR rows (line heights unless said otherwise)."""

    overlap: float = Field(ge=0)
    gap_min: float = Field(ge=0)
    gap_max: float = Field(ge=0)
    gap_range: float = Field(gt=0)
    height_change: float = Field(ge=0)
    open: int = Field(ge=1)

    @model_validator(mode="after")
    def _gaps(self) -> Recognised:
        if self.gap_min > self.gap_max:
            raise ValueError(f"gap_min {self.gap_min} > gap_max {self.gap_max}")
        return self


class Paragraphs(Strict):
    indent: float = Field(ge=0)
    sentence_margin: float = Field(ge=0)
    usual_factor: float = Field(ge=1)
    usual_quantile: float = Field(ge=0, le=1)
    text_layer: TextLayer
    recognised: Recognised


class Tables(Strict):
    """Tables without rules on a PDF page (screening/parsers/aligned.py)."""

    same_line: float = Field(ge=0, le=1)
    cell_gap: float = Field(gt=0)
    crossing_share: float = Field(ge=0, lt=0.5)
    valley_share: float = Field(ge=0, lt=1)
    max_single_lines: int = Field(ge=0)
    min_rows: int = Field(ge=2)
    min_data_rows: int = Field(ge=1)


class Thresholds(Strict):
    pdf: Pdf
    ocr: Ocr
    paragraphs: Paragraphs
    tables: Tables


@cache
def thresholds() -> Thresholds:
    """`lexicons/parsing.yaml`, validated (read once per process)."""
    return load(data_dir("lexicons") / FILE)


def load(path: Path) -> Thresholds:
    """A thresholds file, validated; `ConfigError` naming the file and the key when it is not valid."""
    return load_yaml(path, Thresholds, "解析阈值文件")
