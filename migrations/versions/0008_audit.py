"""audit: the history as a hash chain; the append-only triggers let a purge redact, nothing else

Revision ID: 0008_audit
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

import workflows.store.base
from workflows.store import audit_chain

revision = "0008_audit"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGE = "the history is append-only: rows cannot be changed or deleted"
# columns a redaction must leave as they are (everything but actor_label, reason, data and redacted_at)
KEPT = ("id",) + audit_chain.CHAINED + ("personal_digest", "prev_hash", "row_hash")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
       AND ({new}) IS NOT DISTINCT FROM ({old}) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql
"""
_PG_ORIGINAL = f"""
CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql
"""


def _history_table():
    return sa.table(
        "history",
        sa.column("id", sa.Integer()),
        sa.column("at", workflows.store.base.UTCDateTime()),
        *(sa.column(name, sa.String()) for name in ("actor_label", "action", "entity_type", "entity_id",
                                                     "from_state", "to_state", "reason", "personal_digest",
                                                     "prev_hash", "row_hash")),
        sa.column("actor_user_id", sa.Integer()),
        sa.column("case_id", sa.Integer()),
        sa.column("data", sa.JSON()),
    )


def _drop_triggers(pg: bool) -> None:
    if pg:
        op.execute("DROP TRIGGER IF EXISTS history_no_update ON history")
    else:
        op.execute("DROP TRIGGER IF EXISTS history_no_update")
        op.execute("DROP TRIGGER IF EXISTS history_no_delete")


def _backfill() -> None:
    history = _history_table()
    connection = op.get_bind()
    previous = audit_chain.GENESIS
    for row in connection.execute(sa.select(history).order_by(history.c.id)).all():
        personal = audit_chain.personal_digest(row.reason, row.data, row.actor_label)
        row_hash = audit_chain.row_hash(row, personal, previous)
        connection.execute(history.update().where(history.c.id == row.id)
                           .values(personal_digest=personal, prev_hash=previous, row_hash=row_hash))
        previous = row_hash


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    _drop_triggers(pg)
    op.add_column("history", sa.Column("personal_digest", sa.String(length=64), nullable=True))
    op.add_column("history", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("history", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.add_column("history", sa.Column("redacted_at", workflows.store.base.UTCDateTime(timezone=True), nullable=True))
    _backfill()
    if pg:
        op.execute(_PG_FUNCTION.format(new=", ".join(f"NEW.{c}" for c in KEPT),
                                       old=", ".join(f"OLD.{c}" for c in KEPT), message=MESSAGE))
        op.execute("CREATE TRIGGER history_no_update BEFORE UPDATE OR DELETE ON history "
                   "FOR EACH ROW EXECUTE FUNCTION history_append_only()")
    else:
        redaction = " AND ".join(["OLD.redacted_at IS NULL", "NEW.redacted_at IS NOT NULL"]
                                 + [f"NEW.{c} IS OLD.{c}" for c in KEPT])
        op.execute(f"CREATE TRIGGER history_no_update BEFORE UPDATE ON history WHEN NOT ({redaction}) "
                   f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        op.execute("CREATE TRIGGER history_no_delete BEFORE DELETE ON history "
                   f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    _drop_triggers(pg)
    with op.batch_alter_table("history", schema=None) as batch_op:
        for name in ("redacted_at", "row_hash", "prev_hash", "personal_digest"):
            batch_op.drop_column(name)
    if pg:
        op.execute(_PG_ORIGINAL)
        op.execute("CREATE TRIGGER history_no_update BEFORE UPDATE OR DELETE ON history "
                   "FOR EACH ROW EXECUTE FUNCTION history_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER history_no_{verb.lower()} BEFORE {verb} ON history "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
