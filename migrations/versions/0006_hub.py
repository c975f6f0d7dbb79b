"""hub: department webhook endpoints, deliveries and their attempts; the credit-status query log

Revision ID: 0006_hub
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import workflows.store.base

revision = "0006_hub"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
At = workflows.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", At, nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_webhook_endpoints_department_id_departments")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_webhook_endpoints_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    op.create_index(op.f("ix_webhook_endpoints_department_id"), "webhook_endpoints", ["department_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event_id", BigId, nullable=True),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered_at", At, nullable=True),
        sa.Column("created_at", At, nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoints.id"],
                                name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints")),
        sa.ForeignKeyConstraint(["event_id"], ["outbox.id"], name=op.f("fk_webhook_deliveries_event_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("endpoint_id", "idempotency_key", name="uq_webhook_deliveries_key"),
    )
    op.create_index("ix_webhook_deliveries_event", "webhook_deliveries", ["event_id"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("delivery_id", BigId, nullable=False),
        sa.Column("at", At, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["webhook_deliveries.id"],
                                name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(op.f("ix_webhook_attempts_delivery_id"), "webhook_attempts", ["delivery_id"])
    op.create_table(
        "credit_queries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("caller_id", sa.Integer(), nullable=True),
        sa.Column("caller_label", sa.String(length=120), nullable=False),
        sa.Column("caller_department_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("at", At, nullable=False),
        sa.ForeignKeyConstraint(["caller_id"], ["users.id"], name=op.f("fk_credit_queries_caller_id_users")),
        sa.ForeignKeyConstraint(["caller_department_id"], ["departments.id"],
                                name=op.f("fk_credit_queries_caller_department_id_departments")),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_credit_queries_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_queries")),
    )
    op.create_index("ix_credit_queries_subject_at", "credit_queries", ["subject_id", "at"])
    op.create_index("ix_credit_queries_caller_at", "credit_queries", ["caller_id", "at"])
    op.create_index("ix_subjects_name", "subjects", ["name"])


def downgrade() -> None:
    op.drop_index("ix_subjects_name", table_name="subjects")
    op.drop_table("credit_queries")
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
