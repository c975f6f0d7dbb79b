"""list entries: the entry another one followed from (the key-attention entry after a blacklist exit), so that
revoking a listing made in error undoes what it caused

Revision ID: 0010_derived_entries
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_derived_entries"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("list_entries") as batch:
        batch.add_column(sa.Column("derived_from_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_list_entries_derived_from_id_list_entries", "list_entries", ["derived_from_id"], ["id"])
        batch.create_index("ix_list_entries_derived_from_id", ["derived_from_id"])


def downgrade() -> None:
    with op.batch_alter_table("list_entries") as batch:
        batch.drop_index("ix_list_entries_derived_from_id")
        batch.drop_constraint("fk_list_entries_derived_from_id_list_entries", type_="foreignkey")
        batch.drop_column("derived_from_id")
