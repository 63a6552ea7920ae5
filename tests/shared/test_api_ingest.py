"""POST /api/v1/ingest: streamed uploads, a background worker, idempotency, resume, unit binding, limits."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlalchemy import func, select
from starlette.requests import Request

from sohoa.api.streaming import FormError, receive_form
from sohoa.app import create_app
from sohoa.db.models import Document, Event, IngestItem
from sohoa.domain.ocr import BBox, Word
from sohoa.engines.fakes import FakeOcrEngine
from sohoa.services.identity.tokens import create_token
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production.ingest import IngestReport, ingest_paths
from sohoa.services.sharing.api_ingest import UploadSink, uploads_root
from sohoa.settings import Settings

from .world import World, build_world

WORDS = tuple(Word(t, BBox(60 + 130 * i, 60, 180 + 130 * i, 100), 0.95, 1, 1)
              for i, t in enumerate(["Quyết", "định", "về", "việc", "hòa", "giải"]))


def fake_engine() -> FakeOcrEngine:
    return FakeOcrEngine(WORDS)


def fake_ingest(ctx: AppContext, paths: list[Path], **kwargs: Any) -> IngestReport:
    """The real ingest pipeline with a fake OCR engine (no Tesseract)."""
    return ingest_paths(ctx, paths, engine_factory=fake_engine, **kwargs)


def png(colour: tuple[int, int, int] = (250, 250, 245)) -> bytes:
    """A small page with a few dark lines (a blank page would make no document); colour varies the bytes."""
    image = Image.new("RGB", (900, 1200), colour)
    draw = ImageDraw.Draw(image)
    for n in range(12):
        draw.rectangle((80, 100 + 80 * n, 80 + 60 * (n % 5 + 6), 130 + 80 * n), fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(300, 300))
    return buffer.getvalue()


def app_for(ctx: AppContext) -> Any:
    app = create_app(ctx, watch_hot_folders=False)
    app.state.api_ingest_fn = fake_ingest
    app.state.webhook_interval = 3600.0  # keep delivery quiet here; it has tests of its own
    return app


@pytest.fixture
def tokens(ctx: AppContext, fresh_world: World) -> dict[str, dict[str, str]]:
    made = {"city": create_token(ctx, "city-dms", ["write:ingest"])[0],
            "ward": create_token(ctx, "ward-dms", ["write:ingest"], unit="T.M")[0],
            "reader": create_token(ctx, "reader", ["read:public"])[0]}
    return {name: {"Authorization": f"Bearer {raw}"} for name, raw in made.items()}


def _post(client: TestClient, headers: dict[str, str], data: bytes, name: str = "trang 1.png",
          **fields: str) -> Any:
    return client.post("/api/v1/ingest", headers=headers, files={"file": (name, data, "image/png")}, data=fields)


def _wait(client: TestClient, headers: dict[str, str], sha: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = client.get(f"/api/v1/ingest/{sha}", headers=headers).json()
        if status["state"] not in ("queued", "processing") or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def _count(ctx: AppContext, model: type, *where: Any) -> int:
    with ctx.db.session() as session:
        return int(session.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def _leftovers(ctx: AppContext) -> list[Path]:
    root = uploads_root(ctx)
    return sorted(root.rglob("*")) if root.exists() else []


def test_upload_is_ingested_in_the_background_and_idempotent(ctx: AppContext,
                                                            tokens: dict[str, dict[str, str]]) -> None:
    data = png()
    with TestClient(app_for(ctx)) as client:
        first = _post(client, tokens["city"], data, file_code="H.API.01", unit="T.M")
        assert first.status_code == 202, first.text
        sha = first.json()["sha256"]
        assert first.json()["status_url"] == f"/api/v1/ingest/{sha}" and first.json()["state"] == "queued"
        status = _wait(client, tokens["city"], sha)
        assert status["state"] == "done" and status["documents"], status
        again = _post(client, tokens["city"], data, name="bản sao.png")
        assert again.status_code == 200 and again.json()["state"] == "duplicate"
        assert _wait(client, tokens["city"], sha)["documents"] == status["documents"]
    assert _count(ctx, IngestItem) == 1 and _count(ctx, Document) - len(status["documents"]) == 17  # the world's
    assert _leftovers(ctx) == []  # the master lives in the object store; the upload folder is gone
    with ctx.db.session() as session:
        actions = set(session.execute(select(Event.action).where(Event.actor == "token:city-dms")).scalars())
    assert {"api.ingest_accept", "api.ingest_duplicate", "api.ingest_status", "document.create"} <= actions


def test_unreadable_upload_is_quarantined_with_its_reason(ctx: AppContext,
                                                         tokens: dict[str, dict[str, str]]) -> None:
    with TestClient(app_for(ctx)) as client:
        sent = _post(client, tokens["city"], b"\x89PNG\r\n\x1a\n" + b"\0" * 300, name="hỏng.png")
        assert sent.status_code == 202
        status = _wait(client, tokens["city"], sent.json()["sha256"])
    assert status["state"] == "quarantined" and status["reason"] and status["documents"] == []


def test_uploads_left_by_a_stopped_process_are_resumed(ctx: AppContext, tokens: dict[str, dict[str, str]]) -> None:
    stopped = TestClient(app_for(ctx))  # no lifespan: the worker never starts, as if the process died
    sha = _post(stopped, tokens["ward"], png((240, 240, 240))).json()["sha256"]
    assert _wait(stopped, tokens["ward"], sha, timeout=0)["state"] == "queued"
    assert [p.name for p in _leftovers(ctx) if p.is_file()] == ["trang 1.png"]
    with TestClient(app_for(ctx)) as client:
        status = _wait(client, tokens["ward"], sha)
    assert status["state"] == "done" and status["documents"]


def test_scopes_and_unit_binding(ctx: AppContext, fresh_world: World, tokens: dict[str, dict[str, str]]) -> None:
    client = TestClient(app_for(ctx))
    data = png((230, 240, 250))
    assert _post(client, {}, data).status_code == 401
    assert _post(client, tokens["reader"], data).status_code == 403
    assert _post(client, tokens["ward"], data, unit="T.U").status_code == 403
    assert _post(client, tokens["ward"], data, file_code="F.unrelated.public").status_code == 403
    assert _post(client, tokens["city"], data, unit="KHONG.CO").status_code == 404
    assert _leftovers(ctx) == [] and _count(ctx, IngestItem) == 0
    own = _post(client, tokens["ward"], data)  # no unit named: the token's own
    assert own.status_code == 202
    assert _post(client, tokens["ward"], png((200, 200, 200)), unit="T.P").status_code == 202  # a predecessor
    with ctx.db.session() as session:
        units = set(session.execute(select(IngestItem.unit_id)).scalars())
        refused = session.execute(select(func.count()).select_from(Event)
                                  .where(Event.action == "api.ingest_refused")).scalar_one()
    assert units == {fresh_world.units["own"], fresh_world.units["predecessor"]} and refused == 3
    sha = own.json()["sha256"]
    assert client.get(f"/api/v1/ingest/{sha}", headers=tokens["reader"]).status_code == 403
    assert client.get(f"/api/v1/ingest/{'0' * 64}", headers=tokens["city"]).status_code == 404
    assert client.get("/api/v1/ingest/not-a-hash", headers=tokens["city"]).status_code == 422


@pytest.mark.parametrize("name", ["../../evil.png", "/etc/passwd.png", "notes.txt", ""])
def test_file_names_never_leave_the_upload_folder(ctx: AppContext, tokens: dict[str, dict[str, str]],
                                                  name: str) -> None:
    response = _post(TestClient(app_for(ctx)), tokens["city"], png(), name=name)
    assert response.status_code in (400, 422), response.text
    assert _leftovers(ctx) == []
    assert not (ctx.settings.data / "evil.png").exists() and not (ctx.settings.data / "uploads" / "evil.png").exists()


def test_folder_parts_of_a_name_are_dropped(ctx: AppContext, tokens: dict[str, dict[str, str]]) -> None:
    response = _post(TestClient(app_for(ctx)), tokens["city"], png(), name="scans/2025/trang.png")
    assert response.status_code == 202
    files = [p for p in _leftovers(ctx) if p.is_file()]
    assert [p.name for p in files] == ["trang.png"] and files[0].parent.parent == uploads_root(ctx)


@pytest.fixture
def small_ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(Settings(data=tmp_path / "small", workers=1, max_upload_bytes=50_000))
    build_world(context)
    yield context
    context.close()


def test_too_large_is_refused(small_ctx: AppContext) -> None:
    raw, _ = create_token(small_ctx, "city", ["write:ingest"])
    client = TestClient(app_for(small_ctx))
    response = _post(client, {"Authorization": f"Bearer {raw}"}, b"\x89PNG" + b"x" * 60_000)
    assert response.status_code == 413
    declared = client.post("/api/v1/ingest", headers={"Authorization": f"Bearer {raw}",
                                                      "Content-Type": "multipart/form-data; boundary=b",
                                                      "Content-Length": "999999999"}, content=b"--b--\r\n")
    assert declared.status_code == 413
    assert _leftovers(small_ctx) == [] and _count(small_ctx, IngestItem) == 0
    assert _count(small_ctx, Event, Event.action == "api.ingest_refused") == 2


def test_the_stream_stops_at_the_limit(tmp_path: Path) -> None:
    """An oversized file is refused after the limit is passed, not after its last byte has been read."""
    boundary = "sohoa"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode()
    chunks = [head] + [b"x" * 8192] * 200 + [f"\r\n--{boundary}--\r\n".encode()]
    read = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [
        (b"content-type", f"multipart/form-data; boundary={boundary}".encode())]}
    sink = UploadSink(tmp_path / "api", max_bytes=40_000)
    with pytest.raises(Exception) as caught:
        asyncio.run(receive_form(Request(scope, receive), sink))
    assert type(caught.value).__name__ == "UploadTooLarge"
    assert read <= 8 and sink.size <= 40_000 + 8192
    sink.discard()
    assert not sink.folder.exists()


def test_a_body_that_is_not_a_form_is_a_400(tmp_path: Path) -> None:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-type", b"application/json")]}
    with pytest.raises(FormError) as caught:
        asyncio.run(receive_form(Request(scope, receive), UploadSink(tmp_path / "api", 100)))
    assert caught.value.status == 400


def test_openapi_documents_the_upload(ctx: AppContext) -> None:
    spec = TestClient(app_for(ctx)).get("/api/v1/openapi.json").json()
    post = spec["paths"]["/api/v1/ingest"]["post"]
    schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"] and schema["properties"]["file"]["format"] == "binary"
    assert {"200", "202", "413"} <= set(post["responses"])
    assert "/api/v1/ingest/{sha256}" in spec["paths"]


def test_a_failed_ingest_keeps_the_upload_until_the_bytes_come_again(ctx: AppContext,
                                                                   tokens: dict[str, dict[str, str]]) -> None:
    def broken(_ctx: AppContext, _paths: list[Path], **_kwargs: Any) -> IngestReport:
        raise RuntimeError("engine down")

    data = png((235, 235, 225))
    app = app_for(ctx)
    app.state.api_ingest_fn = broken
    with TestClient(app) as client:
        sha = _post(client, tokens["city"], data).json()["sha256"]
        status = _wait(client, tokens["city"], sha)
    assert (status["state"], status["reason"]) == ("failed", "ingest_error") and "engine down" in status["message"]
    assert len([p for p in _leftovers(ctx) if p.is_file()]) == 1  # nothing lost: the master never reached the store
    with TestClient(app_for(ctx)) as client:
        again = _post(client, tokens["city"], data)
        assert again.status_code == 202  # a failed item is queued again
        assert _wait(client, tokens["city"], sha)["state"] == "done"
    assert _leftovers(ctx) == [] and _count(ctx, IngestItem) == 1
