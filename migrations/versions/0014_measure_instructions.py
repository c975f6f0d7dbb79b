"""instructions to implementing departments, each waiting for the confirmation that it was carried out

Revision ID: 0014_measure_instructions
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import workflows.store.base

revision = "0014_measure_instructions"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
At = workflows.store.base.UTCDateTime(timezone=True)
UNCONFIRMED = "confirmed_at IS NULL AND superseded_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "instructions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("measure_id", sa.Integer(), sa.ForeignKey("measures.id", name="fk_instructions_measure_id_measures"),
                  nullable=False),
        sa.Column("department_id", sa.Integer(),
                  sa.ForeignKey("departments.id", name="fk_instructions_department_id_departments"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("event_id", BigId, sa.ForeignKey("outbox.id", name="fk_instructions_event_id_outbox"),
                  nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", At, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("confirmed_at", At, nullable=True),
        sa.Column("carried_out_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_instructions_confirmed_by_id_users"),
                  nullable=True),
        sa.Column("confirmed_by_label", sa.String(120), nullable=False),
        sa.Column("superseded_at", At, nullable=True),
        sa.Column("urged_at", At, nullable=True),
        sa.Column("urge_count", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_instructions"),
        sa.UniqueConstraint("event_id", "measure_id", name="uq_instructions_event_measure"),
    )
    op.create_index("ix_instructions_measure_id", "instructions", ["measure_id"])
    op.create_index("ix_instructions_carried_out", "instructions", ["carried_out_on", "department_id"])
    op.create_index("ix_instructions_unconfirmed", "instructions", ["department_id", "due_on"],
                    sqlite_where=sa.text(UNCONFIRMED), postgresql_where=sa.text(UNCONFIRMED))


def downgrade() -> None:
    op.drop_index("ix_instructions_unconfirmed", table_name="instructions")
    op.drop_index("ix_instructions_carried_out", table_name="instructions")
    op.drop_index("ix_instructions_measure_id", table_name="instructions")
    op.drop_table("instructions")
