"""Tesseract OCR: in-process through tesserocr (one API object per process) or through the CLI."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from sohoa.domain.errors import EngineError
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.text import nfc
from sohoa.engines._run import run

__all__ = ["DEFAULT_VARIABLES", "TesseractCliEngine", "TesseractEngine", "find_tessdata", "parse_variables"]

Variables = tuple[tuple[str, str], ...]

# Tesseract parameters set on every engine. The fixed-pitch test decides, row by row, whether text
# is typewritten to chop it at the pitch; the LSTM recogniser reads whole lines and never uses that
# chopping, and skipping the test saves ~5 % of the instructions per page with the same text on
# the generated corpus (measured with callgrind, see docs/benchmarks.md).
DEFAULT_VARIABLES: Variables = (("textord_disable_pitch_test", "1"),)


def parse_variables(text: str) -> Variables:
    """'name=value, name=value' (the SOHOA_TESSERACT_VARIABLES format) as pairs; '' is none."""
    pairs = []
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise EngineError(f"Tham số Tesseract không hợp lệ: '{item.strip()}' (cần dạng tên=giá_trị)",
                              f"Invalid Tesseract parameter '{item.strip()}' (expected name=value)")
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)

_TESSDATA_CANDIDATES = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata")


def _single_thread() -> None:
    # Tesseract's OpenMP threads thrash when every core already runs its own page: measured here at
    # 6.9 s/page instead of 1.2 s. OpenMP reads this once, when the library loads, so it is set
    # before tesserocr is imported (lazily) or the CLI starts; an explicit setting is respected.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def find_tessdata(explicit: str | Path | None, lang: str) -> Path:
    """The tessdata folder holding every language of ``lang`` ('vie', 'vie+eng'), or EngineError."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    candidates = [explicit] if explicit else [p for p in (prefix, *_TESSDATA_CANDIDATES) if p]
    folders = [Path(c) for c in candidates] + [Path(c) / "tessdata" for c in candidates]
    needed = [f"{code}.traineddata" for code in lang.split("+") if code]
    for folder in folders:
        if needed and all((folder / name).is_file() for name in needed):
            return folder
    where = ", ".join(str(f) for f in folders)
    raise EngineError(
        f"Thiếu dữ liệu ngôn ngữ Tesseract '{lang}' (đã tìm trong: {where}). "
        "Hãy cài gói tesseract-ocr-vie hoặc chỉ định SOHOA_TESSDATA.",
        f"Tesseract language data '{lang}' is missing (looked in: {where}). "
        "Install tesseract-ocr-vie or set SOHOA_TESSDATA.",
    )


# One tesserocr API per process and configuration: creating one loads the model (~0.2 s), so it is
# reused for every page. The lock keeps a thread pool from interleaving two pages in one API.
_APIS: dict[tuple[str, str, int, Variables], tuple[Any, threading.Lock]] = {}
_APIS_LOCK = threading.Lock()


def _api(tessdata: Path, lang: str, psm: int, variables: Variables) -> tuple[Any, threading.Lock]:
    key = (str(tessdata), lang, psm, variables)
    with _APIS_LOCK:
        if key not in _APIS:
            import tesserocr  # imported late: OMP_THREAD_LIMIT must be set before the library loads

            try:
                api = tesserocr.PyTessBaseAPI(path=str(tessdata), lang=lang, psm=psm)
            except RuntimeError as exc:
                raise EngineError(
                    f"Không khởi động được Tesseract ({lang}): {exc}",
                    f"Tesseract could not start ({lang}): {exc}",
                ) from exc
            for name, value in variables:
                if not api.SetVariable(name, value):
                    api.End()
                    raise EngineError(f"Tesseract không nhận tham số '{name}={value}'",
                                      f"Tesseract does not accept the parameter '{name}={value}'")
            _APIS[key] = (api, threading.Lock())
        return _APIS[key]


