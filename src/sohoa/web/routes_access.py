"""Admin routes of the access layer: the audit viewer (filters, export) and access changes with warnings."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from sohoa.domain.errors import NotFound, SohoaError
from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.catalogue.audit_view import AuditFilter, export_events, list_audit_events, verify_log
from sohoa.services.catalogue.lookup import resolve
from sohoa.services.identity.access_changes import (
    AccessChange,
    AccessWarning,
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
Typed = Annotated[str, Form(max_length=300)]  # what a picker's text field sends ("CODE — Title", or typed)


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
                                                "verify": verify, "query": query,
                                                # the page shows the viewer's zone, the export the installation's
                                                "shown_zone": who.time_zone or ctx.settings.time_zone,
                                                "export_zone": ctx.settings.time_zone})


@router.get("/admin/audit/export")
def audit_export(ctx: Ctx, who: Admin, format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
                 actor: Short = None, action: Short = None, entity_type: Short = None) -> Response:
    content, media, name = export_events(ctx, _filter(actor, action, entity_type), format, withhold_secret=True)
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _page(request: Request, ctx: AppContext, warnings: tuple[AccessWarning, ...] = (),
          error: SohoaError | None = None, result: AccessChange | None = None) -> Response:
    return render(request, "admin_access.html", {"grants": list_grants(ctx), "warnings": warnings,
                                                 "error": error, "changed": result},
                  status_code=400 if error else 200)


@router.get("/admin/access", response_class=HTMLResponse)
def access_page(request: Request, ctx: Ctx, who: Admin) -> Response:
    return _page(request, ctx)


def _file(ctx: AppContext, who: Principal, typed: str, picked: str) -> int:
    """The file a form names: picked in the picker (``picked``: its id), or typed (``typed``): its code, its
    exact title or a "CODE — Title" line; an exact code the picker does not offer (a độ mật file, which no
    lookup names on the network) still resolves, as this form always took it."""
    try:
        return resolve(ctx, who, "files", typed, picked)
    except NotFound:
        return resolve_file(ctx, typed.partition(" — ")[0])


@router.post("/admin/access/grants", response_class=HTMLResponse)
def access_grant(request: Request, ctx: Ctx, who: Admin, file_id: Typed, username: Annotated[str, Form()],
                 days: Annotated[int, Form()], reason: Annotated[str, Form(max_length=500)],
                 file_pick: Annotated[str, Form(max_length=20)] = "") -> Response:
    """``file_id``: the file as picked or typed: its code (mã hồ sơ), "CODE — Title", its title or its number;
    ``file_pick``: the id the picker chose."""
    try:
        chosen = _file(ctx, who, file_id, file_pick)
        return _page(request, ctx, grant_file(ctx, chosen, username, days, who.username, reason).warnings)
    except SohoaError as exc:
        return _page(request, ctx, error=exc)


@router.post("/admin/access/grants/{grant_id}/revoke", response_class=HTMLResponse)
def access_revoke(request: Request, ctx: Ctx, who: Admin, grant_id: int) -> Response:
    revoke_grant(ctx, grant_id, who.username)
    return _page(request, ctx, (AccessWarning("Đã thu hồi quyền", "Access revoked"),))


@router.post("/admin/access/level", response_class=HTMLResponse)
def access_level(request: Request, ctx: Ctx, who: Admin, file_id: Typed, level: Annotated[str, Form()],
                 reason: Annotated[str, Form(max_length=500)],
                 file_pick: Annotated[str, Form(max_length=20)] = "") -> Response:
    """``file_id``/``file_pick`` as for grants; the same service as the arrangement screen."""
    try:
        chosen = _file(ctx, who, file_id, file_pick)
        change = change_file_access(ctx, chosen, level, who.username, reason, role=who.role)
        return _page(request, ctx, change.warnings, result=change)
    except SohoaError as exc:
        return _page(request, ctx, error=exc)
