"""deliveries: retried for days (when the next attempt is due, when the administrators were told), the platform's
attempts logged like the webhooks'; results and messages that earlier gave up are owed again

Revision ID: 0012_delivery_retries
Revises: 0006_hub
"""
from alembic import op
import sqlalchemy as sa
import workflows.store.base

revision = "0012_delivery_retries"
down_revision = "0006_hub"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
At = workflows.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("platform_deliveries") as batch:
        batch.add_column(sa.Column("last_status_code", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("next_attempt_at", At, nullable=True))
        batch.add_column(sa.Column("alerted_at", At, nullable=True))
        batch.create_index("ix_platform_deliveries_next_attempt", ["status", "next_attempt_at"])
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.add_column(sa.Column("next_attempt_at", At, nullable=True))
        batch.add_column(sa.Column("alerted_at", At, nullable=True))
        batch.create_index("ix_webhook_deliveries_next_attempt", ["status", "next_attempt_at"])
    op.create_table(
        "platform_attempts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", BigId, sa.ForeignKey("platform_deliveries.id", name="fk_platform_attempts_delivery_id"),
                  nullable=False),
        sa.Column("at", At, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_platform_attempts_delivery_id", "platform_attempts", ["delivery_id"])
    # what gave up after seconds is owed again: the sweep queues it at once
    now = workflows.store.base.utcnow()
    for table in ("platform_deliveries", "webhook_deliveries"):
        rows = sa.table(table, sa.column("status", sa.String), sa.column("next_attempt_at", At))
        op.execute(rows.update().where(rows.c.status.in_(("pending", "failed"))).values(status="pending",
                                                                                         next_attempt_at=now))


def downgrade() -> None:
    op.drop_index("ix_platform_attempts_delivery_id", table_name="platform_attempts")
    op.drop_table("platform_attempts")
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_index("ix_webhook_deliveries_next_attempt")
        batch.drop_column("alerted_at")
        batch.drop_column("next_attempt_at")
    with op.batch_alter_table("platform_deliveries") as batch:
        batch.drop_index("ix_platform_deliveries_next_attempt")
        batch.drop_column("alerted_at")
        batch.drop_column("next_attempt_at")
        batch.drop_column("last_status_code")
