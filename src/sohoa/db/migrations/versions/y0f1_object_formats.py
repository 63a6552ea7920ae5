"""object formats: the PRONOM identification of every stored object (one row per object)

Revision ID: y0f1
Revises: y001
"""

import sqlalchemy as sa
from alembic import op

revision = "y0f1"
down_revision = "y001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "object_formats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("puid", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=60), nullable=False),
        sa.Column("mime", sa.String(length=120), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("warning", sa.Text(), nullable=False),
        sa.Column("flags", sa.String(length=200), nullable=False),
        sa.Column("tool", sa.String(length=60), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("identified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["object_id"], ["stored_objects.id"],
                                name=op.f("fk_object_formats_object_id_stored_objects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_object_formats")),
        sa.UniqueConstraint("object_id", name=op.f("uq_object_formats_object_id")),
    )
    with op.batch_alter_table("object_formats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_object_formats_puid"), ["puid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("object_formats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_object_formats_puid"))
    op.drop_table("object_formats")
