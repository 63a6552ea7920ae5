"""Quality control (kiểm tra chất lượng): queue, inspection with automated checks, plans, operator stats."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from sohoa.domain.errors import ValidationFailed
from sohoa.domain.fields import FIELD_NAMES
from sohoa.domain.workflow import DocumentState
from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.catalogue.documents import require_visible
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import intake, qc, review
from sohoa.web import queue_lists
from sohoa.web.deps import optional_int
from sohoa.web.flash import flash
from sohoa.web.routes_review import FIELD_LABELS
from sohoa.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/qc")
Inspector = Annotated[Principal, require(Permission.QC)]
Planner = Annotated[Principal, require(Permission.QC_PLAN)]

# What the inspector is told once the decision is recorded, by the document's new state.
QC_DECIDED = {
    DocumentState.ACCEPTED.value: "Văn bản #{doc} đạt kiểm tra chất lượng",
    DocumentState.REWORK_SCAN.value: "Văn bản #{doc} không đạt: đã trả về khâu số hóa để quét lại",
    DocumentState.REWORK_REVIEW.value: "Văn bản #{doc} không đạt: đã trả về khâu kiểm duyệt",
}


@router.get("")
def qc_home(request: Request, ctx: Ctx, who: Inspector) -> Response:
    """The QC queue as the URL's view asks, the operators' figures and the sampling notice."""
    tidy = queue_lists.tidy_url(request, "qc")
    if tidy is not None:
        return tidy
    values = {**queue_lists.list_values(request, ctx, who, "qc"), "stats": qc.operator_stats(ctx),
              "defects": qc.DEFECT_CODES}
    return render(request, "qc.html", values)


@router.post("/views")
def save_view(request: Request, ctx: Ctx, who: Inspector, name: Annotated[str, Form()],
              query: Annotated[str, Form()] = "") -> Response:
    return queue_lists.save_view(request, ctx, who, "qc", name, query)


@router.post("/views/{view_id}/delete")
def delete_view(request: Request, ctx: Ctx, who: Inspector, view_id: int) -> Response:
    return queue_lists.delete_view(request, ctx, who, "qc", view_id)


def _screen(request: Request, ctx: AppContext, who: Principal, doc_id: int, **extra: object) -> Response:
    values = {
        "doc": review.get_document(ctx, doc_id, principal=who),
        "checks": qc.automated_checks(ctx, doc_id, principal=who),
        "defects": qc.DEFECT_CODES,
        "labels": FIELD_LABELS,
        "names": FIELD_NAMES,
        **extra,
    }
    return render(request, "qc_document.html", values, status_code=400 if extra.get("error") else 200)


@router.get("/documents/{doc_id}")
def inspection(request: Request, ctx: Ctx, who: Inspector, doc_id: int) -> Response:
    return _screen(request, ctx, who, doc_id)


@router.post("/documents/{doc_id}")
def decide(
    request: Request,
    ctx: Ctx,
    who: Inspector,
    doc_id: int,
    decision: Annotated[str, Form()],
    defects: Annotated[list[str] | None, Form()] = None,
    comment: Annotated[str, Form()] = "",
    rework_to: Annotated[str, Form()] = "",
) -> Response:
    require_visible(ctx, who, doc_id)
    try:
        state = qc.inspect(
            ctx,
            doc_id,
            decision,
            inspector=who.username,
            defects=defects or [],
            comment=comment,
            rework_to=rework_to or None,
        )
    except ValidationFailed as exc:
        return _screen(request, ctx, who, doc_id, error=exc)
    flash(request, QC_DECIDED.get(str(state), "Đã ghi kết quả kiểm tra văn bản #{doc}"), doc=doc_id)
    return RedirectResponse("/qc", status_code=303)


@router.get("/plans")
def plans(request: Request, ctx: Ctx, _who: Planner) -> Response:
    return render(request, "qc_plans.html", {"plans": qc.list_plans(ctx), "accessions": intake.list_accessions(ctx)})


@router.post("/plans")
def create_plan(
    request: Request,
    ctx: Ctx,
    who: Planner,
    name: Annotated[str, Form()],
    rate_percent: Annotated[float, Form()],
    accession_id: Annotated[str, Form()] = "",
    operator: Annotated[str, Form()] = "",
) -> Response:
    try:
        qc.create_plan(
            ctx,
            name,
            rate_percent / 100,
            actor=who.username,
            accession_id=optional_int(accession_id),
            operator=operator.strip() or None,
        )
    except ValidationFailed as exc:
        return render(
            request,
            "qc_plans.html",
            {"plans": qc.list_plans(ctx), "error": exc, "accessions": intake.list_accessions(ctx)},
            status_code=400,
        )
    flash(request, "Đã tạo kế hoạch lấy mẫu {name}", name=name.strip())
    return RedirectResponse("/qc/plans", status_code=303)


@router.post("/plans/{plan_id}/active")
def toggle_plan(request: Request, ctx: Ctx, who: Planner, plan_id: int,
                active: Annotated[str, Form()] = "") -> Response:
    qc.set_plan_active(ctx, plan_id, bool(active), actor=who.username)
    flash(request, "Đã bật kế hoạch lấy mẫu" if active else "Đã tắt kế hoạch lấy mẫu")
    return RedirectResponse("/qc/plans", status_code=303)

