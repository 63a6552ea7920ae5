"""Staff screens of personal data (Luật 91/2025/QH15): the entity index and data subject requests.

``/staff/personal-data`` searches records by a person's name (tone-insensitive), an ID or phone number, a land
parcel or an address, within a unit's lineage, with the purpose every query states (audited); results link to the
staff document page. ``/staff/personal-data/requests`` lists and records data subject requests; a request's page
runs the entity index for the subject, attaches what was found, records corrections and restrictions, answers
the request and exports the answer. Everything is behind ``personal.search`` (admins, archivists, unit officers).
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
from datetime import UTC, date, datetime, time
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sohoa.domain.errors import SohoaError, ValidationFailed
from sohoa.domain.personal import PersonalKind, kind_label
from sohoa.http.deps import Ctx
from sohoa.http.i18n import request_lang
from sohoa.http.rules import require
from sohoa.services.catalogue import subject_requests as sr
from sohoa.services.catalogue.lookup import resolve
from sohoa.services.catalogue.personal_search import PeopleResult, search_people
from sohoa.services.catalogue.subject_request_export import export_answer
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.web.deps import optional_int
from sohoa.web.flash import flash
from sohoa.web.templating import render

__all__ = ["ACTION_NAMES", "PAGE_SIZE", "REQUEST_KIND_NAMES", "STATUS_NAMES", "router"]

router = APIRouter(prefix="/staff/personal-data", include_in_schema=False)
Searcher = Annotated[Principal, require(Permission.PERSONAL_SEARCH)]
Short = Annotated[str, Query(max_length=300)]
Text = Annotated[str, Form(max_length=300)]
Long = Annotated[str, Form(max_length=5000)]
PAGE_SIZE = 20
# How the codes of requests read (Vietnamese; the English in sohoa.http.i18n_en_personal).
REQUEST_KIND_NAMES = {"access": "Cung cấp dữ liệu", "correction": "Chỉnh sửa dữ liệu",
                      "restriction": "Hạn chế xử lý dữ liệu", "deletion": "Xóa dữ liệu"}
STATUS_NAMES = {"open": "Đang xử lý", "answered": "Đã trả lời", "refused": "Đã từ chối"}
ACTION_NAMES = {"found": "Tìm thấy", "correction": "Cải chính", "restriction": "Hạn chế xử lý"}
_NAMES = {"kind_names_of_request": REQUEST_KIND_NAMES, "status_names": STATUS_NAMES, "action_names": ACTION_NAMES}


def _kinds(lang: str) -> list[tuple[str, str]]:
    return [(k.value, kind_label(k, lang)) for k in PersonalKind]


def _unit(ctx: AppContext, who: Principal, unit: str, unit_id: str) -> int | None:
    return resolve(ctx, who, "units", unit, unit_id) if unit.strip() else None


@router.get("", response_class=HTMLResponse)
def search_page(request: Request, ctx: Ctx, who: Searcher, q: Short = "", kind: Short = "", unit: Short = "",
                unit_id: Annotated[str, Query(max_length=20)] = "", purpose: Short = "",
                page: Annotated[int, Query(ge=1, le=1000)] = 1) -> Response:
    """The search form; with ``q`` the values found and their records (refused without a purpose)."""
    form = {"q": q, "kind": kind, "unit": unit, "unit_id": unit_id, "purpose": purpose}
    result: PeopleResult | None = None
    error: SohoaError | None = None
    if q.strip():
        try:
            result = search_people(ctx, who, q, kind=kind or None, unit_id=_unit(ctx, who, unit, unit_id),
                                   purpose=purpose, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        except SohoaError as exc:
            error = exc
    query = urlencode({k: v for k, v in form.items() if v})
    return render(request, "personal_search.html",
                  {"form": form, "result": result, "error": error, "kinds": _kinds(request_lang(request)),
                   "kind_names": dict(_kinds(request_lang(request))), "page": page,
                   "pages": -(-result.total // PAGE_SIZE) if result else 0, "query": query},
                  status_code=400 if error else 200)


def _requests_page(request: Request, ctx: AppContext, who: Principal, *, status: str = "",
                   error: SohoaError | None = None, form: dict[str, str] | None = None) -> Response:
    return render(request, "personal_requests.html",
                  {"requests": sr.list_requests(ctx, who, status or None), "status": status, "error": error,
                   "form": form or {"received": date.today().isoformat()}, "kinds": sr.REQUEST_KINDS, **_NAMES},
                  status_code=400 if error else 200)


@router.get("/requests", response_class=HTMLResponse)
def requests_page(request: Request, ctx: Ctx, who: Searcher,
                  status: Annotated[str, Query(pattern="^(|open|answered|refused)$")] = "") -> Response:
    return _requests_page(request, ctx, who, status=status)


def _received(ctx: AppContext, typed: str) -> datetime | None:
    if not typed:
        return None
    try:
        day = date.fromisoformat(typed)
    except ValueError as exc:
        raise ValidationFailed("Ngày nhận không hợp lệ", "Invalid date received") from exc
    zone = ZoneInfo(ctx.settings.time_zone)
    if day == datetime.now(zone).date():
        return datetime.now(UTC)
    return datetime.combine(day, time(8, 0), tzinfo=zone)


@router.post("/requests")
def create_request(request: Request, ctx: Ctx, who: Searcher, request_kind: Text, subject_name: Text,
                   requester: Text, subject_id_number: Text = "", contact: Text = "", unit: Text = "",
                   unit_id: Annotated[str, Form(max_length=20)] = "", received: Text = "", note: Long = "",
                   ) -> Response:
    form = {"request_kind": request_kind, "subject_name": subject_name, "requester": requester,
            "subject_id_number": subject_id_number, "contact": contact, "unit": unit, "unit_id": unit_id,
            "received": received, "note": note}
    try:
        code = sr.create_request(ctx, who, sr.NewRequest(
            request_kind, subject_name, requester, subject_id_number or None, contact or None,
            _unit(ctx, who, unit, unit_id), _received(ctx, received), note or None))
    except SohoaError as exc:
        return _requests_page(request, ctx, who, error=exc, form=form)
    flash(request, "Đã ghi nhận yêu cầu {code}", code=code)
    return RedirectResponse(f"/staff/personal-data/requests/{code}", status_code=303)


def _request_page(request: Request, ctx: AppContext, who: Principal, code: str,
                  error: SohoaError | None = None) -> Response:
    view = sr.get_request(ctx, who, code)
    found = sr.find_for_request(ctx, who, view.row.code) if view.row.status == "open" else ()
    attached = {(i.document_id, i.datum_id) for i in view.items if i.action == "found"}
    return render(request, "personal_request.html",
                  {"view": view, "found": found, "attached": attached, "error": error,
                   "kind_names": dict(_kinds(request_lang(request))), **_NAMES}, status_code=400 if error else 200)


@router.get("/requests/{code}", response_class=HTMLResponse)
def request_page(request: Request, ctx: Ctx, who: Searcher, code: str) -> Response:
    """The request; while it is open, the entity index for its subject (audited with its code as purpose)."""
    return _request_page(request, ctx, who, code)


@router.post("/requests/{code}/items")
def request_item(request: Request, ctx: Ctx, who: Searcher, code: str,
                 action: Annotated[str, Form(pattern="^(found|correction|restriction)$")],
                 document_id: Annotated[int, Form()], datum_id: Annotated[str, Form(max_length=20)] = "",
                 corrected_value: Text = "", note: Long = "") -> Response:
    datum = optional_int(datum_id)
    try:
        if action == "found":
            sr.add_found(ctx, who, code, document_id, datum)
            message = "Đã thêm văn bản #{doc} vào kết quả"
        elif datum is None:
            raise ValidationFailed("Hãy chọn dữ liệu", "Choose a value")
        elif action == "correction":
            sr.record_correction(ctx, who, code, datum, corrected_value, note or None)
            message = "Đã ghi nhận cải chính trong văn bản #{doc}"
        else:
            sr.record_restriction(ctx, who, code, datum, note or None)
            message = "Đã hạn chế xử lý dữ liệu trong văn bản #{doc}"
    except SohoaError as exc:
        return _request_page(request, ctx, who, code, error=exc)
    flash(request, message, doc=document_id)
    return RedirectResponse(f"/staff/personal-data/requests/{code}#items", status_code=303)


@router.post("/requests/{code}/answer")
def request_answer(request: Request, ctx: Ctx, who: Searcher, code: str,
                   outcome: Annotated[str, Form(pattern="^(answered|refused)$")], answer: Long = "") -> Response:
    try:
        sr.answer_request(ctx, who, code, outcome, answer)
    except SohoaError as exc:
        return _request_page(request, ctx, who, code, error=exc)
    flash(request, "Đã trả lời yêu cầu {code}" if outcome == "answered" else "Đã từ chối yêu cầu {code}",
          code=code.upper())
    return RedirectResponse(f"/staff/personal-data/requests/{code}", status_code=303)


@router.get("/requests/{code}/answer.xlsx")
def request_export(ctx: Ctx, who: Searcher, code: str) -> Response:
    content, media, name = export_answer(ctx, who, code)
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
