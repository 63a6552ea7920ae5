"""PostgreSQL search vectors of words as FTS5 splits them ("84/2025/qd-ubnd" → 84 2025 qd ubnd)

PostgreSQL's text parser keeps a sign, a date or "v/v" as one token, so the words of a query ("Quyết định
84/2025/QĐ-UBND") never matched them in a text; the index now gives it the text's words separated by spaces
(sohoa.index.postgres.index_words), and this rewrites the vectors of the rows indexed before. SQLite: nothing.

Revision ID: k001
Revises: 0002
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "k001"
down_revision = "0002"
branch_labels = None
depends_on = None

_WORD = re.compile(r"\w+")  # frozen copy of sohoa.index.postgres.index_words
_BATCH = 1000


def _words(text: str | None) -> str:
    return " ".join(_WORD.findall(text or ""))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    last = -1
    while True:
        rows = bind.execute(sa.text("SELECT document_id, exact, folded FROM search_docs WHERE document_id > :last "
                                    "ORDER BY document_id LIMIT :n"), {"last": last, "n": _BATCH}).all()
        if not rows:
            return
        bind.execute(sa.text("UPDATE search_docs SET tsv_exact = to_tsvector('simple', :e), "
                             "tsv_folded = to_tsvector('simple', :f) WHERE document_id = :i"),
                     [{"i": r[0], "e": _words(r[1]), "f": _words(r[2])} for r in rows])
        last = int(rows[-1][0])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("UPDATE search_docs SET tsv_exact = to_tsvector('simple', exact), "
                   "tsv_folded = to_tsvector('simple', folded)")
