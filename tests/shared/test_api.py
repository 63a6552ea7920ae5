"""REST API v1: scoped tokens × access levels × unit relations, cursors, ETags, rate limits, OpenAPI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Event
from sohoa.services.identity.tokens import create_token, revoke_token
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings

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
            assert client.get(f"/api/v1/documents/{doc_id}/pages/1/ocr", headers=h).status_code == expected_status
            marker = world.marker(relation, level)
            assert client.get("/api/v1/search", params={"q": marker}, headers=h).json()["total"] == int(ok)
            # no document holds "khongcotu": partial matches, inside the caller's scope like any search
            partial = client.get("/api/v1/search", params={"q": f"{marker} khongcotu"}, headers=h).json()
            assert partial["partial"] and [r["document_id"] for r in partial["results"]] == ([doc_id] if ok else [])
            boxes = client.get(f"/api/v1/documents/{doc_id}/highlights", params={"q": marker}, headers=h)
            assert boxes.status_code == expected_status
    assert client.get(f"/api/v1/documents/{world.marked_secret}", headers=headers["admin"]).status_code == 404


XHTML = "{http://www.w3.org/1999/xhtml}"
ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"


def test_page_ocr_in_three_formats(api: tuple[TestClient, dict[str, dict[str, str]]], wctx: AppContext,
                                   world: World) -> None:
    """JSON (stored), hOCR and ALTO (derived) hold the page's words with their boxes; each read is audited."""
    client, _ = api
    raw, _ = create_token(wctx, "ocr-reader", ["read:unit"], unit="T.M")
    h = {"Authorization": f"Bearer {raw}"}
    doc_id = world.docs[("own", "internal")]
    marker = world.marker("own", "internal")
    url = f"/api/v1/documents/{doc_id}/pages/1/ocr"

    as_json = client.get(url, headers=h)
    assert as_json.status_code == 200 and as_json.headers["content-type"] == "application/json"
    words = {w[0]: w[1:5] for w in as_json.json()["words"]}
    assert words["Quyết"] == [100, 200, 200, 240] and words[marker] == [820, 200, 920, 240]
    assert as_json.content == client.get(url, params={"format": "json"}, headers=h).content

    hocr = client.get(url, params={"format": "hocr"}, headers=h)
    assert hocr.status_code == 200 and hocr.headers["content-type"] == "text/html; charset=utf-8"
    spans = ET.fromstring(hocr.content).findall(f".//{XHTML}span[@class='ocrx_word']")
    assert [s.text for s in spans] == list(words)
    assert spans[0].get("title") == "bbox 100 200 200 240; x_wconf 90"

    alto = client.get(url, params={"format": "alto"}, headers=h)
    assert alto.status_code == 200 and alto.headers["content-type"] == "application/xml; charset=utf-8"
    strings = ET.fromstring(alto.content).findall(f".//{ALTO}String")
    assert [s.get("CONTENT") for s in strings] == list(words)
    last = strings[-1].attrib
    assert (last["CONTENT"], last["HPOS"], last["VPOS"], last["WIDTH"], last["HEIGHT"]) == (
        marker, "820", "200", "100", "40")

    with wctx.db.session() as session:
        events = session.execute(select(Event).where(Event.actor == "token:ocr-reader",
                                                     Event.action == "page.ocr")).scalars().all()
        logged = [(e.entity_type, e.entity_id, e.payload) for e in events]
    assert logged == [("document", doc_id, {"channel": "api", "page": 1, "format": f})
                      for f in ("json", "json", "hocr", "alto")]


def test_page_ocr_refusals(api: tuple[TestClient, dict[str, dict[str, str]]], wctx: AppContext,
                           world: World) -> None:
    """Not visible → the image endpoint's answer (404, existence not disclosed); bad page 404; bad format 422."""
    client, _ = api
    raw_unit, _ = create_token(wctx, "ocr-refused", ["read:unit"], unit="T.M")
    raw_admin, _ = create_token(wctx, "ocr-admin", ["admin"])
    h = {"Authorization": f"Bearer {raw_unit}"}
    for doc_id in (world.docs[("unrelated", "internal")], world.docs[("own", "secret")], world.marked_secret):
        image = client.get(f"/api/v1/documents/{doc_id}/pages/1/image", headers=h)
        ocr = client.get(f"/api/v1/documents/{doc_id}/pages/1/ocr", params={"format": "hocr"}, headers=h)
        assert ocr.status_code == image.status_code == 404
    secret = world.docs[("own", "secret")]
    as_admin = {"Authorization": f"Bearer {raw_admin}"}
    assert client.get(f"/api/v1/documents/{secret}/pages/1/ocr", headers=as_admin).status_code == 404
    doc_id = world.docs[("own", "public")]
    missing = client.get(f"/api/v1/documents/{doc_id}/pages/2/ocr", headers=h)
    assert missing.status_code == 404 and "No OCR for page 2" in missing.json()["detail"]
    assert client.get(f"/api/v1/documents/{doc_id}/pages/0/ocr", headers=h).status_code == 422
    assert client.get(f"/api/v1/documents/{doc_id}/pages/1/ocr", params={"format": "pdf"},
                      headers=h).status_code == 422
    assert client.get("/api/v1/documents/999999/pages/1/ocr", headers=h).status_code == 404


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
    assert client.get("/api/v1/documents", params={"cursor": "!!"}).status_code == 422  # pattern in the schema
    raw, info = create_token(wctx, "short-lived", ["read:public"])
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    revoke_token(wctx, info.id)
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_openapi_and_saved_searches(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, headers = api
    spec = client.get("/api/v1/openapi.json").json()
    ocr_path = "/api/v1/documents/{document_id}/pages/{page_no}/ocr"
    assert {"/api/v1/search", "/api/v1/documents/{document_id}", "/api/v1/events", "/api/v1/fonds",
            "/api/v1/units", "/api/v1/files", ocr_path} <= set(spec["paths"])
    ocr = spec["paths"][ocr_path]["get"]
    assert {"application/json", "text/html", "application/xml"} <= set(ocr["responses"]["200"]["content"])
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
