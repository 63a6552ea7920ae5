"""masked derivatives: the public, masked copies of page images and PDFs, by masking fingerprint

Revision ID: v017
Revises: v016
"""

import sqlalchemy as sa
from alembic import op

revision = "v017"
down_revision = "v016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "masked_derivatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("page_no", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                name=op.f("fk_masked_derivatives_document_id_documents")),
        sa.ForeignKeyConstraint(["object_id"], ["stored_objects.id"],
                                name=op.f("fk_masked_derivatives_object_id_stored_objects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_masked_derivatives")),
        sa.UniqueConstraint("key", name=op.f("uq_masked_derivatives_key")),
    )
    with op.batch_alter_table("masked_derivatives", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_masked_derivatives_document_id"), ["document_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("masked_derivatives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_masked_derivatives_document_id"))
    op.drop_table("masked_derivatives")
