"""Closeness and partial matches on both backends, and the access scope that holds inside the fallback."""

from __future__ import annotations

from datetime import date

import pytest

from sohoa.db.models import Document
from sohoa.domain.search import SearchFilters
from sohoa.index import make_index
from sohoa.index.large import BOUND
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest_store import document_index_doc

# Every one holds "góp vốn" and "Cục Thuế" and none holds "5348": the query below finds only partial matches.
SECRET_MARK = "MẬT-ZQX"
DOCS = {
    "public": ("Trả lời về góp vốn điều lệ của Cục Thuế", "public", None, "published", 2024),
    "public_old": ("Góp vốn của Cục Thuế năm trước", "public", None, "published", 2019),
    "draft": ("Góp vốn điều lệ, Cục Thuế, bản nháp chưa duyệt", "public", None, "review", 2024),
    "internal": ("Góp vốn điều lệ nội bộ của Cục Thuế", "internal", None, "published", 2024),
    "secret": (f"Góp vốn điều lệ Cục Thuế {SECRET_MARK}", "secret", "Mật", "published", 2024),
    "secrecy": (f"Góp vốn điều lệ Cục Thuế tài liệu độ mật {SECRET_MARK}", "internal", "Tối mật", "published", 2024),
}
QUERY = "Công văn 5348/CT-CS góp vốn điều lệ Cục Thuế"


@pytest.fixture
def archive(any_ctx: AppContext) -> tuple[AppContext, dict[str, int]]:
    index = make_index(any_ctx.db.engine)
    ids: dict[str, int] = {}
    with any_ctx.db.session() as session:
        for key, (body, level, secrecy, state, year) in DOCS.items():
            doc = Document(text=body, source_name=f"{key}.pdf", issued_date=date(year, 5, 5), access_level=level,
                           secrecy=secrecy, state=state, code_number="1", code_notation="CT-CS")
            session.add(doc)
            session.flush()
            index.upsert(session, document_index_doc(doc))
            ids[key] = doc.id
    return any_ctx, ids


def _found(ctx: AppContext, principal: Principal | None, query: str = QUERY, **kw: object) -> tuple[list[int], bool]:
    page = search(ctx, principal, SearchRequest(query, limit=50, **kw), audit=False)  # type: ignore[arg-type]
    assert all(SECRET_MARK not in hit.snippet for hit in page.results) or principal is SYSTEM
    return [h.document_id for h in page.results], page.partial


def test_partial_matches_stay_in_the_anonymous_scope(archive: tuple[AppContext, dict[str, int]]) -> None:
    ctx, ids = archive
    found, partial = _found(ctx, None)
    assert partial
    assert found == [ids["public"], ids["public_old"]]  # more terms held ("điều lệ") first; never the others


def test_partial_matches_never_show_secret_documents_to_staff(archive: tuple[AppContext, dict[str, int]]) -> None:
    ctx, ids = archive
    admin = Principal(user_id=7, username="admin7", role="admin")
    found, partial = _found(ctx, admin)
    assert partial
    assert set(found) == {ids["public"], ids["public_old"], ids["draft"], ids["internal"]}
    assert ids["secret"] not in found and ids["secrecy"] not in found
    everything, _ = _found(ctx, SYSTEM)  # the local operator alone reads độ mật documents
    assert set(everything) == set(ids.values())


def test_partial_matches_keep_the_filters(archive: tuple[AppContext, dict[str, int]]) -> None:
    ctx, ids = archive
    assert _found(ctx, None, year=2019) == ([ids["public_old"]], True)
    assert _found(ctx, None, year=2018) == ([], True)


def test_a_quoted_phrase_alone_has_no_partial_matches(archive: tuple[AppContext, dict[str, int]]) -> None:
    ctx, _ = archive
    assert _found(ctx, None, '"góp vốn 5348"') == ([], False)


def test_the_own_sign_comes_before_more_words(any_ctx: AppContext) -> None:
    index = make_index(any_ctx.db.engine)
    with any_ctx.db.session() as session:
        rows = [Document(text="Kính gửi doanh nghiệp: trả lời về hóa đơn", source_name="a.pdf", code_number="5348",
                         code_notation="CT-CS", access_level="public", state="published"),
                Document(text="Công văn của Cục Thuế về hóa đơn điện tử", source_name="b.pdf", code_number="17",
                         code_notation="CT-CS", access_level="public", state="published")]
        session.add_all(rows)
        session.flush()
        for doc in rows:
            index.upsert(session, document_index_doc(doc))
        own, other = rows[0].id, rows[1].id
    found, partial = _found(any_ctx, None, "Công văn 5348/CT-CS Cục Thuế hóa đơn")
    assert partial and found == [own, other]


def test_the_words_side_by_side_first_past_the_bound(ctx: AppContext) -> None:
    """Past BOUND matches FTS5 gives tiers in recency order: the whole query as a phrase leads each tier."""
    index = make_index(ctx.db.engine)
    with ctx.db.session() as session:
        docs = [Document(text="giải quyết khiếu nại theo quy định", source_name=f"s{i}.pdf", access_level="public",
                         state="published") for i in range(BOUND + 5)]
        docs.insert(3, Document(text="Quyết định khen thưởng", source_name="q.pdf", access_level="public",
                                state="published"))
        session.add_all(docs)
        session.flush()
        for doc in docs:
            index.upsert(session, document_index_doc(doc))
        phrase = docs[3].id
        result = index.search(session, "quyết định", SearchFilters(access_levels={"public"}), limit=3)
    assert not result.total_exact
    assert result.hits[0].document_id == phrase


def test_tone_tiers_when_no_document_holds_the_whole_query(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the bound, a query whose words are never side by side anywhere: exact tones first, newest first."""
    monkeypatch.setattr("sohoa.index.fts5.BOUND", 2)
    index = make_index(ctx.db.engine)
    texts = ["Ông Ngân, bà Hoài ký", "Bà Hoai và ông Ngan", "Ông Ngân, bà Hoài dự", "Ông Ngan, bà Hoai vắng"]
    with ctx.db.session() as session:
        docs = [Document(text=t, source_name=f"n{i}.pdf", access_level="public", state="published")
                for i, t in enumerate(texts)]
        session.add_all(docs)
        session.flush()
        for doc in docs:
            index.upsert(session, document_index_doc(doc))
        result = index.search(session, "Ngân Hoài", SearchFilters(access_levels={"public"}), limit=4)
    assert not result.total_exact
    assert [(h.document_id, h.exact) for h in result.hits] == [(docs[2].id, True), (docs[0].id, True),
                                                               (docs[3].id, False), (docs[1].id, False)]
