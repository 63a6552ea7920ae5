"""Search tags: scope and filter values as FTS5 tokens in doc_fts, kept in sync by triggers (SQLite).

The FTS5 table gains a ``tags`` column (``lv<level> sec0|sec1 u<unit> y<year> f<file> t<hex type>``, ``lvx``
for a level outside the known four), rebuilt from the old table and backfilled from ``documents``; each
word of the ``exact`` (``code``) column gets a marker letter, U+01C0 (U+01C1), so that exact-tone and
sign lookups read that column's postings only. Triggers keep the tags equal to the documents row whatever code changes it (access
changes, arrangement, review) and drop the index row of a deleted document. PostgreSQL keeps joining
``documents`` for filters: nothing changes there.

Revision ID: 0003
Revises: s001
"""

import re
from collections.abc import Callable

from alembic import op

revision = "0003"
down_revision = "s001"
branch_labels = None
depends_on = None

# Frozen copy of sohoa.index.tags.TAGS_SQL (a test checks they agree).
_TAGS = ("'lv' || coalesce(d.access_level, '') "
         "|| CASE WHEN d.secrecy IS NOT NULL OR d.access_level = 'secret' THEN ' sec1' ELSE ' sec0' END "
         "|| coalesce(' u' || d.unit_id, '') || coalesce(' y' || substr(d.issued_date, 1, 4), '') "
         "|| coalesce(' u' || d.unit_id || 'y' || substr(d.issued_date, 1, 4), '') "
         "|| coalesce(' f' || d.file_id, '') || coalesce(' t' || nullif(hex(d.type_name), ''), '') "
         "|| CASE WHEN d.access_level IN ('public', 'conditional', 'internal', 'secret') THEN '' ELSE ' lvx' END")
_COLUMNS = ("access_level", "unit_id", "file_id", "issued_date", "secrecy", "type_name")
_TOKENIZER = "tokenize = 'unicode61 remove_diacritics 0'"
# Frozen copies of sohoa.index.fts5.EXACT_MARK and CODE_MARK: each word of the exact (code) column starts
# with it, so that the columns share no term with the folded one.
_MARK = "\u01c0"
_CODE_MARK = "\u01c1"
_WORD = re.compile(r"\w+")
_CHUNK = 5000


def _copy(columns: str, select: str, rewrite: Callable[[str, str], tuple[str, str]]) -> None:
    """Rows of the previous table into the new one, (exact, code) rewritten by ``rewrite`` (in chunks)."""
    bind = op.get_bind()
    marks = ", ".join("?" * (len(columns.split(",")) + 1))
    last = 0
    while True:
        rows = bind.exec_driver_sql(f"{select} WHERE p.rowid > ? ORDER BY p.rowid LIMIT {_CHUNK}", (last,)).all()
        if not rows:
            return
        bind.exec_driver_sql(f"INSERT INTO doc_fts(rowid, {columns}) VALUES ({marks})",
                             [(r[0], *_swap(rewrite(r[1], r[3]), r[2]), *r[4:]) for r in rows])
        last = int(rows[-1][0])


def _swap(exact_code: tuple[str, str], folded: str) -> tuple[str, str, str]:
    return exact_code[0], folded, exact_code[1]


def _rebuild(columns: str, select: str, rewrite: Callable[[str, str], tuple[str, str]]) -> None:
    op.execute("DROP TABLE IF EXISTS doc_fts_vocab")
    op.execute("ALTER TABLE doc_fts RENAME TO doc_fts_previous")
    op.execute(f"CREATE VIRTUAL TABLE doc_fts USING fts5({columns}, {_TOKENIZER})")
    _copy(columns, select, rewrite)
    op.execute("DROP TABLE doc_fts_previous")
    op.execute("INSERT INTO doc_fts(doc_fts) VALUES ('optimize')")
    op.execute("CREATE VIRTUAL TABLE doc_fts_vocab USING fts5vocab(doc_fts, 'col')")


def _mark(text: str, mark: str = "\u01c0") -> str:
    return _WORD.sub(lambda m: mark + m.group(0), text)


def _marked(exact: str, code: str) -> tuple[str, str]:
    return _mark(exact, _MARK), _mark(code, _CODE_MARK)


def _unmarked(exact: str, code: str) -> tuple[str, str]:
    return exact.replace(_MARK, ""), code.replace(_CODE_MARK, "")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild("exact, folded, code, tags",
             f"SELECT p.rowid, p.exact, p.folded, p.code, coalesce((SELECT {_TAGS} FROM documents d "
             "WHERE d.id = p.rowid), '') FROM doc_fts_previous p", _marked)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in _COLUMNS)
    op.execute(
        f"CREATE TRIGGER documents_search_tags AFTER UPDATE OF {', '.join(_COLUMNS)} ON documents "
        f"WHEN {changed} BEGIN "
        f"UPDATE doc_fts SET tags = (SELECT {_TAGS} FROM documents d WHERE d.id = new.id) WHERE rowid = new.id; "
        "END")
    op.execute("CREATE TRIGGER documents_search_delete AFTER DELETE ON documents BEGIN "
               "DELETE FROM doc_fts WHERE rowid = old.id; END")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER documents_search_delete")
    op.execute("DROP TRIGGER documents_search_tags")
    _rebuild("exact, folded, code", "SELECT p.rowid, p.exact, p.folded, p.code FROM doc_fts_previous p",
             _unmarked)
