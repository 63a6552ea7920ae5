"""Authentication under bursts: atomic login throttling, server-side sessions, cookies, security headers."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import update
from typer.testing import CliRunner

from sohoa.app import create_app
from sohoa.cli.main import app as cli
from sohoa.db.models import LoginCounter, UserSession
from sohoa.http.headers import SecurityHeaders
from sohoa.http.rules import public
from sohoa.http.sessions import SESSION_COOKIE
from sohoa.services.identity import accounts, login_throttle
from sohoa.services.identity.principal import Principal
from sohoa.services.identity.user_sessions import list_sessions
from sohoa.services.platform.context import AppContext
from sohoa.settings import Settings
from tests.security._audit_helpers import serve
from tests.web import _helpers as helpers

ROLES = ("admin", "archivist", "coordinator", "scan_operator")
ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [*sorted((ROOT / "src/sohoa/web/templates").glob("*.html")),
             *sorted((ROOT / "src/sohoa/portal/templates").rglob("*.html"))]


def _tuned(ctx: AppContext, **changes: Any) -> AppContext:
    """The same database and stores under other settings (limits, session lengths, cookies)."""
    return dataclasses.replace(ctx, settings=ctx.settings.model_copy(update=changes))


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts every password verification the login path makes."""
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    real = accounts.verify_password

    def counting(stored_hash: str | None, password: str) -> bool:
        with lock:
            counts["verify"] += 1
        return real(stored_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    return counts


def _users(ctx: AppContext) -> dict[str, str]:
    """The few accounts these tests sign in with (each argon2 hash costs time on a busy machine)."""
    for role in ROLES:
        accounts.create_user(ctx, role, helpers.PASSWORD, role)
    return {role: role for role in ROLES}


@pytest.fixture
def people(any_ctx: AppContext) -> dict[str, str]:
    return _users(any_ctx)


@pytest.fixture
def staff(ctx: AppContext) -> dict[str, str]:
    return _users(ctx)


@pytest.fixture
def app_client(any_ctx: AppContext, people: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(any_ctx, watch_hot_folders=False), raise_server_exceptions=False) as client:
        yield client


# ---- throttling ----------------------------------------------------------------------------------------


def test_parallel_wrong_logins_get_at_most_the_limit_of_password_checks(
    production_password_hashing: None, any_ctx: AppContext, people: dict[str, str], verifications: Counter[str]
) -> None:
    """(Argon2 at production cost, accounts included: the requests overlap for a verify's real duration.)"""
    limit = any_ctx.settings.login_max_failures
    ctx = _tuned(any_ctx, form_rate_per_minute=10**6)  # the per-address form rate (§4) would answer first
    with serve(create_app(ctx, watch_hot_folders=False)) as base, httpx.Client(base_url=base) as first:
        token = re.search(r'name="csrf-token" content="([^"]+)"', first.get("/login").text)
        assert token is not None
        cookies = {SESSION_COOKIE: first.cookies[SESSION_COOKIE]}
        form = {"username": "archivist", "password": "sai-mat-khau", "csrf_token": token.group(1)}
        start = threading.Barrier(16)

        def attempt(_n: int) -> httpx.Response:
            with httpx.Client(base_url=base, cookies=cookies, timeout=120) as client:
                if _n < 16:
                    start.wait(30)
                return client.post("/login", data=form)

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(attempt, range(48)))
    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {401, 429}, statuses  # never a 5xx
    assert verifications["verify"] == statuses[401] == limit
    locked = [a for a in answers if a.status_code == 429]
    assert all(int(a.headers["retry-after"]) > 0 and "tạm khóa" in a.text for a in locked)


def test_one_password_across_many_usernames_from_one_address_is_limited(
    any_ctx: AppContext, people: dict[str, str], verifications: Counter[str]
) -> None:
    ctx = _tuned(any_ctx, login_address_max_failures=10)
    refused = 0
    for n in range(15):
        try:
            assert accounts.authenticate(ctx, f"nguoi{n}", "Mat-khau-2024", "10.9.9.9") is None
        except accounts.LoginLocked as exc:
            refused += 1
            assert "địa chỉ" in exc.vi and "address" in exc.en and exc.retry_after > 0
    assert (verifications["verify"], refused) == (10, 5)
    # The address is refused even for a right password; another address is not.
    with pytest.raises(accounts.LoginLocked):
        accounts.authenticate(ctx, "admin", helpers.PASSWORD, "10.9.9.9")
    assert accounts.authenticate(ctx, "admin", helpers.PASSWORD, "10.9.9.10") is not None


