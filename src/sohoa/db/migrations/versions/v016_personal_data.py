"""personal data (Luật 91/2025/QH15): values found in documents, data subject requests and their items

Revision ID: v016
Revises: x001
"""

import sqlalchemy as sa
from alembic import op

revision = "v016"
down_revision = "x001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "personal_data",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("page_no", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("normalized", sa.String(length=300), nullable=False),
        sa.Column("boxes", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_personal_data_document_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data")),
    )
    with op.batch_alter_table("personal_data", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personal_data_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_personal_data_normalized"), ["normalized"], unique=False)
        batch_op.create_index("ix_personal_data_kind_normalized", ["kind", "normalized"], unique=False)

    op.create_table(
        "subject_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("request_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("subject_name_folded", sa.String(length=200), nullable=False),
        sa.Column("subject_id_number", sa.String(length=20), nullable=True),
        sa.Column("requester", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("handled_by", sa.String(length=100), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_subject_requests_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_requests")),
        sa.UniqueConstraint("code", name=op.f("uq_subject_requests_code")),
    )

    op.create_table(
        "subject_request_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("datum_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("corrected_value", sa.String(length=500), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["subject_requests.id"],
                                name=op.f("fk_subject_request_items_request_id_subject_requests")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_subject_request_items_document_id_documents")),
        sa.ForeignKeyConstraint(["datum_id"], ["personal_data.id"],
                                name=op.f("fk_subject_request_items_datum_id_personal_data")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_request_items")),
    )
    with op.batch_alter_table("subject_request_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subject_request_items_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subject_request_items_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subject_request_items_datum_id"), ["datum_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subject_request_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_request_items_datum_id"))
        batch_op.drop_index(batch_op.f("ix_subject_request_items_document_id"))
        batch_op.drop_index(batch_op.f("ix_subject_request_items_request_id"))
    op.drop_table("subject_request_items")
    op.drop_table("subject_requests")
    with op.batch_alter_table("personal_data", schema=None) as batch_op:
        batch_op.drop_index("ix_personal_data_kind_normalized")
        batch_op.drop_index(batch_op.f("ix_personal_data_normalized"))
        batch_op.drop_index(batch_op.f("ix_personal_data_document_id"))
    op.drop_table("personal_data")
