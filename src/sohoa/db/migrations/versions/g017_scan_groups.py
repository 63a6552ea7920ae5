"""scan_uploads: uploads grouped into one document, the document a rescan replaces, the documents made

Revision ID: g017
Revises: w001
"""

import sqlalchemy as sa
from alembic import op

revision = "g017"
down_revision = "w001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scan_uploads") as batch:
        batch.add_column(sa.Column("group_token", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("group_size", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("one_document", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("replaces_document_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("document_ids", sa.JSON(), nullable=True))
        batch.create_index(batch.f("ix_scan_uploads_group_token"), ["group_token"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_scan_uploads_replaces_document_id_documents"), "documents", ["replaces_document_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("scan_uploads") as batch:
        batch.drop_constraint(batch.f("fk_scan_uploads_replaces_document_id_documents"), type_="foreignkey")
        batch.drop_index(batch.f("ix_scan_uploads_group_token"))
        for column in ("document_ids", "replaces_document_id", "one_document", "group_size", "group_token"):
            batch.drop_column(column)
