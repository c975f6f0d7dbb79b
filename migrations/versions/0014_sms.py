"""SMS: notices also sent by SMS through the operator's gateway, each delivery and attempt kept like the platform's;
a user's choice to receive them (on unless switched off)

Revision ID: 0014_sms
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import workflows.store.base

revision = "0014_sms"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
At = workflows.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("sms_opt_in", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "sms_deliveries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("notification_id", BigId, sa.ForeignKey("notifications.id",
                                                          name="fk_sms_deliveries_notification_id_notifications"),
                  nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", name="fk_sms_deliveries_case_id_cases"),
                  nullable=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("template_code", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_attempt_at", At, nullable=True),
        sa.Column("alerted_at", At, nullable=True),
        sa.Column("delivered_at", At, nullable=True),
        sa.Column("created_at", At, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sms_deliveries"),
        sa.UniqueConstraint("request_id", name="uq_sms_deliveries_request_id"),
    )
    op.create_index("ix_sms_deliveries_notification_id", "sms_deliveries", ["notification_id"])
    op.create_index("ix_sms_deliveries_case_id", "sms_deliveries", ["case_id"])
    op.create_index("ix_sms_deliveries_next_attempt", "sms_deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "sms_attempts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", BigId, sa.ForeignKey("sms_deliveries.id", name="fk_sms_attempts_delivery_id_sms_deliveries"),
                  nullable=False),
        sa.Column("at", At, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sms_attempts"),
    )
    op.create_index("ix_sms_attempts_delivery_id", "sms_attempts", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_sms_attempts_delivery_id", table_name="sms_attempts")
    op.drop_table("sms_attempts")
    op.drop_index("ix_sms_deliveries_next_attempt", table_name="sms_deliveries")
    op.drop_index("ix_sms_deliveries_case_id", table_name="sms_deliveries")
    op.drop_index("ix_sms_deliveries_notification_id", table_name="sms_deliveries")
    op.drop_table("sms_deliveries")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("sms_opt_in")
