"""events indexed by entity: a document's publication state reads its own publish and access events

Revision ID: e001
Revises: 0001
"""

from alembic import op

revision = "e001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_entity", "events", ["entity_type", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_events_entity", table_name="events")
