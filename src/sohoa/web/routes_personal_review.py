"""Personal data on the review screen: the reviewer masks or shows each value found, adds a mask by text or by a
region drawn on a page, and previews the document as the public will see it. Every form works without
JavaScript (``static/personal-review.js`` only draws the region and outlines the values on the page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.personal import kind_label
from sohoa.http.deps import Ctx
from sohoa.http.i18n import request_lang
from sohoa.http.rules import require
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import personal_review
from sohoa.web.flash import flash
from sohoa.web.templating import render

__all__ = ["panel_values", "router"]

router = APIRouter()
Reviewer = Annotated[Principal, require(Permission.REVIEW)]


def panel_values(request: Request, ctx: AppContext, who: Principal, doc_id: int) -> dict[str, object]:
    """What ``_personal_data.html`` shows (``personal``), and the outlines the page viewer draws
    (``personal.viewer``: boxes in scan pixels, each [page, x0, y0, x1, y1]). Listing the values is audited."""
    lang = request_lang(request)
    spans = personal_review.review_spans(ctx, doc_id, principal=who)
    viewer = [{"id": s.id, "status": "masked" if s.masked else "shown", "label": s.label(lang),
               "boxes": [list(b) for b in s.boxes]} for s in spans if s.boxes]
    return {"spans": spans, "masked": personal_review.public_masked(ctx, doc_id, principal=who), "viewer": viewer,
            "kinds": [(k.value, kind_label(k), kind_label(k, "en")) for k in personal_review.KINDS],
            "open_add": not spans}


def _back(doc_id: int) -> Response:
    return RedirectResponse(f"/review/{doc_id}#personal-data", status_code=303)


def _failed(request: Request, doc_id: int, exc: ValidationFailed | NotFound) -> Response:
    flash(request, exc.vi, kind="error")  # the service's sentences, each in the English table
    return _back(doc_id)


@router.post("/review/{doc_id}/personal-data/{datum_id}/status")
def decide(request: Request, ctx: Ctx, who: Reviewer, doc_id: int, datum_id: int,
           status: Annotated[str, Form()], reason: Annotated[str, Form()] = "") -> Response:
    """Mask a value again, or decide it is not personal data: the public sees it as written."""
    try:
        span = personal_review.set_status(ctx, doc_id, datum_id, status, actor=who.username, reason=reason,
                                          principal=who)
    except ValidationFailed as exc:
        return _failed(request, doc_id, exc)
    if span.masked:
        flash(request, "Giá trị số {id} sẽ được che khi công bố", id=span.id)
    else:
        flash(request, "Giá trị số {id} sẽ hiển thị khi công bố", id=span.id)
    return _back(doc_id)


@router.post("/review/{doc_id}/personal-data/text")
def add_text(request: Request, ctx: Ctx, who: Reviewer, doc_id: int, text: Annotated[str, Form()],
             kind: Annotated[str, Form()], reason: Annotated[str, Form()] = "") -> Response:
    """Mask a value the detector missed, everywhere it occurs in the document."""
    try:
        span = personal_review.add_text_mask(ctx, doc_id, text, kind, actor=who.username, reason=reason,
                                             principal=who)
    except ValidationFailed as exc:
        return _failed(request, doc_id, exc)
    # (the value itself stays out of the message: flash messages live in the session cookie)
    flash(request, "Đã thêm vùng che số {id}: {count} vị trí trên các trang", id=span.id, count=len(span.boxes))
    return _back(doc_id)


@router.post("/review/{doc_id}/personal-data/region")
def add_region(request: Request, ctx: Ctx, who: Reviewer, doc_id: int, page: Annotated[int, Form()],
               x0: Annotated[int, Form()], y0: Annotated[int, Form()], x1: Annotated[int, Form()],
               y1: Annotated[int, Form()], kind: Annotated[str, Form()],
               reason: Annotated[str, Form()] = "") -> Response:
    """Mask a region of a page (scan pixels; drawn on the image with JavaScript, or typed)."""
    try:
        span = personal_review.add_region_mask(ctx, doc_id, page, (x0, y0, x1, y1), kind, actor=who.username,
                                               reason=reason, principal=who)
    except ValidationFailed as exc:
        return _failed(request, doc_id, exc)
    flash(request, "Đã thêm vùng che số {id} trên trang {page}", id=span.id, page=page)
    return _back(doc_id)


@router.get("/review/{doc_id}/personal-data/preview")
def preview(request: Request, ctx: Ctx, who: Reviewer, doc_id: int) -> Response:
    """The document as the public will see it once published: masked subject, page texts and page images."""
    shown = personal_review.public_preview(ctx, doc_id, principal=who)
    return render(request, "personal_preview.html", {"doc_id": doc_id, "preview": shown})


@router.get("/review/{doc_id}/personal-data/preview/{page_no}/image")
def preview_image(ctx: Ctx, who: Reviewer, doc_id: int, page_no: int) -> Response:
    """A page image with the personal data burned in, as the portal, the API and IIIF will serve it."""
    data, media_type = personal_review.public_page_image(ctx, doc_id, page_no, principal=who)
    return Response(data, media_type=media_type, headers={"Cache-Control": "private, no-cache"})
