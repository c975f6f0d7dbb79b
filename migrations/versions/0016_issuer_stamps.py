"""issuer stamps: the departments and their numbering patterns stamped like the settings

A written decision names its department and takes its number in the department's pattern. Each process keeps
the two under the stamps of `departments` and `numbering_patterns` (workflows/services/documents/numbering.py),
renewed by the same triggers as migration 0012's, so a department renamed or a pattern changed by any process
(or by hand in SQL) is seen at every process's next transaction, and an action that issues a decision no longer
reads them.

Revision ID: 0016_issuer_stamps
Revises: 0012_config_stamps, 0014_written_decisions
"""
import uuid

from alembic import op
import sqlalchemy as sa

revision = "0016_issuer_stamps"
down_revision = ("0012_config_stamps", "0014_written_decisions")  # config_stamps, and numbering_patterns
branch_labels = None
depends_on = None

TABLES = ("departments", "numbering_patterns")


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    stamps = sa.table("config_stamps", sa.column("name", sa.String), sa.column("stamp", sa.String))
    op.bulk_insert(stamps, [{"name": name, "stamp": uuid.uuid4().hex} for name in TABLES])
    for name in TABLES:
        if pg:  # config_stamp_renew() is migration 0012's
            op.execute(f"CREATE TRIGGER {name}_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {name} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION config_stamp_renew()")
            continue
        for verb in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {name}_stamp_{verb.lower()} AFTER {verb} ON {name} BEGIN "
                       f"INSERT INTO config_stamps (name, stamp) VALUES ('{name}', lower(hex(randomblob(16)))) "
                       "ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp; END")


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name in TABLES:
        if pg:
            op.execute(f"DROP TRIGGER IF EXISTS {name}_stamp ON {name}")
        else:
            for verb in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_stamp_{verb}")
    op.execute(f"DELETE FROM config_stamps WHERE name IN {TABLES}")
