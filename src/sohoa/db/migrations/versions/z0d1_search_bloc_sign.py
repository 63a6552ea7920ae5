"""Search: bloc and retention tags, joined-sign terms in doc_fts; re-tagging triggers on file_units and units.

The ``tags`` column gains ``b<hex of the bloc>`` (the file's bloc, else the unit's) and ``r<hex of the
retention>`` (``permanent`` or the file's years), so that bloc and retention filters are part of the FTS5
match. The ``code`` column gains, after the sign's tokens, every run of 2 to 6 consecutive tokens as one term
(``ǁ816ǁqdǁubnd``): a sign looked up whole or in part reads one posting list. The table is rebuilt from the
previous one (tags recomputed from ``documents``). A file's bloc or retention, or a unit's bloc, changing
re-tags the documents that take their values from it (a referenced row cannot go: foreign keys are on).
PostgreSQL: nothing changes.

Revision ID: z0d1
Revises: y001
"""

import re
from collections.abc import Callable

from alembic import op

revision = "z0d1"
down_revision = "y001"
branch_labels = None
depends_on = None

# Frozen copies of sohoa.index.columns.BLOC_EXPR / RETENTION_EXPR and sohoa.index.tags.TAGS_SQL (a test checks).
_BLOC = ("COALESCE((SELECT f.bloc FROM file_units f WHERE f.id = d.file_id), "
         "(SELECT u.bloc FROM units u WHERE u.id = d.unit_id))")
_RETENTION = ("(SELECT CASE WHEN f.permanent THEN 'permanent' WHEN f.retention_years IS NOT NULL "
              "THEN CAST(f.retention_years AS TEXT) END FROM file_units f WHERE f.id = d.file_id)")
_TAGS_0003 = ("'lv' || coalesce(d.access_level, '') "
              "|| CASE WHEN d.secrecy IS NOT NULL OR d.access_level = 'secret' THEN ' sec1' ELSE ' sec0' END "
              "|| coalesce(' u' || d.unit_id, '') || coalesce(' y' || substr(d.issued_date, 1, 4), '') "
              "|| coalesce(' u' || d.unit_id || 'y' || substr(d.issued_date, 1, 4), '') "
              "|| coalesce(' f' || d.file_id, '') || coalesce(' t' || nullif(hex(d.type_name), ''), '') "
              "|| CASE WHEN d.access_level IN ('public', 'conditional', 'internal', 'secret') THEN '' ELSE ' lvx' END")
_TAGS = (f"{_TAGS_0003} "
         f"|| coalesce(' b' || nullif(hex({_BLOC}), ''), '') "
         f"|| coalesce(' r' || nullif(hex({_RETENTION}), ''), '')")
_COLUMNS = ("access_level", "unit_id", "file_id", "issued_date", "secrecy", "type_name")
_TOKENIZER = "tokenize = 'unicode61 remove_diacritics 0'"
_CODE_MARK = "\u01c1"  # frozen copy of sohoa.index.fts5.CODE_MARK
_JOINED_MAX = 6        # frozen copy of sohoa.index.fts5.JOINED_MAX
_PART = re.compile(r"[^\W_]+")
_CHUNK = 5000
_RETAG = "UPDATE doc_fts SET tags = (SELECT {tags} FROM documents d WHERE d.id = doc_fts.rowid) WHERE rowid IN "


def joined(code: str) -> str:
    """The code column of revision 0003 (marked tokens) with the runs of consecutive tokens added."""
    tokens = [t for t in code.split() if t.count(_CODE_MARK) == 1]
    parts = [p for t in tokens for p in _PART.findall(t.replace(_CODE_MARK, ""))]
    runs = ["".join(_CODE_MARK + p for p in parts[i:j])
            for i in range(len(parts)) for j in range(i + 2, min(len(parts), i + _JOINED_MAX) + 1)]
    return " ".join(tokens + runs)


def unjoined(code: str) -> str:
    """The code column without the joined runs (revision 0003)."""
    return " ".join(t for t in code.split() if t.count(_CODE_MARK) == 1)


def _rebuild(tags: str, rewrite: Callable[[str], str]) -> None:
    """doc_fts copied into a new table, ``code`` rewritten, ``tags`` recomputed (chunks of _CHUNK rows)."""
    bind = op.get_bind()
    op.execute("DROP TABLE IF EXISTS doc_fts_vocab")
    op.execute("ALTER TABLE doc_fts RENAME TO doc_fts_previous")
    op.execute(f"CREATE VIRTUAL TABLE doc_fts USING fts5(exact, folded, code, tags, {_TOKENIZER})")
    last = 0
    while True:
        rows = bind.exec_driver_sql(
            f"SELECT p.rowid, p.exact, p.folded, p.code, coalesce((SELECT {tags} FROM documents d "
            f"WHERE d.id = p.rowid), '') FROM doc_fts_previous p WHERE p.rowid > ? ORDER BY p.rowid "
            f"LIMIT {_CHUNK}", (last,)).all()
        if not rows:
            break
        bind.exec_driver_sql("INSERT INTO doc_fts(rowid, exact, folded, code, tags) VALUES (?, ?, ?, ?, ?)",
                             [(r[0], r[1], r[2], rewrite(r[3] or ""), r[4]) for r in rows])
        last = int(rows[-1][0])
    op.execute("DROP TABLE doc_fts_previous")
    op.execute("INSERT INTO doc_fts(doc_fts) VALUES ('optimize')")
    op.execute("CREATE VIRTUAL TABLE doc_fts_vocab USING fts5vocab(doc_fts, 'col')")


def _documents_triggers(tags: str) -> None:
    """The triggers of migration 0003 (re-tag on change, drop on delete) over ``tags``."""
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in _COLUMNS)
    op.execute(
        f"CREATE TRIGGER documents_search_tags AFTER UPDATE OF {', '.join(_COLUMNS)} ON documents "
        f"WHEN {changed} BEGIN "
        f"UPDATE doc_fts SET tags = (SELECT {tags} FROM documents d WHERE d.id = new.id) WHERE rowid = new.id; "
        "END")
    op.execute("CREATE TRIGGER documents_search_delete AFTER DELETE ON documents BEGIN "
               "DELETE FROM doc_fts WHERE rowid = old.id; END")


def _drop_triggers(*names: str) -> None:
    # before the rename: SQLite would point them at doc_fts_previous, which goes
    for name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_triggers("documents_search_tags", "documents_search_delete")
    _rebuild(_TAGS, joined)
    _documents_triggers(_TAGS)
    retag = _RETAG.format(tags=_TAGS)
    changed = "old.bloc IS NOT new.bloc OR old.permanent IS NOT new.permanent OR " \
              "old.retention_years IS NOT new.retention_years"
    op.execute(f"CREATE TRIGGER file_units_search_tags AFTER UPDATE OF bloc, permanent, retention_years "
               f"ON file_units WHEN {changed} BEGIN "
               f"{retag}(SELECT id FROM documents WHERE file_id = new.id); END")
    op.execute("CREATE TRIGGER units_search_tags AFTER UPDATE OF bloc ON units WHEN old.bloc IS NOT new.bloc "
               f"BEGIN {retag}(SELECT id FROM documents WHERE unit_id = new.id); END")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_triggers("units_search_tags", "file_units_search_tags", "documents_search_tags",
                   "documents_search_delete")
    _rebuild(_TAGS_0003, unjoined)
    _documents_triggers(_TAGS_0003)
