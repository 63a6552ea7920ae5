"""Page previews: rendered from the master once, stored as a web-size JPEG derivative, served from it after."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sohoa.db.models import Page, StoredObject
from sohoa.services.platform.context import AppContext
from sohoa.services.production import review

from . import _helpers as helpers


def test_second_request_reads_the_derivative_not_the_master(
    ctx: AppContext, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc_id = helpers.document(ctx, file_id, pages=1)
    page_id = review.get_document(ctx, doc_id).pages[0]["id"]
    decodes: list[int] = []
    render = review._render

    def counting(*args: object) -> bytes:
        decodes.append(1)
        return render(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(review, "_render", counting)
    helpers.login(client, "archivist")
    first = client.get(f"/pages/{page_id}/image")
    second = client.get(f"/pages/{page_id}/image")
    assert first.status_code == second.status_code == 200
    assert first.content[:3] == b"\xff\xd8\xff" and second.content == first.content
    assert len(decodes) == 1
    with ctx.db.session() as session:
        page = session.get(Page, page_id)
        assert page is not None and page.image_object_id is not None
        stored = session.get(StoredObject, page.image_object_id)
        assert stored is not None and (stored.kind, stored.media_type) == ("image", "image/jpeg")
        assert ctx.store.read(stored.sha256) == first.content
