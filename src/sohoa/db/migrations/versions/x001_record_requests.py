"""record requests: what one-stop-shop systems asked for, why, and the ranked answer's ids

Revision ID: x001
Revises: t003
"""

import sqlalchemy as sa
from alembic import op

revision = "x001"
down_revision = "t003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("case_reference", sa.String(length=100), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"], name=op.f("fk_record_requests_token_id_api_tokens")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_requests")),
        sa.UniqueConstraint("public_id", name=op.f("uq_record_requests_public_id")),
    )
    with op.batch_alter_table("record_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_requests_token_id"), ["token_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_requests_case_reference"), ["case_reference"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_requests_case_reference"))
        batch_op.drop_index(batch_op.f("ix_record_requests_token_id"))
    op.drop_table("record_requests")
