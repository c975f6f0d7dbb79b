"""case chains: a history chain per case (its head on the case row), one for the rows of no case, and anchors

The rows already there keep their hashes: they stay the one chain they were written in (`chain` NULL), and the
first anchor holds its last row, so that removing rows from its end is found (ADR 0012). Nothing is rewritten,
so the upgrade takes the same time whatever the size of the history.

Revision ID: 0015_case_chains
Revises: 0008_audit
"""
from alembic import op
import sqlalchemy as sa

import workflows.store.base
from workflows.store import audit_chain

revision = "0015_case_chains"
down_revision = "0008_audit"
branch_labels = None
depends_on = None

UNANCHORED_CASES = "chain_head IS NOT NULL AND (anchored_head IS NULL OR anchored_head <> chain_head)"
UNANCHORED_CHAINS = "anchored_head IS NULL OR anchored_head <> head"


def _history():
    return sa.table(
        "history",
        sa.column("id", sa.Integer()),
        sa.column("at", workflows.store.base.UTCDateTime()),
        *(sa.column(name, sa.String()) for name in ("actor_label", "action", "entity_type", "entity_id",
                                                     "from_state", "to_state", "personal_digest", "prev_hash",
                                                     "row_hash", "chain")),
        sa.column("actor_user_id", sa.Integer()),
        sa.column("case_id", sa.Integer()),
    )


def upgrade() -> None:
    op.add_column("cases", sa.Column("chain_head", sa.String(length=64), nullable=True))
    op.add_column("cases", sa.Column("anchored_head", sa.String(length=64), nullable=True))
    op.create_index("ix_cases_unanchored", "cases", ["id"], unique=False,
                    sqlite_where=sa.text(UNANCHORED_CASES), postgresql_where=sa.text(UNANCHORED_CASES))
    op.add_column("history", sa.Column("chain", sa.String(length=40), nullable=True))
    op.create_table(
        "history_chains",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("anchored_head", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_history_chains")),
    )
    op.create_index("ix_history_chains_unanchored", "history_chains", ["name"], unique=False,
                    sqlite_where=sa.text(UNANCHORED_CHAINS), postgresql_where=sa.text(UNANCHORED_CHAINS))
    anchors = op.create_table(
        "history_anchors",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", workflows.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heads", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("anchor_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_anchors")),
    )
    history = _history()
    tail = op.get_bind().execute(sa.select(history.c.row_hash).order_by(history.c.id.desc()).limit(1)).scalar()
    at = workflows.store.base.utcnow()
    heads = {audit_chain.LEGACY: tail or audit_chain.GENESIS}
    op.bulk_insert(anchors, [{"at": at, "heads": heads, "prev_hash": audit_chain.GENESIS,
                              "anchor_hash": audit_chain.anchor_hash(at, heads, audit_chain.GENESIS)}])


def downgrade() -> None:
    """The rows written in chains per case are chained again into the one chain, in id order, after the rows
    that were there before, so that the code before this migration still verifies the history."""
    connection = op.get_bind()
    pg = connection.dialect.name == "postgresql"
    history = _history()
    rows = connection.execute(sa.select(history).where(history.c.chain.is_not(None)).order_by(history.c.id)).all()
    if rows:
        saved = []
        if pg:
            op.execute("ALTER TABLE history DISABLE TRIGGER history_no_update")
        else:
            saved = [r[0] for r in connection.execute(sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'history'"))]
            for name in [r[0] for r in connection.execute(sa.text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'history'"))]:
                op.execute(f"DROP TRIGGER {name}")
        previous = connection.execute(sa.select(history.c.row_hash).where(
            history.c.chain.is_(None), history.c.id < rows[0].id).order_by(history.c.id.desc()).limit(1)).scalar()
        previous = previous or audit_chain.GENESIS
        for row in rows:
            row_hash = audit_chain.row_hash(row, row.personal_digest or "", previous)
            connection.execute(history.update().where(history.c.id == row.id)
                               .values(prev_hash=previous, row_hash=row_hash))
            previous = row_hash
        if pg:
            op.execute("ALTER TABLE history ENABLE TRIGGER history_no_update")
        else:
            for sql in saved:
                op.execute(sql)
    op.drop_table("history_anchors")
    op.drop_index("ix_history_chains_unanchored", table_name="history_chains")
    op.drop_table("history_chains")
    op.drop_index("ix_cases_unanchored", table_name="cases")
    # in place on both databases (SQLite 3.35+): a copied table would lose the history's triggers
    for table, column in (("history", "chain"), ("cases", "anchored_head"), ("cases", "chain_head")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
