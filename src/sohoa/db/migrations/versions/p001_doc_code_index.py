"""documents.doc_code indexed: the portal's permanent links resolve a mã định danh văn bản

Revision ID: p001
Revises: 0001
"""

from alembic import op

revision = "p001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_documents_doc_code"), "documents", ["doc_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_documents_doc_code"), table_name="documents")
