"""Review and QC queues that scale (#17 item 10): filters, sorting and pages from the URL, saved views per
person, built-in "low confidence"/"flagged fields" views, the access policy on rows, counts and choices,
dashboard figures equal to the queues they link to, and QC that says when no sampling plan is on."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.db.models import Document, DocumentSignature, Event, IngestItem, User
from sohoa.db.session import alembic_config
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production import qc, queue_views, review
from sohoa.services.production.queues import PAGE_SIZE, QueueFilter, queue_count, queue_page, unit_counts
from sohoa.settings import Settings

from . import _helpers as web

REVIEWER = Principal(user_id=1, username="archivist", role="archivist")


def _total(html: str) -> int:
    match = re.search(r'id="queue-total" data-total="(\d+)"', html)
    assert match, "queue page without its total"
    return int(match.group(1))


def _rows(html: str, path: str = "/review") -> list[int]:
    return [int(n) for n in re.findall(rf'<td><a href="{path}/(\d+)">#', html)]


def _world(ctx: AppContext) -> dict[str, int]:
    """Two units, two operators, four documents waiting for review with known confidences, one secret."""
    _acc, (file_a, file_b) = web.accession_with_files(ctx, files=2)
    other_unit = web.unit(ctx, "000.00.00.H26.T2", "UBND xã Khác")
    ids = {
        "low": web.document(ctx, file_a, pages=1, type_name="Quyết định"),  # subject 0.5: low, flagged
        "sure": web.document(ctx, file_a, pages=3, type_name="Công văn", operator="scan_2"),
        "other": web.document(ctx, file_b, pages=2, type_name="Công văn"),
        "secret": web.document(ctx, file_a, pages=1, type_name="Quyết định", secrecy="Mật", access_level="secret"),
    }
    with ctx.db.session() as session:
        sure = session.get(Document, ids["sure"])
        assert sure is not None
        sure.confidence = {"subject": 0.97, "type_name": 0.99}
        sure.provenance = {}
        other = session.get(Document, ids["other"])
        assert other is not None
        other.unit_id = other_unit
        other.confidence = {"subject": 0.9}
        other.provenance = {"_validation": [{"field": "subject", "vi": "x", "en": "x"}]}  # flagged, not low
    ids["unit_a"] = web.unit(ctx)
    ids["unit_b"] = other_unit
    return ids


def test_a_document_keeps_its_lowest_confidence_and_flagged_fields(ctx: AppContext) -> None:
    _acc, (file_id,) = web.accession_with_files(ctx)
    doc_id = web.document(ctx, file_id, type_name="Quyết định")
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        assert (doc.min_confidence, doc.flagged_fields) == (0.5, 1)
    assert review.update_fields(ctx, doc_id, {"subject": "Về việc thử"}, actor="a") == {}
    with ctx.db.session() as session:  # the reviewer confirmed the doubtful field: no longer flagged
        doc = session.get(Document, doc_id)
        assert doc is not None
        assert (doc.min_confidence, doc.flagged_fields) == (0.95, 0)


def test_filters_read_and_write_the_url() -> None:
    view = QueueFilter.from_params(
        [
            ("unit", "3"),
            ("type", "Quyết định"),
            ("state", "rework_review"),
            ("state", "qc"),
            ("conf", "60"),
            ("flagged", "1"),
            ("from", "01/03/2026"),
            ("to", "2026-03-31"),
            ("sort", "confidence"),
            ("page", "2"),
            ("accession", "x"),
            ("signed", "yes"),
        ]
    )
    assert view.unit == 3 and view.type_name == "Quyết định" and view.states == ("rework_review",)
    assert view.confidence_below == 60 and view.flagged and not view.signed and view.accession is None
    assert view.ingested_from is not None and view.ingested_from.isoformat() == "2026-03-01"
    assert view.page == 2 and view.sort == "confidence"
    assert QueueFilter.from_params(parse_qsl(view.query())) == view  # the URL is the view
    assert "page" not in view.query(page=1)
    assert QueueFilter.from_params([("sort", "drop table"), ("conf", "500")]) == QueueFilter()


def test_filters_and_sorts_narrow_the_review_queue(ctx: AppContext) -> None:
    ids = _world(ctx)

    def listed(**kwargs: object) -> list[int]:
        return [r.id for r in queue_page(ctx, "review", QueueFilter(**kwargs), principal=REVIEWER).rows]  # type: ignore[arg-type]

    assert listed() == [ids["low"], ids["sure"], ids["other"]]  # never the secret one
    assert listed(unit=ids["unit_b"]) == [ids["other"]]
    assert listed(type_name="Công văn") == [ids["sure"], ids["other"]]
    assert listed(operator="scan_2") == [ids["sure"]]
    assert listed(confidence_below=80) == [ids["low"]]
    assert listed(flagged=True) == [ids["low"], ids["other"]]
    assert listed(sort="confidence") == [ids["low"], ids["other"], ids["sure"]]
    assert listed(sort="pages") == [ids["sure"], ids["other"], ids["low"]]
    assert listed(sort="newest") == [ids["other"], ids["sure"], ids["low"]]
    page = queue_page(ctx, "review", QueueFilter(), principal=REVIEWER)
    assert page.total == 3
    assert sum(n for _t, _x, n in page.facets.types) == 3  # the secret document is in no choice's count
    assert queue_page(ctx, "review", QueueFilter(), principal=SYSTEM).total == 4  # the local operator sees it


def test_signed_and_ingest_date_filters(ctx: AppContext) -> None:
    ids = _world(ctx)
    with ctx.db.session() as session:
        sure = session.get(Document, ids["sure"])
        assert sure is not None and sure.ingest_item_id is not None
        master = session.get(IngestItem, sure.ingest_item_id)
        assert master is not None and master.master_object_id is not None
        session.add(
            DocumentSignature(document_id=sure.id, master_object_id=master.master_object_id, position=0, status="read")
        )
        old = session.get(Document, ids["low"])
        assert old is not None
        old.created_at = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)

    def listed(view: QueueFilter) -> list[int]:
        return [r.id for r in queue_page(ctx, "review", view, principal=REVIEWER).rows]

    assert listed(QueueFilter(signed=True)) == [ids["sure"]]
    january = QueueFilter.from_params([("from", "01/01/2025"), ("to", "15/01/2025")])
    assert listed(january) == [ids["low"]]  # the end day counts whole
    assert ids["low"] not in listed(QueueFilter.from_params([("from", "16/01/2025")]))


def test_a_queue_of_thousands_pages_and_counts(ctx: AppContext) -> None:
    _acc, (file_id,) = web.accession_with_files(ctx)
    first = web.document(ctx, file_id, pages=1)
    with ctx.db.session() as session:
        item = session.get(Document, first)
        assert item is not None
        session.add_all(
            Document(
                file_id=file_id,
                unit_id=item.unit_id,
                ingest_item_id=item.ingest_item_id,
                source_name=f"{n}.pdf",
                state="review",
                page_amount=1 + n % 5,
                confidence={"subject": (n % 100) / 100},
            )
            for n in range(2999)
        )
    view = QueueFilter(confidence_below=50, sort="confidence", page=3)
    page = queue_page(ctx, "review", view, principal=REVIEWER)
    expected = sum(1 for n in range(2999) if n % 100 < 50)  # the first document's lowest is 0.5: not below
    assert page.total == expected == queue_count(ctx, "review", view, principal=REVIEWER)
    assert len(page.rows) == PAGE_SIZE and page.pages == -(-expected // PAGE_SIZE)
    scores = [r.min_confidence for r in page.rows]
    assert scores == sorted(scores) and all(s is not None and s < 0.5 for s in scores)
    last = queue_page(ctx, "review", QueueFilter(page=10_000), principal=REVIEWER)
    assert last.filter.page == last.pages and len(last.rows) == 3000 - (last.pages - 1) * PAGE_SIZE


@pytest.mark.postgres
def test_the_filtered_queue_on_postgresql(pg_ctx: AppContext) -> None:
    ids = _world(pg_ctx)
    view = QueueFilter(flagged=True, type_name="Công văn", sort="confidence")
    page = queue_page(pg_ctx, "review", view, principal=REVIEWER)
    assert [r.id for r in page.rows] == [ids["other"]] and page.total == 1
    by_unit = [r.unit_name for r in queue_page(pg_ctx, "review", QueueFilter(sort="unit"), principal=REVIEWER).rows]
    assert by_unit == ["UBND phường Thử", "UBND phường Thử", "UBND xã Khác"]
    assert queue_count(pg_ctx, "review", QueueFilter(confidence_below=80), principal=REVIEWER) == 1


def test_the_review_page_filters_sorts_and_keeps_the_view_in_links(ctx: AppContext, client: TestClient) -> None:
    ids = _world(ctx)
    web.login(client, "archivist")
    html = client.get("/review").text
    assert _total(html) == 3 and str(ids["secret"]) not in _rows(html)
    assert 'href="/review?conf=80&amp;sort=confidence"' in html and "Độ tin cậy thấp" in html  # built-in views
    assert 'href="/review?flagged=1&amp;sort=flagged"' in html and "Có trường bị gắn cờ" in html
    low = client.get("/review?conf=80&sort=confidence").text
    assert _rows(low) == [ids["low"]] and 'aria-current="page">Độ tin cậy thấp' in low
    assert _rows(client.get(f"/review?unit={ids['unit_b']}").text) == [ids["other"]]
    assert _rows(client.get("/review?sort=pages").text) == [ids["sure"], ids["other"], ids["low"]]
    sent = client.get("/review?unit=&type=&from=&conf=80&sort=confidence", follow_redirects=False)  # the form
    assert sent.status_code == 303 and sent.headers["location"] == "/review?conf=80&sort=confidence"
    client.get("/lang/en")
    english = client.get("/review?flagged=1").text
    assert "Low confidence" in english and "Flagged fields" in english and "Lowest confidence first" in english


def test_saved_views_belong_to_their_owner(ctx: AppContext, client: TestClient) -> None:
    _world(ctx)
    token = web.login(client, "archivist")
    saved = client.post(
        "/review/views",
        data={"name": "  Công văn   thấp ", "query": "type=Công văn&conf=80", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/review?type=C%C3%B4ng+v%C4%83n&conf=80"
    page = client.get(saved.headers["location"]).text
    assert "Đã lưu bộ lọc Công văn thấp" in page and 'aria-current="page">Công văn thấp' in page
    (mine,) = [v for v in queue_views.list_views(ctx, _user_id(ctx, "archivist"), "review") if v.id]
    assert mine.query == "type=C%C3%B4ng+v%C4%83n&conf=80"
    token = web.login(client, "admin")  # another reviewer neither sees nor deletes it
    assert "Công văn thấp" not in client.get("/review").text
    refused = client.post(f"/review/views/{mine.id}/delete", data={"csrf_token": token})
    assert "Không tìm thấy bộ lọc đã lưu" in refused.text
    blank = client.post("/review/views", data={"name": " ", "csrf_token": token})
    assert "Tên bộ lọc cần từ 1 đến 100 ký tự" in blank.text
    token = web.login(client, "archivist")
    client.post(f"/review/views/{mine.id}/delete", data={"csrf_token": token})
    assert [v for v in queue_views.list_views(ctx, _user_id(ctx, "archivist"), "review") if v.id] == []


def _user_id(ctx: AppContext, username: str) -> int:
    with ctx.db.session() as session:
        return int(session.execute(select(User.id).where(User.username == username)).scalar_one())


def test_dashboard_and_home_figures_equal_the_queues_they_open(ctx: AppContext, client: TestClient) -> None:
    ids = _world(ctx)
    web.login(client, "admin")
    dashboard = client.get("/progress").text
    figures = re.findall(r'<a class="stat" href="([^"]+)"><b id="stat-(\w+)">(\d+)</b>', dashboard)
    assert {key for _h, key, _n in figures} >= {"review", "qc"}
    for href, key, figure in figures:
        if href.startswith("/review") or href.startswith("/qc"):
            assert _total(client.get(href.replace("&amp;", "&")).text) == int(figure), key
    per_unit = re.findall(r'<a href="(/(?:review|qc)\?unit=\d+)" data-count="(\d+)">', dashboard)
    assert (f"/review?unit={ids['unit_b']}", "1") in per_unit
    for href, figure in per_unit:
        assert _total(client.get(href).text) == int(figure)
    assert unit_counts(ctx, principal=REVIEWER) == [
        (ids["unit_a"], "UBND phường Thử", 2, 0),
        (ids["unit_b"], "UBND xã Khác", 1, 0),
    ]
    home = client.get("/").text
    tile = re.search(r'<a href="/review">[^<]*<small class="tile-count">(\d+)', home)
    assert tile and int(tile.group(1)) == _total(client.get("/review").text) == 3


def test_qc_says_when_no_sampling_plan_is_on(ctx: AppContext, client: TestClient) -> None:
    web.login(client, "admin")
    page = client.get("/qc").text
    assert 'id="no-plan"' in page and "Chưa có kế hoạch lấy mẫu" in page and 'href="/qc/plans"' in page
    assert "Chưa có kế hoạch lấy mẫu" in client.get("/progress").text
    client.get("/lang/en")
    english = client.get("/qc").text
    notice = english[english.index('id="no-plan"') : english.index("</div>", english.index('id="no-plan"'))]
    assert "No sampling plan is on" in notice and "without quality control" in notice
    assert not re.search(r"[ăâđêôơưạ-ỹ]", notice)  # nothing left in Vietnamese
    client.get("/lang/vi")
    qc.create_plan(ctx, "10 %", 0.1, actor="admin")
    assert 'id="no-plan"' not in client.get("/qc").text


def test_an_inspector_saves_a_view_of_the_qc_queue(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = web.accession_with_files(ctx)
    flagged = web.document(ctx, file_id, state="qc")  # subject read at 0.5
    sure = web.document(ctx, file_id, state="qc", type_name="Công văn")
    with ctx.db.session() as session:
        doc = session.get(Document, sure)
        assert doc is not None
        doc.confidence, doc.provenance = {"subject": 0.99}, {}
    token = web.login(client, "qc_inspector")
    assert _rows(client.get("/qc").text, "/qc/documents") == [flagged, sure]
    client.post("/qc/views", data={"name": "Gắn cờ", "query": "flagged=1&state=review", "csrf_token": token})
    page = client.get("/qc").text
    assert 'href="/qc?flagged=1">Gắn cờ</a>' in page  # a review-only state is not kept for the QC queue
    assert _rows(client.get("/qc?flagged=1").text, "/qc/documents") == [flagged]


def test_without_a_plan_the_default_plan_decides_and_says_so(ctx: AppContext) -> None:
    _acc, (file_id,) = web.accession_with_files(ctx)
    passed = web.document(ctx, file_id)
    assert review.update_fields(ctx, passed, {}, actor="a", mark_reviewed=True) == {}
    sampled_ctx = open_context(Settings(data=ctx.settings.data, workers=1, qc_default_rate=1.0))
    try:
        sampled = web.document(sampled_ctx, file_id)
        assert review.update_fields(sampled_ctx, sampled, {}, actor="a", mark_reviewed=True) == {}
        assert qc.sampling_status(sampled_ctx).default_rate == 1.0
    finally:
        sampled_ctx.close()
    with ctx.db.session() as session:
        states = {d.id: d.state for d in session.execute(select(Document)).scalars()}
        payloads = {
            e.entity_id: e.payload
            for e in session.execute(select(Event).where(Event.action == "document.review")).scalars()
        }
    assert states[passed] == "accepted" and payloads[passed] == {"next": "accepted", "plan": "default", "rate": 0.0}
    assert states[sampled] == "qc" and payloads[sampled] == {"next": "qc", "plan": "default", "rate": 1.0}


def test_the_migration_computes_the_figures_of_stored_documents(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "w001")  # before h517: documents without the two figures
    engine = sa.create_engine(url)
    row = {
        "page_amount": 1,
        "access_level": "internal",
        "text": "",
        "state": "review",
        "created_at": "2026-01-01",
        "updated_at": "2026-01-01",
    }
    rows = [
        {**row, "source_name": "a.pdf", "confidence": '{"subject": 0.4, "type_name": 0.9}', "provenance": "{}"},
        {
            **row,
            "source_name": "b.pdf",
            "confidence": '{"subject": 0.95}',
            "provenance": '{"code_number": {"needs_review": true}}',
        },
        {**row, "source_name": "c.pdf", "confidence": None, "provenance": None},
    ]
    try:
        with engine.begin() as connection:
            for values in rows:
                columns = ", ".join(values)
                connection.execute(
                    sa.text(f"INSERT INTO documents ({columns}) VALUES ({', '.join(':' + k for k in values)})"), values
                )
        command.upgrade(config, "h517")
        with engine.connect() as connection:
            found = connection.execute(
                sa.text("SELECT source_name, min_confidence, flagged_fields FROM documents ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in found] == [("a.pdf", 0.4, 1), ("b.pdf", 0.95, 1), ("c.pdf", None, 0)]
