"""Bounded work for very common words: same scope, exact tones first, lower-bound totals, sampled facets."""

from __future__ import annotations

import pytest

from sohoa.index import large
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext

from .test_permission_matrix import ROLES, expected, principal_for
from .world import LEVELS, RELATIONS, World


@pytest.fixture
def small_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(large, "BOUND", 2)
    monkeypatch.setattr("sohoa.index.fts5.BOUND", 2)
    monkeypatch.setattr("sohoa.services.catalogue.search.BOUND", 2)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_scope_holds_past_the_bound(wctx: AppContext, world: World, small_bound: None, role: str | None) -> None:
    principal = principal_for(world, role)
    page = search(wctx, principal, SearchRequest("hòa giải", limit=200, facets=True), audit=False)
    want = {world.docs[(r, lv)] for r in RELATIONS for lv in LEVELS if expected(role, r, lv)}
    assert {hit.document_id for hit in page.results} == want
    assert not page.total_exact and page.total == 3
    assert sum(v["count"] for v in page.facets["access_level"]) <= 2
    assert {v["value"] for v in page.facets["access_level"]} <= {"public", "conditional", "internal"}


def test_exact_tier_first_and_date_sort_past_the_bound(wctx: AppContext, world: World, small_bound: None) -> None:
    admin = Principal(user_id=world.users["admin"], username="u_admin", role="admin")
    page = search(wctx, admin, SearchRequest("hoa giai", limit=200, sort="date_desc"), audit=False)
    assert all(not hit.exact for hit in page.results)  # the text has tones; the query has none
    dates = [hit.fields["issued_date"] for hit in page.results]
    assert dates == sorted(dates, reverse=True)
    toned = search(wctx, admin, SearchRequest("hòa giải", limit=5, offset=2), audit=False)
    first = search(wctx, admin, SearchRequest("hòa giải", limit=7), audit=False)
    assert [h.document_id for h in toned.results] == [h.document_id for h in first.results][2:]
    unit = search(wctx, admin, SearchRequest("hòa giải", unit="T.U", limit=200), audit=False)
    assert {h.unit_id for h in unit.results} == {world.units["unrelated"]}
