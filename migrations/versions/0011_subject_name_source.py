"""subjects: whose word the name is (listed, claimed, declared), so a listing department's name prevails over a
name an applicant declared at sign-up

Revision ID: 0011_subject_name_source
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_subject_name_source"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(sa.Column("name_source", sa.String(16), nullable=False, server_default="listed"))
    # a subject no listing names was brought in by a sign-up: its name is that sign-up's word until a listing
    # (a confirmed claim's once the office confirmed one)
    unlisted = "NOT EXISTS (SELECT 1 FROM list_entries WHERE list_entries.subject_id = subjects.id)"
    confirmed = ("EXISTS (SELECT 1 FROM users WHERE users.subject_id = subjects.id "
                 "AND users.claim_status = 'confirmed')")
    op.execute(f"UPDATE subjects SET name_source = 'claimed' WHERE {unlisted} AND {confirmed}")
    op.execute(f"UPDATE subjects SET name_source = 'declared' WHERE {unlisted} AND NOT {confirmed}")


def downgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("name_source")
