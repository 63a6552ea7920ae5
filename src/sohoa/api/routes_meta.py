"""API v1: files, fonds, units, the events feed, saved searches and webhooks."""

# No `from __future__ import annotations`: FastAPI reads the Annotated dependencies at import.
from typing import Annotated

from fastapi import HTTPException, Query, Request
from fastapi.responses import Response

from sohoa.api.deps import Admin, Anyone, api_router
from sohoa.api.http import CACHED, Cursor, Id, decode_cursor, encode_cursor, etag_json
from sohoa.api.schemas import (
    EventPage,
    FilePage,
    FondsPage,
    SavedSearchIn,
    SavedSearchOut,
    UnitPage,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
)
from sohoa.api.security import Caller
from sohoa.http.deps import Ctx
from sohoa.services.catalogue.listing import list_events, list_files, list_fonds, list_units
from sohoa.services.catalogue.saved_searches import delete_saved_search, list_saved_searches, save_search
from sohoa.services.catalogue.search import SearchRequest
from sohoa.services.sharing.webhooks import create_webhook, delete_webhook, list_webhooks

__all__ = ["router"]

router = api_router()

Limit = Annotated[int, Query(ge=1, le=200)]


def _owner(caller: Caller) -> str:
    if caller.client is None:
        raise HTTPException(401, "Cần mã truy cập / a token is required", headers={"WWW-Authenticate": "Bearer"})
    return caller.actor


@router.get("/files", response_model=FilePage, responses=CACHED, summary="Hồ sơ / files")
def api_files(request: Request, ctx: Ctx, caller: Anyone, cursor: Cursor = None, limit: Limit = 50) -> Response:
    items, last = list_files(ctx, caller.principal, after=decode_cursor(cursor), limit=limit)
    return etag_json(request, FilePage.model_validate({"items": items, "next_cursor": encode_cursor(last)}))


@router.get("/fonds", response_model=FondsPage, responses=CACHED, summary="Phông lưu trữ / fonds")
def api_fonds(request: Request, ctx: Ctx, caller: Anyone, cursor: Cursor = None, limit: Limit = 50) -> Response:
    items, last = list_fonds(ctx, after=decode_cursor(cursor), limit=limit)
    return etag_json(request, FondsPage.model_validate({"items": items, "next_cursor": encode_cursor(last)}))


@router.get("/units", response_model=UnitPage, responses=CACHED, summary="Cơ quan, đơn vị / units")
def api_units(request: Request, ctx: Ctx, caller: Anyone, cursor: Cursor = None, limit: Limit = 50) -> Response:
    items, last = list_units(ctx, after=decode_cursor(cursor), limit=limit)
    return etag_json(request, UnitPage.model_validate({"items": items, "next_cursor": encode_cursor(last)}))


@router.get("/events", response_model=EventPage, responses=CACHED,
            summary="Dòng sự kiện văn bản / document events feed")
def api_events(request: Request, ctx: Ctx, caller: Anyone, cursor: Cursor = None, limit: Limit = 50) -> Response:
    items, last = list_events(ctx, caller.principal, after=decode_cursor(cursor), limit=limit)
    return etag_json(request, EventPage.model_validate({"items": items, "next_cursor": encode_cursor(last)}))


@router.get("/saved-searches", response_model=list[SavedSearchOut], summary="Tìm kiếm đã lưu / saved searches")
def api_saved(ctx: Ctx, caller: Anyone) -> list[SavedSearchOut]:
    return [SavedSearchOut.model_validate(s) for s in list_saved_searches(ctx, _owner(caller))]


@router.post("/saved-searches", response_model=SavedSearchOut, status_code=201, summary="Lưu tìm kiếm")
def api_save(ctx: Ctx, caller: Anyone, body: SavedSearchIn) -> SavedSearchOut:
    owner = _owner(caller)
    wanted = SearchRequest(query=body.query, unit=body.unit, year=body.year, type_name=body.type_name,
                           sort=body.sort)
    return SavedSearchOut.model_validate(save_search(ctx, owner, body.name, wanted))


@router.delete("/saved-searches/{saved_id}", status_code=204, response_class=Response,
               summary="Xóa tìm kiếm đã lưu")
def api_unsave(ctx: Ctx, caller: Anyone, saved_id: Id) -> Response:
    owner = _owner(caller)
    delete_saved_search(ctx, owner, saved_id)
    return Response(status_code=204)


@router.get("/webhooks", response_model=list[WebhookOut], summary="Webhooks (admin)")
def api_webhooks(ctx: Ctx, caller: Admin) -> list[WebhookOut]:
    return [WebhookOut.model_validate(w) for w in list_webhooks(ctx)]


@router.post("/webhooks", response_model=WebhookCreated, status_code=201, summary="Đăng ký webhook (admin)")
def api_add_webhook(ctx: Ctx, caller: Admin, body: WebhookIn) -> WebhookCreated:
    info, secret = create_webhook(ctx, body.url, list(body.events), caller.actor)
    return WebhookCreated(id=info.id, url=info.url, events=list(info.events), active=info.active, secret=secret)


@router.delete("/webhooks/{webhook_id}", status_code=204, response_class=Response, summary="Hủy webhook (admin)")
def api_delete_webhook(ctx: Ctx, caller: Admin, webhook_id: Id) -> Response:
    delete_webhook(ctx, webhook_id, caller.actor)
    return Response(status_code=204)
