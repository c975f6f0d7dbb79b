"""The red-list removal flow (红名单退出): what happens after each removal event, and after each event of an
objection against a removal (called from the objection flow's steps)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.lists import EntryStatus, MeasureStatus
from workflows.domain.roles import Role
from workflows.labels import mask_name
from workflows.processes.redlist_removal import CONTESTABLE, TRIGGERS
from workflows.services.casework import history
from workflows.services.casework.cases import take_action
from workflows.services.deliveries import notify
from workflows.services.lists import erasure, list_validity
from workflows.services.lists.consequences import (
    SYSTEM,
    announce,
    change_entry,
    change_measures,
    once,
    tell_measures,
    tell_role,
)
from workflows.services.processes import redlist_removal as removal
from workflows.services.processes import removal_rules
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case
from workflows.store.models import ListEntry, User

from .base import StepResult, Steps
from .runtime import runtime

step = Steps("redlist_removal")

def _name(case: Case) -> str:
    subject = case.subject
    if subject is None:
        return f"#{case.list_entry_id}"
    return mask_name(subject.name, subject.kind)


def trigger_of(case: Case) -> str:
    """The case's trigger; a purged entry's case texts may already be erased, and only an error is purged."""
    trigger = (case.data or {}).get("trigger")
    if trigger in TRIGGERS:
        return trigger
    return "objection_revoked" if case.list_entry is not None and case.list_entry.status == "purged" else "abuse"


def tell_subject(session: Session, event: OutboxEvent, case: Case, kind: str, **params) -> list[int]:
    users = list(session.scalars(select(User).where(User.subject_id == case.subject_id,
                                                    User.claim_status == "confirmed"))) if case.subject_id else []
    return notify.notice(session, kind, users, key={"event": event.id, "to": "subject"}, case_id=case.id,
                         case=case.id, **params)


@step
def stop_incentives(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Every incentive is stopped (already, in the deciding transaction) and each implementing department told."""
    entry = case.list_entry
    if entry is None:
        return StepResult()
    if entry.status in removal_rules.OPEN:  # a decision that reached the database without its follow-up
        removal_rules.apply_removal(session, case, utcnow())
    stopped = [m for m in entry.measures if m.status == MeasureStatus.STOPPED.value]
    return StepResult(tell_measures(session, event, entry, stopped, "incentive.stop", why=trigger_of(case)))


