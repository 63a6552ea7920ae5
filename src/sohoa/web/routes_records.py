"""Hồ sơ của đơn vị (our records): a unit's files and documents, with its predecessors' and successors'."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.production import arrangement
from sohoa.web.templating import render

__all__ = ["router"]

router = APIRouter()
Reader = Annotated[Principal, require(Permission.DOCUMENT_READ)]


@router.get("/our-records")
def our_records(
    request: Request, ctx: Ctx, who: Reader, q: Annotated[str, Query(max_length=500)] = ""
) -> Response:
    records = arrangement.unit_records(ctx, who, q)
    notice = None if records.unit_name else "Tài khoản của bạn chưa gắn với đơn vị nào"
    return render(request, "our_records.html", {"records": records, "notice": notice})

