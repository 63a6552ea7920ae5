"""oai records: what OAI-PMH harvesters were told (datestamps, deleted records, sets) and the sync lock row

Revision ID: o001
Revises: t003
"""

import sqlalchemy as sa
from alembic import op

revision = "o001"
down_revision = "t003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oai_records",
        sa.Column("document_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("datestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("gone", sa.Boolean(), nullable=False),
        sa.Column("offered", sa.Boolean(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("ever_public", sa.Boolean(), nullable=False),
        sa.Column("last_unit_id", sa.Integer(), nullable=True),
        sa.Column("last_file_id", sa.Integer(), nullable=True),
        sa.Column("unit_spec", sa.String(length=60), nullable=True),
        sa.Column("unit_name", sa.String(length=200), nullable=True),
        sa.Column("fonds_spec", sa.String(length=60), nullable=True),
        sa.Column("fonds_name", sa.String(length=300), nullable=True),
        sa.Column("type_spec", sa.String(length=120), nullable=True),
        sa.Column("type_name", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_oai_records")),
    )
    with op.batch_alter_table("oai_records", schema=None) as batch_op:
        batch_op.create_index("ix_oai_records_datestamp_document", ["datestamp", "document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oai_records_ever_public"), ["ever_public"], unique=False)
        batch_op.create_index(batch_op.f("ix_oai_records_last_unit_id"), ["last_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oai_records_unit_spec"), ["unit_spec"], unique=False)
        batch_op.create_index(batch_op.f("ix_oai_records_fonds_spec"), ["fonds_spec"], unique=False)
        batch_op.create_index(batch_op.f("ix_oai_records_type_spec"), ["type_spec"], unique=False)
    state = op.create_table(
        "oai_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("passes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oai_state")),
    )
    op.bulk_insert(state, [{"id": 1, "synced_at": None, "passes": 0}])


def downgrade() -> None:
    op.drop_table("oai_state")
    with op.batch_alter_table("oai_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oai_records_type_spec"))
        batch_op.drop_index(batch_op.f("ix_oai_records_fonds_spec"))
        batch_op.drop_index(batch_op.f("ix_oai_records_unit_spec"))
        batch_op.drop_index(batch_op.f("ix_oai_records_last_unit_id"))
        batch_op.drop_index(batch_op.f("ix_oai_records_ever_public"))
        batch_op.drop_index("ix_oai_records_datestamp_document")
    op.drop_table("oai_records")
