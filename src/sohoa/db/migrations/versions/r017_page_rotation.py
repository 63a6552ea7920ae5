"""pages.rotation: a quarter turn the reviewer gave a page (0/90/180/270, clockwise); masters stay as scanned

Revision ID: r017
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "r017"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("rotation", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("rotation")
