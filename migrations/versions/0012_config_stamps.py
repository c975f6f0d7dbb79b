"""config stamps: a random stamp per configuration table, renewed by a trigger at every write to it

Each process keeps the settings' values and the holiday calendar it derived from `settings` and
`calendar_years` under the stamp it read them with, and reads the two stamps once per transaction: a change
committed by any process (or by hand in SQL) is seen by every process at its next transaction.

Revision ID: 0012_config_stamps
Revises: 0002
"""
import uuid

from alembic import op
import sqlalchemy as sa

revision = "0012_config_stamps"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("settings", "calendar_years")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION config_stamp_renew() RETURNS trigger AS $$
BEGIN
  INSERT INTO config_stamps (name, stamp) VALUES (TG_TABLE_NAME, md5(random()::text || clock_timestamp()::text))
  ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    table = op.create_table(
        "config_stamps",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("stamp", sa.String(32), nullable=False),
    )
    op.bulk_insert(table, [{"name": name, "stamp": uuid.uuid4().hex} for name in TABLES])
    if pg:
        op.execute(PG_FUNCTION)
    for name in TABLES:
        if pg:
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
    if pg:
        op.execute("DROP FUNCTION IF EXISTS config_stamp_renew()")
    op.drop_table("config_stamps")
