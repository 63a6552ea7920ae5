"""PostgreSQL search index in hash partitions of the document id: a bounded search stops after the first ones

A search reads the matches in scope up to a bound (2,001, :mod:`sohoa.index.large`). On one table PostgreSQL
builds the GIN bitmap of **every** match before the first row is read: "tái định cư" at 1,000,000 documents
makes a bitmap of 68,685 rows (110 ms) to read 2,001. Over ``PARTITIONS`` hash partitions of ``document_id``
the ``LIMIT`` above the ``Append`` stops after the partitions that give the bound, each bitmap a sixteenth of
the matches; rare words visit every partition's small posting lists. The rows are copied as they are (no
vector is computed again), the indexes, storage settings and the tags trigger stay as before. SQLite: nothing.

Revision ID: z0e1
Revises: z0c1
"""

from alembic import op

revision = "z0e1"
down_revision = "z0c1"
branch_labels = None
depends_on = "k001"

PARTITIONS = 16
_COLUMNS = "document_id, exact, folded, code, tsv_exact, tsv_folded, tsv_code, tags"
# (name, definition) of the search indexes as migrations 0002 and z0c1 left them
_INDEXES = (("ix_search_docs_tsv_exact", "gin (tsv_exact)"), ("ix_search_docs_tsv_code", "gin (tsv_code)"),
            ("ix_search_docs_folded_tags", "gin (tsv_folded, tags)"))


def _create(partitions: int) -> None:
    """``search_docs`` as z0c1 left it, partitioned by hash of the document id when ``partitions`` > 1."""
    by = " PARTITION BY HASH (document_id)" if partitions > 1 else ""
    op.execute(
        "CREATE TABLE search_docs (document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
        " exact TEXT NOT NULL, folded TEXT NOT NULL, code TEXT NOT NULL, tsv_exact tsvector NOT NULL,"
        " tsv_folded tsvector NOT NULL, tsv_code tsvector NOT NULL, tags tsvector NOT NULL DEFAULT ''::tsvector,"
        f" PRIMARY KEY (document_id)){by}")
    # Narrow heap rows (z0c1): the texts live out of line. The folded vector and the tags were meant to stay in the
    # row, but with toast_tuple_target 256 the toaster moved the folded vector out too: a phrase checked its
    # positions through TOAST on every row (≈ 5 buffers a row). MAIN keeps them in the row, compressed: the first
    # 2,001 phrase matches of a partition at 1 M documents in 9.6 ms instead of 24–29 ms, a plain AND of three
    # words 5–9 → 10.7 ms (bigger rows); the phrase was the slowest class.
    for column in ("exact", "folded"):
        op.execute(f"ALTER TABLE search_docs ALTER COLUMN {column} SET STORAGE EXTERNAL")
    for column in ("tsv_folded", "tags") if partitions > 1 else ():
        op.execute(f"ALTER TABLE search_docs ALTER COLUMN {column} SET STORAGE MAIN")
    if partitions == 1:
        op.execute("ALTER TABLE search_docs SET (toast_tuple_target = 256)")
    for n in range(partitions if partitions > 1 else 0):
        op.execute(f"CREATE TABLE search_docs_p{n:02d} PARTITION OF search_docs "
                   f"FOR VALUES WITH (MODULUS {partitions}, REMAINDER {n}) WITH (toast_tuple_target = 256)")


def _rebuild(partitions: int) -> None:
    op.execute("ALTER TABLE search_docs RENAME TO search_docs_before")
    for name, _ in _INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("ALTER TABLE search_docs_before DROP CONSTRAINT IF EXISTS search_docs_pkey")
    _create(partitions)
    op.execute(f"INSERT INTO search_docs ({_COLUMNS}) SELECT {_COLUMNS} FROM search_docs_before "
               "ORDER BY document_id")
    op.execute("DROP TABLE search_docs_before")
    for name, definition in _INDEXES:  # built after the copy: one pass, not row by row
        op.execute(f"CREATE INDEX {name} ON search_docs USING {definition}")
    op.execute("ANALYZE search_docs")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    _rebuild(PARTITIONS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    _rebuild(1)
