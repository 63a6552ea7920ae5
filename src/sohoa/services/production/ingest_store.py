"""Store a processed file in one transaction: pages, documents with fields, derivatives, index, events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import insert
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, IngestItem, Page
from sohoa.domain.fields import FIELDS, DocumentFields
from sohoa.domain.ports import DocumentSplitter
from sohoa.domain.validation import validate_document_fields
from sohoa.domain.workflow import DocumentState, IngestItemState, transition
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.pipeline.documents import BuiltDocument, build_documents
from sohoa.pipeline.work import PageOutcome
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.catalogue.personal_data import record_personal_data
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import ObjectBatch
from sohoa.services.production import signatures as pdf_signatures

__all__ = ["document_index_doc", "store_outcomes"]


def _page_row(item: IngestItem, outcome: PageOutcome, ocr_id: int, thumbnail_id: int) -> dict[str, object]:
    """A ``pages`` row (its document and number are set once the documents have ids; 1 and none when the
    page belongs to no document)."""
    assert item.master_object_id is not None
    return {"master_object_id": item.master_object_id, "source_index": outcome.source_index,
            "width": outcome.width, "height": outcome.height, "dpi": outcome.dpi,
            "quality": _quality_dict(outcome), "text": outcome.ocr.text, "text_source": outcome.ocr.source,
            "mean_confidence": outcome.mean_confidence, "ocr_object_id": ocr_id,
            "thumbnail_object_id": thumbnail_id, "blank": outcome.quality.blank, "document_id": None,
            "page_no": 1}


def _quality_dict(outcome: PageOutcome) -> dict[str, object]:
    data = asdict(outcome.quality)
    data["warnings"] = list(outcome.quality.warnings)
    data["separator_code"] = outcome.separator_code
    data["seconds"] = round(outcome.seconds, 3)
    if outcome.layer_coverage is not None:  # a scan with a text layer: how much of it the layer explained
        data["text_layer_coverage"] = outcome.layer_coverage
    if outcome.overlay_text:  # stamps and banners over the scan: provenance, kept out of the page's text
        data["overlay_text"] = outcome.overlay_text
    return data


def _field_columns(fields: DocumentFields) -> dict[str, object]:
    """The document's field columns: each extracted value normalised by the field table, cut to the field's
    length (the validation problems recorded beside it say what was wrong); an unreadable date is left out."""
    values: dict[str, object] = {}
    for spec in FIELDS:
        value = fields.get(spec.name)
        text = spec.normalise(value) if value is not None else ""
        if spec.max_length:
            text = text[:spec.max_length]
        values[spec.name] = spec.column_value(text)
    return values


def _provenance(built: BuiltDocument) -> dict[str, object]:
    """Per-field provenance plus the standard's validation problems (vi/en) for the reviewers."""
    data: dict[str, object] = dict(built.fields.provenance())
    problems = validate_document_fields(built.fields.as_fields())
    data["_validation"] = [{"field": p.field, "vi": p.vi, "en": p.en} for p in problems]
    if built.pdfa.mode == "copy" or built.pdfa.code:  # born-digital pages: copied, or why they were not
        data["_pdfa"] = built.pdfa.as_dict()
    return data


def _document_row(session: Session, item: IngestItem, built: BuiltDocument, pdf_id: int,
                  file: FileUnit | None) -> Document:
    columns = _field_columns(built.fields)
    ordinal = None
    if file is not None:
        ordinal = session.query(Document).filter(Document.file_id == file.id).count() + 1
    doc = Document(file_id=file.id if file else None, unit_id=(file.unit_id if file else None) or item.unit_id,
                   ingest_item_id=item.id,
                   doc_ordinal=ordinal, text=built.text, source_name=item.original_name,
                   pdf_object_id=pdf_id, page_amount=len(built.page_indexes),
                   confidence=built.fields.as_confidence(), provenance=_provenance(built),
                   state=DocumentState.REVIEW if file else DocumentState.UNSORTED,
                   access_level="secret" if columns.get("secrecy") else (file.access_level if file else "internal"),
                   **columns)
    session.add(doc)
    session.flush()
    return doc


def _separator_file(session: Session, code: str, unit_id: int | None, actor: str) -> FileUnit:
    found = session.query(FileUnit).filter(FileUnit.file_code == code).one_or_none()
    if found is None:
        found = FileUnit(file_code=code[:30], unit_id=unit_id, title="")
        session.add(found)
        session.flush()
        record_event(session, actor, "file.create", "file_unit", found.id, {"file_code": code, "from": "separator"})
    return found


