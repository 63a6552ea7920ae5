"""Permission matrix: every role × access level × unit relation sees exactly what the policy allows,
in search results, counts, facets, highlights, views, thumbnails and downloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sohoa.db.models import FileGrant
from sohoa.domain.errors import NotFound
from sohoa.services.catalogue.documents import highlight_boxes, page_image, view_document
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.context import AppContext

from .world import LEVELS, RELATIONS, World

ARCHIVE_ROLES = ("admin", "archivist", "coordinator", "qc_inspector", "scan_operator")
UNIT_ROLES = ("unit_clerk", "unit_officer")


def expected(role: str | None, relation: str, level: str, state: str = "published") -> bool:
    """The policy, stated independently of the code: the oracle of this matrix (``role`` None: anonymous or a
    public-only token)."""
    if level == "secret":
        return False  # never on the shared network, whoever asks
    if role in ARCHIVE_ROLES:
        return True  # archive staff: every unit, every state (the digitisation line works on them)
    if role in UNIT_ROLES and relation != "unrelated":
        return True  # a unit's own lineage, in any state
    return level == "public" and state in ("accepted", "published")  # everyone else: published records only


def principal_for(world: World, role: str | None) -> Principal | None:
    if role is None:
        return None
    unit = world.units["own"] if role in UNIT_ROLES else None
    return Principal(user_id=world.users[role], username=f"u_{role}", role=role, unit_id=unit)


ROLES: tuple[str | None, ...] = (None, *ARCHIVE_ROLES, *UNIT_ROLES)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_search_counts_and_facets_follow_policy(wctx: AppContext, world: World, role: str | None) -> None:
    principal = principal_for(world, role)
    page = search(wctx, principal, SearchRequest("hòa giải", limit=200, facets=True))
    want = {world.docs[(r, lv)] for r in RELATIONS for lv in LEVELS if expected(role, r, lv)}
    got = {hit.document_id for hit in page.results}
    assert got == want
    assert page.total == len(want)
    levels = {v["value"]: v["count"] for v in page.facets["access_level"]}
    assert sum(levels.values()) == len(want)
    assert "secret" not in levels
    units = {v["value"]: v["count"] for v in page.facets["unit"]}
    assert sum(units.values()) == len(want)
    assert world.marked_secret not in got


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("level", LEVELS)
def test_each_document_view(wctx: AppContext, world: World, role: str | None, relation: str, level: str) -> None:
    principal = principal_for(world, role)
    doc_id = world.docs[(relation, level)]
    marker = world.marker(relation, level)
    allowed = expected(role, relation, level)
    hits = search(wctx, principal, SearchRequest(marker), audit=False)
    assert hits.total == (1 if allowed else 0)
    if allowed:
        assert "[" + marker + "]" in hits.results[0].snippet
        view = view_document(wctx, principal, doc_id, query=marker)
        assert view.highlights[0].boxes == [[820, 200, 920, 240]]
        assert highlight_boxes(wctx, principal, doc_id, "hoa giai")[0].boxes == [[580, 200, 680, 240],
                                                                                    [700, 200, 800, 240]]
        image = page_image(wctx, principal, doc_id, 1)
        assert image.read()[:3] == b"\xff\xd8\xff" and image.media_type == "image/jpeg"
    else:
        with pytest.raises(NotFound):
            view_document(wctx, principal, doc_id)
        with pytest.raises(NotFound):
            highlight_boxes(wctx, principal, doc_id, marker)
        with pytest.raises(NotFound):
            page_image(wctx, principal, doc_id, 1)


def test_secret_only_for_local_operator(wctx: AppContext, world: World) -> None:
    assert search(wctx, SYSTEM, SearchRequest("mksecretmark")).total == 1
    admin = principal_for(world, "admin")
    assert search(wctx, admin, SearchRequest("mksecretmark")).total == 0
    with pytest.raises(NotFound):
        view_document(wctx, admin, world.marked_secret)


def test_file_grant_widens_until_expiry(ctx: AppContext, fresh_world: World) -> None:
    world = fresh_world
    officer = principal_for(world, "unit_officer")
    target = world.docs[("unrelated", "internal")]
    assert search(ctx, officer, SearchRequest("mkunrelatedinternal")).total == 0
    with ctx.db.session() as session:
        grant = FileGrant(file_id=world.files[("unrelated", "internal")], user_id=world.users["unit_officer"],
                          granted_by="admin", expires_at=datetime.now(UTC) + timedelta(hours=1))
        secret_grant = FileGrant(file_id=world.files[("unrelated", "secret")], user_id=world.users["unit_officer"],
                                 granted_by="admin", expires_at=datetime.now(UTC) + timedelta(hours=1))
        session.add_all([grant, secret_grant])
        session.flush()
        grant_id = grant.id
    assert [h.document_id for h in search(ctx, officer, SearchRequest("mkunrelatedinternal")).results] == [target]
    assert view_document(ctx, officer, target).document_id == target
    assert search(ctx, officer, SearchRequest("mkunrelatedsecret")).total == 0  # a grant never reveals secrets
    with ctx.db.session() as session:
        row = session.get(FileGrant, grant_id)
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert search(ctx, officer, SearchRequest("mkunrelatedinternal")).total == 0
    with pytest.raises(NotFound):
        view_document(ctx, officer, target)
