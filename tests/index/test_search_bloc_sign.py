"""Bloc and retention tags (kept in step with file_units and units) and joined-sign terms (migration z0d1)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, Unit
from sohoa.db.session import Database, alembic_config
from sohoa.index import IndexDoc, SearchFilters, make_index
from sohoa.index.columns import BLOC_EXPR, RETENTION_EXPR
from sohoa.index.facets import facet_counts
from sohoa.index.fts5 import CODE_MARK, JOINED_MAX, code_column, joined_sign
from sohoa.index.query import code_tokens
from sohoa.index.tags import TAGS_SQL
from sohoa.services.platform.context import AppContext

VERSIONS = Path(__file__).resolve().parents[2] / "src/sohoa/db/migrations/versions"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"m_{name}", VERSIONS / name)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ids(ctx: AppContext, query: str, filters: SearchFilters | None = None) -> set[int]:
    with ctx.db.session() as session:
        return {h.document_id for h in make_index(ctx.db.engine).search(session, query, filters, limit=100).hits}


def _unit(session: Session, ident: str, bloc: str = "government") -> int:
    unit = Unit(identifier=ident, name=ident, name_folded=ident.lower(), unit_type="phường", bloc=bloc)
    session.add(unit)
    session.flush()
    return unit.id


def _file(session: Session, code: str, unit_id: int, **values: object) -> int:
    file = FileUnit(file_code=code, title="Hồ sơ", unit_id=unit_id, **values)
    session.add(file)
    session.flush()
    return file.id


def _doc(session: Session, sign: str = "7/QĐ-UBND", **values: object) -> int:
    doc = Document(text="Quyết định về hòa giải ở cơ sở", source_name="t.pdf", access_level="public", **values)
    session.add(doc)
    session.flush()
    make_index(session.get_bind()).upsert(session, IndexDoc(doc.id, doc.text, sign))  # type: ignore[arg-type]
    return doc.id


def _by_sql(ctx: AppContext, expression: str, value: str) -> set[int]:
    """The documents whose value of ``expression`` is ``value``, straight from the tables (the oracle)."""
    with ctx.db.session() as session:
        rows = session.execute(text(f"SELECT d.id FROM documents d WHERE {expression} = :v"), {"v": value})
        return {int(r[0]) for r in rows}


def test_migration_holds_the_same_tags_and_joined_terms() -> None:
    migration, previous = _module("z0d1_search_bloc_sign.py"), _module("0003_search_tags.py")
    assert migration._TAGS == TAGS_SQL
    assert migration._TAGS_0003 == previous._TAGS
    assert (migration._BLOC, migration._RETENTION) == (BLOC_EXPR, RETENTION_EXPR)
    assert (migration._CODE_MARK, migration._JOINED_MAX) == (CODE_MARK, JOINED_MAX)
    for sign in ("155/KH-UBND", "84/2025/QĐ-UBND", "01/2024/TTLT-BTC-BNV-BTP-BCA-BQP", "7", "12/QĐ_UB", ""):
        old = " ".join(CODE_MARK + t for t in code_tokens(sign))  # the code column of revision 0003
        assert migration.joined(old) == code_column(sign)
        assert migration.unjoined(code_column(sign)) == old


def test_joined_term_stands_for_the_tokens_side_by_side() -> None:
    assert joined_sign(["816", "qd", "ubnd"]) == f"{CODE_MARK}816{CODE_MARK}qd{CODE_MARK}ubnd"
    assert joined_sign(["816"]) is None
    assert joined_sign(["1"] * (JOINED_MAX + 1)) is None
    assert code_column("816/QĐ-UBND").split() == [f"{CODE_MARK}816", f"{CODE_MARK}qd", f"{CODE_MARK}ubnd",
                                                  f"{CODE_MARK}816{CODE_MARK}qd",
                                                  f"{CODE_MARK}816{CODE_MARK}qd{CODE_MARK}ubnd",
                                                  f"{CODE_MARK}qd{CODE_MARK}ubnd"]


def test_signs_whole_in_part_and_long(ctx: AppContext) -> None:
    long_sign = "01/2024/TTLT-BTC-BNV-BTP-BCA-BQP"  # 8 tokens: past JOINED_MAX, looked up as a phrase
    with ctx.db.session() as session:
        whole = _doc(session, "816/QĐ-UBND")
        dated = _doc(session, "84/2025/QĐ-UBND")
        other = _doc(session, "816/KH-UBND")
        joint = _doc(session, long_sign)
    assert _ids(ctx, "816/QĐ-UBND") == {whole}
    assert _ids(ctx, "816 / QĐ - UBND") == {whole}
    assert _ids(ctx, "816/QĐ") == {whole}
    assert _ids(ctx, "2025/QĐ-UBND") == {dated}
    assert _ids(ctx, "816/UBND") == set()  # tokens not side by side
    assert _ids(ctx, "816/KH-UBND") == {other}
    assert _ids(ctx, long_sign) == {joint}
    assert _ids(ctx, "01/2024/TTLT-BTC-BNV-BTP-BCA") == {joint}
    assert _ids(ctx, "hòa giải 816/QĐ-UBND") == {whole}  # a sign written in a longer query
    assert _ids(ctx, "hòa giải 84/2025/QĐ-UBND") == {dated}


def test_bloc_and_retention_filters_and_facets_follow_the_files_and_units(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        party, state = _unit(session, "T.P", "party"), _unit(session, "T.S", "government")
        kept = _file(session, "F.1", party, bloc="mass_org", retention_years=10)
        forever = _file(session, "F.2", state, permanent=True)
        in_kept = _doc(session, unit_id=party, file_id=kept)
        in_forever = _doc(session, unit_id=state, file_id=forever)
        loose_party, loose_state = _doc(session, unit_id=party), _doc(session, unit_id=state)

    def check() -> None:
        for bloc in ("party", "government", "mass_org", "other"):
            assert _ids(ctx, "hòa giải", SearchFilters(bloc=bloc)) == _by_sql(ctx, BLOC_EXPR, bloc), bloc
        for retention in ("10", "20", "permanent"):
            assert _ids(ctx, "hòa giải", SearchFilters(retention=retention)) == \
                _by_sql(ctx, RETENTION_EXPR, retention), retention

    check()
    assert _ids(ctx, "hòa giải", SearchFilters(bloc="mass_org")) == {in_kept}
    assert _ids(ctx, "hòa giải", SearchFilters(bloc="government")) == {in_forever, loose_state}
    assert _ids(ctx, "hòa giải", SearchFilters(retention="permanent")) == {in_forever}
    with ctx.db.session() as session:  # a file's bloc and retention, a unit's bloc: their documents re-tagged
        session.execute(text("UPDATE file_units SET bloc = NULL, retention_years = 20 WHERE id = :i"), {"i": kept})
        session.execute(text("UPDATE units SET bloc = 'mass_org' WHERE id = :i"), {"i": state})
        session.execute(text("UPDATE file_units SET permanent = 0, retention_years = 10 WHERE id = :i"),
                        {"i": forever})
    check()
    assert _ids(ctx, "hòa giải", SearchFilters(bloc="party")) == {in_kept, loose_party}
    assert _ids(ctx, "hòa giải", SearchFilters(bloc="mass_org")) == {in_forever, loose_state}
    assert _ids(ctx, "hòa giải", SearchFilters(retention="20")) == {in_kept}
    with ctx.db.session() as session:  # out of the file: the unit's bloc, no retention
        session.execute(text("UPDATE documents SET file_id = NULL WHERE id = :d"), {"d": in_forever})
        session.execute(text("UPDATE documents SET unit_id = :u WHERE id = :d"), {"u": party, "d": loose_state})
    check()
    assert _ids(ctx, "hòa giải", SearchFilters(bloc="mass_org")) == {in_forever}
    assert _ids(ctx, "hòa giải", SearchFilters(retention="10")) == set()
    with ctx.db.session() as session:
        facets = facet_counts(session, ctx.index, "hòa giải", None, ("bloc", "retention"))
    assert [(f.value, f.count) for f in facets["bloc"]] == [("party", 3), ("mass_org", 1)]
    assert [(f.value, f.count) for f in facets["retention"]] == [("20", 1)]


def test_upgrade_adds_the_tags_and_joined_terms_to_an_index_of_revision_y001(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "y001")
    db = Database(url)
    with db.session() as session:
        unit = _unit(session, "T.OLD", "party")
        file = _file(session, "F.OLD", unit, permanent=True)
        session.execute(text("INSERT INTO documents (id, unit_id, file_id, text, source_name, access_level, "
                             "issued_date, page_amount, state, created_at, updated_at) VALUES (5, :u, :f, 'x', "
                             "'x', 'public', '2019-02-03', 1, 'published', '2025-01-01', '2025-01-01')"),
                        {"u": unit, "f": file})
        old_code = f"{CODE_MARK}7 {CODE_MARK}qd {CODE_MARK}ubnd"
        session.execute(text("INSERT INTO doc_fts(rowid, exact, folded, code, tags) VALUES (5, :e, 'hoa giai', "
                             ":c, '')"), {"e": "\u01c0Hòa \u01c0giải", "c": old_code})
    db.dispose()
    command.upgrade(alembic_config(url), "z0d1")
    db = Database(url)
    with db.session() as session:
        tags = str(session.execute(text("SELECT tags FROM doc_fts WHERE rowid = 5")).scalar_one()).split()
        assert tags[-2:] == ["b" + b"party".hex().upper(), "r" + b"permanent".hex().upper()]
        assert session.execute(text("SELECT code FROM doc_fts")).scalar_one() == code_column("7/QĐ-UBND")
        index = make_index(db.engine)
        assert [h.document_id for h in index.search(session, "hòa giải", SearchFilters(bloc="party")).hits] == [5]
        assert [h.document_id for h in index.search(session, "7/QĐ-UBND").hits] == [5]
        session.execute(text("UPDATE units SET bloc = 'government' WHERE id = :u"), {"u": unit})
        assert index.search(session, "hòa giải", SearchFilters(bloc="party")).hits == []
    db.dispose()
    command.downgrade(alembic_config(url), "y001")
    db = Database(url)
    with db.session() as session:
        assert session.execute(text("SELECT code FROM doc_fts")).scalar_one() == old_code
        triggers = session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                                        "name LIKE '%search%'")).scalars().all()
        assert sorted(triggers) == ["documents_search_delete", "documents_search_tags"]
    db.dispose()
