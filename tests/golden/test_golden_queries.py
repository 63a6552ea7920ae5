"""Golden Vietnamese queries: relevance and matching rules guarded against regressions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests._profiles import PROFILES, module_profile_database

from sohoa.db.models import Document
from sohoa.index import make_index
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production.ingest_store import document_index_doc
from sohoa.settings import Settings

GOLDEN = json.loads(Path(__file__).with_name("golden_queries.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=PROFILES)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The golden corpus on SQLite (FTS5), on PostgreSQL and on the cluster profile (PostgreSQL, objects in S3):
    the same answers everywhere."""
    with module_profile_database(request) as url:
        yield from _corpus(url, tmp_path_factory)


def _corpus(url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Any:
    ctx = open_context(Settings(data=tmp_path_factory.mktemp("golden") / "data", workers=1, database_url=url))
    ids: dict[str, int] = {}
    index = make_index(ctx.db.engine)
    with ctx.db.session() as session:
        for key, spec in GOLDEN["corpus"].items():
            number, notation = spec["sign"].split("/", 1) if "-NQ/" not in spec["sign"] else spec["sign"].rsplit("/", 1)
            doc = Document(text=spec["text"], source_name=f"{key}.pdf", code_number=number, code_notation=notation,
                           issued_date=date.fromisoformat(spec["date"]), access_level="public", state="published")
            session.add(doc)
            session.flush()
            index.upsert(session, document_index_doc(doc))
            ids[key] = doc.id
    yield ctx, ids
    ctx.close()


@pytest.mark.parametrize("case", GOLDEN["queries"], ids=[c["q"] for c in GOLDEN["queries"]])
def test_golden_query(corpus: tuple[AppContext, dict[str, int]], case: dict[str, Any]) -> None:
    ctx, ids = corpus
    page = search(ctx, None, SearchRequest(case["q"], limit=50), audit=False)
    got = [hit.document_id for hit in page.results]
    assert page.partial == case.get("partial", False), case["why"]
    if "tiers" in case:  # the whole answer: each tier (a set) before the next
        tiers = [[ids[k] for k in tier] for tier in case["tiers"]]
        assert [set(got[sum(map(len, tiers[:n])):][:len(t)]) for n, t in enumerate(tiers)] == [set(t) for t in tiers], \
            case["why"]
        assert len(got) == sum(map(len, tiers)), case["why"]
    elif "first" in case:  # partial matches: the best ones, in order
        assert got[:len(case["first"])] == [ids[k] for k in case["first"]], case["why"]
    if "ranked" not in case:
        return
    ranked = [ids[k] for k in case["ranked"]]
    then = [ids[k] for k in case["then"]]
    assert len(got) == len(ranked) + len(then), case["why"]
    if case.get("unordered"):
        assert set(got) == set(ranked), case["why"]
    else:
        assert set(got[:len(ranked)]) == set(ranked), case["why"]
        assert set(got[len(ranked):]) == set(then), case["why"]
        assert all(hit.exact for hit in page.results[:len(ranked)]) or case["q"].isascii()
    if "suggest" in case:
        assert page.suggestion == case["suggest"], case["why"]


def test_sorting_by_date(corpus: tuple[AppContext, dict[str, int]]) -> None:
    ctx, ids = corpus
    page = search(ctx, SYSTEM, SearchRequest("quyết định", sort="date_asc", limit=50), audit=False)
    dates = [hit.fields["issued_date"] for hit in page.results if hit.exact]
    assert dates == sorted(dates)
    newest = search(ctx, SYSTEM, SearchRequest("quyết định", sort="date_desc", limit=1), audit=False)
    assert newest.results[0].document_id == ids["hoa_giai_new"]


def test_date_range_and_facets(corpus: tuple[AppContext, dict[str, int]]) -> None:
    ctx, ids = corpus
    page = search(ctx, SYSTEM, SearchRequest("quyết định", date_from=date(2018, 1, 15), date_to=date(2018, 12, 31),
                                             facets=True), audit=False)
    assert {h.document_id for h in page.results} == {ids["qd2"], ids["qd3"], ids["ocr_typo"]} - {ids["ocr_typo"]}
    assert page.facets["year"] == [{"value": "2018", "count": 2}]
