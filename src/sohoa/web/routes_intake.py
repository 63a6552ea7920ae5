"""Intake (tiếp nhận): accessions, inventory check, import and re-import, boxes, receipts, reconciliation, handover."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sohoa.domain.codes import Role
from sohoa.domain.errors import SohoaError, ValidationFailed
from sohoa.http.deps import Ctx
from sohoa.http.i18n import request_lang
from sohoa.http.rules import Forbidden, require
from sohoa.services.catalogue.lookup import resolve
from sohoa.services.identity import accounts
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import intake, intake_workbooks
from sohoa.web.deps import optional_int
from sohoa.web.flash import flash
from sohoa.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/intake")
Viewer = Annotated[Principal, require(Permission.INTAKE_VIEW)]
Editor = Annotated[Principal, require(Permission.INTAKE_EDIT)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
        "checked": None,
        "pending": None,
        "handover": acc.handover,
        "files": intake.inventory_files(ctx, accession_id),
        "recon": intake.reconcile(ctx, accession_id),
        "can_edit": who.can(Permission.INTAKE_EDIT),
        **extra,
    }
    return render(request, "intake_accession.html", values, status_code=400 if extra.get("error") else 200)


def _checked(result: intake.UploadResult, filename: str, *, validate_only: bool) -> dict[str, object]:
    """A report not (yet) recorded, shaped like a recorded upload for the report table."""
    return {
        "filename": filename,
        "accepted": result.accepted,
        "errors": result.errors,
        "report": intake.report_json(result.reports),
        "token": result.token,
        "validate_only": validate_only,
    }


def _home(request: Request, ctx: AppContext, who: Principal, **extra: object) -> Response:
    scope = _own_unit(who)
    # A unit clerk creates accessions of their own unit only (a one-line list); others pick from every unit.
    units = [u for u in accounts.list_units(ctx, limit=2000) if u[0] == scope] if scope is not None else []
    values = {
        "accessions": intake.list_accessions(ctx, scope),
        "units": units,
        "can_edit": who.can(Permission.INTAKE_EDIT),
        "form": {},
        **extra,
    }
    return render(request, "intake.html", values, status_code=400 if extra.get("error") else 200)


@router.get("")
def intake_home(request: Request, ctx: Ctx, who: Viewer) -> Response:
    return _home(request, ctx, who)


@router.get("/inventory-template.xlsx")
def inventory_template(who: Viewer) -> Response:
    """The blank mục lục template: NĐ 30 headings, instructions, an example row."""
    return Response(
        intake_workbooks.template_xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="mau-muc-luc-ho-so.xlsx"'},
    )


@router.post("/accessions")
def create_accession(
    request: Request,
    ctx: Ctx,
    who: Editor,
    title: Annotated[str, Form()],
    unit_id: Annotated[str, Form()] = "",
    unit: Annotated[str | None, Form(max_length=300)] = None,
    deadline: Annotated[str, Form()] = "",
    planned_pages: Annotated[str, Form()] = "",
) -> Response:
    """``unit``: the unit as picked ("CODE — Name") or typed (code or exact name), ``unit_id`` the picker's id;
    a unit clerk's form sends ``unit_id`` alone (their own unit)."""
    form = {"unit_id": optional_int(unit_id), "unit": unit or "", "title": title, "deadline": deadline,
            "planned_pages": planned_pages}
    try:
        chosen = optional_int(unit_id) if unit is None else resolve(ctx, who, "units", unit, unit_id)
    except SohoaError as exc:
        return _home(request, ctx, who, error=exc, form=form)
    if chosen is None:
        return _home(request, ctx, who, error=ValidationFailed("Hãy chọn đơn vị", "Choose a unit"), form=form)
    if who.role == Role.UNIT_CLERK and chosen != who.unit_id:
        raise Forbidden()
    try:
        due = date.fromisoformat(deadline) if deadline else None
    except ValueError:
        return _home(request, ctx, who, error=ValidationFailed("Ngày không hợp lệ", "Invalid date"), form=form)
    try:
        pages = intake.form_count(planned_pages, ("Số trang kế hoạch", "Planned pages"))
        acc = intake.create_accession(ctx, chosen, title, actor=who.username, deadline=due, planned_pages=pages)
    except ValidationFailed as exc:
        return _home(request, ctx, who, error=exc, form=form)
    flash(request, "Đã tạo đợt giao nộp {code}", code=acc.code)
    return RedirectResponse(f"/intake/accessions/{acc.id}", status_code=303)


@router.get("/accessions/{accession_id}")
def accession(request: Request, ctx: Ctx, who: Viewer, accession_id: int) -> Response:
    return _detail(request, ctx, who, accession_id)


