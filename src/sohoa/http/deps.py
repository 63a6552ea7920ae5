"""Dependencies every router of web, portal and API shares: the application context as ``Ctx``.

Routers are module-level (``router = APIRouter(...)``); a handler that needs the context declares
``ctx: Ctx`` and gets the one the application was built over (``app.state.ctx``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sohoa.services.platform.context import AppContext

__all__ = ["Ctx", "get_ctx"]


def get_ctx(request: Request) -> AppContext:
    """The application context of the app serving ``request``."""
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]