def test_the_global_limit_holds_across_addresses_and_usernames(
    any_ctx: AppContext, people: dict[str, str], verifications: Counter[str]
) -> None:
    ctx = _tuned(any_ctx, login_global_max_failures=6)
    for n in range(6):
        assert accounts.authenticate(ctx, f"x{n}", "doan-mo", f"10.0.{n}.1") is None
    with pytest.raises(accounts.LoginLocked) as caught:
        accounts.authenticate(ctx, "admin", helpers.PASSWORD, "10.7.7.7")
    assert "hệ thống" in caught.value.vi and verifications["verify"] == 6


def test_the_username_is_limited_across_addresses(any_ctx: AppContext, people: dict[str, str]) -> None:
    ctx = _tuned(any_ctx, login_user_max_failures=4)
    for n in range(4):
        assert accounts.authenticate(ctx, "Admin", "doan-mo", f"10.1.{n}.1") is None  # case is no escape
    with pytest.raises(accounts.LoginLocked):
        accounts.authenticate(ctx, "admin", helpers.PASSWORD, "10.2.0.1")


def test_a_valid_login_buys_no_extra_guesses(any_ctx: AppContext, people: dict[str, str]) -> None:
    """An attacker with an account of their own interleaves good logins: the address count does not reset."""
    ctx = _tuned(any_ctx, login_address_max_failures=4)
    for _ in range(3):
        assert accounts.authenticate(ctx, "admin", "doan-mo", "10.3.3.3") is None
    assert accounts.authenticate(ctx, "scan_operator", helpers.PASSWORD, "10.3.3.3") is not None
    assert accounts.authenticate(ctx, "admin", "doan-mo", "10.3.3.3") is None  # the 4th failure
    with pytest.raises(accounts.LoginLocked):
        accounts.authenticate(ctx, "scan_operator", helpers.PASSWORD, "10.3.3.3")


def test_refused_attempts_cost_no_other_bucket(any_ctx: AppContext, people: dict[str, str]) -> None:
    """Hammering one locked username does not use up the global budget (no lockout of everyone)."""
    ctx = _tuned(any_ctx, login_max_failures=2, login_global_max_failures=5)
    for n in range(20):
        try:
            accounts.authenticate(ctx, "coordinator", "doan-mo", "10.4.4.4")
        except accounts.LoginLocked:
            assert n >= 2
    assert accounts.authenticate(ctx, "admin", helpers.PASSWORD, "10.5.5.5") is not None


def test_a_window_ends(any_ctx: AppContext) -> None:
    limits = login_throttle.Limits(window=60, pair=2, user=10, address=10, total=10)
    for _ in range(2):
        with any_ctx.db.session() as session:
            login_throttle.reserve(session, "ai-do", "10.6.6.6", limits, now=1000)
    with any_ctx.db.session() as session, pytest.raises(accounts.LoginLocked) as caught:
        login_throttle.reserve(session, "ai-do", "10.6.6.6", limits, now=1030)
    assert caught.value.retry_after == 30
    with any_ctx.db.session() as session:
        login_throttle.reserve(session, "ai-do", "10.6.6.6", limits, now=1060)


def test_counters_of_past_windows_are_purged(any_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(login_throttle, "_PURGE_ONE_IN", 1)
    limits = login_throttle.Limits(window=60, pair=5, user=5, address=5, total=5)
    with any_ctx.db.session() as session:
        login_throttle.reserve(session, "cu", "10.8.8.1", limits, now=1000)
    with any_ctx.db.session() as session:
        login_throttle.reserve(session, "moi", "10.8.8.2", limits, now=2000)
    with any_ctx.db.session() as session:
        assert session.query(LoginCounter).count() == 4  # the new attempt's buckets only


# ---- sessions ------------------------------------------------------------------------------------------


def _copy_of(client: TestClient, ctx: AppContext) -> TestClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False)
    thief.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
    return thief


