"""Quality control: sampling plans, automated checks, defect codes, accept/reject, rework, operator stats."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, IngestBatch, IngestItem, Page, QcInspection, QcPlan
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.fields import FIELDS
from sohoa.domain.text import nfc
from sohoa.domain.workflow import DocumentState, transition
from sohoa.services.catalogue.documents import visible_document
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.publication import public_states
from sohoa.services.identity.access_changes import record_publication
from sohoa.services.identity.policy import document_scope
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = [
    "DEFAULT_PLAN",
    "DEFECT_CODES",
    "REQUIRED_FIELDS",
    "Check",
    "OperatorStats",
    "SamplingStatus",
    "automated_checks",
    "create_plan",
    "document_operator",
    "inspect",
    "list_plans",
    "operator_stats",
    "qc_queue",
    "route_after_review",
    "sampling_status",
    "set_plan_active",
]

# Defect code → (Vietnamese, English, where the rework goes).
DEFECT_CODES: dict[str, tuple[str, str, str]] = {
    "D01": ("Ảnh mờ, không rõ chữ", "Blurred image", "scanning"),
    "D02": ("Thiếu trang", "Missing page", "scanning"),
    "D03": ("Trang nghiêng, bị cắt", "Skewed or cropped page", "scanning"),
    "D04": ("Độ phân giải dưới 200 dpi", "Resolution under 200 dpi", "scanning"),
    "D05": ("Sai chế độ màu", "Wrong colour mode", "scanning"),
    "D06": ("Trang trắng thừa", "Superfluous blank page", "review"),
    "D07": ("Sai thứ tự trang", "Pages out of order", "review"),
    "D08": ("Sai thông tin trường", "Wrong field value", "review"),
    "D09": ("Thiếu trường bắt buộc", "Missing required field", "review"),
    "D10": ("Tách/gộp văn bản sai", "Wrong document split", "review"),
}
REQUIRED_FIELDS = tuple(spec.name for spec in FIELDS if spec.required)  # the field table marks them
DEFAULT_PLAN = "default"  # the plan that samples where no active plan applies (SOHOA_QC_DEFAULT_RATE)
MIN_DPI = 200
MAX_SKEW = 2.0


def document_operator(session: Session, doc: Document) -> str | None:
    """Who scanned a document: the actor of the ingest batch its master came in."""
    if doc.ingest_item_id is None:
        return None
    return session.execute(
        select(IngestBatch.actor)
        .join(IngestItem, IngestItem.batch_id == IngestBatch.id)
        .where(IngestItem.id == doc.ingest_item_id)
    ).scalar()


def _drawn(key: object, rate: float, doc_id: int) -> bool:
    # A stable hash: the same document is always in or out of a plan's sample, so reruns agree.
    digest = hashlib.sha256(f"{key}:{doc_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < rate


def _selected(plan: QcPlan, doc_id: int) -> bool:
    return _drawn(plan.id, plan.rate, doc_id)


def _plan_applies(session: Session, plan: QcPlan, doc: Document, operator: str | None) -> bool:
    if plan.operator and plan.operator != operator:
        return False
    if plan.accession_id is not None:
        file = session.get(FileUnit, doc.file_id) if doc.file_id else None
        return file is not None and file.accession_id == plan.accession_id
    return True


def route_after_review(session: Session, doc: Document, actor: str, default_rate: float = 0.0) -> str:
    """A reviewed document goes to QC when an active plan samples it, otherwise it is accepted. When no
    active plan applies to it, the default plan (``default_rate``, the ``SOHOA_QC_DEFAULT_RATE`` setting)
    draws the sample; the event says which plan decided ("default" for that one), and the QC page and the
    dashboard show that no plan is on (:func:`sampling_status`).

    :class:`IllegalTransition` when it is not waiting for review (approved, sampled or merged already)."""
    operator = document_operator(session, doc)
    plans = session.execute(select(QcPlan).where(QcPlan.active.is_(True)).order_by(QcPlan.id)).scalars()
    applying = [p for p in plans if _plan_applies(session, p, doc, operator)]
    sampled = next((p for p in applying if _selected(p, doc.id)), None)
    by_default = not applying and _drawn(DEFAULT_PLAN, default_rate, doc.id)
    doc.state = transition(doc.state, DocumentState.QC if sampled or by_default else DocumentState.ACCEPTED)
    plan: int | str | None = sampled.id if sampled else (None if applying else DEFAULT_PLAN)
    payload: dict[str, object] = {"next": doc.state, "plan": plan}
    if plan == DEFAULT_PLAN:
        payload["rate"] = default_rate
    record_event(session, actor, "document.review", "document", doc.id, payload)
    if doc.state == DocumentState.ACCEPTED:  # no QC sample drawn: accepted now, announced to feeds and webhooks
        record_publication(session, doc, actor, "review")
    return doc.state


def create_plan(
    ctx: AppContext,
    name: str,
    rate: float,
    *,
    actor: str,
    accession_id: int | None = None,
    operator: str | None = None,
) -> int:
    """A sampling plan; ``rate`` is the share of reviewed documents inspected (0 < rate ≤ 1)."""
    if not 0 < rate <= 1:
        raise ValidationFailed(
            "Tỷ lệ lấy mẫu phải trong khoảng (0, 100] %", "Sampling rate must be in (0, 100] %"
        )
    with ctx.db.session() as session:
        plan = QcPlan(
            name=nfc(name).strip() or "QC",
            rate=rate,
            accession_id=accession_id,
            operator=operator or None,
            created_by=actor,
            active=True,
        )
        session.add(plan)
        session.flush()
        record_event(
            session,
            actor,
            "qc.plan_create",
            "qc_plan",
            plan.id,
            {"rate": rate, "accession_id": accession_id, "operator": operator},
        )
        return plan.id


def set_plan_active(ctx: AppContext, plan_id: int, active: bool, *, actor: str) -> None:
    with ctx.db.session() as session:
        plan = session.get(QcPlan, plan_id)
        if plan is None:
            raise NotFound("Không tìm thấy kế hoạch lấy mẫu", "Sampling plan not found")
        plan.active = active
        record_event(session, actor, "qc.plan_update", "qc_plan", plan.id, {"active": active})


@dataclass(frozen=True)
class SamplingStatus:
    """Whether a sampling plan is on, and what happens to reviewed documents no plan applies to."""

    active_plans: int
    default_rate: float  # the default plan's share (0: accepted without inspection)

    @property
    def without_plan(self) -> bool:
        return self.active_plans == 0


def sampling_status(ctx: AppContext) -> SamplingStatus:
    """The notice the QC page and the dashboard show when no plan is on ("chưa có kế hoạch lấy mẫu")."""
    with ctx.db.session() as session:
        active = session.execute(select(func.count(QcPlan.id)).where(QcPlan.active.is_(True))).scalar_one()
    return SamplingStatus(int(active), ctx.settings.qc_default_rate)


def list_plans(ctx: AppContext) -> list[QcPlan]:
    with ctx.db.session() as session:
        return list(session.execute(select(QcPlan).order_by(QcPlan.id.desc())).scalars())


def qc_queue(ctx: AppContext, limit: int = 200, *,
             principal: Principal | None = SYSTEM) -> list[tuple[Document, str | None, str | None, str]]:
    """Sampled documents awaiting inspection that ``principal`` may see: (document, file code, operator,
    publication state)."""
    with ctx.db.session() as session:
        visible = document_clause(document_scope(session, principal))
        docs = (
            session.execute(select(Document).where(Document.state == DocumentState.QC, visible)
                            .order_by(Document.id).limit(limit))
            .scalars()
            .all()
        )
        states = public_states(session, docs)
        return [(d, d.file.file_code if d.file else None, document_operator(session, d), str(states[d.id]))
                for d in docs]


@dataclass(frozen=True)
class Check:
    """One automated check: passed or not, with a message in both languages."""

    code: str
    ok: bool
    vi: str
    en: str


def _page_checks(pages: list[Page]) -> list[Check]:
    low = [p.page_no for p in pages if p.dpi < MIN_DPI]
    colour = [p.page_no for p in pages if (p.quality or {}).get("colour_mode") not in (None, "color", "digital")]
    blank = [p.page_no for p in pages if p.blank]
    skewed = [p.page_no for p in pages if abs(float((p.quality or {}).get("skew_degrees") or 0)) > MAX_SKEW]
    return [
        Check(
            "dpi",
            not low,
            f"Độ phân giải ≥ {MIN_DPI} dpi" + (f" — trang {low}" if low else ""),
            f"Resolution ≥ {MIN_DPI} dpi" + (f" — pages {low}" if low else ""),
        ),
        Check(
            "colour",
            not colour,
            "Ảnh màu 24-bit" + (f" — trang {colour}" if colour else ""),
            "24-bit colour" + (f" — pages {colour}" if colour else ""),
        ),
        Check(
            "blank",
            not blank,
            "Không có trang trắng" + (f" — trang {blank}" if blank else ""),
            "No blank pages" + (f" — pages {blank}" if blank else ""),
        ),
        Check(
            "skew",
            not skewed,
            f"Độ nghiêng ≤ {MAX_SKEW}°" + (f" — trang {skewed}" if skewed else ""),
            f"Skew ≤ {MAX_SKEW}°" + (f" — pages {skewed}" if skewed else ""),
        ),
    ]


def _count_check(session: Session, doc: Document) -> Check:
    file = session.get(FileUnit, doc.file_id) if doc.file_id else None
    if file is None or not (file.page_total or file.sheet_total):
        return Check(
            "page_count",
            True,
            "Không có số tờ trong mục lục để đối chiếu",
            "No inventory sheet count to compare",
        )
    scanned = session.execute(
        select(func.count())
        .select_from(Page)
        .join(Document)
        .where(Document.file_id == file.id, Document.state.not_in((DocumentState.MERGED, DocumentState.SUPERSEDED)))
    ).scalar_one()
    expected = file.page_total or file.sheet_total or 0
    low = file.sheet_total or 0
    ok = low <= scanned <= max(expected, 2 * low)
    return Check(
        "page_count",
        ok,
        f"Số trang đã quét {scanned}, mục lục: {file.sheet_total} tờ / {file.page_total or '?'} trang",
        f"Pages scanned {scanned}, inventory: {file.sheet_total} sheets / {file.page_total or '?'} pages",
    )


def automated_checks(ctx: AppContext, doc_id: int, *, principal: Principal | None = SYSTEM) -> list[Check]:
    """dpi, colour, blank and skewed pages, page count against the inventory, required fields
    (of a document ``principal`` may see; NotFound otherwise)."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, doc_id)
        checks = [*_page_checks(list(doc.pages)), _count_check(session, doc)]
        missing = [spec for spec in FIELDS if spec.required and not getattr(doc, spec.name)]
        vi, en = (", ".join(s.label_vi for s in missing), ", ".join(s.label_en for s in missing))
        checks.append(
            Check(
                "required",
                not missing,
                "Đủ trường bắt buộc" + (f" — thiếu: {vi}" if missing else ""),
                "Required fields present" + (f" — missing: {en}" if missing else ""),
            )
        )
        return checks


