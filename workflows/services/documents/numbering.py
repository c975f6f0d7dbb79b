"""Document numbers: each department's pattern (set by the administrator) and its counter per year.

A number is taken in the transaction of the decision that issues it: the counter row is raised by one atomic
INSERT ... ON CONFLICT DO UPDATE, which holds the row's lock until that transaction ends. A concurrent decision
of the same department waits and takes the next number; a decision rolled back gives its number back with it.
So numbers are neither skipped nor given twice, at the cost of one department's decisions committing one after
another.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflows.domain.documents import DEFAULT_PATTERN, check_pattern
from workflows.domain.errors import N_, NotFound
from workflows.domain.process import Actor
from workflows.services.casework import history
from workflows.store import config_stamps
from workflows.store.base import insert_for, utcnow
from workflows.store.documents import DocumentCounter, NumberingPattern
from workflows.store.models import Department


def next_sequence(session: Session, department_id: int, year: int) -> int:
    """The department's next number in the year, taken in this transaction (see the module's note): the year's
    first number inserts the counter, every later one raises it, in one atomic statement either way."""
    statement = _raise_counter(session.get_bind().dialect.name)
    return session.connection().execute(statement, {"department_id": department_id, "year": year}).scalar_one()


@lru_cache(maxsize=2)
def _raise_counter(dialect: str):
    """`next_sequence`'s statement, built once per dialect."""
    counters = DocumentCounter.__table__
    return (insert_for(dialect)(counters)
            .values(department_id=bindparam("department_id", type_=counters.c.department_id.type),
                    year=bindparam("year", type_=counters.c.year.type), last=1)
            .on_conflict_do_update(index_elements=["department_id", "year"], set_={"last": counters.c.last + 1})
            .returning(counters.c.last))


_issuers = config_stamps.Kept(config_stamps.DEPARTMENTS, config_stamps.NUMBERING)


def issuer_and_pattern(session: Session, department_id: int) -> tuple[str, str]:
    """The department's name and its numbering pattern. Kept per process under the stamps of the two tables
    (config_stamps, migration 0016), so an action that issues a decision reads neither while neither changed; a
    change by any process is seen at the next transaction."""
    def load() -> tuple[str, str]:
        name, pattern = session.execute(
            select(Department.name, NumberingPattern.pattern)
            .outerjoin(NumberingPattern, NumberingPattern.department_id == Department.id)
            .where(Department.id == department_id)).one()
        return name, pattern or DEFAULT_PATTERN

    return _issuers.get(session, department_id, load)


def patterns(session: Session) -> list[tuple[Department, str, bool]]:
    """Every department with its pattern and whether the administrator set it (False: the default)."""
    own = dict(session.execute(select(NumberingPattern.department_id, NumberingPattern.pattern)).all())
    return [(d, own.get(d.id, DEFAULT_PATTERN), d.id in own)
            for d in session.scalars(select(Department).order_by(Department.code))]


def set_pattern(session: Session, department_code: str, pattern: str, actor: Actor) -> str:
    """The administrator sets a department's numbering pattern; the change is recorded in the history."""
    department = session.scalar(select(Department).where(Department.code == department_code))
    if department is None:
        raise NotFound(N_("no department with code '%(code)s'"), field="department", code=department_code)
    pattern = check_pattern(pattern)
    row = session.get(NumberingPattern, department.id)
    old = row.pattern if row is not None else DEFAULT_PATTERN
    if row is None:
        row = NumberingPattern(department_id=department.id, pattern=pattern)
        session.add(row)
    row.pattern, row.updated_by_id, row.updated_at = pattern, actor.user_id, utcnow()
    session.flush()
    history.record(session, actor=actor, action="change_numbering", entity_type="department",
                   entity_id=department.id, reason=pattern, data={"from": old, "to": pattern})
    return pattern
