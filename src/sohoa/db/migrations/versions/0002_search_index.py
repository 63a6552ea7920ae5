"""Search index: FTS5 virtual table on SQLite, tsvector table with GIN indexes on PostgreSQL.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE doc_fts USING fts5("
            "exact, folded, code, tokenize = 'unicode61 remove_diacritics 0')"
        )
        return
    op.execute(
        "CREATE TABLE search_docs (document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
        " exact TEXT NOT NULL, folded TEXT NOT NULL, code TEXT NOT NULL,"
        " tsv_exact tsvector NOT NULL, tsv_folded tsvector NOT NULL, tsv_code tsvector NOT NULL)"
    )
    for column in ("tsv_exact", "tsv_folded", "tsv_code"):
        op.execute(f"CREATE INDEX ix_search_docs_{column} ON search_docs USING gin ({column})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE doc_fts")
    else:
        op.execute("DROP TABLE search_docs")
