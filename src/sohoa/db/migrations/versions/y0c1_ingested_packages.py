"""ingested packages and the audit history they carried (sohoa ingest-package)

Revision ID: y0c1
Revises: y001
"""

import sqlalchemy as sa
from alembic import op

revision = "y0c1"
down_revision = "y001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingested_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=200), nullable=False),
        sa.Column("package_type", sa.String(length=20), nullable=False),
        sa.Column("mets_sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["file_id"], ["file_units.id"], ondelete="SET NULL",
                                name=op.f("fk_ingested_packages_file_id_file_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingested_packages")),
        sa.UniqueConstraint("mets_sha256", name=op.f("uq_ingested_packages_mets_sha256")),
    )
    with op.batch_alter_table("ingested_packages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingested_packages_package_id"), ["package_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ingested_packages_file_id"), ["file_id"], unique=False)
    op.create_table(
        "imported_audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_row_id", sa.Integer(), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=True),
        sa.Column("original_entity_id", sa.Integer(), nullable=True),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("hash_ok", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["package_row_id"], ["ingested_packages.id"],
                                name=op.f("fk_imported_audit_events_package_row_id_ingested_packages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_imported_audit_events_hash")),
    )
    with op.batch_alter_table("imported_audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_audit_events_package_row_id"), ["package_row_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_imported_audit_events_entity_id"), ["entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("imported_audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_audit_events_entity_id"))
        batch_op.drop_index(batch_op.f("ix_imported_audit_events_package_row_id"))
    op.drop_table("imported_audit_events")
    with op.batch_alter_table("ingested_packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingested_packages_file_id"))
        batch_op.drop_index(batch_op.f("ix_ingested_packages_package_id"))
    op.drop_table("ingested_packages")
