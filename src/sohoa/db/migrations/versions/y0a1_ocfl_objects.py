"""ocfl objects: the OCFL object of each hồ sơ, its head version and the signature of what it holds

Revision ID: y0a1
Revises: y001
"""

import sqlalchemy as sa
from alembic import op

revision = "y0a1"
down_revision = "y001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ocfl_objects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.String(length=300), nullable=False),
        sa.Column("head", sa.String(length=12), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["file_units.id"], name=op.f("fk_ocfl_objects_file_id_file_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocfl_objects")),
        sa.UniqueConstraint("file_id", name=op.f("uq_ocfl_objects_file_id")),
        sa.UniqueConstraint("object_id", name=op.f("uq_ocfl_objects_object_id")),
    )
    with op.batch_alter_table("ocfl_objects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ocfl_objects_synced_at"), ["synced_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ocfl_objects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ocfl_objects_synced_at"))
    op.drop_table("ocfl_objects")
