"""kept_filings: an applicant's own filing on a case whose listing was purged as made in error, kept for it alone

Revision ID: 0014_kept_filings
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

import workflows.store.base

revision = "0014_kept_filings"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_ref", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("kept_at", workflows.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_kept_filings_user_id_users")),
        sa.ForeignKeyConstraint(["case_ref"], ["cases.id"], name=op.f("fk_kept_filings_case_ref_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_filings")),
        sa.UniqueConstraint("case_ref", name=op.f("uq_kept_filings_case_ref")),
    )
    op.create_index(op.f("ix_kept_filings_user_id"), "kept_filings", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_kept_filings_user_id"), table_name="kept_filings")
    op.drop_table("kept_filings")