@router.post("/accessions/{accession_id}/inventory")
def upload_inventory(
    request: Request,
    ctx: Ctx,
    who: Editor,
    accession_id: int,
    inventory: Annotated[UploadFile, File()],
    action: Annotated[str, Form()] = "import",
) -> Response:
    """Validate only ("validate": nothing recorded), or import; a re-import first shows what it would change."""
    _accession(ctx, who, accession_id)
    data = inventory.file.read()  # the spooled upload, read in the thread pool like the rest
    filename = inventory.filename or "inventory"
    try:
        if action == "validate":
            result = intake.check_inventory(ctx, accession_id, filename, data)
        else:
            result = intake.upload_inventory(ctx, accession_id, filename, data, actor=who.username)
    except SohoaError as exc:
        return _detail(request, ctx, who, accession_id, error=exc)
    checked = _checked(result, filename, validate_only=action == "validate")
    if not result.accepted:
        error = "Mục lục có lỗi, hãy sửa và tải lên lại"
        return _detail(request, ctx, who, accession_id, checked=checked, error=error)
    if action == "validate":
        notice = "Mục lục hợp lệ. Chưa nhập gì: bấm «Nhập mục lục» để đăng ký hồ sơ"
        return _detail(request, ctx, who, accession_id, checked=checked, notice=notice)
    if result.diff is not None:
        notice = "Mục lục mới sẽ thay đổi các hồ sơ đã đăng ký: xem danh sách rồi bấm «Xác nhận»"
        return _detail(request, ctx, who, accession_id, pending=result.diff, checked=checked, notice=notice)
    flash(request, "Mục lục hợp lệ, đã đăng ký {n} hồ sơ", n=result.rows)
    return RedirectResponse(f"/intake/accessions/{accession_id}#inventory", status_code=303)


@router.post("/accessions/{accession_id}/inventory/confirm")
def confirm_inventory(
    request: Request,
    ctx: Ctx,
    who: Editor,
    accession_id: int,
    token: Annotated[str, Form()],
    digest: Annotated[str, Form()],
    filename: Annotated[str, Form()] = "",
) -> Response:
    """Apply the re-import whose list of changes the officer saw (the staged upload named by its token)."""
    _accession(ctx, who, accession_id)
    try:
        diff = intake.confirm_reimport(ctx, accession_id, token, digest, actor=who.username, filename=filename)
    except SohoaError as exc:
        return _detail(request, ctx, who, accession_id, error=exc)
    flash(
        request,
        "Đã nhập lại mục lục: thêm {added}, sửa {changed}, bỏ {removed} hồ sơ",
        added=len(diff.added),
        changed=len(diff.changed),
        removed=len(diff.removed),
    )
    return RedirectResponse(f"/intake/accessions/{accession_id}#inventory", status_code=303)


@router.get("/accessions/{accession_id}/inventory/{token}/report.xlsx")
def inventory_report(request: Request, ctx: Ctx, who: Viewer, accession_id: int, token: str) -> Response:
    """The error report of an uploaded inventory: its rows with a column of problems."""
    acc = _accession(ctx, who, accession_id)
    reports = intake.staged_reports(ctx, accession_id, token)
    return Response(
        intake_workbooks.error_report_xlsx(reports, request_lang(request)),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="bao-cao-loi-muc-luc-{acc.code}.xlsx"'},
    )


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
        counted = intake.form_count(sheets, ("Số tờ đếm được", "Sheets counted"))
        intake.record_received_file(
            ctx, accession_id, notation, counted, actor=who.username, box_number=box_number or None
        )
    except ValidationFailed as exc:
        return _detail(request, ctx, who, accession_id, error=exc)
    flash(request, "Đã ghi nhận hồ sơ {notation}", notation=notation.strip())
    return RedirectResponse(f"/intake/accessions/{accession_id}#reconcile", status_code=303)


@router.post("/accessions/{accession_id}/handover")
async def save_handover(request: Request, ctx: Ctx, who: Editor, accession_id: int) -> Response:
    """The hand-over record's fields are free-form: read the form here, save in the thread pool."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    return await run_in_threadpool(_save_handover, request, ctx, who, accession_id, form)


def _save_handover(
    request: Request, ctx: AppContext, who: Principal, accession_id: int, form: dict[str, str]
) -> Response:
    _accession(ctx, who, accession_id)
    try:
        intake.set_handover(ctx, accession_id, form, actor=who.username)
    except ValidationFailed as exc:  # shown with what was typed, nothing saved
        return _detail(request, ctx, who, accession_id, error=exc, handover=form)
    flash(request, "Đã lưu biên bản giao nhận")
    return RedirectResponse(f"/intake/accessions/{accession_id}#handover", status_code=303)


@router.get("/accessions/{accession_id}/handover.pdf")
def handover_pdf(ctx: Ctx, who: Viewer, accession_id: int) -> Response:
    acc = _accession(ctx, who, accession_id)
    return Response(
        intake.handover_document(ctx, accession_id),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="bien-ban-{acc.code}.pdf"'},
    )
