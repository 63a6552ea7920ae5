"""Scanning: safe names, chunked resumable upload through the real pipeline (fake OCR), SSE, hot folders."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from sohoa.app import create_app
from sohoa.domain.errors import ValidationFailed
from sohoa.services.platform.context import AppContext
from sohoa.services.production import scanning

from . import _helpers as helpers


@pytest.mark.parametrize("name", ["../x.tif", "/etc/passwd.png", "a/../../b.jpg", "..", "notes.txt", ""])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationFailed):
        scanning.safe_filename(name)


def test_names_are_reduced_to_a_plain_file_name() -> None:
    assert scanning.safe_filename("C:\\scans\\Hồ sơ 01.TIF") == "Hồ sơ 01.TIF"
    assert scanning.safe_filename("dir/trang\x00 1.png") == "trang 1.png"


def scan_png() -> bytes:
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    for y in range(200, 1500, 60):
        draw.rectangle((120, y, 1100, y + 18), fill="black")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(150, 150))
    return out.getvalue()


def _wait(client: TestClient, token: str, seconds: float = 120) -> dict[str, object]:
    deadline = time.time() + seconds
    while time.time() < deadline:
        status = client.get(f"/scanning/uploads/{token}").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.3)
    raise AssertionError("upload not processed in time")


def test_chunked_upload_is_resumable_and_processed(ctx: AppContext, staff: dict[str, str]) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    data = scan_png()
    app = create_app(ctx, scan_ingest=helpers.fake_ingest, watch_hot_folders=False)
    with TestClient(app) as client:
        token = helpers.login(client, "scan_operator")
        headers = {"X-CSRF-Token": token}
        started = client.post(
            "/scanning/uploads",
            json={"filename": "../trang 1.png", "size": len(data), "file_id": file_id},
            headers=headers,
        )
        assert started.status_code == 400  # a path in the name is refused, not cleaned silently
        started = client.post(
            "/scanning/uploads",
            json={"filename": "trang 1.png", "size": len(data), "file_id": file_id},
            headers=headers,
        )
        upload = started.json()["token"]
        half = len(data) // 2
        first = client.put(
            f"/scanning/uploads/{upload}",
            content=data[:half],
            headers=headers | {"Content-Range": f"bytes 0-{half - 1}/{len(data)}"},
        )
        assert first.json()["received"] == half
        # The connection "drops"; a chunk at the wrong offset is refused with the offset to resume at.
        wrong = client.put(
            f"/scanning/uploads/{upload}",
            content=data[:10],
            headers=headers | {"Content-Range": f"bytes 0-9/{len(data)}"},
        )
        assert wrong.status_code == 409
        resume_at = client.get(f"/scanning/uploads/{upload}").json()["received"]
        client.put(
            f"/scanning/uploads/{upload}",
            content=data[resume_at:],
            headers=headers | {"Content-Range": f"bytes {resume_at}-{len(data) - 1}/{len(data)}"},
        )
        status = _wait(client, upload)
        assert status["state"] == "done", status
        assert status["pages"] == 1 and status["documents"] == 1
        events = client.get("/scanning/events?once=1").text
        assert "event: upload" in events and '"state": "done"' in events
        folder = ctx.settings.data / "uploads" / upload
        assert [p.name for p in folder.iterdir()] == ["trang 1.png"]
    # The document is waiting for review, attributed to the operator.
    from sohoa.services.production.progress import dashboard

    assert dashboard(ctx).per_operator == [("scan_operator", 1, 1)]


def test_hot_folder_takes_stable_files_once(ctx: AppContext) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    folder = scanning.hot_folder(ctx, "tram-1")
    with ctx.db.session() as session:
        from sohoa.db.models import FileUnit

        code = session.get(FileUnit, file_id).file_code
    target = folder / code / "scan.png"
    target.parent.mkdir()
    target.write_bytes(scan_png())
    assert scanning.scan_hot_folder(ctx, "tram-1") == []  # just written: not stable yet
    old = time.time() - 60
    os.utime(target, (old, old))
    tokens = scanning.scan_hot_folder(ctx, "tram-1")
    assert len(tokens) == 1
    assert scanning.scan_hot_folder(ctx, "tram-1") == []  # idempotent
    status = scanning.upload_status(ctx, tokens[0])
    assert status.state == "queued" and status.file_code == code and status.operator == "station:tram-1"
    with pytest.raises(ValidationFailed):
        scanning.hot_folder(ctx, "../x")
    assert not (Path(ctx.settings.data) / "x").exists()
