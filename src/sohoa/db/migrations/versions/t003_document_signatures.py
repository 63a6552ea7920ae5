"""document signatures: the digital signatures of a document's master PDF (provenance)

Revision ID: t003
Revises: t002
"""

import sqlalchemy as sa
from alembic import op

revision = "t003"
down_revision = "t002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("master_object_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("field_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("signer_subject", sa.Text(), nullable=True),
        sa.Column("signer_common_name", sa.String(length=500), nullable=True),
        sa.Column("signer_organisation", sa.String(length=500), nullable=True),
        sa.Column("issuer", sa.Text(), nullable=True),
        sa.Column("serial", sa.String(length=100), nullable=True),
        sa.Column("signing_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_source", sa.String(length=20), nullable=True),
        sa.Column("intact", sa.Boolean(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=True),
        sa.Column("trust", sa.String(length=20), nullable=False),
        sa.Column("coverage", sa.String(length=20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                name=op.f("fk_document_signatures_document_id_documents")),
        sa.ForeignKeyConstraint(["master_object_id"], ["stored_objects.id"],
                                name=op.f("fk_document_signatures_master_object_id_stored_objects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_signatures")),
        sa.UniqueConstraint("document_id", "master_object_id", "position",
                            name=op.f("uq_document_signatures_document_id")),
    )
    with op.batch_alter_table("document_signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_signatures_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_signatures_master_object_id"), ["master_object_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_document_signatures_signer_organisation"), ["signer_organisation"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("document_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_signatures_signer_organisation"))
        batch_op.drop_index(batch_op.f("ix_document_signatures_master_object_id"))
        batch_op.drop_index(batch_op.f("ix_document_signatures_document_id"))
    op.drop_table("document_signatures")
