"""Scanning that explains itself (#17 item 6): images grouped into one document, finished rows linking to their
documents, the rework list with defect codes, and its redo (rescan replacing one document, or back to review)."""

from __future__ import annotations

import io
import time

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, Event, Page, ScanUpload, StoredObject
from sohoa.domain.errors import ValidationFailed
from sohoa.domain.ocr import OcrPage
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.platform.context import AppContext
from sohoa.services.production import qc, scanning
from sohoa.services.production.ingest_groups import OneDocumentSplitter

from . import _helpers as helpers


def page_png(mark: int) -> bytes:
    """A scanned page; ``mark`` makes each one a different master."""
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    for y in range(200, 1500, 60):
        draw.rectangle((120, y, 1100 - 7 * mark, y + 18), fill="black")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(150, 150))
    return out.getvalue()


def _send(client: TestClient, headers: dict[str, str], name: str, data: bytes, **grouping: object) -> str:
    started = client.post("/scanning/uploads", json={"filename": name, "size": len(data), **grouping}, headers=headers)
    assert started.status_code == 201, started.text
    token = str(started.json()["token"])
    sent = client.put(
        f"/scanning/uploads/{token}",
        content=data,
        headers=headers | {"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
    )
    assert sent.status_code == 200, sent.text
    return token


def _wait(client: TestClient, token: str, seconds: float = 120) -> dict[str, object]:
    deadline = time.time() + seconds
    while time.time() < deadline:
        status = client.get(f"/scanning/uploads/{token}").json()
        if status["state"] in ("done", "failed"):
            return dict(status)
        time.sleep(0.3)
    raise AssertionError("upload not processed in time")


def _app(ctx: AppContext) -> TestClient:
    return TestClient(create_app(ctx, scan_ingest=helpers.fake_ingest, watch_hot_folders=False))


def test_images_grouped_as_one_document_are_one_document_in_file_name_order(
    ctx: AppContext, staff: dict[str, str]
) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    with _app(ctx) as client:
        headers = {"X-CSRF-Token": helpers.login(client, "scan_operator")}
        grouping = {"file_id": file_id, "group": "kehoach-trang-1-2", "group_size": 2, "one_document": True}
        # Sent page 10 first: the pages follow the file names as people count, not the order of arrival.
        late = _send(client, headers, "ke hoach 10.png", page_png(1), **grouping)
        assert client.get(f"/scanning/uploads/{late}").json()["state"] == "queued"  # waits for its group
        early = _send(client, headers, "ke hoach 2.png", page_png(2), **grouping)
        first, second = _wait(client, early), _wait(client, late)
        assert first["state"] == second["state"] == "done", (first, second)
        assert first["document_ids"] == second["document_ids"] and len(first["document_ids"]) == 1
        doc_id = first["document_ids"][0]
        assert first["pages"] == second["pages"] == 1 and first["documents"] == 1
        page = client.get("/scanning").text  # the finished rows link to the document
        assert page.count(f'href="/documents/{doc_id}"') == 2
        assert "Gộp các ảnh thành một văn bản" in page and "Trang thành văn bản như thế nào?" in page
    with ctx.db.session() as session:
        docs = session.execute(select(Document).where(Document.file_id == file_id)).scalars().all()
        assert [d.id for d in docs] == [doc_id] and docs[0].page_amount == 2
        names = (
            session.execute(
                select(StoredObject.original_name)
                .join(Page, Page.master_object_id == StoredObject.id)
                .where(Page.document_id == doc_id)
                .order_by(Page.page_no)
            )
            .scalars()
            .all()
        )
        assert names == ["ke hoach 2.png", "ke hoach 10.png"]


def test_files_sent_alone_stay_documents_of_their_own(ctx: AppContext, staff: dict[str, str]) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    with _app(ctx) as client:
        headers = {"X-CSRF-Token": helpers.login(client, "scan_operator")}
        statuses = [
            _wait(client, _send(client, headers, f"trang {n}.png", page_png(n), file_id=file_id)) for n in (1, 2)
        ]
    assert [len(s["document_ids"]) for s in statuses] == [1, 1]  # type: ignore[arg-type]
    assert statuses[0]["document_ids"] != statuses[1]["document_ids"]


def test_a_group_that_does_not_match_its_files_is_refused(ctx: AppContext, staff: dict[str, str]) -> None:
    with ctx.db.session() as session:
        assert session.execute(select(ScanUpload)).first() is None
    scanning.start_upload(
        ctx, None, "a.png", 10, operator="scan_operator", group="nhom-0001", group_size=1, one_document=True
    )
    with pytest.raises(Exception, match="group"):  # full already, or told a different size
        scanning.start_upload(
            ctx, None, "b.png", 10, operator="scan_operator", group="nhom-0001", group_size=1, one_document=True
        )
    with pytest.raises(ValidationFailed):
        scanning.start_upload(ctx, None, "c.png", 10, operator="scan_operator", group="x", group_size=2)
    assert scanning.natural_key("trang 2.png") < scanning.natural_key("Trang 10.png")


def _rejected(ctx: AppContext, file_id: int, defects: list[str], comment: str) -> int:
    doc_id = helpers.document(ctx, file_id, state="qc", type_name="Kế hoạch", subject="Tổ chức hội nghị")
    state = qc.inspect(
        ctx, doc_id, "reject", inspector="qc_inspector", defects=defects, comment=comment, rework_to="scanning"
    )
    assert state == "rework_scan"
    return doc_id


def _events(ctx: AppContext, doc_id: int, action: str) -> list[dict[str, object]]:
    with ctx.db.session() as session:
        rows = (
            session.execute(
                select(Event)
                .where(Event.entity_type == "document", Event.entity_id == doc_id, Event.action == action)
                .order_by(Event.id)
            )
            .scalars()
            .all()
        )
        return [dict(row.payload or {}) for row in rows]


def test_rework_shows_defect_codes_and_redo_sends_page_order_defects_to_review(
    ctx: AppContext, staff: dict[str, str]
) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    blurred = _rejected(ctx, file_id, ["D01"], "Trang 2 mờ")
    disordered = _rejected(ctx, file_id, ["D07"], "Trang 3 trước trang 2")
    with _app(ctx) as client:
        token = helpers.login(client, "scan_operator")
        page = client.get("/scanning").text
        assert "D01</span> Ảnh mờ, không rõ chữ" in page and "D07</span> Sai thứ tự trang" in page
        assert "Trang 2 mờ" in page and "qc_inspector" in page
        assert f'href="/scanning?redo={blurred}#upload"' in page  # a scan defect: rescan
        assert f'action="/scanning/rework/{disordered}/review"' in page  # a page-order defect: review
        assert f'action="/scanning/rework/{blurred}/review"' not in page

        refused = client.post(f"/scanning/rework/{blurred}/review", data={"csrf_token": token}, follow_redirects=False)
        assert refused.status_code == 303
        assert "Lỗi của văn bản này cần quét lại" in client.get("/scanning").text
        sent = client.post(f"/scanning/rework/{disordered}/review", data={"csrf_token": token}, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"] == "/scanning#rework"
        after = client.get("/scanning").text
        assert f"Đã chuyển văn bản #{disordered} sang kiểm duyệt lại" in after
        assert f'data-doc="{disordered}"' not in after and f'data-doc="{blurred}"' in after

        redo = client.get(f"/scanning?redo={blurred}").text
        assert f'id="scan-replaces" value="{blurred}"' in redo and "Quét lại văn bản" in redo
        client.get("/lang/en")
        english = client.get("/scanning").text
        assert "Blurred image" in english and "Redo: rescan" in english
    with ctx.db.session() as session:
        assert session.get(Document, disordered).state == "rework_review"
        assert session.get(Document, blurred).state == "rework_scan"
    assert _events(ctx, disordered, "qc.redo") == [{"action": "review", "defects": ["D07"], "next": "rework_review"}]
    assert _events(ctx, blurred, "qc.redo") == []


def test_redo_rescan_replaces_only_that_document(ctx: AppContext, staff: dict[str, str]) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    blurred = _rejected(ctx, file_id, ["D01"], "mờ")
    other = _rejected(ctx, file_id, ["D02"], "thiếu trang")
    with _app(ctx) as client:
        headers = {"X-CSRF-Token": helpers.login(client, "scan_operator")}
        grouping = {"group": "redo-00000001", "group_size": 2, "one_document": True, "replaces": blurred}
        tokens = [_send(client, headers, f"quet lai {n}.png", page_png(10 + n), **grouping) for n in (1, 2)]
        statuses = [_wait(client, t) for t in tokens]
        assert [s["state"] for s in statuses] == ["done", "done"], statuses
        (new_id,) = statuses[0]["document_ids"]  # type: ignore[misc]
        assert statuses[0]["replaces"] == blurred
        again = client.post(
            "/scanning/uploads", json={"filename": "x.png", "size": 9, "replaces": blurred}, headers=headers
        )
        assert again.status_code == 400  # superseded now: nothing left to rescan
    with ctx.db.session() as session:
        old, new = session.get(Document, blurred), session.get(Document, new_id)
        assert old.state == "superseded" and new.file_id == file_id and new.page_amount == 2
        assert session.get(Document, other).state == "rework_scan"  # the other rework waits for its own redo
    assert _events(ctx, blurred, "qc.redo")[0]["action"] == "rescan"
    assert _events(ctx, blurred, "document.update")[-1]["replaced_by"] == [new_id]
    assert _events(ctx, new_id, "document.update")[-1]["replaces"] == blurred


def test_grouped_ingest_and_rework_redo_on_both_databases(any_ctx: AppContext) -> None:
    _acc, (file_id,) = helpers.accession_with_files(any_ctx)
    tokens = []
    for n, name in ((1, "b 10.png"), (2, "b 9.png")):
        data = page_png(20 + n)
        status = scanning.start_upload(
            any_ctx,
            file_id,
            name,
            len(data),
            operator="scan_operator",
            group="both-dbs-01",
            group_size=2,
            one_document=True,
        )
        scanning.append_chunk(any_ctx, status.token, 0, data, operator="scan_operator")
        tokens.append(status.token)
    live = scanning.LiveProgress()
    scanning._run_one(any_ctx, tokens[0], helpers.fake_ingest, live)  # its group is complete: both ingested
    scanning._run_one(any_ctx, tokens[1], helpers.fake_ingest, live)  # already done with its group: nothing
    statuses = [scanning.upload_status(any_ctx, t) for t in tokens]
    assert [s.state for s in statuses] == ["done", "done"] and statuses[0].document_ids == statuses[1].document_ids
    with any_ctx.db.session() as session:
        assert session.get(Document, statuses[0].document_ids[0]).page_amount == 2

    disordered = _rejected(any_ctx, file_id, ["D10"], "tách sai")
    (item,) = scanning.rework_documents(any_ctx)
    assert item.defects == [("D10", "Tách/gộp văn bản sai", "Wrong document split")] and item.action == "review"
    scanning.redo_in_review(any_ctx, disordered, principal=SYSTEM, actor="scan_operator")
    assert scanning.rework_documents(any_ctx) == []
    with pytest.raises(ValidationFailed):
        scanning.redo_in_review(any_ctx, disordered, principal=SYSTEM, actor="scan_operator")


def test_one_document_keeps_every_page_but_separator_sheets() -> None:
    blank = OcrPage(600, 800, 300, ())  # a page with no words: the layout splitter would drop it
    assert OneDocumentSplitter().split([blank, blank, blank], separator_pages={1}) == [[0, 2]]
    assert OneDocumentSplitter().split([blank], separator_pages={0}) == []