@dataclass(frozen=True)
class TesseractEngine:
    """Tesseract through tesserocr. Picklable: the API object lives per process, not in the engine."""

    lang: str = "vie"
    tessdata: str | None = None
    psm: int = 3
    variables: Variables = DEFAULT_VARIABLES
    name: ClassVar[str] = "tesseract"

    def __post_init__(self) -> None:
        _single_thread()

    def recognize(self, image: NDArray[np.uint8] | Image.Image, dpi: int) -> OcrPage:
        """Words with boxes (pixels of ``image``), confidences 0..1 and page-unique line numbers."""
        import tesserocr

        api, lock = _api(find_tessdata(self.tessdata, self.lang), self.lang, self.psm, self.variables)
        array = _as_array(image)
        height, width = array.shape[:2]
        with lock:
            channels = 1 if array.ndim == 2 else array.shape[2]
            api.SetImageBytes(array.tobytes(), width, height, channels, width * channels)
            api.SetSourceResolution(dpi)
            try:
                if not api.Recognize():
                    raise EngineError("Tesseract không nhận dạng được trang.", "Tesseract failed on the page.")
                words = _words(api.GetIterator(), tesserocr)
            finally:
                api.Clear()  # even after a failure, so the next page starts from a clean API
        engine = f"tesseract {tesserocr.tesseract_version().split()[1]} {self.lang} psm{self.psm}"
        return OcrPage(width, height, dpi, words, source="ocr", engine=engine)


def _as_array(image: NDArray[np.uint8] | Image.Image) -> NDArray[np.uint8]:
    if isinstance(image, Image.Image):
        image = image if image.mode in ("L", "RGB") else image.convert("RGB" if image.mode != "1" else "L")
        return np.asarray(image, dtype=np.uint8)
    return np.ascontiguousarray(image, dtype=np.uint8)


def _words(iterator: Any, tesserocr: Any) -> tuple[Word, ...]:
    word_level, line_level, block_level = tesserocr.RIL.WORD, tesserocr.RIL.TEXTLINE, tesserocr.RIL.BLOCK
    words: list[Word] = []
    block = line = 0
    if iterator is None:
        return ()
    for item in tesserocr.iterate_level(iterator, word_level):
        if item.IsAtBeginningOf(block_level):
            block += 1
        if item.IsAtBeginningOf(line_level):
            line += 1
        try:
            text = item.GetUTF8Text(word_level)
        except RuntimeError:
            # tesserocr raises "No text returned" for the empty result of a blank page or region.
            continue
        box = item.BoundingBox(word_level)
        if not text or not text.strip() or box is None:
            continue
        conf = max(0.0, min(1.0, item.Confidence(word_level) / 100.0))
        words.append(Word(nfc(text.strip()), BBox(*box), round(conf, 4), block, line))
    return tuple(words)


@dataclass(frozen=True)
class TesseractCliEngine:
    """The ``tesseract`` program, TSV output: a fallback and the benchmark baseline."""

    lang: str = "vie"
    tessdata: str | None = None
    psm: int = 3
    timeout: float = 300.0
    variables: Variables = DEFAULT_VARIABLES
    name: ClassVar[str] = "tesseract-cli"

    def __post_init__(self) -> None:
        _single_thread()

    def recognize(self, image: NDArray[np.uint8] | Image.Image, dpi: int) -> OcrPage:
        """Run the CLI on a PNM of the image fed through stdin (no temporary files, no encoding cost)."""
        array = _as_array(image)
        height, width = array.shape[:2]
        tessdata = find_tessdata(self.tessdata, self.lang)
        magic = b"P5" if array.ndim == 2 else b"P6"
        pnm = magic + f"\n{width} {height}\n255\n".encode() + array.tobytes()
        args = ["tesseract", "stdin", "stdout", "--tessdata-dir", str(tessdata), "-l", self.lang]
        args += ["--psm", str(self.psm), "--dpi", str(dpi)]
        args += [arg for name, value in self.variables for arg in ("-c", f"{name}={value}")] + ["tsv"]
        tsv = run(args, stdin=pnm, timeout=self.timeout, env={"OMP_THREAD_LIMIT": "1"})
        words = parse_tsv(tsv.decode("utf-8", "replace"))
        engine = f"tesseract-cli {self.lang} psm{self.psm}"
        return OcrPage(width, height, dpi, words, source="ocr", engine=engine)


def parse_tsv(tsv: str) -> tuple[Word, ...]:
    """Words of Tesseract's TSV output; lines renumbered page-unique from (block, paragraph, line)."""
    words: list[Word] = []
    lines: dict[tuple[str, str, str], int] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        _, _, block, para, line, _, left, top, width, height, conf = cells[:11]
        line_id = lines.setdefault((block, para, line), len(lines) + 1)
        x0, y0 = int(left), int(top)
        box = BBox(x0, y0, x0 + int(width), y0 + int(height))
        confidence = max(0.0, min(1.0, float(conf) / 100.0))
        words.append(Word(nfc(cells[11].strip()), box, round(confidence, 4), int(block), line_id))
    return tuple(words)
