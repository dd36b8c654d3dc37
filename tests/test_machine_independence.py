"""The same files give the same report whatever the locale, time zone, number of cores or fonts of
the machine (DEVELOPERS.md: results must not depend on the machine). Screens samples in
subprocesses under different environments and compares the JSON byte for byte.

Fonts: pypdfium2 starts pdfium with the system's font folders, which it scans itself (not through
fontconfig), for the fonts a PDF does not embed (the samples' STSong-Light); the screener starts it
again with its own stand-in font instead (screening/parsers/pdfium_lib.py). The fontless run checks
that nothing reads the machine's fonts: it hides those folders behind empty tmpfs mounts in a
private mount namespace (`unshare --mount`, root needed) — the probe, plain pypdfium2, then finds
no glyphs — and screens the whole sample batch there and with the machine's fonts. Where that cannot
be done, or the machine has no CJK font to hide, the test fails under CI (`CI` set, as .ci/run
does; CI installs fonts-wqy-zenhei) and is skipped with the reason elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BATCH = ROOT / "samples" / "batch"
PROJECT = BATCH / "QZ2020-0503"  # leaks and ordinary-word decoys: the evidence model at work
# pdfium's font folders on Linux, and the per-user ones for good measure
FONT_DIRS = ("/usr/share/fonts", "/usr/share/X11/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")
# A CJK character of a font the PDF does not embed: pdfium's glyph box has a height only when the
# machine has a font to draw it with.
PROBE_PDF = BATCH / "QZ2020-0103" / "专利证书-0103.pdf"
PROBE = """
import ctypes, sys
import pypdfium2 as pdfium, pypdfium2.raw as c
page = pdfium.PdfDocument(sys.argv[1])[0]
text = page.get_textpage()
i = next(i for i in range(text.count_chars()) if 0x4E00 <= c.FPDFText_GetUnicode(text, i) <= 0x9FFF)
left, right, bottom, top = (ctypes.c_double() for _ in range(4))
c.FPDFText_GetCharBox(text, i, left, right, bottom, top)
print("glyphs" if top.value - bottom.value > 1 else "no glyphs")
"""


def _screen(env_extra: dict[str, str]) -> bytes:
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "TZ", "SCREENING_WORKERS")}
    env.update(env_extra)
    env["SCREENING_OCR"] = "0"
    done = subprocess.run([sys.executable, "-m", "screening", "project", str(PROJECT), "--format", "json"],
                          capture_output=True, env=env, cwd=ROOT, check=False, timeout=300)
    assert done.returncode in (0, 1, 3), done.stderr.decode()
    return done.stdout


def test_reports_do_not_depend_on_locale_time_zone_or_cores() -> None:
    base = _screen({"LANG": "C.UTF-8", "TZ": "UTC"})
    assert b'"evidence"' in base
    assert _screen({"LANG": "zh_CN.UTF-8", "LC_ALL": "C", "TZ": "Pacific/Kiritimati", "SCREENING_WORKERS": "1"}) == base
    assert _screen({"LANG": "en_US.ISO-8859-1", "TZ": "America/Los_Angeles", "SCREENING_WORKERS": "7"}) == base


# ---------------------------------------------------------------- fonts


def _font_dirs() -> list[str]:
    return [str(path) for d in FONT_DIRS if (path := Path(d).expanduser()).is_dir()]


def _without_fonts(argv: list[str]) -> list[str]:
    """`argv` run in a private mount namespace where every font folder is an empty tmpfs."""
    mounts = "".join(f'mount -t tmpfs -o ro,size=1k fontless "{d}"; ' for d in _font_dirs())
    return ["unshare", "--mount", "--propagation", "private", "sh", "-ec", mounts + 'exec "$@"', "sh", *argv]


def _cannot_compare() -> str | None:
    """Why the two runs cannot be compared here (None: they can): no way to hide the fonts, or no
    CJK font to hide (the comparison would be of two fontless runs)."""
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    tried = subprocess.run(_without_fonts(["true"]), capture_output=True, text=True, check=False, timeout=60)
    if tried.returncode != 0:
        return f"cannot hide the font folders (unshare --mount needs root): {tried.stderr.strip()}"
    if _probe(fontless=False) != "glyphs":
        return "pdfium finds no CJK font on this machine (install fonts-wqy-zenhei)"
    return None


def _require_comparison() -> None:
    """Fail under CI (`CI` set: .ci/run), skip with the reason elsewhere, when the check cannot run."""
    reason = _cannot_compare()
    if reason is None:
        return
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"CI must check that reports do not depend on the fonts, but {reason}")
    pytest.skip(f"fontless comparison not possible here: {reason}")


def _probe(fontless: bool) -> str:
    """"glyphs" when pdfium has a CJK font to draw the samples' text with, else "no glyphs"."""
    argv = [sys.executable, "-c", PROBE, str(PROBE_PDF)]
    return subprocess.run(_without_fonts(argv) if fontless else argv, capture_output=True, text=True, check=True,
                          timeout=60).stdout.strip()


def _batch(out: Path, cache: Path, fontless: bool) -> dict[str, bytes]:
    env = {**os.environ, "SCREENING_CACHE_DIR": str(cache), "SCREENING_WORKERS": "2"}
    env.pop("SCREENING_OCR", None)  # OCR on: a page rendered for OCR draws its text with the machine's fonts
    argv = [sys.executable, "-m", "screening", "batch", str(BATCH), "--out", str(out), "--workers", "2", "--format", "json"]
    done = subprocess.run(_without_fonts(argv) if fontless else argv, capture_output=True, env=env, cwd=ROOT,
                          check=False, timeout=1200)
    assert done.returncode in (0, 1, 3), done.stderr.decode()
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.suffix in (".json", ".csv")}


@pytest.mark.slow
def test_reports_do_not_depend_on_the_fonts(tmp_path: Path) -> None:
    """The whole sample batch screened with the machine's fonts and with none: the same reports."""
    _require_comparison()
    assert _probe(fontless=True) == "no glyphs", "the font folders were hidden, yet pdfium still found a CJK font"
    cache = tmp_path / "cache"  # shared: the fontless run reads OCR again only where the pixels differ
    with_fonts = _batch(tmp_path / "fonts", cache, fontless=False)
    fontless = _batch(tmp_path / "fontless", cache, fontless=True)
    assert len(with_fonts) > 80 and with_fonts.keys() == fontless.keys()
    differ = [name for name in with_fonts if with_fonts[name] != fontless[name]]
    assert differ == [], f"reports that depend on the machine's fonts: {differ}"
