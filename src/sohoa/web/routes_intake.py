"""Intake (tiếp nhận): accessions, inventory upload and report, boxes, receipts, reconciliation, handover."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sohoa.domain.codes import Role
from sohoa.domain.errors import ValidationFailed
from sohoa.http.deps import Ctx
from sohoa.http.rules import Forbidden, require
from sohoa.services.identity import accounts
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import intake
from sohoa.web.deps import optional_int
from sohoa.web.flash import flash
from sohoa.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/intake")
Viewer = Annotated[Principal, require(Permission.INTAKE_VIEW)]
Editor = Annotated[Principal, require(Permission.INTAKE_EDIT)]


def _own_unit(who: Principal) -> int | None:
    """A unit clerk works only on their own unit's accessions; other roles see all."""
    return who.unit_id if who.role == Role.UNIT_CLERK else None


def _accession(ctx: AppContext, who: Principal, accession_id: int) -> intake.AccessionView:
    acc = intake.get_accession(ctx, accession_id)
    scope = _own_unit(who)
    if who.role == Role.UNIT_CLERK and acc.unit_id != scope:
        raise Forbidden()
    return acc


def _detail(request: Request, ctx: AppContext, who: Principal, accession_id: int, **extra: object) -> Response:
    acc = _accession(ctx, who, accession_id)
    values = {
        "acc": acc,
        "upload": intake.latest_upload(ctx, accession_id),
        "files": intake.inventory_files(ctx, accession_id),
        "recon": intake.reconcile(ctx, accession_id),
        "can_edit": who.can(Permission.INTAKE_EDIT),
        **extra,
    }
    return render(request, "intake_accession.html", values, status_code=400 if extra.get("error") else 200)


@router.get("")
def intake_home(request: Request, ctx: Ctx, who: Viewer) -> Response:
    scope = _own_unit(who)
    units = [u for u in accounts.list_units(ctx, limit=2000) if scope is None or u[0] == scope]
    return render(
        request,
        "intake.html",
        {"accessions": intake.list_accessions(ctx, scope), "units": units, "can_edit": who.can(Permission.INTAKE_EDIT)},
    )


@router.post("/accessions")
def create_accession(
    request: Request,
    ctx: Ctx,
    who: Editor,
    unit_id: Annotated[int, Form()],
    title: Annotated[str, Form()],
    deadline: Annotated[str, Form()] = "",
    planned_pages: Annotated[str, Form()] = "",
) -> Response:
    if who.role == Role.UNIT_CLERK and unit_id != who.unit_id:
        raise Forbidden()
    try:
        due = date.fromisoformat(deadline) if deadline else None
        acc = intake.create_accession(
            ctx, unit_id, title, actor=who.username, deadline=due, planned_pages=optional_int(planned_pages)
        )
    except ValueError as exc:
        raise ValidationFailed("Ngày không hợp lệ", "Invalid date") from exc
    flash(request, "Đã tạo đợt giao nộp {code}", code=acc.code)
    return RedirectResponse(f"/intake/accessions/{acc.id}", status_code=303)


@router.get("/accessions/{accession_id}")
def accession(request: Request, ctx: Ctx, who: Viewer, accession_id: int) -> Response:
    return _detail(request, ctx, who, accession_id)


@router.post("/accessions/{accession_id}/inventory")
def upload_inventory(
    request: Request, ctx: Ctx, who: Editor, accession_id: int, inventory: Annotated[UploadFile, File()]
) -> Response:
    _accession(ctx, who, accession_id)
    data = inventory.file.read()  # the spooled upload, read in the thread pool like the rest
    try:
        result = intake.upload_inventory(ctx, accession_id, inventory.filename or "inventory", data, actor=who.username)
    except ValidationFailed as exc:
        return _detail(request, ctx, who, accession_id, error=exc)
    notice = "Mục lục hợp lệ, đã đăng ký hồ sơ" if result.accepted else None
    error = None if result.accepted else "Mục lục có lỗi, hãy sửa và tải lên lại"
    return _detail(request, ctx, who, accession_id, notice=notice, error=error)


@router.post("/accessions/{accession_id}/boxes")
def record_box(
    request: Request,
    ctx: Ctx,
    who: Editor,
    accession_id: int,
    number: Annotated[str, Form()],
    location: Annotated[str, Form()] = "",
) -> Response:
    _accession(ctx, who, accession_id)
    try:
        intake.record_box(ctx, accession_id, number, actor=who.username, location=location or None)
    except ValidationFailed as exc:
        return _detail(request, ctx, who, accession_id, error=exc)
    flash(request, "Đã ghi hộp số {number}", number=number.strip())
    return RedirectResponse(f"/intake/accessions/{accession_id}#boxes", status_code=303)


@router.post("/accessions/{accession_id}/receipts")
def record_receipt(
    request: Request,
    ctx: Ctx,
    who: Editor,
    accession_id: int,
    notation: Annotated[str, Form()],
    sheets: Annotated[str, Form()] = "",
    box_number: Annotated[str, Form()] = "",
) -> Response:
    _accession(ctx, who, accession_id)
    try:
        intake.record_received_file(
            ctx, accession_id, notation, optional_int(sheets), actor=who.username, box_number=box_number or None
        )
    except ValidationFailed as exc:
        return _detail(request, ctx, who, accession_id, error=exc)
    flash(request, "Đã ghi nhận hồ sơ {notation}", notation=notation.strip())
    return RedirectResponse(f"/intake/accessions/{accession_id}#reconcile", status_code=303)


@router.post("/accessions/{accession_id}/handover")
async def save_handover(request: Request, ctx: Ctx, who: Editor, accession_id: int) -> Response:
    """The hand-over record's fields are free-form: read the form here, save in the thread pool."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    await run_in_threadpool(_save_handover, request, ctx, who, accession_id, form)
    return RedirectResponse(f"/intake/accessions/{accession_id}#handover", status_code=303)


def _save_handover(request: Request, ctx: AppContext, who: Principal, accession_id: int, form: dict[str, str]) -> None:
    _accession(ctx, who, accession_id)
    intake.set_handover(ctx, accession_id, form, actor=who.username)
    flash(request, "Đã lưu biên bản giao nhận")


@router.get("/accessions/{accession_id}/handover.pdf")
def handover_pdf(ctx: Ctx, who: Viewer, accession_id: int) -> Response:
    acc = _accession(ctx, who, accession_id)
    return Response(
        intake.handover_document(ctx, accession_id),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="bien-ban-{acc.code}.pdf"'},
    )

