"""users: a session generation, raised by log-out, a password change or disabling, which ends every session
and token issued before

Revision ID: 0009_user_sessions
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_user_sessions"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
