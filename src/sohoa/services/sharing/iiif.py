"""IIIF Presentation API 3.0: a Manifest per visible document and Collections per hồ sơ and per phông.

A manifest has one Canvas per page at the page's pixel size (the coordinates of its OCR words), painted by
the page's IIIF image service; the OCR of each page is a supplementing AnnotationPage
(``sohoa.services.sharing.iiif_text``) and the document offers IIIF Content Search 2.0. Labels, summary and
the NĐ 30 metadata come as Vietnamese and English language maps. Collections list only the manifests of
documents the caller may see; a hồ sơ with none of them is not found, as a document out of scope is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, Fonds, Page, Unit
from sohoa.domain.codes import ACCESS_LEVELS, AccessLevel
from sohoa.domain.errors import NotFound
from sohoa.domain.fields import FIELDS
from sohoa.domain.workflow import DocumentState
from sohoa.services.catalogue.documents import visible_document
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.permalinks import derived_identifier, permalink_path
from sohoa.services.catalogue.personal_masking import Masking, has_personal_data, maskings_for, shown_to
from sohoa.services.catalogue.personal_titles import masked_title
from sohoa.services.catalogue.search import actor_name
from sohoa.services.identity.policy import can_view_document, document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["PRESENTATION_CONTEXT", "RIGHTS", "IiifUrls", "Published", "document_manifest", "file_collection",
           "fonds_collection", "is_public"]

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
# Vietnamese administrative documents are not protected by copyright (Luật Sở hữu trí tuệ, Điều 15), but
# access to them is governed by archival law: "No Copyright - Other Known Legal Restrictions".
RIGHTS = "http://rightsstatements.org/vocab/NoC-OKLR/1.0/"
THUMBNAIL_WIDTH = 200


@dataclass(frozen=True)
class IiifUrls:
    """The absolute addresses of every IIIF resource, on the host the caller asked (``base``, no slash)."""

    base: str
    staff: bool  # a staff session reads: links to the staff pages rather than the portal's

    def manifest(self, doc_id: int) -> str:
        return f"{self.base}/iiif/3/documents/{doc_id}/manifest.json"

    def canvas(self, doc_id: int, page_no: int) -> str:
        return f"{self.base}/iiif/3/documents/{doc_id}/canvas/{page_no}"

    def image(self, doc_id: int, page_no: int) -> str:
        return f"{self.base}/iiif/3/image/{doc_id}-{page_no}"

    def annotations(self, doc_id: int, page_no: int) -> str:
        return f"{self.base}/iiif/3/documents/{doc_id}/pages/{page_no}/annotations.json"

    def search(self, doc_id: int) -> str:
        return f"{self.base}/iiif/3/documents/{doc_id}/search"

    def file(self, file_id: int) -> str:
        return f"{self.base}/iiif/3/files/{file_id}/collection.json"

    def fonds(self, fonds_id: int) -> str:
        return f"{self.base}/iiif/3/fonds/{fonds_id}/collection.json"

    def homepage(self, doc_id: int, public: bool) -> str:
        # A public record's page is its permanent link (the SOHOA.<id> form always resolves, to the
        # record's mã định danh when it has one); staff and token readers get the staff page.
        if self.staff or not public:
            return f"{self.base}/documents/{doc_id}"
        return f"{self.base}{permalink_path(derived_identifier(doc_id))}"

    def pdf(self, doc_id: int, public: bool) -> str:
        area = "" if self.staff or not public else "/portal"
        return f"{self.base}{area}/documents/{doc_id}/pdf"


@dataclass(frozen=True)
class Published:
    """A served IIIF resource, and whether the public may see it (shared caches, CORS)."""

    body: dict[str, Any]
    public: bool


def vi_en(vi: str, en: str) -> dict[str, list[str]]:
    return {"vi": [vi], "en": [en]}


def _entry(label: tuple[str, str], value: str) -> dict[str, Any]:
    return {"label": vi_en(*label), "value": {"vi": [value]}}


def _title(doc: Document) -> str:
    if doc.subject:
        return doc.subject
    sign = "/".join(v for v in (doc.code_number, doc.code_notation) if v)
    return " ".join(v for v in (doc.type_name, sign) if v) or doc.source_name


def _masked(masking: Masking | None, text: str) -> str:
    return text if masking is None else masking.text(text)


def _file_title(session: Session, principal: Principal | None, file: FileUnit) -> str:
    """A hồ sơ's code and title; personal data found in the title (names too) masked for readers without the
    right."""
    title = masked_title(session, file.title, file.access_level, principal)
    return f"{file.file_code} — {title}" if title else file.file_code


def _summary(doc: Document, pages: int) -> dict[str, list[str]]:
    sign = "/".join(v for v in (doc.code_number, doc.code_notation) if v)
    kind = doc.type_name or "Văn bản"
    day = doc.issued_date.strftime("%d/%m/%Y") if doc.issued_date else ""
    vi = " ".join(filter(None, (kind, f"số {sign}" if sign else "", f"ngày {day}" if day else "")))
    en = " ".join(filter(None, (kind, f"no. {sign}" if sign else "", f"of {day}" if day else "")))
    return {"vi": [f"{vi} — {pages} trang"], "en": [f"{en} — {pages} page{'s' if pages != 1 else ''}"]}


def _metadata(session: Session, doc: Document) -> list[dict[str, Any]]:
    entries = [_entry((spec.label_vi, spec.label_en), spec.display(getattr(doc, spec.name)))
               for spec in FIELDS if getattr(doc, spec.name)]
    level = ACCESS_LEVELS.get(AccessLevel(doc.access_level)) if doc.access_level in set(AccessLevel) else None
    if level is not None:
        entries.append({"label": vi_en("Mức độ tiếp cận", "Access"), "value": vi_en(*level)})
    file = session.get(FileUnit, doc.file_id) if doc.file_id else None
    if file is not None:
        entries.append(_entry(("Hồ sơ", "File"), f"{file.file_code} — {file.title}" if file.title else file.file_code))
        fonds = session.get(Fonds, file.fonds_id) if file.fonds_id else None
        if fonds is not None:
            entries.append(_entry(("Phông lưu trữ", "Fonds"), fonds.name))
    unit = session.get(Unit, doc.unit_id) if doc.unit_id else None
    if unit is not None:
        entries.append(_entry(("Đơn vị", "Unit"), unit.name))
    return entries


def image_body(urls: IiifUrls, doc_id: int, page: Page, width: int | None = None) -> dict[str, Any]:
    """The image of a page (whole, or ``width`` wide) with its IIIF image service."""
    service = urls.image(doc_id, page.page_no)
    w = width or page.width
    h = page.height if width is None else max(1, round(page.height * width / page.width))
    return {"id": f"{service}/full/{'max' if width is None else f'{w},'}/0/default.jpg", "type": "Image",
            "format": "image/jpeg", "width": w, "height": h,
            "service": [{"id": service, "type": "ImageService3", "profile": "level2"}]}


# The OCR of a page in the standard formats the REST API derives from it: (format, media type, profile, label).
_OCR_FILES = (("alto", "application/xml", "http://www.loc.gov/standards/alto/v4/alto.xsd", "ALTO"),
              ("hocr", "text/html", "http://kba.github.io/hocr-spec/1.2/", "hOCR"))


def _ocr_files(urls: IiifUrls, doc_id: int, page_no: int) -> list[dict[str, Any]]:
    """``seeAlso`` of a canvas: its OCR as ALTO and hOCR files (REST API; public documents only, as anyone
    may fetch those without a token)."""
    api = f"{urls.base}/api/v1/documents/{doc_id}/pages/{page_no}/ocr"
    return [{"id": f"{api}?format={fmt}", "type": "Dataset", "format": media, "profile": profile,
             "label": vi_en(f"Văn bản nhận dạng ({name})", f"Recognised text ({name})")}
            for fmt, media, profile, name in _OCR_FILES]


def _canvas(urls: IiifUrls, doc_id: int, page: Page, public: bool) -> dict[str, Any]:
    canvas = urls.canvas(doc_id, page.page_no)
    painting = {"id": f"{canvas}/painting", "type": "Annotation", "motivation": "painting",
                "body": image_body(urls, doc_id, page), "target": canvas}
    out: dict[str, Any] = {
        "id": canvas, "type": "Canvas", "label": vi_en(f"Trang {page.page_no}", f"Page {page.page_no}"),
        "width": page.width, "height": page.height,
        "thumbnail": [image_body(urls, doc_id, page, min(THUMBNAIL_WIDTH, page.width))],
        "items": [{"id": f"{canvas}/page", "type": "AnnotationPage", "items": [painting]}],
    }
    if page.ocr_object_id is not None:
        out["annotations"] = [{"id": urls.annotations(doc_id, page.page_no), "type": "AnnotationPage",
                               "label": vi_en("Văn bản nhận dạng (OCR)", "Recognised text (OCR)")}]
        if public:
            out["seeAlso"] = _ocr_files(urls, doc_id, page.page_no)
    return out


def _pages(session: Session, doc: Document) -> list[Page]:
    return list(session.execute(select(Page).where(Page.document_id == doc.id).order_by(Page.page_no)).scalars())


def _links(urls: IiifUrls, doc: Document, public: bool, agency: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "requiredStatement": {"label": vi_en("Nguồn", "Attribution"), "value": vi_en(agency, agency)},
        "rights": RIGHTS,
        "provider": [{"id": f"{urls.base}/", "type": "Agent", "label": vi_en(agency, agency),
                      "homepage": [{"id": f"{urls.base}/portal", "type": "Text", "format": "text/html",
                                    "label": vi_en("Cổng tra cứu", "Public portal")}]}],
        "homepage": [{"id": urls.homepage(doc.id, public), "type": "Text", "format": "text/html",
                      "label": vi_en("Trang văn bản", "Document page")}],
    }
    if doc.pdf_object_id is not None:
        out["rendering"] = [{"id": urls.pdf(doc.id, public), "type": "Text", "format": "application/pdf",
                             "label": vi_en("Bản PDF/A", "PDF/A copy")}]
    return out


def document_manifest(ctx: AppContext, principal: Principal | None, document_id: int, urls: IiifUrls) -> Published:
    """The manifest of a document the caller may see (NotFound otherwise); the fetch is audited once."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, document_id)
        public = principal is None or can_view_document(session, None, doc)
        pages = _pages(session, doc)
        if not pages:  # merged into another document: a manifest must have a canvas
            raise NotFound(f"Văn bản {document_id} không còn trang nào", f"Document {document_id} has no pages")
        masking = shown_to(session, doc, principal, "iiif")
        if masking is None and has_personal_data(session, doc.id):
            public = False  # originals for this reader only: never a shared cache's answer
        mask = masking.text if masking is not None else str
        manifest: dict[str, Any] = {
            "@context": PRESENTATION_CONTEXT, "id": urls.manifest(doc.id), "type": "Manifest",
            "label": {"vi": [mask(_title(doc))]}, "summary": _summary(doc, len(pages)),
            "metadata": [{**e, "value": {k: [mask(v) for v in vs] for k, vs in e["value"].items()}}
                         for e in _metadata(session, doc)],
            **_links(urls, doc, public, ctx.settings.copy_agency),
            "service": [{"id": urls.search(doc.id), "type": "SearchService2"}],
            "items": [_canvas(urls, doc.id, page, public) for page in pages],
        }
        if doc.issued_date is not None:  # the date of issue, at midnight in Vietnam
            manifest["navDate"] = f"{doc.issued_date.isoformat()}T00:00:00+07:00"
        if pages:
            manifest["thumbnail"] = [image_body(urls, doc.id, pages[0], min(THUMBNAIL_WIDTH, pages[0].width))]
        if doc.file_id is not None:
            manifest["partOf"] = [{"id": urls.file(doc.file_id), "type": "Collection"}]
        record_event(session, actor_name(principal), "document.view", "document", doc.id, {"channel": "iiif"})
        return Published(manifest, public)


