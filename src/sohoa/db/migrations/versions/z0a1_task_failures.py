"""cluster tasks: dead letters of Celery tasks (task_failures) and the staged files of queued batches

Revision ID: z0a1
Revises: y001
"""

import sqlalchemy as sa
from alembic import op

revision = "z0a1"
down_revision = "y001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_name", sa.String(length=120), nullable=False),
        sa.Column("task_id", sa.String(length=155), nullable=False),
        sa.Column("args_summary", sa.String(length=1000), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("handled_by", sa.String(length=100), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_failures")),
    )
    with op.batch_alter_table("task_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_failures_task_name"), ["task_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_failures_failed_at"), ["failed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_failures_state"), ["state"], unique=False)
    op.create_table(
        "task_batch_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=40), nullable=False),
        sa.Column("group_no", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("staged_key", sa.String(length=600), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_batch_files")),
    )
    with op.batch_alter_table("task_batch_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_batch_files_batch"), ["batch"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_batch_files_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_batch_files_state"), ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("task_batch_files")
    op.drop_table("task_failures")
