"""Type-ahead lookups of the staff pickers (``static/picker.js``): units, fonds, hồ sơ and documents as JSON.

``GET /staff/lookup/{units,fonds,files,documents}?q=…`` answers at most 20 lines, codes first, each with the
id the form sends, the "CODE — Name" text the field shows once picked, and the label of the list (a
dissolved unit marked "(cũ)" with its successors). Files and documents are those the caller may see.
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from sohoa.http.deps import Ctx
from sohoa.http.i18n import request_lang, translate
from sohoa.http.rules import require
from sohoa.services.catalogue.lookup import Choice, lookup
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal

__all__ = ["choice_label", "router"]

router = APIRouter(prefix="/staff/lookup", include_in_schema=False)
Staff = Annotated[Principal, require(Permission.AUTHENTICATED)]
Reader = Annotated[Principal, require(Permission.DOCUMENT_READ)]
Typed = Annotated[str, Query(max_length=100)]
_SHOWN_SUCCESSORS = 3


def choice_label(choice: Choice, kind: str, lang: str) -> str:
    """The line of the list: "CODE — Name", a dissolved unit's "(cũ) → successors", a fonds' unit."""
    label = choice.text
    if kind == "units" and choice.old:
        label += f" ({translate('cũ', lang)})"
        if choice.successors:
            shown = ", ".join(choice.successors[:_SHOWN_SUCCESSORS])
            label += f" → {shown}" + ("…" if len(choice.successors) > _SHOWN_SUCCESSORS else "")
    elif choice.note and kind in ("fonds", "documents"):
        label += f" · {choice.note}"
    return label


def _answer(request: Request, kind: str, choices: list[Choice]) -> JSONResponse:
    lang = request_lang(request)
    return JSONResponse(
        {
            "items": [
                {"id": c.id, "code": c.code, "text": c.text, "label": choice_label(c, kind, lang)} for c in choices
            ]
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/units")
def units(request: Request, ctx: Ctx, who: Staff, q: Typed = "") -> JSONResponse:
    return _answer(request, "units", lookup(ctx, who, "units", q))


@router.get("/fonds")
def fonds(request: Request, ctx: Ctx, who: Reader, q: Typed = "") -> JSONResponse:
    return _answer(request, "fonds", lookup(ctx, who, "fonds", q))


@router.get("/files")
def files(request: Request, ctx: Ctx, who: Reader, q: Typed = "") -> JSONResponse:
    return _answer(request, "files", lookup(ctx, who, "files", q))


@router.get("/documents")
def documents(request: Request, ctx: Ctx, who: Reader, q: Typed = "") -> JSONResponse:
    return _answer(request, "documents", lookup(ctx, who, "documents", q))
