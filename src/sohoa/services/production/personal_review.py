"""Personal data in review: the reviewer sees what was found on the pages and decides what the public sees.

Each value of personal data of a document (``personal_data`` rows: detected at ingest, or added here) is listed
with its kind, page and boxes; the reviewer marks a detected value as not personal data ('shown') or masks it
again, and adds a mask the detector missed — by text (every occurrence in the page words gets its boxes) or by a
region drawn on a page. Every decision is audited (``personal.mask`` / ``personal.unmask`` / ``personal.add``,
with the reviewer's reason), reindexes the document, and changes what ``Masking.fingerprint`` hashes, so masked
derivatives are built again. Decisions never alter the masters or the document's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Page, PersonalDatum, StoredObject
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.fields import FIELD_NAMES
from sohoa.domain.ocr import BBox, OcrPage
from sohoa.domain.personal import PersonalKind, kind_label, mask_token, normalize_value
from sohoa.domain.ports import ObjectStore
from sohoa.domain.text import nfc
from sohoa.engines.ocr_formats import ocr_page_from_json
from sohoa.services.catalogue.documents import lock_visible, visible_document
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.catalogue.personal_corrections import Correction, corrections_by_datum
from sohoa.services.catalogue.personal_derivatives import masked_page_object
from sohoa.services.catalogue.personal_masking import masking_for, masks_for_public, public_kinds
from sohoa.services.catalogue.personal_policy import reads_restricted
from sohoa.services.catalogue.publication import masked_for_public
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.production.review import page_image

__all__ = [
    "KINDS",
    "MAX_REASON",
    "MAX_VALUE",
    "PublicPreview",
    "ReviewSpan",
    "add_region_mask",
    "add_text_mask",
    "public_masked",
    "public_page_image",
    "public_preview",
    "review_spans",
    "set_status",
]

KINDS: tuple[PersonalKind, ...] = tuple(PersonalKind)
STATUSES = ("masked", "shown")
MAX_VALUE = 500  # personal_data.value
MAX_REASON = 500
MIN_SIDE = 4  # a drawn region smaller than this (scan pixels) is a slip of the mouse
_SPAN_WORDS = 12  # a value typed by the reviewer spans at most this many OCR words


@dataclass(frozen=True)
class ReviewSpan:
    """One value as the review screen lists it; ``boxes`` are (page_no, x0, y0, x1, y1) in scan pixels.
    ``value`` is the mask token for a restricted value the reviewer may not read (a data subject's
    restriction: only admins see it). ``public``: whether the public sees it masked (``masks_for_public``: the
    decision, a restriction and the ``SOHOA_PERSONAL_MASK`` policy at the document's access level)."""

    id: int
    kind: str
    value: str
    page_no: int | None
    boxes: tuple[tuple[int, int, int, int, int], ...]
    source: str  # detected | reviewer
    status: str  # masked | shown
    restricted: bool
    confidence: float | None
    decided_by: str | None
    decided_at: datetime | None
    public: bool = True
    corrections: tuple[Correction, ...] = ()  # a data subject's, shown beside the value (never altering it)

    @property
    def masked(self) -> bool:
        """Masked when published (the state the panel shows, counted by ``public_masked``)."""
        return self.public

    @property
    def by_policy(self) -> bool:
        """Left unmasked by the policy although not decided 'shown': a decision here would change nothing."""
        return self.status == "masked" and not self.public

    def label(self, lang: str = "vi") -> str:
        return kind_label(self.kind, lang)


def _span(session: Session, doc: Document, row: PersonalDatum, principal: Principal | None,
          corrections: Sequence[Correction] = ()) -> ReviewSpan:
    hidden = row.restricted and not reads_restricted(principal)
    boxes = tuple((int(b[0]), int(b[1]), int(b[2]), int(b[3]), int(b[4])) for b in (row.boxes or []) if len(b) == 5)
    return ReviewSpan(row.id, row.kind, mask_token(row.kind) if hidden else row.value, row.page_no, boxes,
                      row.source, row.status, row.restricted, row.confidence, row.decided_by, row.decided_at,
                      masks_for_public(row, public_kinds(session, doc)), tuple(corrections))


def _rows(session: Session, doc_id: int) -> list[PersonalDatum]:
    return list(session.scalars(
        select(PersonalDatum).where(PersonalDatum.document_id == doc_id)
        .order_by(PersonalDatum.page_no.is_(None), PersonalDatum.page_no, PersonalDatum.id)
    ))


def review_spans(ctx: AppContext, doc_id: int, *, principal: Principal | None = SYSTEM,
                 channel: str = "review") -> list[ReviewSpan]:
    """The personal data of a document ``principal`` may see, pages first, in page order. Listing values
    is a staff view of personal data: it is audited (``personal.view``) when there is any."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, doc_id)
        rows = _rows(session, doc.id)
        if rows:
            record_event(session, _actor(principal), "personal.view", "document", doc.id,
                         {"channel": channel, "values": len(rows)})
        corrections = corrections_by_datum(session, rows, principal)
        return [_span(session, doc, row, principal, corrections.get(row.id, ())) for row in rows]


def public_masked(ctx: AppContext, doc_id: int, *, principal: Principal | None = SYSTEM) -> int:
    """How many known values of a document the public will see masked (policy, decisions, restrictions)."""
    with ctx.db.session() as session:
        return masked_for_public(session, visible_document(session, principal, doc_id))


def _actor(principal: Principal | None) -> str:
    return principal.username if principal is not None else "anonymous"


def _kind(kind: str) -> PersonalKind:
    try:
        return PersonalKind(kind)
    except ValueError:
        raise ValidationFailed("Loại dữ liệu cá nhân không hợp lệ", "Unknown kind of personal data") from None


def _reason(reason: str) -> str:
    reason = nfc(reason).strip()
    if not reason:
        raise ValidationFailed("Hãy ghi lý do", "Give a reason")
    if len(reason) > MAX_REASON:
        raise ValidationFailed("Lý do dài quá 500 ký tự", "The reason is longer than 500 characters")
    return reason


def _reindex(ctx: AppContext, session: Session, doc: Document) -> None:
    """The search index keeps what the public may find: a decision changes it (the index text is masked by
    the policy, see ``index_docs.document_index_doc``)."""
    session.flush()
    if doc.pages:
        ctx.index.upsert(session, document_index_doc(doc))


def set_status(ctx: AppContext, doc_id: int, datum_id: int, status: str, *, actor: str, reason: str = "",
               principal: Principal | None = SYSTEM) -> ReviewSpan:
    """Mask a value again ('masked') or decide it is not personal data ('shown'). A value under a data
    subject's restriction stays masked: it cannot be shown here."""
    if status not in STATUSES:
        raise ValidationFailed("Trạng thái không hợp lệ", "Invalid state")
    note = nfc(reason).strip()[:MAX_REASON]
    with ctx.db.session() as session:
        (doc,) = lock_visible(session, principal, doc_id)
        row = session.get(PersonalDatum, datum_id)
        if row is None or row.document_id != doc.id:
            raise NotFound("Không có dữ liệu cá nhân này trong văn bản", "No such personal data in this document")
        if status == "shown" and row.restricted:
            raise ValidationFailed("Dữ liệu này bị hạn chế theo yêu cầu của chủ thể dữ liệu nên luôn được che",
                                   "This value is restricted at the data subject's request: it stays masked")
        return _decide(ctx, session, doc, row, status, actor=actor, reason=note, principal=principal)


def _decide(ctx: AppContext, session: Session, doc: Document, datum: PersonalDatum, status: str, *, actor: str,
            reason: str, principal: Principal | None) -> ReviewSpan:
    """Record a reviewer's decision on ``datum`` (audited, reindexed) inside the caller's transaction."""
    if datum.status != status:
        before = datum.status
        datum.status, datum.decided_by, datum.decided_at = status, actor, datetime.now(UTC)
        record_event(session, actor, "personal.mask" if status == "masked" else "personal.unmask", "document",
                     doc.id, {"datum": datum.id, "kind": datum.kind, "page": datum.page_no, "before": before,
                              "after": status, "reason": reason})
        _reindex(ctx, session, doc)
    return _span(session, doc, datum, principal)


def _page_ocr(store: ObjectStore, session: Session, page: Page) -> OcrPage | None:
    stored = session.get(StoredObject, page.ocr_object_id) if page.ocr_object_id else None
    if stored is None:
        return None
    return ocr_page_from_json(store.read(stored.sha256).decode("utf-8"))


def _occurrences(ocr: OcrPage, kind: PersonalKind, target: str) -> list[BBox]:
    """The boxes of each run of words whose value (``normalize_value``) is ``target``: tone- and case-blind
    for names and addresses, digits only for numbers ('0912 345 678' matches the words '0912.345.678')."""
    words = ocr.words
    found: list[BBox] = []
    i = 0
    while i < len(words):
        matched = 0
        if normalize_value(kind, words[i].text):  # a run starts at a word with a value (not a dash)
            for j in range(i, min(len(words), i + _SPAN_WORDS)):
                candidate = normalize_value(kind, " ".join(w.text for w in words[i:j + 1]))
                if candidate == target:
                    matched = j + 1
                    break
                if not target.startswith(candidate):
                    break
        if matched:
            box = words[i].bbox
            for word in words[i + 1:matched]:
                box = box.union(word.bbox)
            found.append(box)
            i = matched
        else:
            i += 1
    return found


_SPACED = frozenset(PersonalKind) - {PersonalKind.CCCD, PersonalKind.CMND, PersonalKind.PHONE,
                                      PersonalKind.BANK_ACCOUNT, PersonalKind.PLATE}


def _document_texts(doc: Document) -> list[str]:
    values = [getattr(doc, name) for name in FIELD_NAMES]
    return [doc.text or "", *(p.text or "" for p in doc.pages), *(v for v in values if isinstance(v, str))]


def _in_text(kind: PersonalKind, target: str, texts: Sequence[str]) -> bool:
    if kind in _SPACED:
        padded = f" {target} "
        return any(padded in f" {normalize_value(kind, text)} " for text in texts)
    return any(target in normalize_value(kind, text) for text in texts)


def _same_value(session: Session, doc_id: int, kind: PersonalKind, normalized: str) -> PersonalDatum | None:
    return session.scalars(select(PersonalDatum).where(
        PersonalDatum.document_id == doc_id, PersonalDatum.kind == kind.value,
        PersonalDatum.normalized == normalized)).first()


def _add(session: Session, doc: Document, *, kind: PersonalKind, value: str, normalized: str, page_no: int | None,
         boxes: list[list[int]], actor: str, event: dict[str, object]) -> PersonalDatum:
    now = datetime.now(UTC)
    row = PersonalDatum(document_id=doc.id, page_no=page_no, kind=kind.value, value=value[:MAX_VALUE],
                        normalized=normalized[:300], boxes=boxes or None, source="reviewer", status="masked",
                        restricted=False, confidence=None, decided_by=actor, decided_at=now, created_at=now)
    session.add(row)
    session.flush()
    record_event(session, actor, "personal.add", "document", doc.id,
                 {"datum": row.id, "kind": kind.value, "page": page_no, "boxes": len(boxes), **event})
    return row


def add_text_mask(ctx: AppContext, doc_id: int, text: str, kind: str, *, actor: str, reason: str,
                  principal: Principal | None = SYSTEM) -> ReviewSpan:
    """Mask a value the detector missed, wherever it occurs: every run of page words that reads as ``text``
    (tone- and case-blind; digits only for numbers) gets its box. The value must occur in the document."""
    wanted, value = _kind(kind), nfc(text).strip()
    note = _reason(reason)
    target = normalize_value(wanted, value)
    if not target:
        raise ValidationFailed("Hãy nhập giá trị cần che", "Type the value to mask")
    if len(target.replace(" ", "")) < (3 if wanted in _SPACED else 4):  # 'An' would mask every 'an' of the pages
        raise ValidationFailed("Giá trị quá ngắn để che theo chữ: hãy vẽ vùng cần che trên trang",
                               "Too short to mask by text: draw the region to mask on the page")
    if len(value) > MAX_VALUE:
        raise ValidationFailed("Giá trị dài quá 500 ký tự", "The value is longer than 500 characters")
    with ctx.db.session() as session:
        (doc,) = lock_visible(session, principal, doc_id)
        same = _same_value(session, doc.id, wanted, target)
        if same is not None and (same.status == "masked" or same.restricted):
            raise ValidationFailed("Giá trị này đã được che", "This value is already masked")
        boxes: list[list[int]] = []
        for page in sorted(doc.pages, key=lambda p: p.page_no):
            ocr = _page_ocr(ctx.store, session, page)
            if ocr is not None:
                boxes += [[page.page_no, *b.as_list()] for b in _occurrences(ocr, wanted, target)]
        if not boxes and not _in_text(wanted, target, _document_texts(doc)):
            raise ValidationFailed("Không tìm thấy giá trị này trong văn bản",
                                   "This value does not occur in the document")
        if same is not None:  # shown before: the reviewer masks it again (with the boxes found now)
            same.boxes = boxes or same.boxes
            session.flush()
            return _decide(ctx, session, doc, same, "masked", actor=actor, reason=note, principal=principal)
        row = _add(session, doc, kind=wanted, value=value, normalized=target,
                   page_no=boxes[0][0] if boxes else None, boxes=boxes, actor=actor,
                   event={"by": "text", "reason": note, "occurrences": len(boxes)})
        _reindex(ctx, session, doc)
        return _span(session, doc, row, principal)


def add_region_mask(ctx: AppContext, doc_id: int, page_no: int, box: Sequence[int], kind: str, *, actor: str,
                    reason: str, principal: Principal | None = SYSTEM) -> ReviewSpan:
    """Mask a region drawn on a page (``box`` = x0, y0, x1, y1 in the page's scan pixels, clamped to the page):
    its pixels are burned out of the public images, and the OCR words inside it (their centre) become the
    value, masked in the public text too."""
    wanted = _kind(kind)
    note = _reason(reason)
    if len(box) != 4:
        raise ValidationFailed("Vùng che không hợp lệ", "Invalid region")
    with ctx.db.session() as session:
        (doc,) = lock_visible(session, principal, doc_id)
        page = next((p for p in doc.pages if p.page_no == page_no), None)
        if page is None:
            raise ValidationFailed("Văn bản không có trang này", "The document has no such page")
        x0, y0 = max(0, min(box[0], box[2])), max(0, min(box[1], box[3]))
        x1, y1 = min(page.width or max(box[0], box[2]), max(box[0], box[2])), min(
            page.height or max(box[1], box[3]), max(box[1], box[3]))
        if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
            raise ValidationFailed("Vùng che quá nhỏ hoặc nằm ngoài trang", "The region is too small or off the page")
        region = BBox(x0, y0, x1, y1)
        ocr = _page_ocr(ctx.store, session, page)
        inside = [w.text for w in (ocr.words if ocr else ()) if _centre_in(w.bbox, region)]
        value = nfc(" ".join(inside)).strip()
        normalized = normalize_value(wanted, value) if value else ""
        row = _add(session, doc, kind=wanted, value=value or f"[{page_no}: {x0},{y0},{x1},{y1}]",
                   normalized=normalized, page_no=page_no, boxes=[[page_no, *region.as_list()]], actor=actor,
                   event={"by": "region", "reason": note, "region": region.as_list(), "words": len(inside)})
        _reindex(ctx, session, doc)
        return _span(session, doc, row, principal)


def _centre_in(word: BBox, region: BBox) -> bool:
    cx, cy = (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2
    return region.x0 <= cx <= region.x1 and region.y0 <= cy <= region.y1


@dataclass(frozen=True)
class PublicPreview:
    """The document as the public will see it once published: its subject and each page's text, masked by
    the policy of its access level and the decisions taken (``masking_for`` an anonymous reader)."""

    subject: str
    pages: tuple[tuple[int, str], ...]  # (page_no, masked text)
    masked: int  # values that will be masked


def public_preview(ctx: AppContext, doc_id: int, *, principal: Principal | None = SYSTEM) -> PublicPreview:
    """What the public will read of a document ``principal`` (a reviewer) may see."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, doc_id)
        masking = masking_for(session, doc, None)
        assert masking is not None  # nobody anonymous sees originals
        pages = tuple((p.page_no, masking.text(p.text or "")) for p in sorted(doc.pages, key=lambda p: p.page_no))
        return PublicPreview(masking.text(doc.subject or ""), pages, len(masking.known))


def public_page_image(ctx: AppContext, doc_id: int, page_no: int, *,
                      principal: Principal | None = SYSTEM) -> tuple[bytes, str]:
    """A page's web-size image as the public will see it: the personal data burned in (the masked derivative
    the portal, the API and IIIF serve, keyed by the masking's fingerprint)."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, doc_id)
        page = next((p for p in doc.pages if p.page_no == page_no), None)
        if page is None:
            raise NotFound(f"Không có trang {page_no}", f"No page {page_no}")
        page_id = page.id
    page_image(ctx, page_id, principal=principal)  # the staff image derivative, rendered once if not yet
    with ctx.db.session() as session:
        doc = visible_document(session, principal, doc_id)
        page = session.get(Page, page_id)
        masking = masking_for(session, doc, None)
        assert page is not None and masking is not None
        stored = masked_page_object(ctx.store, session, page, "image", masking)
        if stored is None:
            raise NotFound(f"Không có ảnh trang {page_no}", f"No image for page {page_no}")
        return ctx.store.read(stored.sha256), stored.media_type