def is_public(ctx: AppContext, document_id: int) -> bool:
    """Whether an anonymous caller may see the document (its IIIF answers may then be shared)."""
    with ctx.db.session() as session:
        doc = session.get(Document, document_id)
        return doc is not None and can_view_document(session, None, doc)


def _visible_documents(session: Session, principal: Principal | None, *where: Any) -> list[Document]:
    stmt = select(Document).where(document_clause(document_scope(session, principal)),
                                  Document.state != DocumentState.MERGED, *where)
    return list(session.execute(stmt.order_by(Document.id)).scalars())


def _all_public(session: Session, docs: list[Document]) -> bool:
    return all(can_view_document(session, None, doc) for doc in docs)


def file_collection(ctx: AppContext, principal: Principal | None, file_id: int, urls: IiifUrls) -> Published:
    """The manifests of a hồ sơ's documents the caller may see; NotFound when there is none."""
    with ctx.db.session() as session:
        docs = _visible_documents(session, principal, Document.file_id == file_id)
        file = session.get(FileUnit, file_id)
        if not docs or file is None:
            raise NotFound(f"Không có hồ sơ {file_id}", f"No file {file_id}")
        maskings = maskings_for(session, docs, principal)
        items = [{"id": urls.manifest(d.id), "type": "Manifest",
                  "label": {"vi": [_masked(maskings[d.id], _title(d))]}} for d in docs]
        body: dict[str, Any] = {
            "@context": PRESENTATION_CONTEXT, "id": urls.file(file_id), "type": "Collection",
            "label": {"vi": [_file_title(session, principal, file)]},
            "summary": vi_en(f"Hồ sơ, {len(docs)} văn bản", f"File, {len(docs)} document(s)"),
            "items": items,
        }
        if file.fonds_id is not None:
            body["partOf"] = [{"id": urls.fonds(file.fonds_id), "type": "Collection"}]
        public = principal is None or _all_public(session, docs)
        return Published(body, public and all(m is not None for m in maskings.values()))


