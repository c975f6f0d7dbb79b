"""green channel: licence matters catalogue, applications, broken commitments, red-list removals queued, publications

Revision ID: 0004_green
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

import workflows.store.base

revision = "0004_green"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "licence_matters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("processing_days", sa.Integer(), nullable=False),
        sa.Column("materials_days", sa.Integer(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_licence_matters_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_matters")),
        sa.UniqueConstraint("code", name=op.f("uq_licence_matters_code")),
    )
    op.create_index(op.f("ix_licence_matters_department_id"), "licence_matters", ["department_id"])

    op.create_table(
        "matter_materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("core", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["matter_id"], ["licence_matters.id"],
                                name=op.f("fk_matter_materials_matter_id_licence_matters")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matter_materials")),
    )
    op.create_index(op.f("ix_matter_materials_matter_id"), "matter_materials", ["matter_id"])

    op.create_table(
        "green_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("matter_code", sa.String(length=32), nullable=False),
        sa.Column("matter_name", sa.String(length=200), nullable=False),
        sa.Column("matter_name_en", sa.String(length=200), nullable=False),
        sa.Column("processing_days", sa.Integer(), nullable=False),
        sa.Column("default_days", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("commitment_zh", sa.Text(), nullable=False),
        sa.Column("commitment_en", sa.Text(), nullable=False),
        sa.Column("signatory", sa.String(length=100), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", workflows.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["matter_id"], ["licence_matters.id"],
                                name=op.f("fk_green_applications_matter_id_licence_matters")),
        sa.ForeignKeyConstraint(["signed_by_id"], ["users.id"], name=op.f("fk_green_applications_signed_by_id_users")),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_green_applications_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_green_applications")),
    )
    op.create_index(op.f("ix_green_applications_matter_id"), "green_applications", ["matter_id"])
    op.create_index(op.f("ix_green_applications_subject_id"), "green_applications", ["subject_id"])

    op.create_table(
        "broken_commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("matter_name", sa.String(length=200), nullable=False),
        sa.Column("missed", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", workflows.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_broken_commitments_case_id_cases")),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_broken_commitments_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broken_commitments")),
        sa.UniqueConstraint("case_id", name=op.f("uq_broken_commitments_case_id")),
    )
    op.create_index(op.f("ix_broken_commitments_subject_id"), "broken_commitments", ["subject_id"])

    op.create_table(
        "pending_redlist_removals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("list_entry_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", workflows.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", workflows.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consumed_by_case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_pending_redlist_removals_case_id_cases")),
        sa.ForeignKeyConstraint(["consumed_by_case_id"], ["cases.id"],
                                name=op.f("fk_pending_redlist_removals_consumed_by_case_id_cases")),
        sa.ForeignKeyConstraint(["list_entry_id"], ["list_entries.id"],
                                name=op.f("fk_pending_redlist_removals_list_entry_id_list_entries")),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"],
                                name=op.f("fk_pending_redlist_removals_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_redlist_removals")),
        sa.UniqueConstraint("list_entry_id", "case_id", name=op.f("uq_pending_redlist_removals_list_entry_id")),
    )
    op.create_index("ix_pending_redlist_removals_open", "pending_redlist_removals", ["consumed_at"])
    op.create_index(op.f("ix_pending_redlist_removals_subject_id"), "pending_redlist_removals", ["subject_id"])

    op.create_table(
        "licence_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("holder_code", sa.String(length=18), nullable=False),
        sa.Column("matter_name", sa.String(length=200), nullable=False),
        sa.Column("matter_name_en", sa.String(length=200), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("licence_no", sa.String(length=100), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("published_at", workflows.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_licence_publications_case_id_cases")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_licence_publications_department_id_departments")),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_licence_publications_subject_id_subjects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_publications")),
        sa.UniqueConstraint("case_id", name=op.f("uq_licence_publications_case_id")),
    )
    op.create_index("ix_licence_publications_published", "licence_publications", ["published_at"])


def downgrade() -> None:
    op.drop_index("ix_licence_publications_published", table_name="licence_publications")
    op.drop_table("licence_publications")
    op.drop_index(op.f("ix_pending_redlist_removals_subject_id"), table_name="pending_redlist_removals")
    op.drop_index("ix_pending_redlist_removals_open", table_name="pending_redlist_removals")
    op.drop_table("pending_redlist_removals")
    op.drop_index(op.f("ix_broken_commitments_subject_id"), table_name="broken_commitments")
    op.drop_table("broken_commitments")
    op.drop_index(op.f("ix_green_applications_subject_id"), table_name="green_applications")
    op.drop_index(op.f("ix_green_applications_matter_id"), table_name="green_applications")
    op.drop_table("green_applications")
    op.drop_index(op.f("ix_matter_materials_matter_id"), table_name="matter_materials")
    op.drop_table("matter_materials")
    op.drop_index(op.f("ix_licence_matters_department_id"), table_name="licence_matters")
    op.drop_table("licence_matters")
