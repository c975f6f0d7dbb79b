"""What every process's rules share below the action path: a case read for an actor, and the shape of a
process's own rules (`ProcessRules`), which `process_rules` assembles and `cases` applies."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from workflows.domain.errors import N_, Conflict, NotFound
from workflows.domain.process import Actor
from workflows.domain.roles import STAFF_ROLES, Role
from workflows.store import audit_chain, config_stamps
from workflows.store.cases import Case
from workflows.store.models import ListEntry, User


@dataclass
class Filing:
    """What a process's filing rule decided: the case's subject, department, entry and data."""

    subject_id: int
    department_id: int | None
    list_entry_id: int | None = None
    data: dict | None = None
    entry: ListEntry | None = None  # the entry as the rule read it (with its subject, where it read that too)


@dataclass(frozen=True)
class FollowOn:
    """An action the system takes next, in the same transaction (all materials verified: complete them)."""

    action: str
    actor: Actor
    params: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ProcessRules:
    """A process's rules that need the database, beside its definition (workflows/processes):

    - `filing(session, actor, params) -> Filing`: whether and on what a case may be filed (a DomainError refuses);
    - `facts(session, case) -> dict`: what the definition's guards need beyond the case's own data;
    - `follow_up(session, case, now) -> FollowOn | None`: effects of any action that belong in its transaction,
      and the action the system takes next, if one is due;
    - `after_filing(session, case) -> FollowOn | None`: the action the system takes at once on a case just filed.
    """

    filing: Callable[[Session, Actor, Mapping[str, Any]], Filing]
    facts: Callable[[Session, Case], dict] | None = None
    follow_up: Callable[[Session, Case, datetime], FollowOn | None] | None = None
    after_filing: Callable[[Session, Case], FollowOn | None] | None = None


def submitted_before(session: Session, submission_key: str | None, actor: Actor) -> Case | None:
    """The case an earlier sending of the same form or request filed (None: none, or no key)."""
    if not submission_key:
        return None
    existing = session.scalar(select(Case).where(Case.submission_key == submission_key))
    if existing is not None and existing.applicant_id != actor.user_id:
        raise Conflict("this form was already used", field="submission_key")
    return existing


# an action's read of its case, built once: with its timers, its entry and subject (the rules and the written
# decisions read them), afresh under the hold (a long-lived session, the scheduler's, may keep the case and its
# timers as an earlier transaction left them, and a statement that bypassed the session, a sweep's claim, moved
# them since), and its history chain's head as read under the hold (audit_chain)
_READ = select(Case).where(Case.id == bindparam("case_id")).options(joinedload(Case.timers))


@lru_cache(maxsize=8)
def _hold(applicant: bool, stamped: bool, for_update: bool):
    """The held read, built once for each use: with the applicant (whom a flow's notices tell; an action reads no
    more of it than its id), with the configuration's stamps when this transaction has not read them yet (its
    first statement), with FOR UPDATE where the database has it."""
    statement = _READ.options(joinedload(Case.list_entry), joinedload(Case.subject))
    if applicant:
        statement = statement.options(joinedload(Case.applicant).lazyload(User.role_rows))
    statement = statement.add_columns(Case.chain_head).execution_options(populate_existing=True)
    if stamped:
        statement = statement.add_columns(config_stamps.AS_COLUMN)
    return statement.with_for_update(of=Case) if for_update else statement


def get_case(session: Session, case_id: int, *, for_update: bool = False, applicant: bool = False) -> Case:
    """The case with its timers, in one query (its evidence files are read when a rule asks for them); to act on
    it (`for_update`: an action, a flow's event), held until the transaction ends, with its entry and subject, and
    its applicant if asked (a flow's event: its notices tell the applicant)."""
    if not for_update:
        case = session.execute(_READ, {"case_id": case_id}).unique().scalar_one_or_none()
        if case is None:
            raise NotFound(N_("no case #%(id)s"), field="case", id=case_id)
        return case
    if audit_chain.held(session, case_id):  # held since an earlier read in this transaction (the API's visibility
        return session.get(Case, case_id)   # check, a follow-on action): as it is in the session, current
    postgresql = session.get_bind().dialect.name == "postgresql"
    if not postgresql:  # SQLite has no FOR UPDATE: its write lock is taken before the read, as the transaction begins
        _write_lock(session, case_id)
    # as the transaction's first statement, the stamps come with the case, read under the hold (no query of their own)
    found = config_stamps.first_row(session, _hold(applicant, False, postgresql), _hold(applicant, True, postgresql),
                                    {"case_id": case_id}, orm=True)
    if found is None:
        raise NotFound(N_("no case #%(id)s"), field="case", id=case_id)
    audit_chain.mark_fresh(session, found[0], found[1])
    return found[0]


def _write_lock(session: Session, case_id: int) -> None:
    """SQLite's write lock, taken before the case is read: BEGIN IMMEDIATE when this transaction has not begun in
    SQLite yet (the driver begins one at the first write only; what was read before ran outside it). Under WAL, a
    transaction that read first and wrote later would fail at once, without waiting, had another writer committed
    in between. A transaction that has begun already (a write, a savepoint) takes the lock with a write that changes
    nothing."""
    driver = session.connection().connection.dbapi_connection
    if not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")
        return
    table = Case.__table__
    session.connection().execute(update(table).where(table.c.id == case_id).values(chain_head=table.c.chain_head))


def may_view(case: Case, actor: Actor) -> bool:
    """The same rule as queries.visible: the credit office sees all, departments their own, applicants theirs."""
    if actor.roles & {Role.ACCEPTING_OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR}:
        return True
    if actor.department_id is not None and actor.roles & STAFF_ROLES and case.department_id == actor.department_id:
        return True
    if actor.user_id is not None and actor.roles & STAFF_ROLES and case.applicant_id == actor.user_id:
        return True  # a report the department filed (abuse of the red list), a department's own finding
    if actor.user_id is not None and case.applicant_id == actor.user_id and (case.data or {}).get("origin") == \
            "complaint":
        return True  # a complaint about a public record: the complainant follows it
    if actor.subject_id is not None and case.subject_id is None and case.applicant_id == actor.user_id:
        return True  # a case erased with a purged listing points at no subject: its applicant still reads it
    return actor.subject_id is not None and actor.subject_id == case.subject_id
