"""Vietnamese search on both backends: tone-insensitive, exact tones first, phrases, signs, filters."""

from __future__ import annotations

from datetime import date

import pytest

from sohoa.db.models import Document
from sohoa.index import IndexDoc, SearchFilters, make_index
from sohoa.index.facets import FacetValue, facet_counts
from sohoa.index.query import parse_query
from sohoa.index.snippets import make_snippet, make_snippet_html, make_snippets
from sohoa.services.platform.context import AppContext

DOCS = [
    ("Quyết định về việc hòa giải ở cơ sở", "155/KH-UBND", 2025, "Quyết định"),
    ("Kế hoạch trồng hoa xuất khẩu xã Đông Anh", "12/UBND-VX", 2024, "Kế hoạch"),
    ("Thông báo hoà bình và hữu nghị", "05/TB-UBND", 2025, "Thông báo"),
    ("Báo cáo công tác dân số, giải quyết khiếu nại", "15-BC/ĐU", 2023, "Báo cáo"),
]


@pytest.fixture
def indexed(any_ctx: AppContext) -> tuple[AppContext, list[int]]:
    index = make_index(any_ctx.db.engine)
    ids = []
    with any_ctx.db.session() as session:
        for text, code, year, kind in DOCS:
            doc = Document(text=text, source_name="x.png", issued_date=date(year, 3, 1), type_name=kind)
            session.add(doc)
            session.flush()
            index.upsert(session, IndexDoc(doc.id, text, code))
            ids.append(doc.id)
    return any_ctx, ids


def _search(ctx: AppContext, query: str, filters: SearchFilters | None = None) -> list[tuple[int, bool]]:
    with ctx.db.session() as session:
        result = make_index(ctx.db.engine).search(session, query, filters)
    return [(h.document_id, h.exact) for h in result.hits]


def test_exact_tones_rank_first(indexed: tuple[AppContext, list[int]]) -> None:
    ctx, ids = indexed
    hits = _search(ctx, "hòa")
    assert {d for d, _ in hits} == {ids[0], ids[1], ids[2]}
    assert [e for _, e in hits] == [True, True, False]  # hòa, hoà (same after placement), then hoa
    assert hits[-1][0] == ids[1]
    assert _search(ctx, "hoa")[0] == (ids[1], True)


def test_tone_placement_and_d_stroke(indexed: tuple[AppContext, list[int]]) -> None:
    ctx, ids = indexed
    assert _search(ctx, "hoà bình") == [(ids[2], True)]
    assert _search(ctx, "dong anh") == [(ids[1], False)]
    assert _search(ctx, "Đông Anh") == [(ids[1], True)]


def test_phrase_query(indexed: tuple[AppContext, list[int]]) -> None:
    ctx, ids = indexed
    assert _search(ctx, '"giai quyet"') == [(ids[3], False)]
    assert _search(ctx, '"quyết giải"') == []


@pytest.mark.parametrize("query", ["155/KH-UBND", "155 / KH - UBND", "Số: 155/KH-UBND", "155/kh-ubnd"])
def test_sign_lookup_in_any_spacing(indexed: tuple[AppContext, list[int]], query: str) -> None:
    ctx, ids = indexed
    assert _search(ctx, query) == [(ids[0], True)]


def test_party_sign(indexed: tuple[AppContext, list[int]]) -> None:
    ctx, ids = indexed
    assert _search(ctx, "15-BC/ĐU") == [(ids[3], True)]


def test_filters(indexed: tuple[AppContext, list[int]]) -> None:
    ctx, ids = indexed
    assert [d for d, _ in _search(ctx, "hoa", SearchFilters(year=2025))] == [ids[0], ids[2]] or \
        sorted(d for d, _ in _search(ctx, "hoa", SearchFilters(year=2025))) == sorted([ids[0], ids[2]])
    assert _search(ctx, "hoa", SearchFilters(type_name="Kế hoạch")) == [(ids[1], True)]
    assert _search(ctx, "hoa", SearchFilters(document_ids=[])) == []


def test_snippet_marks_folded_matches() -> None:
    parsed = parse_query("\"dong xuan\"")
    assert "[Đồng Xuân]" in make_snippet("Ủy ban nhân dân phường Đồng Xuân, quận Hoàn Kiếm", parsed)
    assert "<mark>Đồng Xuân</mark>" in make_snippet_html("phường Đồng Xuân <b>", parsed)
    assert "&lt;b&gt;" in make_snippet_html("phường Đồng Xuân <b>", parsed)


@pytest.mark.parametrize("text", ["Quyết định <b>hòa giải</b> ở cơ sở [1]", "không có gì", "hoà giải & hòa giải"])
def test_snippets_in_one_pass_equal_the_two_calls(text: str) -> None:
    parsed = parse_query("hòa giải")
    assert make_snippets(text, parsed) == (make_snippet(text, parsed), make_snippet_html(text, parsed))


def test_facets_in_one_statement(indexed: tuple[AppContext, list[int]]) -> None:
    ctx, _ids = indexed
    index = make_index(ctx.db.engine)
    with ctx.db.session() as session:
        counts = facet_counts(session, index, "hoa", None, ("year", "type", "unit"))
        sampled = facet_counts(session, index, "hoa", None, ("year",), sample=1)
        none = facet_counts(session, index, "   ", None, ("year",))
    assert counts["year"] == [FacetValue("2025", 2), FacetValue("2024", 1)]
    assert [v.count for v in counts["type"]] == [1, 1, 1]
    assert counts["unit"] == []  # no unit on these documents: left out, not counted as a value
    assert sum(v.count for v in sampled["year"]) == 1
    assert none == {"year": []}
