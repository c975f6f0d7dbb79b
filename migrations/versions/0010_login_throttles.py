"""login_throttles: failed log-ins counted per client and account name (and per client), with growing delays

Revision ID: 0010_login_throttles
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

import workflows.store.base

revision = "0010_login_throttles"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("blocked_until", workflows.store.base.UTCDateTime(), nullable=True),
        sa.Column("last_failure_at", workflows.store.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )


def downgrade() -> None:
    op.drop_table("login_throttles")
