"""fixity audits with their history (fixity_runs, fixity_checks) and the single-runner leases of periodic work

Revision ID: y0d1
Revises: y001
"""

import sqlalchemy as sa
from alembic import op

revision = "y0d1"
down_revision = "y001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fixity_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("due_only", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Integer(), nullable=False),
        sa.Column("mismatch", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("unreadable", sa.Integer(), nullable=False),
        sa.Column("repaired", sa.Integer(), nullable=False),
        sa.Column("orphans", sa.Integer(), nullable=False),
        sa.Column("bytes_read", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=True),
        sa.Column("holder", sa.String(length=120), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fixity_runs")),
    )
    with op.batch_alter_table("fixity_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fixity_runs_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_fixity_runs_state"), ["state"], unique=False)
    op.create_table(
        "fixity_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("store", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("actual_sha256", sa.String(length=64), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["fixity_runs.id"], name=op.f("fk_fixity_checks_run_id_fixity_runs")),
        sa.ForeignKeyConstraint(["object_id"], ["stored_objects.id"],
                                name=op.f("fk_fixity_checks_object_id_stored_objects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fixity_checks")),
    )
    with op.batch_alter_table("fixity_checks", schema=None) as batch_op:
        for column in ("run_id", "object_id", "sha256", "checked_at", "outcome"):
            batch_op.create_index(batch_op.f(f"ix_fixity_checks_{column}"), [column], unique=False)
    op.create_table(
        "preservation_leases",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_preservation_leases")),
    )


def downgrade() -> None:
    op.drop_table("preservation_leases")
    with op.batch_alter_table("fixity_checks", schema=None) as batch_op:
        for column in ("outcome", "checked_at", "sha256", "object_id", "run_id"):
            batch_op.drop_index(batch_op.f(f"ix_fixity_checks_{column}"))
    op.drop_table("fixity_checks")
    with op.batch_alter_table("fixity_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fixity_runs_state"))
        batch_op.drop_index(batch_op.f("ix_fixity_runs_started_at"))
    op.drop_table("fixity_runs")
