"""Per-page work run in worker processes: load, measure, prepare, OCR, thumbnail (the OCR engine is passed in)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache, partial
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from sohoa.domain.errors import InputRejected
from sohoa.domain.ocr import OcrPage, Word
from sohoa.domain.ports import OcrEngine, PageRole
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.engines.pdf_signatures import read_pdf_signatures
from sohoa.engines.pdfa_copy import CopyBlocker, FontMends, page_copy_check
from sohoa.engines.thumbnails import pdf_page_thumbnail, thumbnail_of
from sohoa.intelligence import correct_page
from sohoa.intelligence.date_line import read_date_line
from sohoa.intelligence.handwriting import read_fill_ins, stamp_dates
from sohoa.intelligence.number_line import read_number_line
from sohoa.intelligence.separator import find_separator
from sohoa.intelligence.signer_titles import read_signer_titles
from sohoa.intelligence.split import page_role
from sohoa.intelligence.stamps import read_stamps
from sohoa.intelligence.subject_lines import read_subject_lines
from sohoa.pipeline.hybrid import COVERED, layer_coverage, merge_typed, split_layer, without_stamps
from sohoa.pipeline.layer_quality import layer_is_poor, prefer_ocr
from sohoa.pipeline.layout import reading_order
from sohoa.pipeline.preprocess import measure_quality, pixel_array
from sohoa.pipeline.reading_choice import read_page
from sohoa.pipeline.triage import load_page_image, master_bytes_for_pdf, page_draws_images, page_text_layer
from sohoa.pipeline.types import QualityMetrics, SourcePage

__all__ = ["PageFailure", "PageJob", "PageOutcome", "digital_quality", "run_page_job", "safe_run_page_job"]


@dataclass(frozen=True)
class PageJob:
    """One page to process; picklable so it runs in-process or in any worker."""

    item_id: int
    page: SourcePage
    render_dpi: int = 300
    correct: bool = True


@dataclass(frozen=True)
class PageOutcome:
    """Everything the document stage needs from one page (OCR words in master pixel coordinates)."""

    item_id: int
    source_index: int
    width: int
    height: int
    dpi: int
    quality: QualityMetrics
    ocr: OcrPage
    embed_bytes: bytes = field(repr=False)
    embed_media_type: str
    thumbnail: bytes = field(repr=False)
    separator_code: str | None = None
    seconds: float = 0.0
    role: PageRole | None = None  # first page, continuation or blank, for the document splitter
    source_path: str = ""  # the file the page was read from (the batch's work copy of the master)
    born_digital: bool = False  # copied into the PDF/A as is: ``embed_bytes`` is empty unless blocked
    copy_blocker: CopyBlocker | None = None  # why a born-digital page is rasterised after all
    copy_mends: FontMends | None = None  # the copy's plan for a born-digital page (None: audit it again)
    ocr_json: bytes = field(default=b"", repr=False)  # ``ocr`` as stored (JSON, UTF-8), written in the worker
    overlay_text: str = ""  # a hybrid page's stamp and banner text (provenance, not the page's text)
    layer_coverage: float | None = None  # a hybrid page: share of the scan's ink its text layer explains
    confidence: float | None = None  # the words' mean confidence when ``ocr`` holds the text only

    @property
    def mean_confidence(self) -> float:
        """The page's mean word confidence."""
        return self.ocr.mean_confidence if self.confidence is None else self.confidence


@dataclass(frozen=True)
class PageFailure:
    """A page that could not be processed; its file is marked failed and can be retried."""

    item_id: int
    source_index: int
    error: str
    reason: str | None = None  # set when the input itself is bad (→ quarantine), not the machinery


def _small_grey(image: Image.Image, max_side: int = 640) -> np.ndarray:
    """A downscaled grey copy: separator QR codes stay several pixels per module at this size."""
    scale = max(image.size) / max_side
    grey = image.convert("L")
    if scale > 1:
        grey = grey.reduce(max(1, int(scale))) if scale >= 2 else grey.resize(
            (round(image.width / scale), round(image.height / scale)))
    return np.asarray(grey)


def _original_png(page: SourcePage) -> tuple[bytes, str] | None:
    """A single-page PNG master is embedded as is (the PDF writer passes its pixels through)."""
    if page.kind != "image":
        return None
    with open(page.source_path, "rb") as handle:
        data = handle.read()
    return (data, "image/png") if data.startswith(b"\x89PNG\r\n\x1a\n") else None