def _signed_in(client: TestClient) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def test_logout_revokes_a_copied_cookie_at_once(any_ctx: AppContext, app_client: TestClient) -> None:
    token = helpers.login(app_client, "archivist")
    with _copy_of(app_client, any_ctx) as thief:
        assert _signed_in(thief)
        app_client.post("/logout", data={"csrf_token": token})
        assert not _signed_in(thief) and not _signed_in(app_client)


def test_password_change_revokes_every_other_session(any_ctx: AppContext, app_client: TestClient) -> None:
    helpers.login(app_client, "archivist")
    with TestClient(create_app(any_ctx, watch_hot_folders=False)) as other:
        token = helpers.login(other, "archivist")
        with _copy_of(app_client, any_ctx) as thief:
            page = other.post("/account/password",
                              data={"current": helpers.PASSWORD, "new": "mat-khau-moi-123",
                                    "confirm": "mat-khau-moi-123", "csrf_token": token})
            assert "Đã đổi mật khẩu" in page.text
            assert _signed_in(other)  # the session that changed it continues
            assert not _signed_in(app_client) and not _signed_in(thief)


@pytest.mark.parametrize("change", ["disable", "role", "password"])
def test_an_admin_change_to_an_account_revokes_its_sessions(
    any_ctx: AppContext, app_client: TestClient, change: str
) -> None:
    helpers.login(app_client, "archivist")
    user = next(u for u in accounts.list_users(any_ctx) if u.username == "archivist")
    accounts.update_user(any_ctx, user.id, role=user.role, active=user.active, unit_id=user.unit_id,
                         new_password=None, actor="admin")
    assert _signed_in(app_client)  # saving without a change ends nothing
    accounts.update_user(any_ctx, user.id, role="coordinator" if change == "role" else user.role,
                         active=change != "disable", unit_id=user.unit_id,
                         new_password="mat-khau-khac-1" if change == "password" else None, actor="admin")
    assert not _signed_in(app_client)


def test_an_admin_sees_and_ends_a_users_sessions(any_ctx: AppContext, app_client: TestClient) -> None:
    helpers.login(app_client, "archivist")
    user = next(u for u in accounts.list_users(any_ctx) if u.username == "archivist")
    with TestClient(create_app(any_ctx, watch_hot_folders=False)) as admin:
        token = helpers.login(admin, "admin")
        assert f'action="/admin/users/{user.id}/sessions/revoke"' in admin.get("/admin").text
        admin.post(f"/admin/users/{user.id}/sessions/revoke", data={"csrf_token": token})
        assert f'action="/admin/users/{user.id}/sessions/revoke"' not in admin.get("/admin").text
        assert _signed_in(admin)
    assert not _signed_in(app_client)


@pytest.mark.parametrize("column", ["last_seen_at", "expires_at"])
def test_idle_and_absolute_expiry(any_ctx: AppContext, app_client: TestClient, column: str) -> None:
    helpers.login(app_client, "archivist")
    assert _signed_in(app_client)
    past = datetime.now(UTC) - timedelta(minutes=any_ctx.settings.session_idle_minutes + 1)
    if column == "expires_at":
        past = datetime.now(UTC) - timedelta(seconds=1)
    with any_ctx.db.session() as session:
        session.execute(update(UserSession).values({column: past}))
    assert not _signed_in(app_client)


def test_only_a_token_hash_is_stored(any_ctx: AppContext, app_client: TestClient) -> None:
    helpers.login(app_client, "archivist")
    sessions = list_sessions(any_ctx)
    assert len(sessions) == 1 and sessions[0].address == "testclient"
    with any_ctx.db.session() as session:
        stored = session.query(UserSession.token_hash).scalar()
    assert stored is not None and stored not in app_client.cookies[SESSION_COOKIE]


