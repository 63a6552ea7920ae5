"""preservation events: PREMIS v3 events per object, document or hồ sơ (append-only)

Revision ID: y001
Revises: v017
"""

import sqlalchemy as sa
from alembic import op

revision = "y001"
down_revision = "v017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preservation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=45), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("outcome_detail", sa.Text(), nullable=True),
        sa.Column("agent", sa.String(length=120), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["object_id"], ["stored_objects.id"],
                                name=op.f("fk_preservation_events_object_id_stored_objects")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="SET NULL",
                                name=op.f("fk_preservation_events_document_id_documents")),
        sa.ForeignKeyConstraint(["file_id"], ["file_units.id"], ondelete="SET NULL",
                                name=op.f("fk_preservation_events_file_id_file_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preservation_events")),
        sa.UniqueConstraint("identifier", name=op.f("uq_preservation_events_identifier")),
    )
    with op.batch_alter_table("preservation_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_preservation_events_event_type"), ["event_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_preservation_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_preservation_events_object_id"), ["object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_preservation_events_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_preservation_events_file_id"), ["file_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("preservation_events", schema=None) as batch_op:
        for column in ("file_id", "document_id", "object_id", "at", "event_type"):
            batch_op.drop_index(batch_op.f(f"ix_preservation_events_{column}"))
    op.drop_table("preservation_events")
