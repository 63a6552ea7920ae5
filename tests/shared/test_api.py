"""REST API v1: scoped tokens × access levels × unit relations, cursors, ETags, rate limits, OpenAPI."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sohoa.services.context import AppContext, open_context
from sohoa.services.tokens import create_token, revoke_token
from sohoa.settings import Settings
from sohoa.web.app import create_app

from .world import LEVELS, RELATIONS, World

# What each token kind may read, stated independently of the code.
TOKEN_ROLE = {"anonymous": None, "public": None, "unit": "unit_officer", "admin": "archivist"}


def allowed(kind: str, relation: str, level: str) -> bool:
    if level == "secret":
        return False
    if level == "public":
        return True
    if kind == "admin":
        return True
    return kind == "unit" and relation != "unrelated"


@pytest.fixture(scope="module")
def api(wctx: AppContext, world: World) -> tuple[TestClient, dict[str, dict[str, str]]]:
    raw_public, _ = create_token(wctx, "city-public", ["read:public"])
    raw_unit, _ = create_token(wctx, "ward-system", ["read:unit"], unit="T.M")
    raw_admin, _ = create_token(wctx, "city-admin", ["admin"])
    headers = {"anonymous": {}, "public": {"Authorization": f"Bearer {raw_public}"},
               "unit": {"Authorization": f"Bearer {raw_unit}"}, "admin": {"Authorization": f"Bearer {raw_admin}"}}
    return TestClient(create_app(wctx)), headers


KINDS = tuple(TOKEN_ROLE)


@pytest.mark.parametrize("kind", KINDS)
def test_api_matrix(api: tuple[TestClient, dict[str, dict[str, str]]], world: World, kind: str) -> None:
    client, headers = api
    h = headers[kind]
    listed: set[int] = set()
    cursor: str | None = None
    while True:
        page = client.get("/api/v1/documents", params={"limit": 5, **({"cursor": cursor} if cursor else {})},
                          headers=h).json()
        listed |= {item["document_id"] for item in page["items"]}
        cursor = page["next_cursor"]
        if cursor is None:
            break
    want = {world.docs[(r, lv)] for r in RELATIONS for lv in LEVELS if allowed(kind, r, lv)}
    assert listed == want
    found = client.get("/api/v1/search", params={"q": "hoa giai", "limit": 200, "facets": "true"}, headers=h).json()
    assert {hit["document_id"] for hit in found["results"]} == want and found["total"] == len(want)
    assert sum(v["count"] for v in found["facets"]["access_level"]) == len(want)
    for relation in RELATIONS:
        for level in LEVELS:
            doc_id = world.docs[(relation, level)]
            ok = allowed(kind, relation, level)
            expected_status = 200 if ok else 404
            assert client.get(f"/api/v1/documents/{doc_id}", headers=h).status_code == expected_status
            assert client.get(f"/api/v1/documents/{doc_id}/pages/1/image", headers=h).status_code == expected_status
            marker = world.marker(relation, level)
            assert client.get("/api/v1/search", params={"q": marker}, headers=h).json()["total"] == int(ok)
            boxes = client.get(f"/api/v1/documents/{doc_id}/highlights", params={"q": marker}, headers=h)
            assert boxes.status_code == expected_status
    assert client.get(f"/api/v1/documents/{world.marked_secret}", headers=headers["admin"]).status_code == 404


def test_etag_and_bad_tokens(api: tuple[TestClient, dict[str, dict[str, str]]], wctx: AppContext,
                             world: World) -> None:
    client, headers = api
    first = client.get("/api/v1/units", headers=headers["public"])
    assert first.status_code == 200 and first.headers["etag"]
    again = client.get("/api/v1/units", headers={**headers["public"], "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/api/v1/units", headers={"Authorization": "Bearer sohoa_nope"}).status_code == 401
    assert client.get("/api/v1/webhooks", headers=headers["unit"]).status_code == 403
    assert client.get("/api/v1/webhooks", headers=headers["anonymous"]).status_code == 401
    assert client.get("/api/v1/documents", params={"cursor": "!!"}).status_code == 400
    raw, info = create_token(wctx, "short-lived", ["read:public"])
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    revoke_token(wctx, info.id)
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_openapi_and_saved_searches(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, headers = api
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/search", "/api/v1/documents/{document_id}", "/api/v1/events", "/api/v1/fonds",
            "/api/v1/units", "/api/v1/files"} <= set(spec["paths"])
    made = client.post("/api/v1/saved-searches", json={"name": "Hòa giải", "query": "hòa giải", "year": 2021},
                       headers=headers["unit"])
    assert made.status_code == 201
    mine = client.get("/api/v1/saved-searches", headers=headers["unit"]).json()
    assert [s["name"] for s in mine] == ["Hòa giải"] and mine[0]["params"]["year"] == 2021
    assert client.get("/api/v1/saved-searches", headers=headers["admin"]).json() == []
    assert client.delete(f"/api/v1/saved-searches/{made.json()['id']}", headers=headers["admin"]).status_code == 404
    export = client.get("/api/v1/search/export", params={"q": "hòa giải", "format": "xlsx"}, headers=headers["unit"])
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_rate_limit(tmp_path: Path) -> None:
    context = open_context(Settings(data=tmp_path / "d", workers=1, api_rate_per_minute=6))
    try:
        client = TestClient(create_app(context))
        codes = [client.get("/api/v1/units").status_code for _ in range(4)]
        assert codes[0] == 200 and codes[-1] == 429
        assert int(client.get("/api/v1/units").headers["retry-after"]) >= 1
    finally:
        context.close()
