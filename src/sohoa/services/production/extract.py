"""Run the whole pipeline on one input without storing anything (`sohoa extract PATH --json`)."""

from __future__ import annotations

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

__all__ = ["extract_file"]


def _document_json(outcomes: list[PageOutcome], source: str, extractor: FieldExtractor,
                   splitter: DocumentSplitter) -> list[dict[str, Any]]:
    documents = []
    for built in build_documents(outcomes, source, extractor=extractor, splitter=splitter):
        documents.append({
            "pages": [i + 1 for i in built.page_indexes],
            "fields": built.fields.as_fields(),
            "confidence": built.fields.as_confidence(),
            "needs_review": built.fields.needing_review(),
            "text": built.text,
        })
    return documents


def extract_file(settings: Settings, path: Path, engine_factory: OcrEngineFactory | None = None, *,
                 extractor: FieldExtractor | None = None, splitter: DocumentSplitter | None = None,
                 ) -> dict[str, Any]:
    """The JSON contract: source, pages, documents (pages, fields, confidence, text), warnings.

    Without ``extractor`` or ``splitter`` the default rules read the documents."""
    try:
        result = triage(path, max_pixels=settings.max_image_pixels,
                        min_text_chars=settings.min_text_chars_per_page, render_dpi=settings.pdf_render_dpi)
    except InputRejected as exc:
        return {"source": path.name, "pages": 0, "documents": [], "warnings": [],
                "error": {"reason": exc.code, "vi": exc.vi, "en": exc.en}}
    warnings = list(result.warnings)
    with PagePool(settings, engine_factory) as pool:
        pool.submit([PageJob(0, page, settings.pdf_render_dpi) for page in result.pages])
        results = list(pool.results(block=True))
    outcomes = sorted((r for r in results if isinstance(r, PageOutcome)), key=lambda o: o.source_index)
    for failure in (r for r in results if isinstance(r, PageFailure)):
        warnings.append(f"page {failure.source_index + 1}: {failure.error}")
    for outcome in outcomes:
        warnings.extend(f"page {outcome.source_index + 1}: {w}" for w in outcome.quality.warnings)
    return {"source": path.name, "pages": len(result.pages),
            "documents": _document_json(outcomes, path.name, extractor or RuleFieldExtractor(),
                                         splitter or LayoutSplitter()),
            "warnings": warnings}