@step.named("announce")
def announce_exit(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """An exit announcement through the original channel; a correction when the listing was an error."""
    entry = case.list_entry
    if entry is None or not once(session, event.id, "announce"):
        return StepResult()
    if TRIGGERS[trigger_of(case)] is None:
        announce(session, event, entry, "announce.redlist_deleted", name=_name(case))
    else:
        announce(session, event, entry, "announce.redlist_exit", name=_name(case), why=trigger_of(case))
    return StepResult()


@step.named("tell_subject")
def tell_result(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The subject is told why it left the red list, and whether it may object."""
    return StepResult(tell_subject(session, event, case,
                                   "redlist.removed.contestable" if trigger_of(case) in CONTESTABLE else "redlist.removed",
                                   entry=case.list_entry_id, why=trigger_of(case)))


@step
def tell_lister(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The listing department is told an abuse report waits for its decision."""
    return StepResult(tell_role(session, event, case, Role.LISTING_DEPARTMENT, "redlist.abuse_to_decide",
                                case.department_id, entry=case.list_entry_id, name=_name(case)))


@step
def tell_reporter(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The reporting department is told the outcome of its report."""
    if case.applicant is None:
        return StepResult()
    return StepResult(notify.notice(session, "redlist.abuse_report", [case.applicant],
                                    key={"event": event.id, "to": "reporter"}, case_id=case.id, case=case.id,
                                    outcome=event.kind, reason=event.params.get("reason", "")))




@step
def erase_personal_data(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Last, for an entry listed in error: its data erased from every copy, the notices just sent included."""
    entry = case.list_entry
    if entry is not None and entry.status == EntryStatus.PURGED.value and once(session, event.id, "erase"):
        erasure.erase_purged_entry(session, entry, SYSTEM, runtime().config.upload_dir)
    return StepResult()


# --- an objection against a removal: called by the objection flow's steps ---


def _contested(session: Session, case: Case) -> tuple[Case | None, ListEntry | None]:
    removal_case = session.get(Case, case.data.get("against_removal"))
    return removal_case, case.list_entry


def _note(session: Session, event: OutboxEvent, removal_case: Case, action: str, entry: ListEntry) -> None:
    """The removal case's history shows what the objection against it did."""
    history.record(session, actor=SYSTEM, action=action, entity_type="case", entity_id=removal_case.id,
                   case_id=removal_case.id, to_state=entry.status,
                   data={"event_id": event.id, "objection_case_id": event.case_id, "list_entry_id": entry.id})


def keep_validity(session: Session, entry: ListEntry) -> None:
    """A restored red-list entry lives until its `valid_until`: its timer armed again, or, when that day has
    passed, its exit by expiry at once (its own removal case and flow)."""
    now = utcnow()
    list_validity.cancel(session, entry, now)
    if entry.status != EntryStatus.ACTIVE.value:
        return
    if entry.valid_until >= calendar.local_date(now):
        list_validity.start(session, entry, now)
    else:
        removal.expire(session, entry.id, now)


def restore_removed(session: Session, event: OutboxEvent, removal_case: Case, entry: ListEntry) -> list[int]:
    """A removal found wrong: the entry and its incentives in force again, each department told, the
    correction announced, the validity kept. Nothing when the subject is on another list meanwhile."""
    if entry.status != EntryStatus.EXITED.value or removal_rules.other_open_listing(session, entry) is not None:
        return []
    change_entry(session, event, entry, "restore")
    notices = change_measures(session, event, entry, "restore")
    _note(session, event, removal_case, "removal_reversed", entry)
    announce(session, event, entry, "announce.redlist_restored", name=_name(removal_case))
    keep_validity(session, entry)
    return notices


def undo_caused_removals(session: Session, event: OutboxEvent, entry_ids: list[int]) -> list[int]:
    """Listings revoked as wrong: the red-list removals they triggered are reversed."""
    notices: list[int] = []
    for removal_case in removal_rules.removals_caused_by(session, entry_ids):
        if removal_case.list_entry is not None:
            notices += restore_removed(session, event, removal_case, removal_case.list_entry)
    return notices


def suspend_withdrawal(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Objection accepted: the withdrawal is suspended, so the entry and its incentives are in force again."""
    removal_case, entry = _contested(session, case)
    if entry is None or removal_case is None or not once(session, event.id, "suspend_withdrawal"):
        return StepResult()
    notices: list[int] = []
    if entry.status == EntryStatus.EXITED.value and removal_rules.other_open_listing(session, entry) is None:
        change_entry(session, event, entry, "restore")
        notices = change_measures(session, event, entry, "restore")
        if entry.valid_until >= calendar.local_date(utcnow()):
            list_validity.start(session, entry, utcnow())  # an expiry meanwhile waits for the decision
        _note(session, event, removal_case, "removal_contested", entry)
    return StepResult(notices + tell_subject(session, event, case, "redlist.objection_accepted"))


def complete_removal(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The removal stands (confirmed, or the objection withdrawn): the entry exits again, incentives stop."""
    removal_case, entry = _contested(session, case)
    if entry is None or removal_case is None or entry.status not in removal_rules.OPEN \
            or not once(session, event.id, "complete_removal"):
        return StepResult()
    notices = change_measures(session, event, entry, "stop")
    change_entry(session, event, entry, "exit", TRIGGERS[removal_case.data["trigger"]])
    list_validity.cancel(session, entry, utcnow())
    _note(session, event, removal_case, "removal_upheld", entry)
    return StepResult(notices)


def reverse_removal(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The removal was wrong: the entry and its incentives are restored, and the correction announced."""
    removal_case, entry = _contested(session, case)
    if entry is None or removal_case is None or not once(session, event.id, "reverse_removal"):
        return StepResult()
    notices: list[int] = []
    if entry.status == EntryStatus.EXITED.value and removal_rules.other_open_listing(session, entry) is None:
        change_entry(session, event, entry, "restore")  # withdrawn before acceptance was not possible; decided now
        notices = change_measures(session, event, entry, "restore")
    if entry.status == EntryStatus.ACTIVE.value:
        _note(session, event, removal_case, "removal_reversed", entry)
        announce(session, event, entry, "announce.redlist_restored", name=_name(case))
        keep_validity(session, entry)  # its expiry waited for the decision: at once if its validity has ended
    return StepResult(notices)


def remove_revoked(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """An objection revoked a red-list entry: red-list removal with purge (no record kept)."""
    entry = case.list_entry
    if entry is not None and entry.status in removal_rules.OPEN and once(session, event.id, "revoke_red_listing"):
        pending = removal_rules.open_removal_case(session, entry.id)
        if pending is not None and pending.state == "reported":
            take_action(session, pending.id, "supersede", SYSTEM)
        removal.open_removal(session, entry, "objection_revoked", actor=SYSTEM,
                             reason=str(event.params.get("reason", "")))
    return StepResult()