# ---- cookies, secrets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("secure", [False, True])
def test_cookie_flags_follow_the_setting(ctx: AppContext, staff: dict[str, str], secure: bool) -> None:
    app = create_app(_tuned(ctx, cookie_secure=secure), watch_hot_folders=False)
    with TestClient(app, base_url="https://testserver") as client:
        login_page = client.get("/login")
        helpers.login(client, "archivist")
        cookies = [v.lower() for k, v in login_page.headers.multi_items() if k == "set-cookie"]
    assert cookies and all("httponly" in c and "samesite=lax" in c for c in cookies)
    assert all(("; secure" in c) == secure for c in cookies)
    assert ("strict-transport-security" in login_page.headers) == secure


def test_a_short_secret_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(data=tmp_path, secret_key="x" * 31)
    assert "ít nhất 32 ký tự" in str(caught.value) and "at least 32 characters" in str(caught.value)
    assert Settings(data=tmp_path, secret_key="x" * 32).secret_key == "x" * 32


def test_the_cli_refuses_to_start_with_a_short_secret_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["status"], env={"SOHOA_DATA": str(tmp_path), "SOHOA_SECRET_KEY": "ngan"})
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "Traceback" not in said
    assert "ít nhất 32 ký tự" in said and "at least 32 characters" in said
    assert not (tmp_path / "sohoa.db").exists()


# ---- security headers ----------------------------------------------------------------------------------


Anyone = Annotated[Principal | None, public()]


def _boom_router(_ctx: AppContext) -> APIRouter:
    router = APIRouter()

    @router.get("/test-boom")
    def boom(_who: Anyone) -> None:
        raise RuntimeError("a bug")

    return router


def _assert_headers(response: httpx.Response, what: str) -> None:
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"):
        assert directive in csp, (what, csp)
    framable = headers.get("content-type", "").startswith("application/pdf")
    assert ("frame-ancestors 'self'" if framable else "frame-ancestors 'none'") in csp, what
    assert headers.get("x-frame-options") == ("SAMEORIGIN" if framable else "DENY"), what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") == "same-origin", what


def test_every_kind_of_response_carries_the_security_headers(ctx: AppContext, staff: dict[str, str]) -> None:
    app = create_app(ctx, [_boom_router(ctx)], watch_hot_folders=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        anonymous: dict[str, Callable[[], httpx.Response]] = {
            "static": lambda: client.get("/static/app.css"),
            "login page": lambda: client.get("/login"),
            "redirect": lambda: client.get("/review", follow_redirects=False),
            "404": lambda: client.get("/no-such-page"),
            "csrf 403": lambda: client.post("/logout"),
            "portal": lambda: client.get("/portal?q=quy"),
            "api": lambda: client.get("/api/v1/search?q=quy"),
            "api 404": lambda: client.get("/api/v1/documents/999999"),
            "api 401": lambda: client.get("/api/v1/documents", headers={"Authorization": "Bearer nope"}),
            "500": lambda: client.get("/test-boom"),
        }
        seen = {}
        for what, call in anonymous.items():
            response = call()
            seen[what] = response.status_code
            _assert_headers(response, what)
        helpers.login(client, "coordinator")
        for path in ("/", "/progress", "/admin"):
            _assert_headers(client.get(path), path)
    assert seen["redirect"] == 303 and seen["404"] == 404 and seen["500"] == 500 and seen["static"] == 200


def test_a_pdf_may_be_framed_by_our_own_pages_only() -> None:
    async def pdf_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/pdf")]})
        await send({"type": "http.response.body", "body": b"%PDF-"})

    response = TestClient(SecurityHeaders(pdf_app)).get("/x.pdf")  # no lifespan: a bare ASGI app
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_need_nothing_the_policy_forbids(template: Path) -> None:
    """No inline script, inline style or event-handler attribute, no resource from another site."""
    html = template.read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b([^>]*)>", html)
    # A data block (JSON, schema.org JSON-LD) is never run, so the CSP has nothing to allow for it.
    data = ('type="application/json"', 'type="application/ld+json"')
    assert all("src=" in attrs or any(kind in attrs for kind in data) for attrs in scripts), scripts
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)
    assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", html)