def _files_by_position(session: Session, outcomes: Sequence[PageOutcome], items: dict[int, IngestItem],
                       actor: str) -> list[FileUnit | None]:
    """The file each page belongs to: the ingest's file, or the file named by the last QR separator sheet."""
    current: FileUnit | None = None
    result: list[FileUnit | None] = []
    for outcome in outcomes:
        item = items[outcome.item_id]
        if outcome.separator_code:
            current = _separator_file(session, outcome.separator_code, item.unit_id, actor)
        result.append(current or (session.get(FileUnit, item.file_id) if item.file_id else None))
    return result


def store_outcomes(ctx: AppContext, session: Session, items: Sequence[IngestItem],
                   outcomes: Sequence[PageOutcome], actor: str,
                   warnings: dict[int, list[str]] | None = None,
                   prebuilt: Sequence[BuiltDocument] | None = None,
                   splitter: DocumentSplitter | None = None) -> dict[int, list[int]]:
    """Create every row for a finished sequence and mark its masters done; all or nothing.

    ``outcomes`` are in sequence order (masters in order, pages in order); returns document ids per item.
    ``warnings`` (item id → messages) receives why a born-digital document was rasterised. ``prebuilt``: the
    documents a whole-file job already built in its worker (:mod:`sohoa.pipeline.files`). ``splitter``: how the
    pages become documents when not ``ctx.splitter`` (files the operator grouped as one document).
    """
    by_id = {item.id: item for item in items}
    first = items[0]
    built_docs = list(prebuilt) if prebuilt is not None else build_documents(  # or built by a file job
        outcomes, first.original_name, extractor=ctx.extractor, splitter=splitter or ctx.splitter)
    signed = pdf_signatures.read_master_signatures(ctx, outcomes)  # digital signatures of PDF masters
    built_docs = pdf_signatures.note_signed_originals(built_docs, outcomes, by_id, signed)
    objects = ObjectBatch(session, ctx.store)
    ids = objects.store_all(
        [(o.ocr_json or ocr_page_to_json(o.ocr).encode("utf-8"), "application/json", "ocr") for o in outcomes]
        + [(o.thumbnail, "image/jpeg", "thumbnail") for o in outcomes]
        + [(built.pdf, "application/pdf", "pdf") for built in built_docs])
    count = len(outcomes)
    pages = [_page_row(by_id[o.item_id], o, ids[n], ids[count + n]) for n, o in enumerate(outcomes)]
    files = _files_by_position(session, outcomes, by_id, actor)
    per_item: dict[int, list[int]] = {item.id: [] for item in items}
    for number, built in enumerate(built_docs):
        owner = by_id[outcomes[built.page_indexes[0]].item_id]
        if warnings is not None and built.pdfa.code:
            warnings.setdefault(owner.id, []).append(
                f"pdfa_rasterised ({built.pdfa.code}): {built.pdfa.vi} / {built.pdfa.en}")
        doc = _document_row(session, owner, built, ids[2 * count + number], files[built.page_indexes[0]])
        if owner.id in signed:
            pdf_signatures.store_signatures(session, doc, owner, signed[owner.id])
        for page_no, position in enumerate(built.page_indexes, start=1):
            pages[position].update(document_id=doc.id, page_no=page_no)
            per_item[outcomes[position].item_id].append(doc.id)
        # Personal data from the words in hand (no reread), before the index takes the masked text.
        record_personal_data(session, doc, [(n, outcomes[p].ocr) for n, p in enumerate(built.page_indexes, start=1)])
        ctx.index.upsert(session, document_index_doc(doc))
        record_event(session, actor, "document.create", "document", doc.id,
                     {"source": doc.source_name, "pages": doc.page_amount,
                      "fields": {k: v for k, v in built.fields.as_fields().items() if v}})
    session.execute(insert(Page), pages)  # one statement for the sequence's pages, documents already known
    objects.wait()
    for item in items:
        item.state, item.reason, item.message = transition(item.state, IngestItemState.DONE), None, None
        record_event(session, actor, "ingest.done", "ingest_item", item.id,
                     {"file": item.original_name, "documents": sorted(set(per_item[item.id]))})
    return {k: sorted(set(v)) for k, v in per_item.items()}
