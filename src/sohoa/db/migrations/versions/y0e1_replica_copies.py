"""replica copies: which stored objects the second copy holds, with the digest of the stored bytes copied

Revision ID: y0e1
Revises: y001
"""

import sqlalchemy as sa
from alembic import op

revision = "y0e1"
down_revision = "y001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replica_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("replica", sa.String(length=500), nullable=False),
        sa.Column("stored_sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_size", sa.BigInteger(), nullable=False),
        sa.Column("replicated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["object_id"], ["stored_objects.id"],
                                name=op.f("fk_replica_copies_object_id_stored_objects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replica_copies")),
        sa.UniqueConstraint("object_id", name=op.f("uq_replica_copies_object_id")),
    )
    with op.batch_alter_table("replica_copies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_copies_replicated_at"), ["replicated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("replica_copies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_copies_replicated_at"))
    op.drop_table("replica_copies")
