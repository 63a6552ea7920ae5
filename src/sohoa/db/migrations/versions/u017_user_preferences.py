"""user preferences: each staff account keeps its interface language and time zone (both optional)

Revision ID: u017
Revises: w001
"""

import sqlalchemy as sa
from alembic import op

revision = "u017"
down_revision = "w001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
        batch_op.drop_column("language")
