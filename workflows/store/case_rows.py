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

from collections.abc import Callable
from functools import lru_cache

from sqlalchemy import bindparam, insert, inspect, update
from sqlalchemy.orm import ColumnProperty, Session
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE
from sqlalchemy.orm.exc import StaleDataError

from workflows.store import audit_chain
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case, Timer
from workflows.store.models import HistoryEntry

_CASES, _TIMERS = Case.__table__, Timer.__table__
_HISTORY, _EVENTS = HistoryEntry.__table__, OutboxEvent.__table__
_INSERT_HISTORY, _INSERT_EVENT = insert(_HISTORY), insert(_EVENTS)
# the values given name the columns set (an UPDATE without values() sets what its parameters name)
_UPDATE_CASE = update(_CASES).where(_CASES.c.id == bindparam("b_id"), _CASES.c.version == bindparam("b_version"))
_UPDATE_TIMER = update(_TIMERS).where(_TIMERS.c.id == bindparam("b_id"))


def write(session: Session, case: Case, *, history_row: dict | Callable[[], dict] | None = None,
          event: dict | Callable[[], dict] | None = None) -> None:
    """Write what the session holds changed, as `session.flush()` would: itself when that is the case and its
    timers alone, else by the flush. `history_row`: the history row of the change, chained
    (`audit_chain.chained_now`), with `event`, the outbox row it owes its flow (or None). An action's row is
    written before the case's own rows, on PostgreSQL in the statement that updates the case, as WITHs of it with
    its timers' updates. A new case's row and event are given as functions that make them once the case has its
    id (the row is hashed with it), and are written after the case, on PostgreSQL as WITHs of its first timer's
    INSERT."""
    pending = [(history_row, event)] if history_row is not None else []
    of_a_new_case = callable(history_row)

    def history_now() -> None:
        if pending:
            row, then = pending.pop()
            _insert_history(session.connection(), *_made(row, then))

    new, dirty = list(session.new), list(session.dirty)
    if not new and not dirty:
        history_now()
        return
    mine = all(o is case or _timer_of(case, o) for o in (*new, *dirty)) and not session.deleted
    changes = {obj: _changes(obj) for obj in dirty} if mine else {}
    if not mine or None in changes.values():  # anything else, or a change only the flush writes: the flush
        if not of_a_new_case:
            history_now()
        session.flush()
        history_now()
        return
    connection = session.connection()
    timers = [(obj, changes[obj]) for obj in dirty if obj is not case and changes[obj]]
    inserted = set()
    if case in new:
        _insert(connection, case)
        inserted.add(case)
        inspect(case).session._register_persistent({inspect(case)})  # persistent: its row's chain reads no head
        audit_chain.mark_inserted(session, case)
        first = next((o for o in new if o is not case), None)
        if pending and first is not None and connection.dialect.name == "postgresql":
            first.case_id = case.id
            _insert(connection, first, with_history=_made(*pending.pop()))
            inserted.add(first)
    elif changes.get(case):
        state = inspect(case)
        version = state.dict["version"]
        values = {**changes[case], "version": version + 1}
        # PostgreSQL runs WITHs that write; where the row begins its case's chain, the trigger of migration 0017
        # fires after this statement and finds the head this UPDATE wrote (test_case_rows)
        if pending and connection.dialect.name == "postgresql":
            statement, parameters = _case_with_its_rows(values, history_row, event, timers)
            parameters |= {"b_id": case.id, "b_version": version}
            pending, timers = [], []
            result = connection.execute(statement, parameters)
        else:
            history_now()
            result = connection.execute(_UPDATE_CASE, {**values, "b_id": case.id, "b_version": version})
        if result.rowcount != 1:
            raise StaleDataError(f"UPDATE statement on table 'cases' expected to update 1 row(s); "
                                 f"{result.rowcount} were matched.")
        state.dict["version"] = version + 1
    history_now()
    for obj, values in timers:
        connection.execute(_UPDATE_TIMER, {**values, "b_id": obj.id})
    for obj in new:
        if obj not in inserted:
            obj.case_id = case.id
            _insert(connection, obj)
    states = {inspect(obj) for obj in (*new, *dirty) if obj is not case or case not in new}
    inspect(case).session._register_persistent(states)  # as after a flush of these rows (the Session itself)


def _made(row, event) -> tuple[dict, dict | None]:
    """A history row and its event, each made now if given as a function (a new case's, once it has its id)."""
    return (row() if callable(row) else row), (event() if callable(event) else event)


