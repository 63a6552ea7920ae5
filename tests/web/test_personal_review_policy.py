"""The review panel under a SOHOA_PERSONAL_MASK policy that leaves a kind unmasked at the document's access level:
each row's state says what the public will see, as the count does (one rule: ``masks_for_public``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.db.models import Document, Event, PersonalDatum
from sohoa.domain.personal import PersonalKind, normalize_value
from sohoa.services.platform.context import AppContext
from sohoa.services.production import personal_review
from sohoa.settings import Settings

from . import _helpers as helpers

NAME = "Nguyễn Văn Thuận"  # fictitious (dữ liệu giả lập)
CCCD = "001085012345"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data=tmp_path / "data", workers=1, personal_mask="internal=cccd")


def _world(ctx: AppContext) -> dict[str, int]:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc_id = helpers.document(ctx, file_id, pages=1, type_name="Quyết định", subject="Về việc cấp giấy chứng nhận")
    with ctx.db.session() as session:
        session.get_one(Document, doc_id).access_level = "internal"
        rows = {kind: PersonalDatum(document_id=doc_id, page_no=1, kind=kind.value, value=value,
                                    normalized=normalize_value(kind, value), boxes=[[1, 10, 10, 90, 40]],
                                    source="detected", status="masked", confidence=0.9)
                for kind, value in ((PersonalKind.NAME, NAME), (PersonalKind.CCCD, CCCD))}
        session.add_all(rows.values())
        session.flush()
        return {"doc": doc_id, **{k.value: r.id for k, r in rows.items()}}


def _row(html: str, datum_id: int) -> str:
    match = re.search(rf'<tr data-personal-id="{datum_id}".*?</tr>', html, re.S)
    assert match is not None
    return match.group(0)


def test_a_kind_the_policy_leaves_unmasked_reads_shown_on_its_row(ctx: AppContext, client: TestClient,
                                                                  staff: dict[str, str]) -> None:
    world = _world(ctx)
    spans = {s.id: s for s in personal_review.review_spans(ctx, world["doc"])}
    assert not spans[world["name"]].masked and spans[world["name"]].by_policy
    assert spans[world["cccd"]].masked and not spans[world["cccd"]].by_policy
    assert personal_review.public_masked(ctx, world["doc"]) == sum(s.masked for s in spans.values()) == 1

    helpers.login(client, "archivist")
    html = client.get(f"/review/{world['doc']}").text
    assert 'data-masked-count="1"' in html
    name_row, cccd_row = _row(html, world["name"]), _row(html, world["cccd"])
    assert 'data-personal-status="shown"' in name_row and "sẽ được che" not in name_row
    assert "không che loại dữ liệu này" in name_row and 'name="status"' not in name_row  # nothing to decide
    assert 'data-personal-status="masked"' in cccd_row and "sẽ được che" in cccd_row
    client.get("/lang/en")
    assert "leaves this kind unmasked" in _row(client.get(f"/review/{world['doc']}").text, world["name"])

    with ctx.db.session() as session:  # a data subject's restriction masks it whatever the policy
        session.get_one(PersonalDatum, world["name"]).restricted = True
    assert personal_review.public_masked(ctx, world["doc"]) == 2
    assert all(s.masked for s in personal_review.review_spans(ctx, world["doc"]))
    with ctx.db.session() as session:
        assert session.scalars(select(Event).where(Event.action == "personal.view")).first() is not None
