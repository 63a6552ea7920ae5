"""Flash messages: a line of feedback after an action, kept in the session and shown once on the next page.

A route that changes something and redirects calls ``flash(request, "Đã tạo đợt giao nộp {code}", code=…)``;
the text is an interface string (its English is in ``sohoa.http.i18n_en``), the parameters are filled in
after translation, so the message reads in the language of the page that shows it. ``take_flashes`` (the
layout calls it while rendering) empties the list: a message is shown once. Notices are read out by screen
readers as a status, errors as an alert (``base.html``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

__all__ = ["FLASH_KEY", "Flash", "flash", "take_flashes"]

FLASH_KEY = "flash"
KINDS = ("notice", "error")
MAX_KEPT = 5  # the session is a cookie: a handful of lines at most
MAX_PARAM = 200


@dataclass(frozen=True)
class Flash:
    """A message as shown: ``kind`` is "notice" (role=status) or "error" (role=alert)."""

    kind: str
    text: str


def _session(request: Request) -> dict[str, Any] | None:
    return request.session if "session" in request.scope else None


def flash(request: Request, text: str, *, kind: str = "notice", **params: object) -> None:
    """Keep a message for the next page this browser opens; ``text`` is the Vietnamese interface string."""
    session = _session(request)
    if session is None:
        return
    if kind not in KINDS:
        raise ValueError(f"unknown flash kind {kind!r}")
    kept = [m for m in session.get(FLASH_KEY, []) if isinstance(m, list) and len(m) == 3]
    kept.append([kind, text, {k: str(v)[:MAX_PARAM] for k, v in params.items()}])
    session[FLASH_KEY] = kept[-MAX_KEPT:]


def take_flashes(request: Request, translate: Callable[[str], str]) -> list[Flash]:
    """The messages kept for this browser, translated, and forgotten (each is shown once)."""
    session = _session(request)
    if session is None or FLASH_KEY not in session:
        return []
    shown: list[Flash] = []
    for entry in session.pop(FLASH_KEY) or []:
        if not (isinstance(entry, list) and len(entry) == 3 and entry[0] in KINDS and isinstance(entry[1], str)):
            continue
        kind, text, params = entry
        template = translate(text)
        try:
            shown.append(Flash(kind, template.format_map(params if isinstance(params, dict) else {})))
        except (KeyError, ValueError, IndexError):
            shown.append(Flash(kind, template))
    return shown