def fonds_collection(ctx: AppContext, principal: Principal | None, fonds_id: int, urls: IiifUrls) -> Published:
    """A phông (public metadata) and the collections of its hồ sơ that hold documents the caller may see."""
    with ctx.db.session() as session:
        fonds = session.get(Fonds, fonds_id)
        if fonds is None:
            raise NotFound(f"Không có phông {fonds_id}", f"No fonds {fonds_id}")
        in_fonds = select(FileUnit.id).where(FileUnit.fonds_id == fonds_id).scalar_subquery()
        docs = _visible_documents(session, principal, Document.file_id.in_(in_fonds))
        file_ids = sorted({d.file_id for d in docs if d.file_id is not None})
        files = session.execute(select(FileUnit).where(FileUnit.id.in_(file_ids)).order_by(FileUnit.id)).scalars()
        items = [{"id": urls.file(f.id), "type": "Collection",
                  "label": {"vi": [_file_title(session, principal, f)]}} for f in files]
        body = {"@context": PRESENTATION_CONTEXT, "id": urls.fonds(fonds_id), "type": "Collection",
                "label": {"vi": [fonds.name]}, "summary": vi_en(f"Phông lưu trữ {fonds.code}", f"Fonds {fonds.code}"),
                "items": items}
        return Published(body, principal is None or _all_public(session, docs))
