"""missed deadlines: a partial index of the legal deadlines breached, by the instant they were breached

The dashboard counts the legal deadlines breached in its period, per owner, and in each month of its trend: read
from this index alone (an index-only scan) instead of fetching each timer from the table through
`ix_sla_timers_breached_at` to test its kind.

Revision ID: 0015_dashboard_indexes
Revises: 0013_met_deadlines_index
"""
from alembic import op
import sqlalchemy as sa

revision = "0015_dashboard_indexes"
down_revision = "0013_met_deadlines_index"
branch_labels = None
depends_on = None

BREACHED_LEGAL = sa.text("breached_at IS NOT NULL AND kind <> 'urging_reply'")


def upgrade() -> None:
    op.create_index("ix_sla_timers_breached", "sla_timers", ["breached_at", "owner", "department_id", "case_id"],
                    unique=False, sqlite_where=BREACHED_LEGAL, postgresql_where=BREACHED_LEGAL)


def downgrade() -> None:
    op.drop_index("ix_sla_timers_breached", table_name="sla_timers")
