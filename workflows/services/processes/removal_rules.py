"""Red-list removal's rules below the action path: the filing rule (a removal is opened by its trigger only),
the removal that takes effect when decided, and what an objection against a removal may contest.
What opens a removal (`redlist_removal`) goes through the action path and sits above it."""
from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.lists import EntryStatus, ListKind, MeasureStatus
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.processes import definition
from workflows.processes.redlist_removal import CONTESTABLE, REPORTED, TRIGGERS
from workflows.services.casework import history
from workflows.services.casework.case_records import Filing, FollowOn
from workflows.services.lists import list_validity
from workflows.services.lists.subjects import get_subject
from workflows.store.cases import Case
from workflows.store.green import PendingRedlistRemoval
from workflows.store.models import HistoryEntry, ListEntry

PROCESS = "redlist_removal"
SYSTEM = Actor.system("red-list removal")
OPEN = (EntryStatus.ACTIVE.value, EntryStatus.SUSPENDED.value)
# set while open_removal files: a removal case is opened by its trigger, never by a bare filing
_opening: contextvars.ContextVar[bool] = contextvars.ContextVar("opening_removal", default=False)


@contextmanager
def opening() -> Iterator[None]:
    """Around the filing of a removal case by its trigger (redlist_removal.open_removal)."""
    token = _opening.set(True)
    try:
        yield
    finally:
        _opening.reset(token)


def open_removal_case(session: Session, entry_id: int) -> Case | None:
    final = definition(PROCESS).final_states()
    return session.scalar(select(Case).where(Case.process == PROCESS, Case.list_entry_id == entry_id,
                                             Case.state.not_in(final)))


def file_removal(session: Session, actor: Actor, params: Mapping[str, Any]) -> Filing:
    if not _opening.get():
        raise InvalidInput("a red-list removal is opened by its trigger: a department reports abuse on the abuse "
                           "report page, a listing department runs a re-evaluation; the others are automatic",
                           field="process")
    entry = session.get(ListEntry, int(params["list_entry_id"]))
    trigger = params["trigger"]
    if trigger == "criteria_changed" and not actor.is_system and not (
            Role.LISTING_DEPARTMENT in actor.roles and actor.department_id == entry.department_id):
        raise RoleNotAllowed("only the department that listed the entry may re-evaluate it", field="department")
    if trigger not in REPORTED | {"criteria_changed"} and not actor.is_system:
        raise RoleNotAllowed(N_("a removal for '%(trigger)s' starts automatically"), field="trigger", trigger=trigger)
    data = {"trigger": trigger, "reason": str(params.get("reason") or "")[:4000],
            "reported_by_department_id": actor.department_id}
    if actor.is_system and isinstance(params.get("cause_entry_id"), int):
        data["cause_entry_id"] = params["cause_entry_id"]  # the listing that triggered it
    return Filing(subject_id=entry.subject_id, department_id=entry.department_id, list_entry_id=entry.id, data=data)


def open_red_entry(session: Session, code: str) -> ListEntry:
    """The subject's entry on the red list (active, or suspended while an objection is verified)."""
    subject = get_subject(session, code.strip().upper())
    entry = session.scalar(select(ListEntry).where(ListEntry.subject_id == subject.id,
                                                   ListEntry.list_kind == ListKind.RED.value,
                                                   ListEntry.status.in_(OPEN)))
    if entry is None:
        raise NotFound(N_("%(name)s is not on the red list"), field="subject_code", name=subject.name)
    return entry


def after_action(session: Session, case: Case, now: datetime) -> FollowOn | None:
    """A removal decided (automatically or by the listing department) takes effect in the same transaction."""
    if case.state == "removed" and case.list_entry is not None and case.list_entry.status in OPEN:
        apply_removal(session, case, now)
    return None


