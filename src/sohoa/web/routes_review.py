"""Review (kiểm duyệt): queue, the verification screen, field edits, merge/split/reorder, page images."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.fields import FIELD_NAMES, FIELDS
from sohoa.http.deps import Ctx
from sohoa.http.i18n import FIELD_LABELS
from sohoa.http.rules import require
from sohoa.services.catalogue.documents import require_visible
from sohoa.services.catalogue.lookup import resolve
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import filing, page_editor, review
from sohoa.web import queue_lists, routes_personal_review
from sohoa.web.flash import flash
from sohoa.web.templating import render

__all__ = ["FIELD_LABELS", "router"]

# After a save that marks the document độ mật, the reviewer no longer sees it: say so, not 404.
SECRET_SAVED = "Đã lưu; văn bản có độ mật nên từ nay chỉ người vận hành tại máy lưu trữ xem được"

router = APIRouter()
Reviewer = Annotated[Principal, require(Permission.REVIEW)]
PageViewer = Annotated[Principal, require(Permission.PAGE_VIEW)]


def _screen(request: Request, ctx: AppContext, who: Principal, doc_id: int, **extra: object) -> Response:
    doc = review.get_document(ctx, doc_id, principal=who)
    values = {"doc": doc, "fields": FIELDS, "neighbours": page_editor.neighbours(ctx, doc_id, principal=who),
              "turns": page_editor.TURNS,  # the form's rows come from the field table
              "personal": routes_personal_review.panel_values(request, ctx, who, doc_id), **extra}
    return render(request, "review_document.html", values, status_code=400 if extra.get("error") else 200)


@router.get("/review")
def queue(request: Request, ctx: Ctx, who: Reviewer) -> Response:
    """The review queue as the URL's view asks (filters, sort, page: see ``sohoa.services.production.queues``)."""
    return queue_lists.tidy_url(request, "review") or render(
        request, "review.html", queue_lists.list_values(request, ctx, who, "review"))


@router.post("/review/views")
def save_view(request: Request, ctx: Ctx, who: Reviewer, name: Annotated[str, Form()],
              query: Annotated[str, Form()] = "") -> Response:
    return queue_lists.save_view(request, ctx, who, "review", name, query)


@router.post("/review/views/{view_id}/delete")
def delete_view(request: Request, ctx: Ctx, who: Reviewer, view_id: int) -> Response:
    return queue_lists.delete_view(request, ctx, who, "review", view_id)


@router.get("/review/{doc_id}")
def document(request: Request, ctx: Ctx, who: Reviewer, doc_id: int) -> Response:
    response = _screen(request, ctx, who, doc_id)
    page_editor.note_thumbnails_shown(ctx, doc_id, principal=who)  # once, not per thumbnail fetched
    return response


@router.post("/review/{doc_id}")
async def save(request: Request, ctx: Ctx, who: Reviewer, doc_id: int) -> Response:
    """The form's fields are dynamic (the NĐ 30 table): read them here, save in the thread pool (the save
    rebuilds the PDF/A)."""
    await run_in_threadpool(require_visible, ctx, who, doc_id)
    form = await request.form()
    values = {n: str(form.get(n, "")) for n in FIELD_NAMES if n in form}
    return await run_in_threadpool(_save, request, ctx, who, doc_id, values, form.get("action") == "approve")


def _label(doc: review.DocumentDetail) -> str:
    """How a flash message names a document: its number, type and sign ("#12 Quyết định 15/QĐ-UBND")."""
    sign = "/".join(part for part in (doc.fields.get("code_number"), doc.fields.get("code_notation")) if part)
    words = [doc.fields.get("type_name") or doc.source_name, sign]
    return " ".join([f"#{doc.id}", *(w for w in words if w)])