def run_page_job(job: PageJob, engine: OcrEngine) -> PageOutcome:
    """Process one page with ``engine``; the master image is only read, never written."""
    started = time.perf_counter()
    layer = page_text_layer(job.page)
    # A poor layer over a scan (hybrid, or drawn as text over a page image) is doubted; a page of text alone
    # renders the same glyphs its layer holds, so OCR cannot read it better.
    poor = layer is not None and layer_is_poor(layer) and (not job.page.born_digital or page_draws_images(job.page))
    if job.page.born_digital and layer is not None and not poor:
        return _born_digital(job, layer, started)
    image, dpi = _load(job, load_page_image)
    pixels, depth = pixel_array(image)  # one copy of the page for measuring and preparing
    quality = measure_quality(pixels, dpi, depth=depth)
    coverage: float | None = None
    typed: tuple[Word, ...] = ()
    stamps: tuple[Word, ...] = ()
    overlay = ""
    read: OcrPage | None = None
    if layer is not None and poor:  # a layer of few known words (a poor OCR by another tool): read the page
        read, read_quality = _ocr(job, image, pixels, dpi, quality, engine, layer.text)  # its stamps too
        verdict = prefer_ocr(layer, read)
        if not verdict.use_ocr and job.page.born_digital:
            return _born_digital(job, layer, started)
        if verdict.use_ocr:
            quality, layer = read_quality, None
        else:
            read = None  # the page reads as badly by OCR (another language): the layer stays the text
        quality = replace(quality, warnings=(*quality.warnings, verdict.describe()))
    if layer is not None:  # a hybrid: the layer is the page's text only when it explains the scan
        coverage = layer_coverage(pixels, dpi, layer)
        if coverage < COVERED:
            split = split_layer(layer)
            typed, overlay, stamps, layer = split.typed, split.stamp_text, split.stamps, None
            quality = replace(quality, warnings=(*quality.warnings, "text_layer_partial"))
    separator = None if layer or read else find_separator(_small_grey(image))
    if layer is not None:
        ocr = layer
    elif read is not None:
        ocr = read
    elif quality.blank or separator:
        ocr = OcrPage(width=image.width, height=image.height, dpi=dpi, engine="none")
    else:
        ocr, quality = _ocr(job, image, pixels, dpi, quality, engine, overlay)
        ocr = without_stamps(ocr, stamps)  # a stamp written into the page: provenance, not the page's text
    if typed and not separator:
        ocr = merge_typed(ocr, typed)
    role = None if separator else page_role(ocr)
    embed, media_type = _original_png(job.page) or master_bytes_for_pdf(job.page, image)
    return PageOutcome(
        item_id=job.item_id, source_index=job.page.page_index, width=image.width, height=image.height,
        dpi=dpi, quality=quality, ocr=ocr, embed_bytes=embed, embed_media_type=media_type,
        thumbnail=thumbnail_of(image), separator_code=separator,
        seconds=time.perf_counter() - started, role=role, source_path=job.page.source_path,
        ocr_json=ocr_page_to_json(ocr).encode("utf-8"), overlay_text=overlay,
        layer_coverage=None if coverage is None else round(coverage, 3),
    )


def _ocr(job: PageJob, image: Image.Image, pixels: NDArray[np.uint8], dpi: int, quality: QualityMetrics,
         engine: OcrEngine, overlay: str = "") -> tuple[OcrPage, QualityMetrics]:
    """The scan read by OCR: prepared (or light when that reads better), stamps, reading order, corrections,
    handwritten fill-ins (``overlay``: the stamps of the page's partial text layer, evidence of when it was
    signed); ``quality`` with the reading's notes."""
    ocr, quality = read_page(pixels, dpi, quality, engine)
    if "red_ink" in quality.warnings and image.mode == "RGB":
        ocr = read_stamps(image, dpi, ocr, engine)  # red suppression hid the red stamps
    ocr = read_signer_titles(image, dpi, ocr, engine)  # a title line the layout analysis lost or garbled
    ocr = reading_order(ocr)
    ocr = correct_page(ocr) if job.correct else ocr
    ocr = read_subject_lines(image, dpi, ocr, engine)  # a trích yếu line that lost a word
    ocr = read_number_line(image, dpi, ocr, engine)  # a 'Số:' line whose sign OCR lost or dropped as junk
    ocr = read_date_line(image, dpi, ocr, engine)  # a date line whose 'ngày … tháng' OCR lost with the pen
    signed = partial(_signing_evidence, job.page.source_path if job.page.kind == "pdf" else None, overlay, ocr)
    return read_fill_ins(image, ocr, signed), quality  # numbers and days written by hand into a printed form


