"""Who reads through IIIF, and the headers every IIIF answer carries.

A viewer on a staff page sends the session cookie; a city system sends its API token as a bearer token
(the token wins when both come). Everything else is anonymous and sees what the public sees. Answers about
public content may be kept by shared caches and read from other origins (CORS); others are private and
revalidated on every use, so that a change of access takes effect at once.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from sohoa.http.deps import get_ctx
from sohoa.http.ratelimit import RateLimiter, address_key
from sohoa.http.rules import public
from sohoa.services.identity.principal import Principal
from sohoa.services.identity.tokens import authenticate_token
from sohoa.services.sharing.iiif_disk import TileStore
from sohoa.services.sharing.iiif_images import ImageCache

__all__ = ["Reader", "base_url", "cache_headers", "image_cache", "staff_session", "tile_store"]

PUBLIC_MAX_AGE = 3600
_LOCK = threading.Lock()


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _reader(request: Request, session_principal: Principal | None = public(csrf=False)) -> Principal | None:
    raw = _bearer(request)
    if raw is None:
        return session_principal
    ctx = get_ctx(request)

    def check() -> Principal | None:
        with ctx.db.session() as session:
            client = authenticate_token(session, raw)
            return client.principal() if client is not None else None

    principal = await run_in_threadpool(check)
    if principal is None:
        # a wrong token counts against the caller's address, as on the API: guessing tokens is rate limited
        wait = _guesses(request).take(address_key(request.client.host if request.client else None))
        if wait > 0:
            seconds = max(1, round(wait))
            raise HTTPException(429, f"Quá nhiều yêu cầu, hãy thử lại sau {seconds} giây / retry in {seconds} s",
                                headers={"Retry-After": str(seconds)})
        raise HTTPException(401, "Mã truy cập không hợp lệ / invalid or revoked token",
                            headers={"WWW-Authenticate": "Bearer"})
    return principal


def _guesses(request: Request) -> RateLimiter:
    """Wrong bearer tokens per client address (at the API's rate); valid readers are not limited here:
    a viewer asks dozens of tiles a second."""
    state = request.app.state
    with _LOCK:
        limiter: RateLimiter | None = getattr(state, "sohoa_iiif_guesses", None)
        if limiter is None:
            limiter = RateLimiter(get_ctx(request).settings.api_rate_per_minute)
            state.sohoa_iiif_guesses = limiter
        return limiter


Reader = Annotated[Principal | None, Depends(_reader)]


def staff_session(request: Request, reader: Principal | None) -> bool:
    """Whether a staff member reads through the session cookie (a browser on the staff site)."""
    return reader is not None and reader.user_id > 0 and _bearer(request) is None


def base_url(request: Request, reader: Principal | None) -> str:
    """Scheme and host of IIIF ids (no slash): SOHOA_PUBLIC_URL when set, except for a staff session, which
    keeps the address it came to (the staff site may not be reachable under the public name)."""
    public = get_ctx(request).settings.public_url
    return public if public and not staff_session(request, reader) else str(request.base_url).rstrip("/")


def cache_headers(public_content: bool, etag: str | None = None) -> dict[str, str]:
    """Cache-Control (and CORS for public content) of an IIIF answer."""
    headers = {"Vary": "Authorization, Cookie, Accept"}
    if public_content:
        headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        headers["Access-Control-Allow-Origin"] = "*"
    else:
        headers["Cache-Control"] = "private, no-cache"
    if etag:
        headers["ETag"] = etag
    return headers


def image_cache(request: Request) -> ImageCache:
    """The decoded-page cache of this application (made on first use, sized by the settings)."""
    state = request.app.state
    with _LOCK:
        cache: ImageCache | None = getattr(state, "sohoa_iiif_cache", None)
        if cache is None:
            cache = ImageCache(get_ctx(request).settings.iiif_cache_mb * 2**20)
            state.sohoa_iiif_cache = cache
        return cache


def tile_store(request: Request) -> TileStore | None:
    """The disk cache of encoded answers under the data directory (None when SOHOA_IIIF_DISK_CACHE_MB is 0)."""
    settings = get_ctx(request).settings
    if settings.iiif_disk_cache_mb == 0:
        return None
    state = request.app.state
    with _LOCK:
        store: TileStore | None = getattr(state, "sohoa_iiif_tiles", None)
        if store is None:
            store = TileStore(settings.data / "cache" / "iiif", settings.iiif_disk_cache_mb * 2**20)
            state.sohoa_iiif_tiles = store
        return store
