"""PostgreSQL search tags: scope and filter values in search_docs.tags, one GIN index over (tsv_folded, tags)

The same tokens as FTS5's tags column (migration 0003): ``lv<level> sec0|sec1 u<unit> y<year> u<unit>y<year>
f<file> t<hex type>``, ``lvx`` for a level outside the known four, as a tsvector computed from the documents
row; backfilled here, kept equal by a trigger on ``documents`` whatever code changes those columns. The GIN
index over the folded words and the tags replaces the one over the folded words alone: a unit, year or type
chosen by the user is intersected with the words in one index scan. SQLite: nothing.

Revision ID: z0c1
Revises: y001
"""

from alembic import op

revision = "z0c1"
down_revision = "y001"
branch_labels = None
depends_on = None

# Frozen copy of sohoa.index.pg_tags.TAGS_PG_SQL (a test checks they agree).
_TAGS = ("array_to_tsvector(array_remove(ARRAY['lv' || coalesce(d.access_level, ''), "
         "CASE WHEN d.secrecy IS NOT NULL OR d.access_level = 'secret' THEN 'sec1' ELSE 'sec0' END, "
         "'u' || d.unit_id, 'y' || to_char(d.issued_date, 'YYYY'), "
         "'u' || d.unit_id || 'y' || to_char(d.issued_date, 'YYYY'), 'f' || d.file_id, "
         "'t' || nullif(encode(convert_to(d.type_name, 'UTF8'), 'hex'), ''), "
         "CASE WHEN d.access_level IN ('public', 'conditional', 'internal', 'secret') THEN NULL "
         "ELSE 'lvx' END]::text[], NULL))")
_COLUMNS = "access_level, secrecy, unit_id, issued_date, file_id, type_name"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("ALTER TABLE search_docs ADD COLUMN tags tsvector NOT NULL DEFAULT ''::tsvector")
    op.execute(f"UPDATE search_docs s SET tags = {_TAGS} FROM documents d WHERE d.id = s.document_id")
    # Narrow heap rows: the texts (read for one "did you mean" spelling) and the exact and sign vectors (read
    # for a page's rows) live out of line; the folded vector (phrase checks) and the tags stay in the row, so
    # reading the first matches in scope touches few pages.
    for column in ("exact", "folded"):
        op.execute(f"ALTER TABLE search_docs ALTER COLUMN {column} SET STORAGE EXTERNAL")
    op.execute("ALTER TABLE search_docs SET (toast_tuple_target = 256)")
    op.execute("DROP INDEX IF EXISTS ix_search_docs_tsv_folded")
    op.execute("CREATE INDEX ix_search_docs_folded_tags ON search_docs USING gin (tsv_folded, tags)")
    op.execute(
        "CREATE FUNCTION sohoa_search_tags() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE search_docs s SET tags = (SELECT {_TAGS} FROM documents d WHERE d.id = NEW.id) "
        "WHERE s.document_id = NEW.id; RETURN NULL; END $$")
    op.execute(f"CREATE TRIGGER documents_search_tags AFTER UPDATE OF {_COLUMNS} ON documents "
               "FOR EACH ROW EXECUTE FUNCTION sohoa_search_tags()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS documents_search_tags ON documents")
    op.execute("DROP FUNCTION IF EXISTS sohoa_search_tags()")
    op.execute("DROP INDEX IF EXISTS ix_search_docs_folded_tags")
    op.execute("CREATE INDEX ix_search_docs_tsv_folded ON search_docs USING gin (tsv_folded)")
    op.execute("ALTER TABLE search_docs DROP COLUMN tags")
    op.execute("ALTER TABLE search_docs RESET (toast_tuple_target)")
    for column in ("exact", "folded"):
        op.execute(f"ALTER TABLE search_docs ALTER COLUMN {column} SET STORAGE EXTENDED")
