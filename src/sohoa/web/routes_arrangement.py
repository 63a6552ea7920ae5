"""Arrangement (chỉnh lý): fonds, files in fonds, file metadata, labels and separator sheets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sohoa.domain.codes import ACCESS_LEVELS, AccessLevel
from sohoa.domain.errors import PermissionDenied, ValidationFailed
from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.catalogue.publication import file_publication
from sohoa.services.identity import accounts
from sohoa.services.identity.access_changes import change_file_access, file_access_summary, preview_file_access
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import arrangement, intake
from sohoa.web.deps import optional_int
from sohoa.web.flash import flash
from sohoa.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/arrangement")
Arranger = Annotated[Principal, require(Permission.ARRANGE)]


def _page(request: Request, ctx: AppContext, accession_id: int | None, **extra: object) -> Response:
    values = {
        "fonds": arrangement.list_fonds(ctx),
        "files": arrangement.list_files(ctx, accession_id),
        "accessions": intake.list_accessions(ctx),
        "accession_id": accession_id,
        "units": accounts.list_units(ctx, limit=2000),
        **extra,
    }
    return render(request, "arrangement.html", values, status_code=400 if extra.get("error") else 200)


@router.get("")
def arrangement_home(request: Request, ctx: Ctx, _who: Arranger, accession: str = "") -> Response:
    return _page(request, ctx, optional_int(accession))


@router.post("/fonds")
def create_fonds(
    request: Request,
    ctx: Ctx,
    who: Arranger,
    code: Annotated[str, Form()],
    name: Annotated[str, Form()],
    unit_id: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "open",
) -> Response:
    try:
        arrangement.create_fonds(ctx, code, name, optional_int(unit_id), actor=who.username, status=status)
    except ValidationFailed as exc:
        return _page(request, ctx, None, error=exc)
    flash(request, "Đã tạo phông {code}", code=code.strip())
    return RedirectResponse("/arrangement", status_code=303)


@router.post("/fonds/{fonds_id}/status")
def fonds_status(request: Request, ctx: Ctx, who: Arranger, fonds_id: int, status: Annotated[str, Form()]) -> Response:
    arrangement.set_fonds_status(ctx, fonds_id, status, actor=who.username)
    flash(request, "Đã cập nhật trạng thái phông")
    return RedirectResponse("/arrangement", status_code=303)


@router.post("/files/assign")
def assign(
    request: Request, ctx: Ctx, who: Arranger, fonds_id: Annotated[int, Form()],
    file_ids: Annotated[list[int] | None, Form()] = None,
) -> Response:
    if not file_ids:
        flash(request, "Chưa chọn hồ sơ nào: hãy đánh dấu các hồ sơ cần xếp vào phông", kind="error")
        return RedirectResponse("/arrangement", status_code=303)
    arrangement.assign_files(ctx, file_ids, fonds_id, actor=who.username)
    flash(request, "Đã xếp {n} hồ sơ vào phông", n=len(file_ids))
    return RedirectResponse("/arrangement", status_code=303)


@router.post("/files/print")
def print_files(
    request: Request, ctx: Ctx, _who: Arranger, file_ids: Annotated[list[int] | None, Form()] = None,
    kind: Annotated[str, Form()] = "labels",
) -> Response:
    if not file_ids:  # a page that says so, not a bare validation error
        flash(request, "Chưa chọn hồ sơ nào: hãy đánh dấu các hồ sơ cần in rồi bấm in lại", kind="error")
        return RedirectResponse("/arrangement", status_code=303)
    pdf = (
        arrangement.separator_sheets(ctx, file_ids) if kind == "separators" else arrangement.file_labels(ctx, file_ids)
    )
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{kind}.pdf"'}
    )


@router.get("/accessions/{accession_id}/box-labels.pdf")
def box_labels(ctx: Ctx, _who: Arranger, accession_id: int) -> Response:
    return Response(arrangement.box_labels(ctx, accession_id), media_type="application/pdf")


@router.get("/files/{file_id}")
def file_form(request: Request, ctx: Ctx, who: Arranger, file_id: int, apply: str = "",
              publish: str = "") -> Response:
    """The file's form; ``?apply=1`` proposes bringing its documents to the file's own level (documents filed in
    from the unsorted intake keep their stricter level until someone confirms); ``?publish=1`` proposes making the
    file public (the publication panel's link): the warnings and the reason come first, as from the form."""
    file = next((f for f in arrangement.list_files(ctx, None, limit=100000) if f.id == file_id), None)
    if file is None:
        return render(request, "arrangement_file.html", {"file": None, "levels": ACCESS_LEVELS}, status_code=404)
    if apply or publish:
        return _propose(request, ctx, who, file_id, AccessLevel.PUBLIC if publish else file.access_level)
    return _file_page(request, ctx, file_id)


def _file_page(request: Request, ctx: AppContext, file_id: int, status: int = 200, **extra: object) -> Response:
    file = next((f for f in arrangement.list_files(ctx, None, limit=100000) if f.id == file_id), None)
    summary = file_access_summary(ctx, file_id) if file is not None else None
    publication = file_publication(ctx, file_id) if file is not None else []
    return render(request, "arrangement_file.html", {"file": file, "levels": ACCESS_LEVELS, "summary": summary,
                                                     "publication": publication, **extra}, status_code=status)


def _propose(request: Request, ctx: AppContext, who: Principal, file_id: int, level: str, *,
             saved: bool = False) -> Response:
    """The confirm step of an access change: its warnings and what it changes, or why the role may not."""
    try:
        preview = preview_file_access(ctx, file_id, level, role=who.role)
    except PermissionDenied as exc:  # saved metadata is not refused with it
        return _file_page(request, ctx, file_id, 200 if saved else 403, error=exc, saved=saved)
    return _file_page(request, ctx, file_id, pending=level, warnings=preview.warnings, saved=saved)


@router.post("/files/{file_id}")
async def file_save(request: Request, ctx: Ctx, who: Arranger, file_id: int) -> Response:
    """Metadata is saved at once; a new access level is only proposed: its warnings come first, to confirm."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    return await run_in_threadpool(_file_save, request, ctx, who, file_id, form)


def _file_save(request: Request, ctx: AppContext, who: Principal, file_id: int, form: dict[str, str]) -> Response:
    try:
        level = form.get("access_level", "")
        current = next((f.access_level for f in arrangement.list_files(ctx, None, limit=100000) if f.id == file_id),
                       level)
        # The role check comes first: a refused access change saves nothing of the form either.
        preview = preview_file_access(ctx, file_id, level, role=who.role) if level and level != current else None
        arrangement.update_file(ctx, file_id, form, actor=who.username)
        if preview is not None:
            return _file_page(request, ctx, file_id, pending=level, warnings=preview.warnings)
    except (ValidationFailed, PermissionDenied) as exc:
        return _file_page(request, ctx, file_id, 403 if isinstance(exc, PermissionDenied) else 400, error=exc)
    if level and file_access_summary(ctx, file_id).out_of_step:
        # The same level again while documents lag behind it: saved, and the change to them is proposed.
        return _propose(request, ctx, who, file_id, level, saved=True)
    return RedirectResponse(f"/arrangement/files/{file_id}?saved=1", status_code=303)


@router.post("/files/{file_id}/access")
def file_access(request: Request, ctx: Ctx, who: Arranger, file_id: int, access_level: Annotated[str, Form()],
                reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    """The confirmed access change: the same service as /admin/access (role check, access.change events)."""
    try:
        change = change_file_access(ctx, file_id, access_level, who.username, reason, role=who.role)
    except (ValidationFailed, PermissionDenied) as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return _file_page(request, ctx, file_id, status, error=exc, pending=access_level)
    return _file_page(request, ctx, file_id, changed=change, warnings=change.warnings)

