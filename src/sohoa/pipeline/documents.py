"""Document stage: split a file's pages into documents, extract fields, render one PDF/A per document."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from sohoa.domain.fields import DocumentFields
from sohoa.domain.ports import DocumentSplitter, FieldExtractor
from sohoa.engines.pdfa import PdfPageInput, write_pdfa
from sohoa.pipeline.work import PageOutcome

__all__ = ["BuiltDocument", "build_documents", "document_title"]


@dataclass(frozen=True)
class BuiltDocument:
    """One document of a file: its pages (indexes into the outcomes), fields, text and PDF/A bytes."""

    page_indexes: list[int]
    fields: DocumentFields
    text: str
    pdf: bytes = field(repr=False)


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


def _render(pages: Sequence[PageOutcome], fields: DocumentFields, title: str) -> bytes:
    buffer = io.BytesIO()
    write_pdfa(
        [PdfPageInput(image_bytes=p.embed_bytes, media_type=p.embed_media_type, dpi=p.dpi, ocr=p.ocr)
         for p in pages],
        buffer, title=title, fields=fields.as_fields(),
    )
    return buffer.getvalue()


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
        built.append(BuiltDocument(list(group), fields, text,
                                   _render(pages, fields, document_title(fields, source_name))))
    return built
