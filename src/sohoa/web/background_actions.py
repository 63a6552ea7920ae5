"""The buttons of the preservation page that start a pass now (fixity, OCFL sync, replica catch-up, backup): one
shape for all — refused while the pass's lease is held (a scheduled or another started pass is running), audited,
run in a daemon thread of the web process, answered with a flash message and a redirect back to the page."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.lease import lease_holder
from sohoa.web.flash import flash

__all__ = ["start_in_background"]

PAGE = "/staff/preservation"


def start_in_background(request: Request, ctx: AppContext, who: Principal, *, lease: str, action: str,
                        job: Callable[[], None], thread: str, state: str, started: str, busy: str,
                        anchor: str = "") -> Response:
    """Run ``job`` in the background unless the ``lease`` is held; audit ``action`` by ``who``. The thread is kept
    on ``app.state.<state>`` (tests wait for it)."""
    back = RedirectResponse(f"{PAGE}{anchor}", status_code=303)
    if lease_holder(ctx, lease) is not None:
        flash(request, busy, kind="error")
        return back
    with ctx.db.session() as session:
        record_event(session, who.username, action, None, None, {"trigger": "web"})
    worker = threading.Thread(target=job, name=thread, daemon=True)
    worker.start()
    setattr(request.app.state, state, worker)
    flash(request, started)
    return back
