"""Bounded work for every request: query limits on every front door, a bounded audit copy of the query,
per-address rate limits (portal, login and copy forms, API), capped bodies and pages; SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from sohoa.api.http import encode_cursor
from sohoa.app import create_app
from sohoa.cli.main import app as cli
from sohoa.db.models import Event
from sohoa.http.ratelimit import RateLimiter, address_key
from sohoa.index.query import MAX_QUERY_WORDS, QueryTooLarge
from sohoa.services.catalogue.search import MAX_OFFSET, SearchRequest, search
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.identity.tokens import create_token
from sohoa.services.platform.context import AppContext
from tests.shared.world import build_world
from tests.web import _helpers as helpers

LONG = ("hòa giải ở cơ sở " * 700)[:10_000]  # 10,000 characters, 2,800 words
WORDY = " ".join(f"tu{n}" for n in range(MAX_QUERY_WORDS + 1))  # short, but one word too many


def _app(ctx: AppContext, **settings: object) -> TestClient:
    if settings:
        ctx.settings = ctx.settings.model_copy(update=settings)
    return TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False)


def _search_payloads(ctx: AppContext) -> list[dict[str, object]]:
    with ctx.db.session() as session:
        rows = session.execute(select(Event.payload).where(Event.action == "search")).scalars()
        return [dict(p or {}) for p in rows]


def _bilingual_too_long(text: str) -> bool:
    return "quá dài" in text and "too long" in text


@pytest.fixture
def bctx(any_ctx: AppContext) -> Iterator[AppContext]:
    build_world(any_ctx)
    helpers.users(any_ctx)
    yield any_ctx


def test_a_long_query_is_refused_on_every_front_door(bctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(QueryTooLarge) as refused:
        search(bctx, SYSTEM, SearchRequest(query=LONG))
    assert _bilingual_too_long(str(refused.value))
    with pytest.raises(QueryTooLarge, match="too many words"):
        search(bctx, SYSTEM, SearchRequest(query=WORDY))

    client = _app(bctx)
    portal = client.get("/portal", params={"q": LONG})
    assert portal.status_code == 400 and "Câu tìm kiếm quá dài" in portal.text
    client.get("/lang/en")  # the page speaks the visitor's language
    assert "The query is too long" in client.get("/portal", params={"q": LONG}).text
    token, _ = create_token(bctx, "reader", ["admin"])
    bearer = {"Authorization": f"Bearer {token}"}
    api = client.get("/api/v1/search", params={"q": LONG}, headers=bearer)
    assert api.status_code == 400 and _bilingual_too_long(api.json()["detail"])
    export = client.get("/api/v1/search/export", params={"q": LONG}, headers=bearer)
    assert export.status_code == 400 and _bilingual_too_long(export.json()["detail"])
    saved = client.post("/api/v1/saved-searches", json={"name": "x", "query": WORDY}, headers=bearer)
    assert saved.status_code == 400 and "too many words" in saved.json()["detail"]
    highlights = client.get("/api/v1/documents/1/highlights", params={"q": WORDY}, headers=bearer)
    assert highlights.status_code == 400
    helpers.login(client, "admin")
    staff = client.get("/search", params={"q": LONG})
    assert staff.status_code == 400 and "The query is too long" in staff.text

    monkeypatch.setenv("SOHOA_DATA", str(bctx.settings.data))
    if bctx.settings.database_url:
        monkeypatch.setenv("SOHOA_DATABASE_URL", bctx.settings.database_url)
    result = CliRunner().invoke(cli, ["search", LONG])
    assert result.exit_code != 0 and "quá dài" in result.output and "too" in result.output
    assert _search_payloads(bctx) == []  # refused before any work, so nothing searched and nothing logged


def test_the_audit_keeps_a_bounded_copy_of_the_query(bctx: AppContext) -> None:
    query = " ".join(["hòa", "giải"] + ["x" * 20] * 24)[:500]  # 500 characters, the default limit
    assert len(query) == bctx.settings.max_query_chars
    search(bctx, SYSTEM, SearchRequest(query=query))
    search(bctx, SYSTEM, SearchRequest(query="hòa giải"))
    long_one, short_one = _search_payloads(bctx)
    assert long_one["query"] == query[:200] and long_one["query_chars"] == 500
    assert long_one["query_sha256"] == hashlib.sha256(query.encode()).hexdigest()
    assert len(json.dumps(long_one, ensure_ascii=False)) < 600
    assert short_one["query"] == "hòa giải" and "query_sha256" not in short_one


def test_deep_pages_are_refused(bctx: AppContext) -> None:
    client = _app(bctx)
    page = client.get("/api/v1/search", params={"q": "hòa giải", "cursor": encode_cursor(MAX_OFFSET + 1)})
    assert page.status_code == 400 and "narrow the search" in page.json()["detail"]
    assert client.get("/api/v1/documents", params={"limit": 201}).status_code == 422


def test_the_portal_limits_each_address(bctx: AppContext) -> None:
    bctx.settings = bctx.settings.model_copy(update={"portal_rate_per_minute": 6})  # bursts of 3
    shared = create_app(bctx, watch_hot_folders=False)
    crawler = TestClient(shared, client=("203.0.113.7", 40000))
    codes = [crawler.get("/portal", params={"q": "hòa giải"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = crawler.get("/portal", params={"q": "hòa giải"}, headers={"Accept": "text/html"})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Quá nhiều yêu cầu" in refused.text and "too many requests" in refused.text
    assert crawler.get(f"/portal/documents/{1}").status_code == 429  # every portal route shares the bucket
    neighbour = TestClient(shared, client=("198.51.100.9", 40000))
    assert neighbour.get("/portal", params={"q": "hòa giải"}).status_code == 200
    assert crawler.get("/login").status_code == 200  # staff pages are not the portal's


def test_the_login_and_copy_forms_limit_each_address(bctx: AppContext) -> None:
    bctx.settings = bctx.settings.model_copy(update={"form_rate_per_minute": 4})  # bursts of 2
    shared = create_app(bctx, watch_hot_folders=False)
    guesser = TestClient(shared, client=("203.0.113.8", 40000), raise_server_exceptions=False)
    token = helpers.csrf(guesser)
    codes = [guesser.post("/login", data={"username": f"u{n}", "password": "x", "csrf_token": token},
                          follow_redirects=False).status_code for n in range(3)]
    assert codes[:2] == [401, 401] and codes[2] == 429
    copy = guesser.post("/portal/documents/1/copy", data={"name": "A", "id_number": "1"})
    assert copy.status_code == 429 and "Retry-After" in copy.headers
    other = TestClient(shared, client=("2001:db8:1::5", 40000))
    assert other.post("/login", data={"username": "u", "password": "x", "csrf_token": helpers.csrf(other)},
                      follow_redirects=False).status_code == 401


def test_the_api_limits_anonymous_callers_and_token_guesses_by_address(bctx: AppContext) -> None:
    bctx.settings = bctx.settings.model_copy(update={"api_rate_per_minute": 12})  # bursts of 2
    shared = create_app(bctx, watch_hot_folders=False)
    anonymous = TestClient(shared, client=("203.0.113.9", 1))
    assert [anonymous.get("/api/v1/units").status_code for _ in range(3)] == [200, 200, 429]
    guesser = TestClient(shared, client=("203.0.113.10", 1))
    bad = {"Authorization": "Bearer not-a-token"}
    assert [guesser.get("/api/v1/units", headers=bad).status_code for _ in range(3)] == [401, 401, 429]
    assert TestClient(shared, client=("203.0.113.11", 1)).get("/api/v1/units").status_code == 200


def test_bodies_are_capped(bctx: AppContext) -> None:
    client = _app(bctx, max_body_bytes=64 * 1024)
    big = {"username": "x" * 200_000, "password": "y", "csrf_token": helpers.csrf(client)}
    assert client.post("/login", data=big).status_code == 413
    streamed = client.post("/login", content=iter([b"username=" + b"x" * 50_000] * 3),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413  # no Content-Length: counted while read
    token, _ = create_token(bctx, "ops", ["admin"])
    saved = client.post("/api/v1/saved-searches", content=b'{"name": "' + b"x" * 100_000 + b'"}',
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert saved.status_code == 413 and "too large" in saved.json()["detail"]


def test_the_limiter_is_thread_safe_and_memory_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=50, clock=lambda: now[0], max_keys=100)
    allowed: list[int] = []

    def hammer() -> None:
        allowed.append(sum(1 for _ in range(40) if limiter.take("one") == 0.0))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == 50  # exactly the burst, however the threads interleave
    for n in range(1_000):
        limiter.take(f"ip:{n}")
    assert len(limiter) == 100  # the least recently seen addresses were forgotten
    assert address_key("2001:db8:1::5") == address_key("2001:db8:1::ffff") == "ip:2001:db8:1::/64"
    assert address_key("::ffff:203.0.113.9") == address_key("203.0.113.9") == "ip:203.0.113.9"


def test_oversized_fields_are_answered_without_a_server_error(bctx: AppContext) -> None:
    client = _app(bctx)
    token = helpers.csrf(client)
    login = client.post("/login", data={"username": "u" * 5_000, "password": "p" * 50_000, "csrf_token": token},
                        follow_redirects=False)
    assert login.status_code == 401  # answered like any wrong password, before the database (was a 500 on PostgreSQL)
    copy = client.post("/portal/documents/1/copy", data={"name": "n" * 5_000, "id_number": "1"})
    assert copy.status_code < 500