def _insert_history(connection, row: dict, event: dict | None = None) -> None:
    """A case's history row, chained, and the outbox row its change owes the flow (or None), in statements of their
    own: where `write` cannot make them WITHs of the case's (SQLite, a flush, a change with no row of the case)."""
    connection.execute(_INSERT_HISTORY, row)
    if event is not None:
        connection.execute(_INSERT_EVENT, event)


def _with_history(history_row: dict, event: dict | None) -> dict:
    """The parameters of `_history_ctes`."""
    return {"h_" + k: v for k, v in history_row.items()} | {"e_" + k: v for k, v in (event or {}).items()}


def _history_ctes(row: tuple, event: tuple) -> list:
    """A history row's INSERT and its event's (if it has one) as WITHs of another statement (PostgreSQL), their
    parameters named by `_with_history`."""
    ctes = [insert(_HISTORY).values(_bound(_HISTORY, "h_", row)).cte("history_row")]
    if event:
        ctes.append(insert(_EVENTS).values(_bound(_EVENTS, "e_", event)).cte("event"))
    return ctes


def _case_with_its_rows(values: dict, history_row: dict, event: dict | None, timers: list) -> tuple:
    """The case's UPDATE (its version checked) with its history row, its event and its timers' UPDATEs as WITHs
    of it, one statement, and its parameters."""
    statement = _case_with_its_rows_statement(tuple(values), tuple(history_row), tuple(event or ()),
                                              tuple(tuple(changed) for _timer, changed in timers))
    parameters = {"c_" + k: v for k, v in values.items()} | _with_history(history_row, event)
    for n, (timer, changed) in enumerate(timers):
        parameters |= {f"t{n}_{k}": v for k, v in changed.items()} | {f"t{n}_b_id": timer.id}
    return statement, parameters


def _bound(table, prefix: str, columns: tuple) -> dict:
    return {column: bindparam(prefix + column, type_=table.c[column].type) for column in columns}


@lru_cache(maxsize=64)
def _case_with_its_rows_statement(case: tuple, row: tuple, event: tuple, timers: tuple):
    """`_case_with_its_rows`'s statement, built once for each set of columns changed."""
    ctes = _history_ctes(row, event)
    for n, changed in enumerate(timers):
        ctes.append(update(_TIMERS).where(_TIMERS.c.id == bindparam(f"t{n}_b_id"))
                    .values(_bound(_TIMERS, f"t{n}_", changed)).cte(f"timer_{n}"))
    return _UPDATE_CASE.values(_bound(_CASES, "c_", case)).add_cte(*ctes)


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


def _insert(connection, obj, *, with_history: tuple[dict, dict | None] | None = None) -> None:
    """A new object's row, inserted with the values it has (the columns' defaults for the others); the object takes
    the row's values, its id among them. `with_history`: a history row and its event (or None), as WITHs of the
    INSERT (PostgreSQL)."""
    values = obj.__dict__
    statement, columns = _INSERT[type(obj)]
    given = {column: values[key] for key, column in columns if key in values}
    if with_history is None:
        row = connection.execute(statement, given).one()
    else:
        history_row, event = with_history
        statement = _insert_with_history_statement(type(obj), tuple(given), tuple(history_row), tuple(event or ()))
        parameters = {"n_" + k: v for k, v in given.items()} | _with_history(history_row, event)
        row = connection.execute(statement, parameters).one()
    for (key, _column), value in zip(columns, row):
        values[key] = value


@lru_cache(maxsize=16)
def _insert_with_history_statement(model, given: tuple, row: tuple, event: tuple):
    """A new object's INSERT, returning its columns as `_INSERT`'s does, with a history row and its event as WITHs
    of it, built once for each set of columns."""
    table, columns = model.__table__, _INSERT[model][1]
    return (insert(table).values(_bound(table, "n_", given))
            .returning(*(table.c[column] for _key, column in columns)).add_cte(*_history_ctes(row, event)))


def _inserts(model) -> tuple:
    """The model's INSERT, returning its columns in the order of (attribute, column) pairs."""
    columns = tuple((prop.key, prop.columns[0].key) for prop in inspect(model).column_attrs)
    table = model.__table__
    return insert(table).returning(*(table.c[column] for _key, column in columns)), columns


_INSERT = {Case: _inserts(Case), Timer: _inserts(Timer)}
