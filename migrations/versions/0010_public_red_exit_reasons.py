"""announcements: red-list exits already published for a blacklisting or a key-attention listing (named together),
a confirmed abuse or a broken commitment now read the one reason they share in public, so that none gives a
key-attention listing away. Irreversible: the published words that gave a key-attention listing away are
not written back.

Revision ID: 0010_public_red_exit_reasons
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_public_red_exit_reasons"
down_revision = "0002"
branch_labels = None
depends_on = None

SHARED = "因被认定存在失信或其他不良行为，"
OLD = ("因已被列入黑名单或重点关注名单，", "因存在不当利用红名单激励的行为，", "因未履行信用承诺，")


def upgrade() -> None:
    for old in OLD:
        op.execute(sa.text("UPDATE announcements SET body = replace(body, :old, :new) WHERE list_kind = 'red'")
                   .bindparams(old=old, new=SHARED))


def downgrade() -> None:
    pass  # the published words that gave a key-attention listing away are not written back
