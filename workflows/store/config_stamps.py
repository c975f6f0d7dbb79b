"""Which version of the administrators' configuration (settings, holiday arrangements, the departments and their
numbering patterns) the database holds.

Every write to `settings`, `calendar_years`, `departments` or `numbering_patterns`, by whatever process or by hand
in SQL, gives that table's row in `config_stamps` a new random stamp (database triggers, migrations 0012 and 0016).
A process keeps what it derived from such a table (the settings' values, the working calendar, a department's
name and numbering pattern) under the stamp it read it with, and reads the stamps
once per transaction, one small query: a change another process committed is seen at this one's next
transaction, and nothing is read again while nothing changed. Where an action's first statement is the read of
its case, the stamps come as a column of that statement (AS_COLUMN) instead of a query of their own. A stamp is
random, never a counter: the stamp of a transaction that was rolled back is never seen again, where a counter
would come back with other content.

Within a transaction, the stamps are read again after the session flushes a change to one of these tables (its own
change renewed the stamp) and after a statement run through the session that writes one of them or that is neither
a SELECT nor an INSERT, UPDATE or DELETE of another table (a textual statement, say).
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from .documents import NumberingPattern
from .models import CalendarYear, ConfigStamp, Department, Setting

SETTINGS, CALENDAR = "settings", "calendar_years"
DEPARTMENTS, NUMBERING = "departments", "numbering_patterns"  # the issuers of written decisions (migration 0016)
_READ = "config_stamps"  # in session.info: the stamps as this transaction read them
_STAMPED = (Setting, CalendarYear, Department, NumberingPattern)  # the models of the tables with a stamp
_STAMPED_TABLES = frozenset(model.__tablename__ for model in _STAMPED)
_TABLE = ConfigStamp.__table__
_STAMPS = select(_TABLE.c.name, _TABLE.c.stamp)
# the stamps as one column of another statement (the case an action holds): "name=stamp,name=stamp"
AS_COLUMN = (select(func.aggregate_strings(_TABLE.c.name + "=" + _TABLE.c.stamp, ",")).scalar_subquery()
             .label("config_stamps"))


def unread(session: Session) -> bool:
    """Whether this transaction has not read the stamps yet: a statement it runs first may carry AS_COLUMN."""
    return _READ not in session.info


def read_with(session: Session, column: str | None) -> None:
    """The stamps as AS_COLUMN read them, in a statement of this transaction that ran before any other read them."""
    session.info[_READ] = dict(pair.split("=", 1) for pair in (column or "").split(",") if pair)


def first_row(session: Session, statement, stamped_statement, params: dict, *, orm: bool = False):
    """The first row of `statement` (None: none), run through the session (`orm`: an ORM statement, its rows made
    unique) or its connection. As the transaction's first statement, `stamped_statement` (`statement` with
    AS_COLUMN as its last column) runs instead, and the stamps are read from that column: the caller reads the
    row's leading columns either way."""
    stamped = unread(session)
    query = stamped_statement if stamped else statement
    result = session.execute(query, params).unique() if orm else session.connection().execute(query, params)
    row = result.first()
    if row is not None and stamped:
        read_with(session, row[-1])
    return row


def current(session: Session) -> dict[str, str]:
    """The stamps, read once per transaction. A table without a stamp row is absent: never cache what it holds."""
    stamps = session.info.get(_READ)
    if stamps is None:
        # as a query through the session would (its autoflush, unless turned off): what it holds changed is
        # written first
        if session.autoflush and (session.new or session.deleted or session.dirty):
            session.flush()
        stamps = dict(session.connection().execute(_STAMPS).all())  # a plain statement, built once
        session.info[_READ] = stamps
    return stamps


class Kept:
    """What a process derived from configuration tables, by key, kept under the tables' stamps: the first
    transaction that sees other stamps starts afresh. Nothing is kept while a table has no stamp row."""

    def __init__(self, *tables: str):
        self.tables = tables
        self._kept: tuple[tuple, dict] = ((), {})  # replaced whole, never changed in place but by its own stamps

    def get(self, session: Session, key, load: Callable[[], object]):
        stamps = current(session)
        key_of_now = tuple(stamps.get(t) for t in self.tables)
        kept = self._kept
        if kept[0] != key_of_now:
            kept = (key_of_now, {})
            if None not in key_of_now:
                self._kept = kept
        if key not in kept[1]:
            kept[1][key] = load()
        return kept[1][key]


def forget(session: Session) -> None:
    """Read the stamps again at the next `current` (the caller changed a configuration table)."""
    session.info.pop(_READ, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        forget(session)


@event.listens_for(Session, "before_flush")
def _configuration_flushed(session: Session, _context, _instances) -> None:
    if _READ in session.info and any(isinstance(o, _STAMPED)
                                     for changed in (session.new, session.dirty, session.deleted) for o in changed):
        forget(session)


@event.listens_for(Session, "do_orm_execute")
def _statement_run(execute_state) -> None:
    """A write through the session may have renewed a stamp: read them again after it, unless it names a table
    that has none (an UPDATE of the instructions, of the outbox)."""
    if execute_state.is_select or _READ not in execute_state.session.info:
        return
    table = getattr(execute_state.statement, "table", None)  # an INSERT, UPDATE or DELETE names its table
    if getattr(table, "name", None) not in _STAMPED_TABLES and (execute_state.is_update or execute_state.is_delete
                                                                 or execute_state.is_insert):
        return
    forget(execute_state.session)
