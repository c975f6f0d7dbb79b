"""broken commitments: disputed like any record kept (active, suspended while verified, revoked once upheld)

Revision ID: 0012_broken_commitment_status
Revises: 0004_green
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_broken_commitment_status"
down_revision = "0004_green"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broken_commitments") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="active"))
        batch.add_column(sa.Column("correction", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("broken_commitments") as batch:
        batch.drop_column("correction")
        batch.drop_column("status")
