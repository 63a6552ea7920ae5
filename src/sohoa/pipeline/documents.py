"""Document stage: split a file's pages into documents, extract fields, render one PDF/A per document."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from sohoa.domain.errors import EngineError
from sohoa.domain.fields import DocumentFields
from sohoa.domain.ports import DocumentSplitter, FieldExtractor
from sohoa.engines.pdfa import PdfPageInput, write_pdfa
from sohoa.engines.pdfa_copy import write_pdfa_copy
from sohoa.pipeline.triage import load_page_image, master_bytes_for_pdf
from sohoa.pipeline.types import SourcePage
from sohoa.pipeline.work import PageOutcome

__all__ = ["BuiltDocument", "PdfaMode", "build_documents", "document_title"]

_MIXED = ("mixed", "Tài liệu gồm cả trang quét và trang số gốc: mọi trang được raster hóa",
          "The document mixes scanned and born-digital pages: every page is rasterised")


@dataclass(frozen=True)
class PdfaMode:
    """How a document's PDF/A was made: ``copy`` (born-digital pages copied as they are) or ``raster``
    (page images plus invisible text); for born-digital pages rasterised, why (vi/en)."""

    mode: str
    code: str | None = None
    vi: str | None = None
    en: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("mode", self.mode), ("code", self.code), ("vi", self.vi), ("en", self.en)) if v}


@dataclass(frozen=True)
class BuiltDocument:
    """One document of a file: its pages (indexes into the outcomes), fields, text and PDF/A bytes."""

    page_indexes: list[int]
    fields: DocumentFields
    text: str
    pdf: bytes = field(repr=False)
    pdfa: PdfaMode = PdfaMode("raster")


def document_title(fields: DocumentFields, fallback: str) -> str:
    """'Quyết định 155/QĐ-UBND: Về việc …' or the source name when nothing was found."""
    parts = [fields.get("type_name") or ""]
    if fields.get("code_number") and fields.get("code_notation"):
        parts.append(f"{fields.get('code_number')}/{fields.get('code_notation')}")
    head = " ".join(p for p in parts if p).strip()
    subject = fields.get("subject")
    if head and subject:
        return f"{head}: {subject}"
    return head or subject or fallback


def _copy(pages: Sequence[PageOutcome], fields: DocumentFields, title: str) -> tuple[bytes, PdfaMode]:
    """The PDF/A of a document whose pages are all born-digital pages of one PDF: a copy of them,
    or — when that PDF does not allow it — the raster PDF/A with the reason."""
    buffer = io.BytesIO()
    try:
        write_pdfa_copy(pages[0].source_path, [p.source_index for p in pages], buffer, title=title,
                        fields=fields.as_fields(), mends=[p.copy_mends for p in pages])
    except EngineError as exc:  # something the triage check did not see: rasterise, saying why
        return _raster(pages, fields, title), PdfaMode("raster", "copy_failed", exc.vi, exc.en)
    return buffer.getvalue(), PdfaMode("copy")


def _embeddable(page: PageOutcome) -> tuple[bytes, str]:
    """The page image to embed; a born-digital page that was not rendered is rendered now."""
    if page.embed_bytes:
        return page.embed_bytes, page.embed_media_type
    source = SourcePage(page.source_path, page.source_index, "pdf", page.dpi)
    image, _ = load_page_image(source, render_dpi=page.dpi)
    return master_bytes_for_pdf(source, image)


def _raster(pages: Sequence[PageOutcome], fields: DocumentFields, title: str) -> bytes:
    buffer = io.BytesIO()
    inputs = []
    for page in pages:
        data, media_type = _embeddable(page)
        inputs.append(PdfPageInput(image_bytes=data, media_type=media_type, dpi=page.dpi, ocr=page.ocr))
    write_pdfa(inputs, buffer, title=title, fields=fields.as_fields())
    return buffer.getvalue()


def _render(pages: Sequence[PageOutcome], fields: DocumentFields, title: str) -> tuple[bytes, PdfaMode]:
    digital = [p for p in pages if p.born_digital]
    if not digital:
        return _raster(pages, fields, title), PdfaMode("raster")
    reason = next((p.copy_blocker for p in digital if p.copy_blocker is not None), None)
    if reason is not None:
        return _raster(pages, fields, title), PdfaMode("raster", reason.code, reason.vi, reason.en)
    if len(digital) < len(pages) or len({p.source_path for p in pages}) > 1:
        return _raster(pages, fields, title), PdfaMode("raster", *_MIXED)
    return _copy(pages, fields, title)


def build_documents(outcomes: Sequence[PageOutcome], source_name: str, *, extractor: FieldExtractor,
                    splitter: DocumentSplitter) -> list[BuiltDocument]:
    """Split (``splitter``), extract (``extractor``) and render every document found in one input file's
    pages (in page order)."""
    ocr_pages = [o.ocr for o in outcomes]
    separators = {i for i, o in enumerate(outcomes) if o.separator_code}
    groups = splitter.split(ocr_pages, [o.role for o in outcomes], separator_pages=separators)
    built: list[BuiltDocument] = []
    for group in groups:
        pages = [outcomes[i] for i in group]
        fields = extractor.extract([p.ocr for p in pages])
        text = "\n\n".join(p.ocr.text for p in pages)
        pdf, mode = _render(pages, fields, document_title(fields, source_name))
        built.append(BuiltDocument(list(group), fields, text, pdf, mode))
    return built
