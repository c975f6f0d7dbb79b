"""first row heads: a case's first history row sets its chain's head as it is inserted

A new case's chain begins with its filing's row, which needs the case's id (it is hashed with it), so the case is
inserted first, with no head. Its head was then written by an UPDATE of its own; now an AFTER INSERT trigger on
`history` writes it, for a case chain's first row only (its previous hash is the genesis and the case has no head
yet). Every later row of a chain moves the head as before: in the UPDATE an action makes of its case anyway, with
its version check, or in one statement for the rows of several cases (ADR 0012).

Revision ID: 0017_first_row_heads
Revises: 0015_case_chains
"""
from alembic import op

revision = "0017_first_row_heads"
down_revision = "0015_case_chains"
branch_labels = None
depends_on = None

GENESIS = "0" * 64  # workflows.store.audit_chain.GENESIS
FIRST_OF_A_CASE = f"NEW.case_id IS NOT NULL AND NEW.prev_hash = '{GENESIS}' AND NEW.chain = 'case:' || NEW.case_id"
SET_HEAD = "UPDATE cases SET chain_head = NEW.row_hash WHERE id = NEW.case_id AND chain_head IS NULL"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION history_first_row_head() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {SET_HEAD}; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER history_first_row_head AFTER INSERT ON history FOR EACH ROW "
                   f"WHEN ({FIRST_OF_A_CASE}) EXECUTE FUNCTION history_first_row_head()")
    else:
        op.execute(f"CREATE TRIGGER history_first_row_head AFTER INSERT ON history WHEN {FIRST_OF_A_CASE} "
                   f"BEGIN {SET_HEAD}; END")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS history_first_row_head" +
               (" ON history" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS history_first_row_head()")