def _signing_evidence(pdf: str | None, overlay: str, ocr: OcrPage) -> tuple[date, ...]:
    """When the document was signed: its PDF's digital signatures, else the signature stamps in ``overlay`` (the
    text layer's stamps of a PDF whose signatures were lost in a re-save) and in the page's OCR (a signed
    document printed and scanned again). Asked only for an unsure handwritten day, so nothing is read before."""
    return (signing_dates(pdf) if pdf is not None else ()) or stamp_dates(f"{overlay}\n{ocr.text}")


@lru_cache(maxsize=8)
def signing_dates(path: str) -> tuple[date, ...]:
    """The dates of a PDF's digital signatures as their signers wrote them (the clock of the signing
    software, whatever zone it names): evidence for a handwritten issue date (``read_fill_ins``)."""
    return tuple(s.signing_time.date() for s in read_pdf_signatures(Path(path)) if s.signing_time is not None)


def digital_quality(ocr: OcrPage, warnings: tuple[str, ...] = ()) -> QualityMetrics:
    """What stands for the quality of a born-digital page: nothing was scanned, so nothing is measured —
    colour mode "digital", no blur, skew or paper colour; blank when it has no words."""
    return QualityMetrics(dpi=ocr.dpi, width=ocr.width, height=ocr.height, colour_mode="digital", bit_depth=24,
                          blur=0.0, skew_degrees=0.0, orientation=0, blank=not ocr.words, contrast=1.0,
                          ink_ratio=0.0, red_ratio=0.0, yellowness=0.0, warnings=("born_digital", *warnings))


def _born_digital(job: PageJob, ocr: OcrPage, started: float) -> PageOutcome:
    """A page drawn with text: words from its text layer, a thumbnail rendered at thumbnail size, and
    no raster at all unless the PDF/A cannot copy the page (then the 300 dpi render is embedded)."""
    page = job.page
    embed, media_type = b"", "application/pdf"
    warnings: tuple[str, ...] = ()
    blocker, mends = page_copy_check(page.source_path, page.page_index)
    if blocker is None:
        thumbnail = pdf_page_thumbnail(page.source_path, page.page_index)
    else:
        image, _ = _load(job, load_page_image)
        embed, media_type = master_bytes_for_pdf(page, image)
        thumbnail, warnings = thumbnail_of(image), (f"pdfa_rasterised: {blocker.code}",)
    return PageOutcome(
        item_id=job.item_id, source_index=page.page_index, width=ocr.width, height=ocr.height, dpi=ocr.dpi,
        quality=digital_quality(ocr, warnings), ocr=ocr, embed_bytes=embed, embed_media_type=media_type,
        thumbnail=thumbnail, seconds=time.perf_counter() - started, role=page_role(ocr),
        source_path=page.source_path, born_digital=True, copy_blocker=blocker,
        copy_mends=mends,
        ocr_json=ocr_page_to_json(ocr).encode("utf-8"),
    )


def _load(job: PageJob, loader: Callable[..., tuple[Image.Image, int]]) -> tuple[Image.Image, int]:
    """Decode the page; undecodable data is the input's fault (triage only checked its structure)."""
    try:
        return loader(job.page, render_dpi=job.render_dpi)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputRejected("corrupt", f"Không giải mã được ảnh trang {job.page.page_index + 1}: {exc}",
                            f"Page {job.page.page_index + 1} cannot be decoded: {exc}") from exc


def safe_run_page_job(job: PageJob, engine: OcrEngine) -> PageOutcome | PageFailure:
    """Run a page job; any failure becomes a PageFailure so one page never stops the batch."""
    try:
        return run_page_job(job, engine)
    except InputRejected as exc:
        return PageFailure(job.item_id, job.page.page_index, str(exc), reason=exc.code)
    except Exception as exc:
        return PageFailure(job.item_id, job.page.page_index, f"{type(exc).__name__}: {exc}")
