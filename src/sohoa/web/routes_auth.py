"""Sign-in, sign-out, own account (password, language, time zone), language switch and the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from sohoa.domain.errors import ValidationFailed
from sohoa.http.deps import Ctx
from sohoa.http.i18n import LANGUAGES
from sohoa.http.rules import public, require
from sohoa.http.sessions import end_session, session_token, start_session
from sohoa.services.identity import accounts, preferences, user_sessions
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.preservation.fixity_report import open_problem_count
from sohoa.web.deps import local_path
from sohoa.web.flash import flash
from sohoa.web.templating import render

__all__ = ["router"]

router = APIRouter()

Anyone = Annotated[Principal | None, public()]
Signed = Annotated[Principal, require(Permission.AUTHENTICATED)]


# Bounded work: no account has a longer name (the column holds 64), and no password needs more; longer
# values are answered like any wrong password, before hashing or the database (which would refuse them).
MAX_USERNAME = 64
MAX_PASSWORD = 4096


@router.get("/login")
def login_form(request: Request, _who: Anyone, next: str = "/") -> Response:
    return render(request, "login.html", {"next": local_path(next)})


@router.post("/login")
def login(
    request: Request,
    ctx: Ctx,
    _who: Anyone,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    address = request.client.host if request.client else "?"
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        return render(request, "login.html", {"error": "Tên đăng nhập hoặc mật khẩu không đúng", "next": next,
                                              "username": ""}, status_code=401)
    try:
        principal = accounts.authenticate(ctx, username, password, address)
    except accounts.LoginLocked as exc:
        page = render(request, "login.html", {"error": exc, "next": next, "username": username}, status_code=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if principal is None:
        return render(
            request,
            "login.html",
            {"error": "Tên đăng nhập hoặc mật khẩu không đúng", "next": next, "username": username},
            status_code=401,
        )
    token = user_sessions.open_session(ctx, principal.user_id, address=address,
                                       user_agent=request.headers.get("user-agent"))
    start_session(request, token)
    if principal.language in LANGUAGES:  # the account's saved language wins over the anonymous choice
        request.session["lang"] = principal.language
    return RedirectResponse(local_path(next), status_code=303)


@router.post("/logout")
def logout(request: Request, ctx: Ctx, _who: Anyone) -> Response:
    token = session_token(request)
    if token is not None:
        user_sessions.revoke(ctx, token)
    end_session(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{code}")
def switch_language(request: Request, ctx: Ctx, code: str, who: Anyone, next: str = "/") -> Response:
    """The session's language; a signed-in user also keeps it on the account (the portal's stays per session).
    A link followed from another site (``Sec-Fetch-Site: cross-site``/``same-site``) changes only the session:
    a GET from elsewhere never writes to the account."""
    if code in LANGUAGES:
        request.session["lang"] = code
        from_elsewhere = request.headers.get("sec-fetch-site", "") in ("cross-site", "same-site")
        if who is not None and who.user_id > 0 and not from_elsewhere:
            preferences.save_language(ctx, who.user_id, code)
    return RedirectResponse(local_path(next), status_code=303)


@router.get("/")
def home(request: Request, ctx: Ctx, who: Signed) -> Response:
    alarm = 0  # objects damaged or lost and not repaired, for those who watch preservation
    if who.can(Permission.PRESERVATION_VIEW):
        with ctx.db.session() as session:
            alarm = open_problem_count(session)
    return render(request, "home.html", {"preservation_alarm": alarm})


def _account_page(request: Request, ctx: Ctx, who: Principal, values: dict[str, object] | None = None,
                  *, status_code: int = 200) -> Response:
    """The account page: the preferences form (language, time zone) and the password form."""
    page: dict[str, object] = {
        "zones": preferences.zone_choices(),
        "default_zone": ctx.settings.time_zone,
        "pref_language": who.language or "",
        "pref_zone": who.time_zone or "",
    }
    page.update(values or {})
    return render(request, "password.html", page, status_code=status_code)


@router.get("/account/password")
def password_form(request: Request, ctx: Ctx, who: Signed) -> Response:
    return _account_page(request, ctx, who)


@router.post("/account/preferences")
def save_preferences(
    request: Request,
    ctx: Ctx,
    who: Signed,
    language: Annotated[str, Form()] = "",
    time_zone: Annotated[str, Form()] = "",
) -> Response:
    try:
        preferences.save_preferences(ctx, who.user_id, language, time_zone)
    except ValidationFailed as exc:
        return _account_page(request, ctx, who, {"error": exc, "pref_language": language,
                                                 "pref_zone": time_zone}, status_code=400)
    if language in LANGUAGES:
        request.session["lang"] = language
    flash(request, "Đã lưu tùy chọn")
    return RedirectResponse("/account/password", status_code=303)


@router.post("/account/password")
def change_password(
    request: Request,
    ctx: Ctx,
    who: Signed,
    current: Annotated[str, Form()],
    new: Annotated[str, Form()],
    confirm: Annotated[str, Form()],
) -> Response:
    if new != confirm:
        return _account_page(request, ctx, who, {"error": "Mật khẩu nhập lại không khớp"}, status_code=400)
    try:
        accounts.change_password(ctx, who.user_id, current, new, keep_session=session_token(request))
    except ValidationFailed as exc:
        return _account_page(request, ctx, who, {"error": exc}, status_code=400)
    return _account_page(request, ctx, who, {"notice": "Đã đổi mật khẩu"})

