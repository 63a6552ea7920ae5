"""Admin routes of the access layer: the audit viewer (filters, export) and access changes with warnings."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from sohoa.domain.errors import SohoaError
from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.catalogue.audit_view import AuditFilter, export_events, list_audit_events, verify_log
from sohoa.services.identity.access_changes import (
    AccessChange,
    change_file_access,
    grant_file,
    list_grants,
    resolve_file,
    revoke_grant,
)
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.web.templating import render

__all__ = ["router"]

# GET /admin/audit, /admin/audit/export; GET/POST /admin/access…
router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, require(Permission.ADMIN)]
Short = Annotated[str | None, Query(max_length=100)]


def _filter(actor: str | None, action: str | None, entity_type: str | None) -> AuditFilter:
    return AuditFilter(actor=actor or None, action=action or None, entity_type=entity_type or None)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, ctx: Ctx, who: Admin, actor: Short = None, action: Short = None,
               entity_type: Short = None, before: int | None = None) -> Response:
    filt = _filter(actor, action, entity_type)
    events, older = list_audit_events(ctx, filt, before=before, limit=100,
                                      withhold_secret=True)  # độ mật payloads stay on the machine
    verify = verify_log(ctx)
    query = urlencode({k: v for k, v in {"actor": actor, "action": action, "entity_type": entity_type}.items()
                       if v})
    return render(request, "admin_audit.html", {"events": events, "older": older, "f": filt,
                                                "verify": verify, "query": query})


@router.get("/admin/audit/export")
def audit_export(ctx: Ctx, who: Admin, format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
                 actor: Short = None, action: Short = None, entity_type: Short = None) -> Response:
    content, media, name = export_events(ctx, _filter(actor, action, entity_type), format, withhold_secret=True)
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _page(request: Request, ctx: AppContext, warnings: tuple[str, ...] = (),
          error: SohoaError | None = None, result: AccessChange | None = None) -> Response:
    return render(request, "admin_access.html", {"grants": list_grants(ctx), "warnings": warnings,
                                                 "error": error, "changed": result},
                  status_code=400 if error else 200)


@router.get("/admin/access", response_class=HTMLResponse)
def access_page(request: Request, ctx: Ctx, who: Admin) -> Response:
    return _page(request, ctx)


@router.post("/admin/access/grants", response_class=HTMLResponse)
def access_grant(request: Request, ctx: Ctx, who: Admin, file_id: Annotated[str, Form(max_length=100)],
                 username: Annotated[str, Form()], days: Annotated[int, Form()],
                 reason: Annotated[str, Form(max_length=500)]) -> Response:
    """``file_id``: the file's code (mã hồ sơ) as people type it, or its number."""
    try:
        return _page(request, ctx, grant_file(ctx, resolve_file(ctx, file_id), username, days, who.username,
                                              reason).warnings)
    except SohoaError as exc:
        return _page(request, ctx, error=exc)


@router.post("/admin/access/grants/{grant_id}/revoke", response_class=HTMLResponse)
def access_revoke(request: Request, ctx: Ctx, who: Admin, grant_id: int) -> Response:
    revoke_grant(ctx, grant_id, who.username)
    return _page(request, ctx, ("Đã thu hồi quyền",))


@router.post("/admin/access/level", response_class=HTMLResponse)
def access_level(request: Request, ctx: Ctx, who: Admin, file_id: Annotated[str, Form(max_length=100)],
                 level: Annotated[str, Form()], reason: Annotated[str, Form(max_length=500)]) -> Response:
    """``file_id``: the file's code (mã hồ sơ) or its number; the same service as the arrangement screen."""
    try:
        change = change_file_access(ctx, resolve_file(ctx, file_id), level, who.username, reason, role=who.role)
        return _page(request, ctx, change.warnings, result=change)
    except SohoaError as exc:
        return _page(request, ctx, error=exc)
