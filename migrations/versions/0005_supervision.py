"""supervision: urgings, kept monthly reports, indexes for the dashboard's aggregates

Revision ID: 0005_supervision
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import workflows.store.base

revision = "0005_supervision"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN_CASE = sa.text("closed_at IS NULL")
OPEN_TIMER = sa.text("ended_at IS NULL")  # a timer is open until its step is done, whatever its status
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "urgings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("timer_id", BigId, nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reply_by", sa.Date(), nullable=False),
        sa.Column("urged_by_id", sa.Integer(), nullable=True),
        sa.Column("urged_by_label", sa.String(length=120), nullable=False),
        sa.Column("urged_at", workflows.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_by_id", sa.Integer(), nullable=True),
        sa.Column("replied_by_label", sa.String(length=120), nullable=False),
        sa.Column("replied_at", workflows.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_urgings_case_id_cases")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"], name=op.f("fk_urgings_department_id_departments")),
        sa.ForeignKeyConstraint(["timer_id"], ["sla_timers.id"], name=op.f("fk_urgings_timer_id_sla_timers")),
        sa.ForeignKeyConstraint(["urged_by_id"], ["users.id"], name=op.f("fk_urgings_urged_by_id_users")),
        sa.ForeignKeyConstraint(["replied_by_id"], ["users.id"], name=op.f("fk_urgings_replied_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_urgings")),
    )
    with op.batch_alter_table("urgings") as batch:
        batch.create_index(batch.f("ix_urgings_case_id"), ["case_id"], unique=False)
        batch.create_index("ix_urgings_department_replied", ["department_id", "replied_at"], unique=False)

    op.create_table(
        "monthly_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("generated_at", workflows.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("generated_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_reports")),
        sa.UniqueConstraint("month", name=op.f("uq_monthly_reports_month")),
    )

    # the dashboard reads aggregates through these, never whole cases
    op.create_index("ix_cases_filed_at", "cases", ["filed_at"], unique=False)
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"], unique=False)
    # open cases only, with the columns the dashboard counts by, so its counts are index-only scans
    op.create_index("ix_cases_open_process_state", "cases", ["process", "state", "department_id", "id", "subject_id",
                                                             "filed_at"], unique=False,
                    sqlite_where=OPEN_CASE, postgresql_where=OPEN_CASE)
    op.create_index("ix_sla_timers_open", "sla_timers", ["case_id", "status", "warn_at", "due_at", "owner",
                                                         "department_id", "kind", "due_on"], unique=False,
                    sqlite_where=OPEN_TIMER, postgresql_where=OPEN_TIMER)
    op.create_index("ix_sla_timers_breached_at", "sla_timers", ["breached_at"], unique=False)
    op.create_index("ix_sla_timers_ended_at", "sla_timers", ["ended_at"], unique=False)
    op.create_index("ix_history_action_at", "history", ["action", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_history_action_at", table_name="history")
    op.drop_index("ix_sla_timers_ended_at", table_name="sla_timers")
    op.drop_index("ix_sla_timers_breached_at", table_name="sla_timers")
    op.drop_index("ix_sla_timers_open", table_name="sla_timers")
    op.drop_index("ix_cases_open_process_state", table_name="cases")
    op.drop_index("ix_cases_closed_at", table_name="cases")
    op.drop_index("ix_cases_filed_at", table_name="cases")
    op.drop_table("monthly_reports")
    op.drop_table("urgings")
