"""Filing cases and taking actions on them: the one path every process, page and API call shares."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflows.domain.errors import N_, ActionNotAllowed, Conflict, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.process import Actor, ProcessDefinition
from workflows.domain.roles import Role, STAFF_ROLES
from workflows.processes import definition
from workflows.store.base import utcnow
from workflows.store.cases import Case

from . import calendar as calendar_service
from . import history, outbox, timers


@dataclass
class Filing:
    """What a process's filing rule decided: the case's subject, department, entry and data."""

    subject_id: int
    department_id: int | None
    list_entry_id: int | None = None
    data: dict | None = None


# process name -> rule(session, actor, params) -> Filing; raises a DomainError to refuse
FilingRule = Callable[[Session, Actor, Mapping[str, Any]], Filing]
FILING_RULES: dict[str, FilingRule] = {}
# process name -> facts(session, case) the guards need beyond the case's own data
FACTS: dict[str, Callable[[Session, Case], dict]] = {}
# process name -> follow_up(session, case, now) -> case: effects of an action that belong in its transaction
FOLLOW_UPS: dict[str, Callable[[Session, Case, datetime], Case]] = {}


def filing_rule(process: str):
    def register(rule: FilingRule) -> FilingRule:
        FILING_RULES[process] = rule
        return rule

    return register


def submitted_before(session: Session, submission_key: str | None, actor: Actor) -> Case | None:
    """The case an earlier sending of the same form or request filed (None: none, or no key)."""
    if not submission_key:
        return None
    existing = session.scalar(select(Case).where(Case.submission_key == submission_key))
    if existing is not None and existing.applicant_id != actor.user_id:
        raise Conflict("this form was already used", field="submission_key")
    return existing


def file_case(session: Session, process: str, actor: Actor, params: Mapping[str, Any], *,
              submission_key: str | None = None, now: datetime | None = None) -> Case:
    """Open a case. A second submission with the same key returns the first case unchanged."""
    now = now or utcnow()
    existing = submitted_before(session, submission_key, actor)
    if existing is not None:
        return existing
    process_definition = definition(process)
    filing = process_definition.filing
    if filing is None or not filing.who.roles & actor.roles and not actor.is_system:
        raise RoleNotAllowed(N_("a %(process)s case may be filed only by %(who)s"), labels={"process": "process"},
                             process=process, who=filing.who.describe() if filing else "nobody")
    if Role.APPLICANT in filing.who.roles and actor.subject_id is None and not actor.is_system:
        raise RoleNotAllowed("your claim to act for this subject has not been confirmed by the credit office yet")
    for spec in filing.fields:
        if spec.required and not params.get(spec.name):
            raise InvalidInput(N_("'%(name)s' is required"), field=spec.name, labels={"name": "field"}, name=spec.name)
    decided = FILING_RULES[process](session, actor, params)
    case = Case.opened(process, process_definition.initial, subject_id=decided.subject_id,
                       department_id=decided.department_id, list_entry_id=decided.list_entry_id,
                       applicant_id=actor.user_id, submission_key=submission_key, data=decided.data or {},
                       filed_at=now, updated_at=now)
    session.add(case)
    session.flush()
    for spec in filing.starts:
        timers.start(session, case, spec, now)
    history.record(session, actor=actor, action="file", entity_type="case", entity_id=case.id, case_id=case.id,
                   to_state=case.state, at=now, reason=str(params.get("grounds", ""))[:2000])
    outbox.emit(session, case, "file", now)
    return case


def get_case(session: Session, case_id: int, *, for_update: bool = False) -> Case:
    query = select(Case).where(Case.id == case_id).options(selectinload(Case.timers), selectinload(Case.evidence))
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Case)
    case = session.scalar(query)
    if case is None:
        raise NotFound(N_("no case #%(id)s"), field="case", id=case_id)
    return case


def may_view(case: Case, actor: Actor) -> bool:
    """The same rule as queries.visible: the credit office sees all, departments their own, applicants theirs."""
    if actor.roles & {Role.ACCEPTING_OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR}:
        return True
    if actor.department_id is not None and actor.roles & STAFF_ROLES and case.department_id == actor.department_id:
        return True
    if actor.user_id is not None and actor.roles & STAFF_ROLES and case.applicant_id == actor.user_id:
        return True  # a report the department filed (abuse of the red list)
    return actor.subject_id is not None and actor.subject_id == case.subject_id


def view_of(session: Session, case: Case):
    facts = FACTS.get(case.process)
    return case.view(**(facts(session, case) if facts else {}))


def take_action(session: Session, case_id: int, action: str, actor: Actor, params: Mapping[str, Any] | None = None,
                *, expected_version: int | None = None, now: datetime | None = None) -> Case:
    """Apply one action. `expected_version` is the version the actor saw: if the case changed since, 409."""
    now = now or utcnow()
    case = get_case(session, case_id, for_update=True)
    if not may_view(case, actor) and not actor.is_system:
        raise NotFound(N_("no case #%(id)s"), field="case", id=case_id)
    if expected_version is not None and expected_version != case.version:
        raise Conflict("the case changed since you opened it: reload it to see what happened", field="version")
    # a date the action tells a person (a materials deadline) in a year without an arrangement: refused
    with calendar_service.needed_for_a_date_told(session):
        process_definition = definition(case.process)
        transition = process_definition.apply(view_of(session, case), action, actor, params or {})
        final = process_definition.state(transition.target).final
        case.apply(transition, at=now, final=final)
        for kind in transition.ends:
            timers.end(case, kind, now)
        for kind in transition.pauses:
            timers.pause(case, kind, now)
        for kind in transition.resumes:
            timers.resume(session, case, kind, now)
        for spec in transition.starts:
            timers.start(session, case, spec, now)
        reason = next((str(transition.params[k]) for k in ("reason", "correction", "note") if transition.params.get(k)), "")
        history.record(session, actor=actor, action=action, entity_type="case", entity_id=case.id, case_id=case.id,
                       from_state=transition.source, to_state=transition.target, reason=reason[:4000], at=now,
                       data={k: v for k, v in transition.params.items() if isinstance(v, str | int | float | bool)})
        outbox.emit(session, case, action, now, params={k: v for k, v in transition.params.items()
                                                       if isinstance(v, str | int | float | bool)})
        session.flush()
        follow_up = FOLLOW_UPS.get(case.process)
        return follow_up(session, case, now) if follow_up is not None else case


def available_actions(session: Session, case: Case, actor: Actor) -> list[str]:
    return [a.name for a in definition(case.process).available_actions(view_of(session, case), actor)]


def ensure_state(case: Case, *states: str) -> None:
    if case.state not in states:
        raise ActionNotAllowed(N_("the case is %(state)s"), labels={"state": "state"}, state=case.state)


def process_definition_of(case: Case) -> ProcessDefinition:
    return definition(case.process)


# each process's rules register themselves when imported
from . import objection as _objection  # noqa: E402,F401
from . import conditional_acceptance as _conditional_acceptance  # noqa: E402,F401
from . import repair_exit as _repair_exit  # noqa: E402,F401
from . import redlist_removal as _redlist_removal  # noqa: E402,F401