def inspect(
    ctx: AppContext,
    doc_id: int,
    decision: str,
    *,
    inspector: str,
    defects: list[str] | None = None,
    comment: str = "",
    rework_to: str | None = None,
) -> str:
    """Accept, or reject with defect codes: the document returns to scanning or review. Returns its state."""
    codes = [c for c in (defects or []) if c]
    if decision not in ("accept", "reject"):
        raise ValidationFailed("Quyết định không hợp lệ", "Invalid decision")
    unknown = [c for c in codes if c not in DEFECT_CODES]
    if unknown:
        raise ValidationFailed(f"Mã lỗi không hợp lệ: {unknown}", f"Unknown defect codes: {unknown}")
    if decision == "reject" and not codes:
        raise ValidationFailed("Từ chối cần ít nhất một mã lỗi", "A rejection needs at least one defect code")
    target = rework_to or ("scanning" if any(DEFECT_CODES[c][2] == "scanning" for c in codes) else "review")
    if decision == "reject" and target not in ("scanning", "review"):
        raise ValidationFailed("Nơi làm lại không hợp lệ", "Invalid rework target")
    checks = [c.__dict__ for c in automated_checks(ctx, doc_id)]
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        if doc is None or doc.state != DocumentState.QC:
            raise ValidationFailed("Văn bản không ở trạng thái chờ kiểm tra", "Document is not awaiting QC")
        session.add(
            QcInspection(
                document_id=doc.id,
                inspector=inspector,
                operator=document_operator(session, doc),
                decision=decision,
                defects=codes,
                comment=nfc(comment).strip() or None,
                rework_to=target if decision == "reject" else None,
                checks=checks,
                decided_on=date.today(),
            )
        )
        rework = DocumentState.REWORK_SCAN if target == "scanning" else DocumentState.REWORK_REVIEW
        doc.state = transition(doc.state, DocumentState.ACCEPTED if decision == "accept" else rework)
        record_event(
            session,
            inspector,
            f"qc.{decision}",
            "document",
            doc.id,
            {"defects": codes, "comment": comment, "next": doc.state},
        )
        if doc.state == DocumentState.ACCEPTED:  # announced to feeds and webhooks (never a độ mật document)
            record_publication(session, doc, inspector, "qc")
        return doc.state


@dataclass(frozen=True)
class OperatorStats:
    """QC results of one scan operator."""

    operator: str
    inspected: int
    accepted: int
    rejected: int
    defects: list[tuple[str, int]]

    @property
    def reject_rate(self) -> float:
        return self.rejected / self.inspected if self.inspected else 0.0


def operator_stats(ctx: AppContext) -> list[OperatorStats]:
    """Inspections per operator, with their most frequent defect codes."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(QcInspection.operator, QcInspection.decision, QcInspection.defects)
        ).all()
    by_operator: dict[str, list[tuple[str, list[str]]]] = {}
    for operator, decision, defects in rows:
        by_operator.setdefault(operator or "?", []).append((decision, list(defects or [])))
    stats = []
    for operator, items in sorted(by_operator.items()):
        counter = Counter(code for _d, codes in items for code in codes)
        accepted = sum(1 for d, _c in items if d == "accept")
        stats.append(
            OperatorStats(operator, len(items), accepted, len(items) - accepted, counter.most_common(3))
        )
    return stats
