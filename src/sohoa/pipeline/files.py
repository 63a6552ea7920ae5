"""Whole-file jobs: a short born-digital PDF processed from its pages to its documents in one worker.

A born-digital page takes a worker ~15 ms; splitting its file into documents, extracting their fields and
copying their PDF/A took the ingesting process about as long again, and receiving the page's words (to do
it) more. For a PDF whose pages are all born-digital and no more than :data:`FILE_JOB_PAGES`, one job runs
every page, then :func:`~sohoa.pipeline.documents.build_documents`, in the worker; what comes back is what is
stored: the pages (text, quality, thumbnails, the OCR JSON — the words themselves stay in the worker) and the
documents (fields, text, PDF/A bytes). Longer files keep one job per page, so that their pages run on every
core at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sohoa.domain.ocr import OcrPage
from sohoa.domain.ports import DocumentSplitter, FieldExtractor, OcrEngine
from sohoa.intelligence.extract import RuleFieldExtractor
from sohoa.intelligence.split import LayoutSplitter
from sohoa.pipeline.documents import BuiltDocument, build_documents
from sohoa.pipeline.types import SourcePage
from sohoa.pipeline.work import PageFailure, PageJob, PageOutcome, safe_run_page_job

__all__ = ["FILE_JOB_PAGES", "FileJob", "FileOutcome", "as_file_job", "safe_run_file_job"]

FILE_JOB_PAGES = 32  # a born-digital PDF of up to this many pages is one job


@dataclass(frozen=True)
class FileJob(PageJob):
    """Every page of one born-digital PDF (``page`` is its first, for what pools ask of any job)."""

    pages: tuple[SourcePage, ...] = ()
    source_name: str = ""
    extractor: FieldExtractor = field(default_factory=RuleFieldExtractor)
    splitter: DocumentSplitter = field(default_factory=LayoutSplitter)


@dataclass(frozen=True)
class FileOutcome:
    """A file job's pages (their words left out: ``ocr`` holds the text only) and its built documents."""

    item_id: int
    source_index: int  # the first page's, as a page result would say
    outcomes: tuple[PageOutcome, ...] = field(repr=False)
    documents: tuple[BuiltDocument, ...] = field(repr=False)


def as_file_job(item_id: int, pages: tuple[SourcePage, ...], render_dpi: int, source_name: str,
                extractor: FieldExtractor, splitter: DocumentSplitter) -> FileJob | None:
    """The file job for these pages of one master, or None when they are not a short born-digital PDF."""
    if not pages or len(pages) > FILE_JOB_PAGES or not all(p.born_digital and p.kind == "pdf" for p in pages):
        return None
    return FileJob(item_id, pages[0], render_dpi, pages=pages, source_name=source_name, extractor=extractor,
                   splitter=splitter)


def _text_only(outcome: PageOutcome) -> PageOutcome:
    """The page result as stored: its text and confidence, not its words (the OCR JSON keeps them)."""
    ocr = outcome.ocr
    light = OcrPage(ocr.width, ocr.height, ocr.dpi, (), ocr.source, ocr.engine, text_override=ocr.text)
    return replace(outcome, ocr=light, confidence=ocr.mean_confidence)


def safe_run_file_job(job: FileJob, engine: OcrEngine) -> FileOutcome | PageFailure:
    """Run every page, then build the documents; the first failing page is the file's result."""
    outcomes: list[PageOutcome] = []
    for page in job.pages:
        result = safe_run_page_job(PageJob(job.item_id, page, job.render_dpi, job.correct), engine)
        if isinstance(result, PageFailure):
            return result
        outcomes.append(result)
    try:
        documents = build_documents(outcomes, job.source_name, extractor=job.extractor, splitter=job.splitter)
    except Exception as exc:  # as for a page: the file fails, to be retried; the batch goes on
        return PageFailure(job.item_id, job.page.page_index, f"{type(exc).__name__}: {exc}")
    return FileOutcome(job.item_id, job.page.page_index, tuple(_text_only(o) for o in outcomes), tuple(documents))