def _save(request: Request, ctx: AppContext, who: Principal, doc_id: int, values: dict[str, str],
          approve: bool) -> Response:
    errors = review.update_fields(ctx, doc_id, values, actor=who.username, mark_reviewed=approve,
                                  principal=who)
    if errors:
        return _screen(
            request, ctx, who, doc_id, field_errors=errors, submitted=values,
            error="Có trường không hợp lệ, hãy sửa lại",
        )
    if approve:
        try:
            label = _label(review.get_document(ctx, doc_id, principal=who))
        except NotFound:  # approved with độ mật: the reviewer no longer sees it
            label = f"#{doc_id}"
        following = next((q.id for q in review.review_queue(ctx, principal=who) if q.id != doc_id), None)
        if following is None:
            flash(request, "Đã duyệt văn bản {doc}. Hàng đợi kiểm duyệt đã hết.", doc=label)
            return RedirectResponse("/review", status_code=303)
        flash(request, "Đã duyệt văn bản {doc}. Đang mở văn bản tiếp theo trong hàng đợi: #{next}.", doc=label,
              next=following)
        return RedirectResponse(f"/review/{following}", status_code=303)
    try:
        return _screen(request, ctx, who, doc_id, notice="Đã lưu")
    except NotFound:  # saved with độ mật: from now on only the local operator reads it
        return render(request, "review.html", {**queue_lists.list_values(request, ctx, who, "review"),
                                               "notice": SECRET_SAVED})


def _picked(ctx: AppContext, who: Principal, kind: str, typed: str, picked: str) -> int:
    """The id a picker form names: what the person typed (a code, a name, a picked line; the hidden id settles
    a tie), else the id of a listed choice (a neighbour's button)."""
    if typed.strip():
        return resolve(ctx, who, kind, typed, picked)
    if picked.strip().isdigit():
        return int(picked)
    raise ValidationFailed("Hãy chọn một mục trong danh sách", "Choose an entry from the list")


@router.post("/review/{doc_id}/merge")
def merge(request: Request, ctx: Ctx, who: Reviewer, doc_id: int, other_id: Annotated[str, Form()] = "",
          other: Annotated[str, Form()] = "",
          place: Annotated[Literal["after", "before"], Form()] = "after") -> Response:
    """Another document's pages join this one: after its pages, or before them (the document that came first).
    It is a neighbour's button (``other_id``) or what the document picker names (``other``)."""
    require_visible(ctx, who, doc_id)
    try:
        other_doc = _picked(ctx, who, "documents", other, other_id)
    except (ValidationFailed, NotFound) as exc:
        return _screen(request, ctx, who, doc_id, error=exc)
    require_visible(ctx, who, doc_id, other_doc)
    try:
        review.merge_documents(ctx, doc_id, other_doc, actor=who.username, principal=who, before=place == "before")
    except ValidationFailed as exc:
        return _screen(request, ctx, who, doc_id, error=exc)
    if place == "before":
        flash(request, "Đã gộp các trang của văn bản #{other} vào đầu văn bản #{doc}", other=other_doc, doc=doc_id)
    else:
        flash(request, "Đã gộp các trang của văn bản #{other} vào văn bản #{doc}", other=other_doc, doc=doc_id)
    return RedirectResponse(f"/review/{doc_id}", status_code=303)


@router.post("/review/{doc_id}/split")
def split(request: Request, ctx: Ctx, who: Reviewer, doc_id: int, at_page: Annotated[int, Form()]) -> Response:
    require_visible(ctx, who, doc_id)
    try:
        new_id = review.split_document(ctx, doc_id, at_page, actor=who.username, principal=who)
    except ValidationFailed as exc:
        return _screen(request, ctx, who, doc_id, error=exc)
    flash(request, "Đã tách từ trang {page} thành văn bản mới #{new}", page=at_page, new=new_id)
    return RedirectResponse(f"/review/{doc_id}", status_code=303)


