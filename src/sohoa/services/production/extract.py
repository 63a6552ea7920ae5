"""Run the whole pipeline on one input without storing anything (`sohoa extract PATH --json`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sohoa.domain.errors import InputRejected
from sohoa.domain.ports import DocumentSplitter, FieldExtractor, OcrEngineFactory
from sohoa.intelligence import LayoutSplitter, RuleFieldExtractor
from sohoa.pipeline.documents import build_documents
from sohoa.pipeline.triage import triage
from sohoa.pipeline.work import PageFailure, PageJob, PageOutcome
from sohoa.services.platform.pool import PagePool
from sohoa.settings import Settings

__all__ = ["ExtractError", "ExtractedDocument", "Extraction", "extract_file"]


@dataclass(frozen=True)
class ExtractedDocument:
    """One document read from the file: its pages (1-based), fields, confidence, fields to review and text."""

    pages: list[int]
    fields: dict[str, str | None]
    confidence: dict[str, float]
    needs_review: list[str]
    text: str


@dataclass(frozen=True)
class ExtractError:
    """Why the file was refused: a machine reason and the Vietnamese and English messages."""

    reason: str
    vi: str
    en: str


@dataclass(frozen=True)
class Extraction:
    """The extract contract: source, pages, documents, warnings and, for a refused file, the error."""

    source: str
    pages: int
    documents: list[ExtractedDocument] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: ExtractError | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON contract (``sohoa extract --json``): ``error`` only when the file was refused."""
        data = asdict(self)
        if self.error is None:
            del data["error"]
        return data


def _document_json(outcomes: list[PageOutcome], source: str, extractor: FieldExtractor,
                   splitter: DocumentSplitter) -> list[ExtractedDocument]:
    return [ExtractedDocument(pages=[i + 1 for i in built.page_indexes], fields=built.fields.as_fields(),
                              confidence=built.fields.as_confidence(), needs_review=built.fields.needing_review(),
                              text=built.text)
            for built in build_documents(outcomes, source, extractor=extractor, splitter=splitter)]


def extract_file(settings: Settings, path: Path, engine_factory: OcrEngineFactory | None = None, *,
                 extractor: FieldExtractor | None = None, splitter: DocumentSplitter | None = None,
                 ) -> Extraction:
    """The extract contract: source, pages, documents (pages, fields, confidence, text), warnings.

    Without ``extractor`` or ``splitter`` the default rules read the documents."""
    try:
        result = triage(path, max_pixels=settings.max_image_pixels,
                        min_text_chars=settings.min_text_chars_per_page, render_dpi=settings.pdf_render_dpi)
    except InputRejected as exc:
        return Extraction(path.name, 0, error=ExtractError(exc.code, exc.vi, exc.en))
    warnings = list(result.warnings)
    with PagePool(settings, engine_factory) as pool:
        pool.submit([PageJob(0, page, settings.pdf_render_dpi) for page in result.pages])
        results = list(pool.results(block=True))
    outcomes = sorted((r for r in results if isinstance(r, PageOutcome)), key=lambda o: o.source_index)
    for failure in (r for r in results if isinstance(r, PageFailure)):
        warnings.append(f"page {failure.source_index + 1}: {failure.error}")
    for outcome in outcomes:
        warnings.extend(f"page {outcome.source_index + 1}: {w}" for w in outcome.quality.warnings)
    return Extraction(path.name, len(result.pages),
                      _document_json(outcomes, path.name, extractor or RuleFieldExtractor(),
                                     splitter or LayoutSplitter()),
                      warnings)
