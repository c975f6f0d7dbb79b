"""Filing cases and taking actions on them: the one path every process, page and API call shares."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.process import Actor, ProcessDefinition
from workflows.processes import definition
from workflows.services.admin import calendar as calendar_service
from workflows.services.casework import history, outbox, timers
from workflows.services.casework.case_records import ProcessRules, get_case, may_view, submitted_before
from workflows.services.documents import issuing
from workflows.services.processes.rules import RULES
from workflows.store import case_rows
from workflows.store.base import utcnow
from workflows.store.cases import Case


def rules_of(process: str) -> ProcessRules:
    return RULES[process]


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
    if filing.who.binding == "subject" and actor.subject_id is None and not actor.is_system:
        raise RoleNotAllowed("your claim to act for this subject has not been confirmed by the credit office yet")
    for spec in filing.fields:
        if spec.required and not params.get(spec.name):
            raise InvalidInput(N_("'%(name)s' is required"), field=spec.name, labels={"name": "field"}, name=spec.name)
    decided = rules_of(process).filing(session, actor, params)
    case = Case.opened(process, process_definition.initial, subject_id=decided.subject_id,
                       department_id=decided.department_id, list_entry_id=decided.list_entry_id,
                       applicant_id=actor.user_id, submission_key=submission_key, data=decided.data or {},
                       filed_at=now, updated_at=now)
    if decided.entry is not None and decided.entry.id == decided.list_entry_id:  # read by the rule: not again
        set_committed_value(case, "list_entry", decided.entry)
        if decided.entry.subject_id == decided.subject_id and "subject" not in inspect(decided.entry).unloaded:
            set_committed_value(case, "subject", decided.entry.subject)
    session.add(case)
    with session.no_autoflush:  # a setting or the calendar read for a limit: the case is not written for it
        for spec in filing.starts:
            timers.start(session, case, spec, now)

    def history_row() -> dict:  # made once the case has its id: the row is hashed with it
        return history.chained_row(session, actor=actor, action="file", case_id=case.id, to_state=case.state,
                                   at=now, reason=str(params.get("grounds", ""))[:2000])

    def event() -> dict:
        return outbox.event(case, "file", now)

    # the case inserted first, then its timers with its history row and its event
    case_rows.write(session, case, history_row=history_row, event=event if filing.then else None)
    after = rules_of(process).after_filing
    follow_on = after(session, case) if after is not None else None
    if follow_on is None:
        return case
    return take_action(session, case.id, follow_on.action, follow_on.actor, follow_on.params or {}, now=now)


def view_of(session: Session, case: Case):
    facts = rules_of(case.process).facts
    return case.view(**(facts(session, case) if facts else {}))


def take_action(session: Session, case_id: int, action: str, actor: Actor, params: Mapping[str, Any] | None = None,
                *, expected_version: int | None = None, now: datetime | None = None) -> Case:
    """Apply one action. `expected_version` is the version the actor saw: if the case changed since, 409."""
    now = now or utcnow()
    case = get_case(session, case_id, for_update=True)
    calendar_service.install_from(session)  # as stored now: its stamp came with the case (no statement)
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
        plain = {k: v for k, v in transition.params.items() if isinstance(v, str | int | float | bool)}
        row = history.chained_row(session, actor=actor, action=action, case_id=case.id, from_state=transition.source,
                                  to_state=transition.target, reason=reason[:4000], at=now, data=plain)
        # written with the case's own rows; an action nothing follows (a closing) owes its flow no event
        case_rows.write(session, case, history_row=row,
                        event=outbox.event(case, action, now, params=plain) if transition.then else None)
        case = follow_up(session, case, now)
        # a decision the law makes a written one is numbered in its own transaction: no number skipped or repeated
        issuing.issue_for_action(session, case, action, actor, transition.params, now)
        return case


def follow_up(session: Session, case: Case, now: datetime) -> Case:
    """The process's effects of an action that belong in its transaction, and the action the system takes next
    when one is due (idempotent: the flow runs it again after each event)."""
    rule = rules_of(case.process).follow_up
    follow_on = rule(session, case, now) if rule is not None else None
    if follow_on is None:
        return case
    return take_action(session, case.id, follow_on.action, follow_on.actor, follow_on.params or {}, now=now)


def available_actions(session: Session, case: Case, actor: Actor) -> list[str]:
    return [a.name for a in definition(case.process).available_actions(view_of(session, case), actor)]


def process_definition_of(case: Case) -> ProcessDefinition:
    return definition(case.process)


def check_may_add(session: Session, case: Case, actor: Actor) -> None:
    """Files are added to a case by the parties who act on it at its present step (an action of theirs is open):
    not by those who only see it, such as supervision or another window of the listing department."""
    if not available_actions(session, case, actor):
        raise RoleNotAllowed(N_("only a party who acts on the case at its present step adds files to it"),
                             field="files")
