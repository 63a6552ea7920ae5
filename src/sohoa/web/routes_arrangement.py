"""Arrangement (chỉnh lý): fonds, files in fonds, file metadata, labels and separator sheets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sohoa.domain.codes import ACCESS_LEVELS, AccessLevel
from sohoa.domain.errors import NotFound, PermissionDenied, SohoaError, ValidationFailed
from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.catalogue.lookup import resolve
from sohoa.services.catalogue.publication import file_publication
from sohoa.services.identity.access_changes import change_file_access, file_access_summary, preview_file_access
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import arrangement, intake
from sohoa.services.production.file_units import FieldErrors, NewFile, create_file, file_place, place_file
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
    unit: Annotated[str, Form(max_length=300)] = "",
    status: Annotated[str, Form()] = "open",
) -> Response:
    """``unit``: the creating unit as picked ("CODE — Name") or typed (code or exact name); ``unit_id``: the
    picker's id. A blank ``unit``: a fonds without a unit."""
    try:
        chosen = resolve(ctx, who, "units", unit, unit_id) if unit.strip() else None
        arrangement.create_fonds(ctx, code, name, chosen, actor=who.username, status=status)
    except (ValidationFailed, NotFound) as exc:
        return _page(request, ctx, None, error=exc, fonds_form={"code": code, "name": name, "unit": unit})
    flash(request, "Đã tạo phông {code}", code=code.strip())
    return RedirectResponse("/arrangement", status_code=303)


@router.post("/fonds/{fonds_id}/status")
def fonds_status(request: Request, ctx: Ctx, who: Arranger, fonds_id: int, status: Annotated[str, Form()]) -> Response:
    arrangement.set_fonds_status(ctx, fonds_id, status, actor=who.username)
    flash(request, "Đã cập nhật trạng thái phông")
    return RedirectResponse("/arrangement", status_code=303)


@router.post("/files/assign")
def assign(
    request: Request, ctx: Ctx, who: Arranger, fonds_id: Annotated[str, Form()] = "",
    fonds: Annotated[str, Form(max_length=300)] = "", file_ids: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """``fonds``: the fonds as picked or typed (its code or name); ``fonds_id``: the picker's id."""
    if not file_ids:
        flash(request, "Chưa chọn hồ sơ nào: hãy đánh dấu các hồ sơ cần xếp vào phông", kind="error")
        return RedirectResponse("/arrangement", status_code=303)
    try:
        chosen = resolve(ctx, who, "fonds", fonds, fonds_id)
    except SohoaError as exc:
        return _page(request, ctx, None, error=exc)
    arrangement.assign_files(ctx, file_ids, chosen, actor=who.username)
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


_NEW_FIELDS = ("fonds", "fonds_id", "notation", "title", "start_date", "end_date", "maintenance", "access_level",
               "sheet_total", "page_total", "description", "accession_id", "box")


def _new_page(request: Request, ctx: AppContext, form: dict[str, str], status: int = 200,
              error: SohoaError | None = None) -> Response:
    fields = error.fields if isinstance(error, FieldErrors) else {}
    return render(request, "arrangement_file_new.html",
                  {"form": form, "levels": ACCESS_LEVELS, "accessions": intake.list_accessions(ctx), "error": error,
                   "field_errors": fields}, status_code=status)


@router.get("/files/new")
def new_file_form(request: Request, ctx: Ctx, _who: Arranger) -> Response:
    """The "Tạo hồ sơ" form: a hồ sơ typed in by hand, under the inventory's rules."""
    return _new_page(request, ctx, {"access_level": "internal"})


@router.post("/files")
async def new_file(request: Request, ctx: Ctx, who: Arranger) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items() if k in _NEW_FIELDS}
    return await run_in_threadpool(_new_file, request, ctx, who, form)


def _new_file(request: Request, ctx: AppContext, who: Principal, form: dict[str, str]) -> Response:
    fonds_error: tuple[str, str] | None = None
    try:
        typed = form.get("fonds", "").strip()
        fonds_id = resolve(ctx, who, "fonds", typed, form.get("fonds_id", "")) if typed else None
    except SohoaError as exc:  # not found, or several: said next to the field with the other problems
        fonds_id, fonds_error = None, (exc.vi, exc.en)
    values = NewFile(fonds_id=fonds_id, accession_id=optional_int(form.get("accession_id")),
                     access_level=form.get("access_level", "internal"),
                     **{k: form.get(k, "") for k in ("notation", "title", "start_date", "end_date", "maintenance",
                                                     "sheet_total", "page_total", "description", "box")})
    try:
        file_id, code = create_file(ctx, values, actor=who.username, role=who.role)
    except FieldErrors as exc:
        if fonds_error:
            exc.fields["fonds"] = fonds_error
        return _new_page(request, ctx, form, 400, exc)
    flash(request, "Đã tạo hồ sơ {code}", code=code)
    return RedirectResponse(f"/arrangement/files/{file_id}", status_code=303)


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
    place = file_place(ctx, file_id) if file is not None else None
    error = extra.get("error")
    fields = error.fields if isinstance(error, FieldErrors) else {}
    publication = file_publication(ctx, file_id) if file is not None else []
    return render(request, "arrangement_file.html", {"file": file, "levels": ACCESS_LEVELS, "summary": summary,
                                                     "place": place, "field_errors": fields,
                                                     "publication": publication, **extra},
                  status_code=status)


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


def _fonds_of(ctx: AppContext, who: Principal, form: dict[str, str]) -> int | None:
    """The fonds the form names (picked or typed), None when it names none; a wrong one is a field error."""
    if not form.get("fonds", "").strip():
        return None
    try:
        return resolve(ctx, who, "fonds", form.get("fonds", ""), form.get("fonds_id", ""))
    except SohoaError as exc:
        raise FieldErrors({"fonds": (exc.vi, exc.en)}) from exc


def _file_save(request: Request, ctx: AppContext, who: Principal, file_id: int, form: dict[str, str]) -> Response:
    try:
        level = form.get("access_level", "")
        current = next((f.access_level for f in arrangement.list_files(ctx, None, limit=100000) if f.id == file_id),
                       level)
        # The role check comes first: a refused access change saves nothing of the form either.
        preview = preview_file_access(ctx, file_id, level, role=who.role) if level and level != current else None
        fonds_id = _fonds_of(ctx, who, form)
        arrangement.update_file(ctx, file_id, form, actor=who.username)
        if "box" in form or fonds_id is not None:
            place_file(ctx, file_id, fonds_id, form.get("box", ""), actor=who.username)
        if preview is not None:
            return _file_page(request, ctx, file_id, pending=level, warnings=preview.warnings)
    except (ValidationFailed, PermissionDenied, NotFound) as exc:
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

