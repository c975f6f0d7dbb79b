"""timers for list entries' validity; escalation after a breach

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sla_timers") as batch:
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("list_entry_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_sla_timers_list_entry_id_list_entries"), "list_entries",
                                 ["list_entry_id"], ["id"])
        batch.create_index(op.f("ix_sla_timers_list_entry_id"), ["list_entry_id"])


def downgrade() -> None:
    with op.batch_alter_table("sla_timers") as batch:
        batch.drop_index(op.f("ix_sla_timers_list_entry_id"))
        batch.drop_constraint(op.f("fk_sla_timers_list_entry_id_list_entries"), type_="foreignkey")
        batch.drop_column("list_entry_id")
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
