"""queues that scale: documents keep their lowest field confidence and flagged-field count; saved queue views

Revision ID: h517
Revises: w001
"""

import sqlalchemy as sa
from alembic import op

from sohoa.domain.review_flags import flagged_fields, lowest_confidence

revision = "h517"
down_revision = "w001"
branch_labels = None
depends_on = None

BATCH = 1000


def _backfill() -> None:
    """Compute both figures for the documents already stored, a batch of rows at a time."""
    documents = sa.table(
        "documents",
        sa.column("id", sa.Integer),
        sa.column("confidence", sa.JSON),
        sa.column("provenance", sa.JSON),
        sa.column("min_confidence", sa.Float),
        sa.column("flagged_fields", sa.Integer),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(documents.c.id, documents.c.confidence, documents.c.provenance)
            .where(documents.c.id > last)
            .order_by(documents.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for doc_id, confidence, provenance in rows:
            connection.execute(
                documents.update()
                .where(documents.c.id == doc_id)
                .values(
                    min_confidence=lowest_confidence(confidence),
                    flagged_fields=len(flagged_fields(confidence, provenance)),
                )
            )
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("min_confidence", sa.Float(), nullable=True))
        batch.add_column(sa.Column("flagged_fields", sa.Integer(), nullable=False, server_default="0"))
    _backfill()
    op.create_table(
        "queue_views",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("queue", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("query", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("owner_id", "queue", "name"),
    )
    op.create_index("ix_queue_views_owner_id", "queue_views", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_queue_views_owner_id", table_name="queue_views")
    op.drop_table("queue_views")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("flagged_fields")
        batch.drop_column("min_confidence")
