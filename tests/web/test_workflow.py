"""Review → QC → rework → dashboard, and merge/split/reorder, each recorded as events."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.db.models import Document, Event, Page
from sohoa.services.platform.audit import verify_chain
from sohoa.services.platform.context import AppContext
from sohoa.services.production import progress, qc, review

from . import _helpers as helpers


def _state(ctx: AppContext, doc_id: int) -> str:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        return doc.state


def _stage(ctx: AppContext, key: str) -> int:
    return next(n for k, _v, _e, n in progress.dashboard(ctx).stages if k == key)


def test_correct_review_reject_rework_and_dashboard(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc_id = helpers.document(ctx, file_id, type_name="Quyết định", subject="Về việc thành lập tổ công tác")
    qc.create_plan(ctx, "Toàn bộ", 1.0, actor="qc_inspector")
    assert _stage(ctx, "review") == 1

    token = helpers.login(client, "archivist")
    screen = client.get(f"/review/{doc_id}")
    assert screen.status_code == 200 and "Về việc thành lập" in screen.text
    assert client.get(f"/pages/{review.get_document(ctx, doc_id).pages[0]['id']}/image").content[:3] == b"\xff\xd8\xff"
    bad = client.post(
        f"/review/{doc_id}",
        data={"issued_date": "31/02/2020", "code_number": "12a", "csrf_token": token, "action": "save"},
    )
    assert bad.status_code == 400 and "Ngày không hợp lệ" in bad.text and 'aria-invalid="true"' in bad.text
    good = {
        "type_name": "Quyết định",
        "code_number": "12",
        "code_notation": "QĐ-UBND",
        "issued_date": "05/06/2020",
        "organ_name": "UBND phường Thử",
        "subject": "Về việc thành lập tổ công tác số hóa",
        "csrf_token": token,
        "action": "approve",
    }
    assert client.post(f"/review/{doc_id}", data=good, follow_redirects=False).status_code == 303
    assert _state(ctx, doc_id) == "qc" and _stage(ctx, "qc") == 1 and _stage(ctx, "review") == 0

    token = helpers.login(client, "qc_inspector")
    page = client.get(f"/qc/documents/{doc_id}")
    assert "Đủ trường bắt buộc" in page.text and "Độ phân giải ≥ 200 dpi" in page.text
    no_code = client.post(f"/qc/documents/{doc_id}", data={"decision": "reject", "csrf_token": token})
    assert no_code.status_code == 400
    client.post(
        f"/qc/documents/{doc_id}",
        data={"decision": "reject", "defects": ["D01", "D02"], "comment": "Trang 2 bị mờ", "csrf_token": token},
    )
    assert _state(ctx, doc_id) == "rework_scan"
    assert _stage(ctx, "rework") == 1 and _stage(ctx, "qc") == 0
    stats = qc.operator_stats(ctx)
    assert [(s.operator, s.inspected, s.rejected) for s in stats] == [("scan_operator", 1, 1)]

    token = helpers.login(client, "scan_operator")
    assert "Trang 2 bị mờ" in client.get("/scanning").text

    token = helpers.login(client, "coordinator")
    dashboard = client.get("/progress").text
    assert 'id="stat-rework">1<' in dashboard
    sheet = client.get("/progress/export.xlsx")
    assert sheet.content[:2] == b"PK"
    with ctx.db.session() as session:
        actions = [e.action for e in session.execute(select(Event).order_by(Event.id)).scalars()]
        assert {"document.update", "document.review", "qc.reject"} <= set(actions)
        assert verify_chain(session).ok


def test_review_rework_goes_back_to_review_queue(ctx: AppContext) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc_id = helpers.document(ctx, file_id, state="qc", type_name="Quyết định")
    qc.inspect(ctx, doc_id, "reject", inspector="qc", defects=["D08"], comment="Sai ngày")
    assert _state(ctx, doc_id) == "rework_review"
    queue = review.review_queue(ctx)
    assert queue[0].id == doc_id and queue[0].state == "rework_review"
    assert review.get_document(ctx, doc_id).qc_comment == "Sai ngày"


def test_sampling_rate_is_respected_and_stable(ctx: AppContext) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    qc.create_plan(ctx, "10 %", 0.1, actor="qc")
    ids = [helpers.document(ctx, file_id, pages=1) for _ in range(60)]
    for doc_id in ids:
        review.update_fields(ctx, doc_id, {}, actor="a", mark_reviewed=True)
    sampled = [d for d in ids if _state(ctx, d) == "qc"]
    assert 1 <= len(sampled) <= 15
    assert all(_state(ctx, d) == "accepted" for d in ids if d not in sampled)


def test_merge_split_reorder(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    first = helpers.document(ctx, file_id, pages=2)
    second = helpers.document(ctx, file_id, pages=1)
    token = helpers.login(client, "archivist")
    client.post(f"/review/{first}/merge", data={"other_id": str(second), "csrf_token": token})
    detail = review.get_document(ctx, first)
    assert [p["page_no"] for p in detail.pages] == [1, 2, 3] and _state(ctx, second) == "merged"
    ids = [p["id"] for p in detail.pages]
    client.post(f"/review/{first}/reorder", data={"order": ",".join(map(str, ids[::-1])), "csrf_token": token})
    assert [p["id"] for p in review.get_document(ctx, first).pages] == ids[::-1]
    client.post(f"/review/{first}/split", data={"at_page": "3", "csrf_token": token})
    with ctx.db.session() as session:
        docs = session.execute(select(Document).where(Document.state == "review")).scalars().all()
        sizes = sorted(len(d.pages) for d in docs)
        assert sizes == [1, 2]
        assert session.execute(select(Page).where(Page.document_id.is_(None))).first() is None
