"""responsible persons: the legal representative and the directly responsible persons named in an enterprise's
severe listing, each a person subject linked to the entry (落实到人)

Revision ID: 0014_responsible_persons
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

from workflows.store.base import UTCDateTime

revision = "0014_responsible_persons"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "responsible_persons",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("list_entry_id", sa.Integer(), sa.ForeignKey("list_entries.id"), nullable=False),
        sa.Column("subject_id", sa.Integer(), sa.ForeignKey("subjects.id"), nullable=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("purged_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("list_entry_id", "subject_id"),
    )
    op.create_index("ix_responsible_persons_list_entry_id", "responsible_persons", ["list_entry_id"])
    op.create_index("ix_responsible_persons_subject_id", "responsible_persons", ["subject_id"])


def downgrade() -> None:
    op.drop_index("ix_responsible_persons_subject_id", table_name="responsible_persons")
    op.drop_index("ix_responsible_persons_list_entry_id", table_name="responsible_persons")
    op.drop_table("responsible_persons")
