"""Staff search page and document view: results, highlighting, the PDF/A, and record-level access."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest import ingest_paths

from ..ingest._helpers import text_page
from ..ingest.test_ingest_fast import fake
from . import _helpers as helpers


def _ingest(ctx: AppContext, tmp_path: Path) -> int:
    page = text_page(tmp_path / "p.png", ["Quyết định về việc hòa giải"])
    report = ingest_paths(ctx, [page], engine_factory=fake)
    return report.items[0].documents[0]


def test_archivist_searches_and_opens_the_pdf(ctx: AppContext, client: TestClient, tmp_path: Path) -> None:
    doc_id = _ingest(ctx, tmp_path)
    helpers.login(client, "archivist")
    page = client.get("/search", params={"q": "hoa giai"})
    assert page.status_code == 200
    # the result links to the document with the query, whose hits the page viewer draws
    assert f'href="/documents/{doc_id}?q=hoa%20giai"' in page.text and "<mark>" in page.text
    view = client.get(f"/documents/{doc_id}")
    assert view.status_code == 200 and f"/documents/{doc_id}/pdf" in view.text
    pdf = client.get(f"/documents/{doc_id}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    from sqlalchemy import select

    from sohoa.db.models import Event

    with ctx.db.session() as session:
        actions = [e.action for e in session.execute(select(Event).where(Event.actor == "archivist")).scalars()]
    assert {"search", "document.view", "document.download"} <= set(actions), actions


def test_partial_matches_are_said_to_be_partial(ctx: AppContext, client: TestClient, tmp_path: Path) -> None:
    doc_id = _ingest(ctx, tmp_path)
    helpers.login(client, "archivist")
    page = client.get("/search", params={"q": "quyết định hòa giải 2031"})  # no document holds "2031"
    assert f'href="/documents/{doc_id}?q=' in page.text and 'id="partial-note"' in page.text
    whole = client.get("/search", params={"q": "quyết định hòa giải"})
    assert f'href="/documents/{doc_id}?q=' in whole.text and 'id="partial-note"' not in whole.text


def test_unit_officer_of_another_unit_sees_nothing(ctx: AppContext, client: TestClient, tmp_path: Path) -> None:
    doc_id = _ingest(ctx, tmp_path)  # internal, no unit: the archives' own intake
    helpers.login(client, "unit_officer")
    assert f"/documents/{doc_id}" not in client.get("/search", params={"q": "hoa giai"}).text
    assert client.get(f"/documents/{doc_id}").status_code == 404
    assert client.get(f"/documents/{doc_id}/pdf").status_code == 404
    assert client.get(f"/documents/{doc_id}/pages/1/image").status_code == 404


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/search", params={"q": "x"}, follow_redirects=False)
    assert response.status_code in (303, 401)


def test_document_page_viewer_pages_text_and_hits(any_ctx: AppContext, tmp_path: Path) -> None:
    """The viewer's configuration (pages, their text, the query's hits) and its page images, on SQLite and
    PostgreSQL."""
    from sohoa.app import create_app

    doc_id = _ingest(any_ctx, tmp_path)
    helpers.users(any_ctx)
    with TestClient(create_app(any_ctx, watch_hot_folders=False)) as client:
        _viewer_config_and_images(client, doc_id)


def _viewer_config_and_images(client: TestClient, doc_id: int) -> None:
    import json
    import re
    from html import unescape

    helpers.login(client, "archivist")
    view = client.get(f"/documents/{doc_id}", params={"q": "hoa giai"})
    found = re.search(r"data-config='([^']*)'", view.text)
    assert view.status_code == 200 and found is not None
    config = json.loads(unescape(found.group(1)))
    page = config["pages"][0]
    assert page["info"] == f"/iiif/3/image/{doc_id}-1/info.json"
    assert page["thumb"] == f"/documents/{doc_id}/pages/1/image?kind=thumbnail"
    assert "hòa giải" in page["text"]
    assert [h["page"] for h in config["hits"]] == [1] and len(config["hits"][0]["boxes"]) == 2  # hòa, giải
    thumb = client.get(page["thumb"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content.startswith(b"\xff\xd8")
    assert client.get(f"/documents/{doc_id}/pages/2/image").status_code == 404  # no page 2
