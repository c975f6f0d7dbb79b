"""A case's own rows written without the unit of work (ADR 0014): what an action or a filing changed on its case
and its timers, by prebuilt statements, where a flush would spend most of its time on its bookkeeping.

`write(session, case)` is the flush an action makes after its transition: when what the session holds changed is
the case (new or changed) and its timers (new or changed) and nothing else, it writes them itself, the case first,
as the flush would (its version checked, the same `StaleDataError` when another writer moved it); anything else
changed or deleted (another object, a history row made by `history.record`, a relationship's key) leaves it all to
`session.flush()`. The objects end as a flush leaves them, by the session's own bookkeeping after a flush
(`Session._register_persistent`, the one private call, under the pinned SQLAlchemy): persistent, their values the
row's, nothing pending, and known to the transaction as inserted or changed by it, so that a rollback forgets a new
row's object and expires a changed one as after a flush.
"""
from __future__ import annotations

from sqlalchemy import bindparam, insert, inspect, update
from sqlalchemy.orm import ColumnProperty, Session
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE
from sqlalchemy.orm.exc import StaleDataError

from workflows.store import audit_chain
from workflows.store.cases import Case, Timer

_CASES, _TIMERS = Case.__table__, Timer.__table__
# the values given name the columns set (an UPDATE without values() sets what its parameters name)
_UPDATE_CASE = update(_CASES).where(_CASES.c.id == bindparam("b_id"), _CASES.c.version == bindparam("b_version"))
_UPDATE_TIMER = update(_TIMERS).where(_TIMERS.c.id == bindparam("b_id"))


def write(session: Session, case: Case) -> None:
    """Write what the session holds changed, as `session.flush()` would: itself when that is the case and its
    timers alone, else by the flush."""
    new, dirty = list(session.new), list(session.dirty)
    if not new and not dirty:
        return
    if session.deleted or not all(o is case or _timer_of(case, o) for o in (*new, *dirty)):
        session.flush()
        return
    changes = {}
    for obj in dirty:
        found = _changes(obj)
        if found is None:
            session.flush()
            return
        changes[obj] = found
    connection = session.connection()
    if case in new:
        _insert(connection, case)
    elif changes.get(case):
        state = inspect(case)
        version = state.dict["version"]
        result = connection.execute(_UPDATE_CASE, {**changes[case], "version": version + 1, "b_id": case.id,
                                                   "b_version": version})
        if result.rowcount != 1:
            raise StaleDataError(f"UPDATE statement on table 'cases' expected to update 1 row(s); "
                                 f"{result.rowcount} were matched.")
        state.dict["version"] = version + 1
    for obj in dirty:
        if obj is not case and changes[obj]:
            connection.execute(_UPDATE_TIMER, {**changes[obj], "b_id": obj.id})
    for obj in new:
        if obj is not case:
            obj.case_id = case.id
            _insert(connection, obj)
    states = {inspect(obj) for obj in (*new, *dirty)}
    inspect(case).session._register_persistent(states)  # as after a flush of these rows (the Session itself)
    if case in new:
        audit_chain.mark_inserted(session, case)


def _timer_of(case: Case, obj) -> bool:
    """A timer of this case: given it (a new one), or holding its id (one read with the case, whose `case` is not
    loaded: reading it would cost a look-up)."""
    if not isinstance(obj, Timer):
        return False
    given = obj.__dict__.get("case")
    return given is case if given is not None else case.id is not None and obj.__dict__.get("case_id") == case.id


def _changes(obj) -> dict | None:
    """The columns set to another value since the object was read (None: a change only the flush writes)."""
    state = inspect(obj)
    values = {}
    for key in state.committed_state:
        prop = state.mapper.attrs[key]
        if not isinstance(prop, ColumnProperty):
            if prop.viewonly:
                continue
            return None
        if state.get_history(key, PASSIVE_NO_INITIALIZE).added:
            values[prop.columns[0].key] = state.dict[key]
    return values


def _insert(connection, obj) -> None:
    """A new object's row, inserted with the values it has (the columns' defaults for the others); the object takes
    the row's values, its id among them."""
    values = obj.__dict__
    statement, columns = _INSERT[type(obj)]
    row = connection.execute(statement, {column: values[key] for key, column in columns if key in values}).one()
    for (key, _column), value in zip(columns, row):
        values[key] = value


def _inserts(model) -> tuple:
    """The model's INSERT, returning its columns in the order of (attribute, column) pairs."""
    columns = tuple((prop.key, prop.columns[0].key) for prop in inspect(model).column_attrs)
    table = model.__table__
    return insert(table).returning(*(table.c[column] for _key, column in columns)), columns


_INSERT = {Case: _inserts(Case), Timer: _inserts(Timer)}
