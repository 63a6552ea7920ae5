"""IIIF Presentation 3.0 manifests and collections, OCR annotations and Content Search 2.0, under the policy.

Every manifest, collection and annotation page served is loaded into the iiif_prezi3 models.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import iiif_prezi3
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, Event
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.production import review
from sohoa.settings import Settings

from ._iiif_world import HEIGHT, WIDTH, World, build, login, page_ids

ROOT = "http://testserver/iiif/3"


@pytest.fixture
def world(ctx: AppContext) -> World:
    built = build(ctx)
    with ctx.db.session() as session:  # the public document has its PDF/A
        doc = session.get(Document, built.docs["public"])
        assert doc is not None
        doc.pdf_object_id = store_bytes(session, ctx.store, b"%PDF-1.7\n%%EOF\n", media_type="application/pdf",
                                        kind="pdf").id
    return built


@pytest.fixture
def client(ctx: AppContext, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as client:
        yield client


def _manifest(client: TestClient, doc: int) -> dict[str, Any]:
    response = client.get(f"/iiif/3/documents/{doc}/manifest.json")
    assert response.status_code == 200, response.text[:300]
    body: dict[str, Any] = response.json()
    iiif_prezi3.Manifest(**body)
    return body


def test_manifest(client: TestClient, world: World) -> None:
    doc = world.docs["public"]
    manifest = _manifest(client, doc)
    assert manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert manifest["id"] == f"{ROOT}/documents/{doc}/manifest.json"
    assert manifest["label"] == {"vi": ["Về việc hòa giải public"]}
    assert manifest["summary"]["vi"] == ["Quyết định số 11/QĐ-UBND ngày 01/03/2020 — 3 trang"]
    assert manifest["summary"]["en"] == ["Quyết định no. 11/QĐ-UBND of 01/03/2020 — 3 pages"]
    metadata = {m["label"]["en"][0]: (m["label"]["vi"][0], m["value"]) for m in manifest["metadata"]}
    assert metadata["Date issued"] == ("Ngày ban hành", {"vi": ["01/03/2020"]})
    assert metadata["Sign"] == ("Ký hiệu văn bản", {"vi": ["QĐ-UBND"]})
    assert metadata["Access"][1] == {"vi": ["Công khai"], "en": ["Public"]}
    assert metadata["File"][1] == {"vi": ["IIIF.public — Hồ sơ public"]}
    assert metadata["Fonds"][1] == {"vi": ["Phông UBND phường IIIF"]}
    assert manifest["navDate"] == "2020-03-01T00:00:00+07:00"
    assert manifest["rights"].startswith("http://rightsstatements.org/")
    assert manifest["requiredStatement"]["label"]["en"] == ["Attribution"]
    assert manifest["rendering"][0]["id"] == f"http://testserver/portal/documents/{doc}/pdf"
    assert manifest["homepage"][0]["id"] == f"http://testserver/portal/r/SOHOA.{doc:07d}"  # the permanent link
    assert client.get(manifest["homepage"][0]["id"]).status_code == 200
    assert manifest["service"] == [{"id": f"{ROOT}/documents/{doc}/search", "type": "SearchService2"}]
    assert manifest["partOf"] == [{"id": f"{ROOT}/files/{world.files['public']}/collection.json", "type": "Collection"}]
    canvases = manifest["items"]
    assert [c["label"]["en"] for c in canvases] == [["Page 1"], ["Page 2"], ["Page 3"]]
    for number, canvas in enumerate(canvases, start=1):
        assert (canvas["width"], canvas["height"]) == (WIDTH, HEIGHT)
        painting = canvas["items"][0]["items"][0]
        assert painting["motivation"] == "painting" and painting["target"] == canvas["id"]
        service = painting["body"]["service"][0]
        assert service == {"id": f"http://testserver/iiif/3/image/{doc}-{number}", "type": "ImageService3",
                           "profile": "level2"}
        assert canvas["annotations"][0]["id"] == f"{ROOT}/documents/{doc}/pages/{number}/annotations.json"
        # what the manifest points at is served
        assert client.get(service["id"].removeprefix("http://testserver") + "/info.json").status_code == 200
        thumbnail = canvas["thumbnail"][0]["id"].removeprefix("http://testserver")
        assert client.get(thumbnail).status_code == 200
        for ocr in canvas["seeAlso"]:  # ALTO and hOCR through the REST API, for anyone
            assert client.get(ocr["id"].removeprefix("http://testserver")).headers["content-type"].startswith(
                ocr["format"])


def test_manifest_audit_and_headers(ctx: AppContext, client: TestClient, world: World) -> None:
    doc = world.docs["public"]
    response = client.get(f"/iiif/3/documents/{doc}/manifest.json", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"].startswith('application/ld+json;profile="http://iiif.io/api/presentation/3')
    assert response.headers["access-control-allow-origin"] == "*"
    with ctx.db.session() as session:
        views = session.execute(select(Event.payload).where(Event.action == "document.view", Event.entity_id == doc)
                                ).scalars().all()
    assert {"channel": "iiif"} in views


def test_manifest_follows_a_reorder(ctx: AppContext, client: TestClient, world: World) -> None:
    doc = world.docs["public"]
    info_before = client.get(f"/iiif/3/image/{doc}-1/full/64,/0/default.png").content
    review.reorder_pages(ctx, doc, list(reversed(page_ids(ctx, doc))), actor="archivist")
    assert len(_manifest(client, doc)["items"]) == 3
    assert client.get(f"/iiif/3/image/{doc}-3/full/64,/0/default.png").content == info_before


def test_ocr_annotations(client: TestClient, world: World) -> None:
    doc = world.docs["public"]
    response = client.get(f"/iiif/3/documents/{doc}/pages/2/annotations.json")
    assert response.status_code == 200
    page = response.json()
    iiif_prezi3.AnnotationPage(**page)
    lines = [a for a in page["items"] if a["textGranularity"] == "line"]
    words = [a for a in page["items"] if a["textGranularity"] == "word"]
    assert [a["body"]["value"] for a in lines] == ["Quyết định hòa giải"]
    assert lines[0]["target"] == f"{ROOT}/documents/{doc}/canvas/2#xywh=100,200,520,50"
    assert [a["body"]["value"] for a in words] == ["Quyết", "định", "hòa", "giải"]
    assert words[2]["target"] == f"{ROOT}/documents/{doc}/canvas/2#xywh=420,200,80,50"
    assert all(a["motivation"] == "supplementing" for a in page["items"])
    assert len({a["id"] for a in page["items"]}) == len(page["items"])
    assert client.get(f"/iiif/3/documents/{doc}/pages/9/annotations.json").status_code == 404


def test_search_within_a_document(client: TestClient, world: World) -> None:
    doc = world.docs["public"]
    response = client.get(f"/iiif/3/documents/{doc}/search", params={"q": "hoa giai"})
    assert response.status_code == 200
    hits = response.json()
    iiif_prezi3.AnnotationPage(**hits)
    assert hits["@context"] == "http://iiif.io/api/search/2/context.json"
    targets = sorted(a["target"].removeprefix(f"{ROOT}/documents/{doc}/canvas/") for a in hits["items"])
    assert targets == sorted(f"{n}#xywh={box}" for n in (1, 2, 3) for box in ("420,200,80,50", "520,200,100,50"))
    assert len({a["id"] for a in hits["items"]}) == 6
    assert client.get(f"/iiif/3/documents/{doc}/search", params={"q": "không có"}).json()["items"] == []
    assert client.get(f"/iiif/3/documents/{doc}/search").json()["items"] == []
    internal = world.docs["internal"]
    assert client.get(f"/iiif/3/documents/{internal}/search", params={"q": "hoa"}).status_code == 404
    assert client.get(f"/iiif/3/documents/{internal}/search").status_code == 404


def _collection(client: TestClient, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:200])
    if status != 200:
        return {}
    body: dict[str, Any] = response.json()
    iiif_prezi3.Collection(**body)
    return body


def test_collections_list_what_the_caller_sees(any_ctx: AppContext) -> None:
    world = build(any_ctx)
    app = create_app(any_ctx, watch_hot_folders=False)
    with TestClient(app, raise_server_exceptions=False) as anon, TestClient(app) as staff:
        login(staff)
        public = _collection(anon, f"/iiif/3/files/{world.files['public']}/collection.json")
        assert [m["id"] for m in public["items"]] == [f"{ROOT}/documents/{world.docs['public']}/manifest.json"]
        assert public["partOf"] == [{"id": f"{ROOT}/fonds/{world.fonds}/collection.json", "type": "Collection"}]
        for key in ("internal", "secret", "review"):
            _collection(anon, f"/iiif/3/files/{world.files[key]}/collection.json", 404)
        _collection(staff, f"/iiif/3/files/{world.files['internal']}/collection.json")
        _collection(staff, f"/iiif/3/files/{world.files['secret']}/collection.json", 404)
        _collection(anon, "/iiif/3/files/999999/collection.json", 404)
        fonds = f"/iiif/3/fonds/{world.fonds}/collection.json"
        seen = {key: f"{ROOT}/files/{world.files[key]}/collection.json" for key in world.files}
        assert [c["id"] for c in _collection(anon, fonds)["items"]] == [seen["public"]]
        assert [c["id"] for c in _collection(staff, fonds)["items"]] == [seen[k] for k in ("public", "internal",
                                                                                            "review")]
        token = {"Authorization": f"Bearer {world.tokens['admin']}"}
        assert len(anon.get(fonds, headers=token).json()["items"]) == 3
        assert anon.get(f"/iiif/3/documents/{world.docs['internal']}/manifest.json").status_code == 404
        internal = anon.get(f"/iiif/3/documents/{world.docs['internal']}/manifest.json", headers=token)
        assert internal.status_code == 200 and "seeAlso" not in internal.json()["items"][0]
        assert staff.get(f"/iiif/3/documents/{world.docs['secret']}/manifest.json").status_code == 404
        _collection(anon, "/iiif/3/fonds/999999/collection.json", 404)
        private = staff.get(fonds)
        assert private.headers["cache-control"] == "private, no-cache"
        assert "access-control-allow-origin" not in private.headers


def test_ids_use_the_public_address_except_for_staff_sessions(tmp_path: Path) -> None:
    context = open_context(Settings(data=tmp_path / "data", workers=1, public_url="https://luutru.example.vn"))
    try:
        world = build(context)
        app = create_app(context, watch_hot_folders=False)
        with TestClient(app) as anon, TestClient(app) as staff:
            login(staff)
            doc = world.docs["public"]
            assert _manifest(anon, doc)["id"] == f"https://luutru.example.vn/iiif/3/documents/{doc}/manifest.json"
            info = anon.get(f"/iiif/3/image/{doc}-1/info.json").json()
            assert info["id"] == f"https://luutru.example.vn/iiif/3/image/{doc}-1"
            assert _manifest(staff, doc)["id"] == f"{ROOT}/documents/{doc}/manifest.json"
            assert staff.get(f"/iiif/3/image/{doc}-1/info.json").json()["id"] == f"http://testserver/iiif/3/image/{doc}-1"
    finally:
        context.close()


def test_a_merged_document_has_no_manifest(ctx: AppContext, world: World) -> None:
    review.merge_documents(ctx, world.docs["internal"], world.docs["review"], actor="archivist")
    with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as staff:
        login(staff)
        assert staff.get(f"/iiif/3/documents/{world.docs['review']}/manifest.json").status_code == 404
        merged = _manifest(staff, world.docs["internal"])
        assert len(merged["items"]) == 2

