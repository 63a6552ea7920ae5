"""encrypted objects: which stored objects are kept as encryption envelopes, their stored digest and key id

Revision ID: y0g1
Revises: y001
"""

import sqlalchemy as sa
from alembic import op

revision = "y0g1"
down_revision = "y001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "encrypted_objects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("stored_sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_size", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("encrypted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rewrapped_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["object_id"], ["stored_objects.id"],
                                name=op.f("fk_encrypted_objects_object_id_stored_objects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encrypted_objects")),
        sa.UniqueConstraint("object_id", name=op.f("uq_encrypted_objects_object_id")),
    )
    with op.batch_alter_table("encrypted_objects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_encrypted_objects_key_id"), ["key_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("encrypted_objects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_encrypted_objects_key_id"))
    op.drop_table("encrypted_objects")
