"""API v1: files, fonds, units, the events feed, saved searches and webhooks."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies built in the closures.
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from sohoa.api.deps import ApiDeps
from sohoa.api.http import Id, decode_cursor, encode_cursor, etag_json, guarded
from sohoa.api.schemas import ListOut, SavedSearchIn, SavedSearchOut, WebhookCreated, WebhookIn, WebhookOut
from sohoa.api.security import Caller
from sohoa.services.catalogue.listing import list_events, list_files, list_fonds, list_units
from sohoa.services.catalogue.saved_searches import delete_saved_search, list_saved_searches, save_search
from sohoa.services.catalogue.search import SearchRequest
from sohoa.services.sharing.webhooks import create_webhook, delete_webhook, list_webhooks

__all__ = ["add_meta_routes"]

Limit = Annotated[int, Query(ge=1, le=200)]


def _owner(caller: Caller) -> str:
    if caller.client is None:
        raise HTTPException(401, "Cần mã truy cập / a token is required", headers={"WWW-Authenticate": "Bearer"})
    return caller.actor


def add_meta_routes(router: APIRouter, deps: ApiDeps) -> None:
    """Register the routes on ``router``."""
    ctx = deps.ctx
    Anyone = Annotated[Caller, deps.caller()]
    Admin = Annotated[Caller, deps.caller("admin")]

    @router.get("/files", response_model=ListOut, summary="Hồ sơ / files")
    def api_files(request: Request, caller: Anyone, cursor: str | None = None, limit: Limit = 50) -> Response:
        items, last = list_files(ctx, caller.principal, after=decode_cursor(cursor), limit=limit)
        return etag_json(request, {"items": items, "next_cursor": encode_cursor(last)})

    @router.get("/fonds", response_model=ListOut, summary="Phông lưu trữ / fonds")
    def api_fonds(request: Request, caller: Anyone, cursor: str | None = None, limit: Limit = 50) -> Response:
        items, last = list_fonds(ctx, after=decode_cursor(cursor), limit=limit)
        return etag_json(request, {"items": items, "next_cursor": encode_cursor(last)})

    @router.get("/units", response_model=ListOut, summary="Cơ quan, đơn vị / units")
    def api_units(request: Request, caller: Anyone, cursor: str | None = None, limit: Limit = 50) -> Response:
        items, last = list_units(ctx, after=decode_cursor(cursor), limit=limit)
        return etag_json(request, {"items": items, "next_cursor": encode_cursor(last)})

    @router.get("/events", response_model=ListOut, summary="Dòng sự kiện văn bản / document events feed")
    def api_events(request: Request, caller: Anyone, cursor: str | None = None, limit: Limit = 50) -> Response:
        items, last = list_events(ctx, caller.principal, after=decode_cursor(cursor), limit=limit)
        return etag_json(request, {"items": items, "next_cursor": encode_cursor(last)})

    @router.get("/saved-searches", response_model=list[SavedSearchOut], summary="Tìm kiếm đã lưu / saved searches")
    def api_saved(caller: Anyone) -> list[SavedSearchOut]:
        return [SavedSearchOut(id=s.id, name=s.name, query=s.query, params=s.params)
                for s in list_saved_searches(ctx, _owner(caller))]

    @router.post("/saved-searches", response_model=SavedSearchOut, status_code=201, summary="Lưu tìm kiếm")
    def api_save(caller: Anyone, body: SavedSearchIn) -> SavedSearchOut:
        owner = _owner(caller)
        wanted = SearchRequest(query=body.query, unit=body.unit, year=body.year, type_name=body.type_name,
                               sort=body.sort)
        saved = guarded(lambda: save_search(ctx, owner, body.name, wanted))
        return SavedSearchOut(id=saved.id, name=saved.name, query=saved.query, params=saved.params)

    @router.delete("/saved-searches/{saved_id}", status_code=204, summary="Xóa tìm kiếm đã lưu")
    def api_unsave(caller: Anyone, saved_id: Id) -> Response:
        owner = _owner(caller)
        guarded(lambda: delete_saved_search(ctx, owner, saved_id))
        return Response(status_code=204)

    @router.get("/webhooks", response_model=list[WebhookOut], summary="Webhooks (admin)")
    def api_webhooks(caller: Admin) -> list[WebhookOut]:
        return [WebhookOut(id=w.id, url=w.url, events=list(w.events), active=w.active) for w in list_webhooks(ctx)]

    @router.post("/webhooks", response_model=WebhookCreated, status_code=201, summary="Đăng ký webhook (admin)")
    def api_add_webhook(caller: Admin, body: WebhookIn) -> WebhookCreated:
        info, secret = guarded(lambda: create_webhook(ctx, body.url, body.events, caller.actor))
        return WebhookCreated(id=info.id, url=info.url, events=list(info.events), active=info.active, secret=secret)

    @router.delete("/webhooks/{webhook_id}", status_code=204, summary="Hủy webhook (admin)")
    def api_delete_webhook(caller: Admin, webhook_id: Id) -> Response:
        guarded(lambda: delete_webhook(ctx, webhook_id, caller.actor))
        return Response(status_code=204)
