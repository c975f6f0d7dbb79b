"""notices: the parameters a notice was rendered from, beside its kind and its rendered text

Revision ID: 0009_notice_params
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_notice_params"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("params")