@router.post("/review/{doc_id}/move")
def move(request: Request, ctx: Ctx, who: Reviewer, doc_id: int, file_id: Annotated[str, Form()] = "",
         file: Annotated[str, Form()] = "") -> Response:
    """File the document elsewhere (the hồ sơ the file picker names): it keeps the stricter of its own protection
    and the file's level."""
    require_visible(ctx, who, doc_id)
    try:
        target = _picked(ctx, who, "files", file, file_id)
        filing.move_document(ctx, doc_id, target, actor=who.username, principal=who)
    except (ValidationFailed, NotFound) as exc:
        return _screen(request, ctx, who, doc_id, error=exc)
    flash(request, "Đã chuyển văn bản #{doc} sang hồ sơ số {file}", doc=doc_id, file=target)
    return RedirectResponse(f"/review/{doc_id}", status_code=303)


def _numbers(text: str) -> list[int]:
    return [int(x) for x in text.replace(" ", "").split(",") if x]


@router.post("/review/{doc_id}/reorder")
def reorder(request: Request, ctx: Ctx, who: Reviewer, doc_id: int, order: Annotated[str, Form()] = "",
            positions: Annotated[str, Form()] = "", page: Annotated[int | None, Form()] = None,
            step: Annotated[int | None, Form()] = None) -> Response:
    """The new page order as the thumbnail editor posts it: ``positions`` (the pages' current numbers in their
    new order, built by the drag and drop), or one ``page`` moved one ``step`` (−1/+1: the move buttons,
    which work without JavaScript); ``order`` (page ids) is the API's older form."""
    require_visible(ctx, who, doc_id)
    try:
        if order:
            review.reorder_pages(ctx, doc_id, _numbers(order), actor=who.username, principal=who)
        else:
            if page is not None and step is not None:
                count = len(review.get_document(ctx, doc_id, principal=who).pages)
                wanted = page_editor.moved_positions(count, page, step)
            else:
                wanted = _numbers(positions)
            page_editor.reorder_by_positions(ctx, doc_id, wanted, actor=who.username, principal=who)
    except (ValueError, ValidationFailed) as exc:
        error = exc if isinstance(exc, ValidationFailed) else "Thứ tự trang không hợp lệ"
        return _screen(request, ctx, who, doc_id, error=error)
    if page is not None and step is not None and not order:
        flash(request, "Đã chuyển trang {page} sang vị trí {to}", page=page, to=page + step)
    else:
        flash(request, "Đã sắp xếp lại thứ tự trang")
    return RedirectResponse(f"/review/{doc_id}#page-editor", status_code=303)


@router.post("/review/{doc_id}/rotate")
def rotate(request: Request, ctx: Ctx, who: Reviewer, doc_id: int, page: Annotated[int, Form()],
           degrees: Annotated[int, Form()]) -> Response:
    """Turn one page (the master stays as scanned: see :mod:`sohoa.services.production.page_editor`)."""
    require_visible(ctx, who, doc_id)
    try:
        now = page_editor.rotate_page(ctx, doc_id, page, degrees, actor=who.username, principal=who)
    except ValidationFailed as exc:
        return _screen(request, ctx, who, doc_id, error=exc)
    flash(request, "Đã xoay trang {page} thêm {degrees}° (nay {now}° so với bản quét)", page=page, degrees=degrees,
          now=now)
    return RedirectResponse(f"/review/{doc_id}#page-editor", status_code=303)


@router.get("/pages/{page_id}/thumbnail")
def page_thumbnail(ctx: Ctx, who: PageViewer, page_id: int) -> Response:
    """A page's thumbnail by page id (stable when pages are reordered; ``?r=`` carries its rotation, so a turn
    is never served from the browser's cache). Not audited per thumbnail: the review screen that shows the
    strip records one page.view for the document."""
    data = page_editor.page_thumbnail(ctx, page_id, principal=who)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/pages/{page_id}/image")
def page_image(ctx: Ctx, who: PageViewer, page_id: int) -> Response:
    data, media_type, _w, _h = review.page_image(ctx, page_id, principal=who)
    return Response(data, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})

