"""Scope and filter tags inside FTS5: kept equal to the documents row, same answers as the SQL filters."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, Unit
from sohoa.db.session import Database, alembic_config
from sohoa.index import IndexDoc, SearchFilters, fts5, make_index
from sohoa.index.fts5 import CODE_MARK, EXACT_MARK, code_column, exact_column
from sohoa.index.tags import TAGS_SQL
from sohoa.services.platform.context import AppContext

MIGRATION = Path(__file__).resolve().parents[2] / "src/sohoa/db/migrations/versions/0003_search_tags.py"
ARCHIVE_STAFF = {"public", "conditional", "internal"}


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("m0003", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tags(session: Session, doc_id: int) -> str:
    return str(session.execute(text("SELECT tags FROM doc_fts WHERE rowid = :i"), {"i": doc_id}).scalar_one())


def _ids(ctx: AppContext, query: str, filters: SearchFilters | None = None) -> set[int]:
    with ctx.db.session() as session:
        return {h.document_id for h in make_index(ctx.db.engine).search(session, query, filters, limit=100).hits}


def _unit(session: Session, ident: str) -> int:
    unit = Unit(identifier=ident, name=ident, name_folded=ident.lower(), unit_type="phường")
    session.add(unit)
    session.flush()
    return unit.id


def _doc(session: Session, **values: object) -> int:
    doc = Document(text="Quyết định về hòa giải ở cơ sở", source_name="t.pdf", **values)
    session.add(doc)
    session.flush()
    make_index(session.get_bind()).upsert(session, IndexDoc(doc.id, doc.text, "7/QĐ-UBND"))  # type: ignore[arg-type]
    return doc.id


def test_migration_holds_the_same_tags_and_mark() -> None:
    migration = _migration()
    assert TAGS_SQL.startswith(migration._TAGS)  # z0d1 adds the bloc and retention tags (its own test)
    assert (migration._MARK, migration._CODE_MARK) == (EXACT_MARK, CODE_MARK)
    assert migration._marked("Hòa giải, 12/2025", "155 kh ubnd") == (  # z0d1 adds the joined runs to the code
        exact_column("Hòa giải, 12/2025"), " ".join(code_column("155/KH-UBND").split()[:3]))
    assert migration._unmarked(*migration._marked("Hòa giải", "7 qd")) == ("Hòa giải", "7 qd")


def test_tags_follow_every_change_of_the_row(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        unit_a, unit_b = _unit(session, "T.A"), _unit(session, "T.B")
        file = FileUnit(file_code="F.1", title="Hồ sơ", unit_id=unit_a, access_level="internal")
        session.add(file)
        session.flush()
        doc_id = _doc(session, unit_id=unit_a, issued_date=date(2015, 3, 1), access_level="public",
                      type_name="Quyết định")
        assert _tags(session, doc_id).split()[:4] == ["lvpublic", "sec0", f"u{unit_a}", "y2015"]
    assert _ids(ctx, "hòa giải", SearchFilters(unit_ids={unit_a}, year=2015, type_name="Quyết định")) == {doc_id}
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.unit_id, doc.issued_date, doc.file_id, doc.access_level = unit_b, date(2016, 1, 2), file.id, "internal"
    assert _ids(ctx, "hòa giải", SearchFilters(unit_ids={unit_a})) == set()
    assert _ids(ctx, "hòa giải", SearchFilters(unit_ids={unit_b}, year=2016)) == {doc_id}
    officer = SearchFilters(access_levels=ARCHIVE_STAFF, scope_unit_ids={unit_a}, exclude_secret=True)
    assert _ids(ctx, "hòa giải", officer) == set()
    granted = SearchFilters(access_levels=ARCHIVE_STAFF, scope_unit_ids={unit_a}, grant_file_ids={file.id},
                            exclude_secret=True)
    assert _ids(ctx, "hòa giải", granted) == {doc_id}
    with ctx.db.session() as session:  # độ mật set: gone from every shared-network scope, grants included
        session.execute(text("UPDATE documents SET secrecy = 'Mật' WHERE id = :i"), {"i": doc_id})
    assert _ids(ctx, "hòa giải", granted) == set()
    with ctx.db.session() as session:
        session.execute(text("DELETE FROM documents WHERE id = :i"), {"i": doc_id})
        assert session.execute(text("SELECT count(*) FROM doc_fts")).scalar_one() == 0


def test_unknown_access_level_stays_out_of_a_known_levels_scope(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        odd = _doc(session, access_level="weird")
        plain = _doc(session, access_level="internal")
    staff = SearchFilters(access_levels=ARCHIVE_STAFF, exclude_secret=True)
    assert _ids(ctx, "hòa giải", staff) == {plain}
    assert _ids(ctx, "hòa giải", SearchFilters(access_levels={"weird"})) == {odd}
    assert _ids(ctx, "hòa giải", SearchFilters(access_levels=set())) == set()
    assert _ids(ctx, "hòa giải", SearchFilters(access_level="we ird")) == set()  # never parsed as FTS5 syntax


def test_exact_column_shares_no_term_with_the_folded_one(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        flower, peace = _doc(session), _doc(session)
        make_index(ctx.db.engine).upsert(session, IndexDoc(flower, "trồng hoa xuất khẩu"))
        vocabulary = session.execute(text("SELECT term FROM doc_fts_vocab WHERE col = 'exact'")).scalars().all()
    assert vocabulary and all(term.startswith(EXACT_MARK) for term in vocabulary)
    with ctx.db.session() as session:
        hits = make_index(ctx.db.engine).search(session, "hoa").hits
    assert (hits[0].document_id, hits[0].exact) == (flower, True)
    assert {h.document_id for h in hits if not h.exact} == {peace}


def test_upgrade_rebuilds_an_index_of_revision_s001(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "s001")
    command.upgrade(alembic_config(url), "w001")
    db = Database(url)
    with db.session() as session:
        doc_id = _unit(session, "T.OLD")
        session.execute(text("INSERT INTO documents (id, unit_id, text, source_name, access_level, issued_date, "
                             "page_amount, state, created_at, updated_at) VALUES (5, :u, 'x', 'x', 'public', "
                             "'2019-02-03', 1, 'published', '2025-01-01', '2025-01-01')"), {"u": doc_id})
        session.execute(text("INSERT INTO doc_fts(rowid, exact, folded, code) VALUES (5, 'Hòa giải', 'hoa giai', "
                             "'7 qd ubnd')"))
    db.dispose()
    command.upgrade(alembic_config(url), "heads")
    db = Database(url)
    with db.session() as session:
        # the unit's bloc (default "government", as hex) since migration z0d1
        assert _tags(session, 5) == f"lvpublic sec0 u{doc_id} y2019 u{doc_id}y2019 b{b'government'.hex().upper()}"
        assert session.execute(text("SELECT exact FROM doc_fts")).scalar_one() == exact_column("Hòa giải")
        hits = make_index(db.engine).search(session, "hòa giải", SearchFilters(year=2019)).hits
        assert [(h.document_id, h.exact) for h in hits] == [(5, True)]
        assert [h.document_id for h in make_index(db.engine).search(session, "7 / QĐ - UBND").hits] == [5]
    db.dispose()
    command.downgrade(alembic_config(url), "s001")


def test_exact_tier_the_same_whether_probed_or_matched(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    with ctx.db.session() as session:
        toned = [_doc(session, access_level="public") for _ in range(3)]
        plain = _doc(session, access_level="public")
        make_index(ctx.db.engine).upsert(session, IndexDoc(plain, "hoa giai o co so"))
    staff = SearchFilters(access_levels=ARCHIVE_STAFF, exclude_secret=True)
    with ctx.db.session() as session:
        probed = make_index(ctx.db.engine).search(session, "hòa giải", staff).hits
        monkeypatch.setattr(fts5, "PROBE", 0)
        matched = make_index(ctx.db.engine).search(session, "hòa giải", staff).hits
    assert probed == matched
    assert {h.document_id for h in probed if h.exact} == set(toned)
    assert probed[-1].document_id == plain and not probed[-1].exact
