"""written decisions: issued documents, each department's numbering pattern and its counter per year

Revision ID: 0014_written_decisions
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import workflows.store.base

revision = "0014_written_decisions"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("list_entry_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("issued_at", workflows.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_decision_documents_case_id_cases")),
        sa.ForeignKeyConstraint(["list_entry_id"], ["list_entries.id"],
                                name=op.f("fk_decision_documents_list_entry_id_list_entries")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_decision_documents_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_documents")),
        sa.UniqueConstraint("department_id", "year", "sequence", name="uq_decision_documents_sequence"),
    )
    with op.batch_alter_table("decision_documents") as batch:
        batch.create_index(batch.f("ix_decision_documents_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_decision_documents_number"), ["number"], unique=False)
        batch.create_index(batch.f("ix_decision_documents_list_entry_id"), ["list_entry_id"], unique=False)
    op.create_table(
        "document_counters",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_document_counters_department_id_departments")),
        sa.PrimaryKeyConstraint("department_id", "year", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "numbering_patterns",
        sa.Column("department_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pattern", sa.String(length=60), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", workflows.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_numbering_patterns_department_id_departments")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_numbering_patterns_updated_by_id_users")),
        sa.PrimaryKeyConstraint("department_id", name=op.f("pk_numbering_patterns")),
    )


def downgrade() -> None:
    op.drop_table("numbering_patterns")
    op.drop_table("document_counters")
    with op.batch_alter_table("decision_documents") as batch:
        batch.drop_index(batch.f("ix_decision_documents_list_entry_id"))
        batch.drop_index(batch.f("ix_decision_documents_number"))
        batch.drop_index(batch.f("ix_decision_documents_case_id"))
    op.drop_table("decision_documents")