def apply_removal(session: Session, case: Case, now: datetime) -> None:
    """Every incentive stopped, the entry exited with its reason (or purged: listed in error)."""
    entry = case.list_entry
    reason = TRIGGERS[case.data["trigger"]]
    for measure in entry.measures:
        if measure.status != MeasureStatus.STOPPED.value:
            before, after = measure.change_status("stop", at=now)
            history.record(session, actor=SYSTEM, action="stop_measure", entity_type="measure", entity_id=measure.id,
                           from_state=before, to_state=after, case_id=case.id, at=now,
                           data={"list_entry_id": entry.id})
    before, after = entry.change_status("purge" if reason is None else "exit", at=now, reason=reason)
    history.record(session, actor=SYSTEM, action="purge_entry" if reason is None else "exit_entry",
                   entity_type="list_entry", entity_id=entry.id, from_state=before, to_state=after, case_id=case.id,
                   at=now, data={"trigger": case.data["trigger"], **({"exit_reason": reason.value} if reason else {})})
    list_validity.cancel(session, entry, now)
    for row in session.scalars(select(PendingRedlistRemoval).where(PendingRedlistRemoval.list_entry_id == entry.id,
                                                                   PendingRedlistRemoval.consumed_at.is_(None))):
        row.consumed_at, row.consumed_by_case_id = now, case.id


def last_removal(session: Session, entry_id: int) -> Case | None:
    return session.scalar(select(Case).where(Case.process == PROCESS, Case.list_entry_id == entry_id,
                                             Case.state.in_(("removed", "closed"))).order_by(Case.id.desc()).limit(1))


# why a removal by these triggers cannot be contested
_NOT_CONTESTABLE = {
    "blacklisted": N_("the red-list entry was removed because the subject was put on the blacklist or key-attention "
                      "list: object to that listing instead"),
    "expired": N_("the red-list entry left the list because its validity ended: there is no decision to object to"),
    None: N_("a removal for '%(trigger)s' cannot be contested"),  # any other
}


def contested_removal(session: Session, entry: ListEntry) -> Case | None:
    """The removal an objection against this exited red-list entry contests; None when it is no such entry.
    Refused with the reason when the removal cannot be contested."""
    if entry.list_kind != ListKind.RED.value or entry.status != EntryStatus.EXITED.value:
        return None
    removal = last_removal(session, entry.id)
    if removal is None:
        return None
    trigger = removal.data.get("trigger")
    if trigger not in CONTESTABLE:
        raise Conflict(_NOT_CONTESTABLE.get(trigger, _NOT_CONTESTABLE[None]), field="list_entry_id", trigger=trigger)
    if other_open_listing(session, entry) is not None:
        raise Conflict("the subject is now on another list, so the red-list entry cannot be restored",
                       field="list_entry_id")
    decided = session.scalars(select(Case).where(Case.process == "objection", Case.list_entry_id == entry.id,
                                                 Case.state == "closed"))
    if any((c.data or {}).get("against_removal") == removal.id for c in decided):
        raise Conflict(N_("the objection against removal case #%(id)s has already been decided"),
                       field="list_entry_id", id=removal.id)
    return removal


def other_open_listing(session: Session, entry: ListEntry) -> ListEntry | None:
    """An open entry that forbids restoring this red-list entry: a blacklist, key-attention or other red one."""
    return session.scalar(select(ListEntry).where(ListEntry.subject_id == entry.subject_id, ListEntry.id != entry.id,
                                                  ListEntry.status.in_(OPEN)).limit(1))


def removals_caused_by(session: Session, entry_ids: list[int]) -> list[Case]:
    """The red-list removals these listings triggered (a blacklisting or key-attention listing), decided."""
    if not entry_ids:
        return []
    return list(session.scalars(select(Case).where(
        Case.process == PROCESS, Case.state.in_(("removed", "closed")),
        Case.data["cause_entry_id"].as_integer().in_(entry_ids)).order_by(Case.id)))


def is_against_removal(case: Case | None) -> bool:
    return case is not None and case.process == "objection" and bool((case.data or {}).get("against_removal"))


def history_of(session: Session, case_id: int) -> list[HistoryEntry]:
    return list(session.scalars(select(HistoryEntry).where(HistoryEntry.case_id == case_id).order_by(HistoryEntry.id)))
