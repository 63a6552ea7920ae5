"""ingest claims: one ingest of a given master at a time across processes

Revision ID: t002
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "t002"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_claims")),
        sa.UniqueConstraint("sha256", name=op.f("uq_ingest_claims_sha256")),
    )
    with op.batch_alter_table("ingest_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_claims_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ingest_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_claims_owner"))
    op.drop_table("ingest_claims")
