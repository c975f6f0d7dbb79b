"""The objection process's rules that need the database: who may object to what."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound
from workflows.domain.lists import EntryStatus
from workflows.domain.process import Actor
from workflows.processes import definition
from workflows.services.casework.case_records import Filing
from workflows.services.processes.removal_rules import contested_removal
from workflows.store.cases import Case
from workflows.store.green import BrokenCommitment
from workflows.store.models import ListEntry


def open_case_on_entry(session: Session, process: str, entry_id: int) -> Case | None:
    final = definition(process).final_states()
    return session.scalar(
        select(Case).where(Case.process == process, Case.list_entry_id == entry_id, Case.state.not_in(final))
    )


def facts(session: Session, case: Case) -> dict:
    """What the decision checks against: the disputed entry's listing day (a corrected validity ends after it)."""
    entry = case.list_entry
    return {"listed_on": entry.listed_on if entry is not None else None}


def _grounds(params: Mapping[str, Any]) -> dict:
    grounds = str(params.get("grounds", "")).strip()
    if len(grounds) < 10:
        raise InvalidInput("state the grounds of the objection (at least 10 characters)", field="grounds")
    return {"grounds": grounds[:5000], "contact_name": str(params.get("contact_name", ""))[:100],
            "contact_phone": str(params.get("contact_phone", ""))[:40]}


def open_case_on_commitment(session: Session, record_id: int) -> Case | None:
    final = definition("objection").final_states()
    for case in session.scalars(select(Case).where(Case.process == "objection", Case.list_entry_id.is_(None),
                                                   Case.state.not_in(final))):
        if (case.data or {}).get("broken_commitment_id") == record_id:
            return case
    return None


def file_against_commitment(session: Session, actor: Actor, params: Mapping[str, Any]) -> Filing:
    """A broken commitment disputed like any record kept: the department whose window recorded it verifies."""
    try:
        record_id = int(params.get("broken_commitment_id"))
    except (TypeError, ValueError):
        raise InvalidInput("choose the broken commitment you object to", field="broken_commitment_id") from None
    record = session.get(BrokenCommitment, record_id)
    if record is None or record.subject_id != actor.subject_id:
        raise NotFound("no such broken commitment of your subject", field="broken_commitment_id")
    if record.status != "active":
        raise Conflict(N_("this broken commitment is %(status)s: there is nothing to object to now"),
                       field="broken_commitment_id", status=record.status)
    data = _grounds(params)
    existing = open_case_on_commitment(session, record.id)
    if existing is not None:
        raise Conflict(N_("an objection against this record is already open (case #%(id)s)"),
                       field="broken_commitment_id", id=existing.id)
    data["broken_commitment_id"] = record.id
    return Filing(subject_id=record.subject_id, department_id=record.case.department_id, data=data)


def file_objection(session: Session, actor: Actor, params: Mapping[str, Any]) -> Filing:
    if params.get("broken_commitment_id") not in (None, "") and params.get("list_entry_id") in (None, ""):
        return file_against_commitment(session, actor, params)
    try:
        entry_id = int(params.get("list_entry_id"))
    except (TypeError, ValueError):
        raise InvalidInput("choose the list entry you object to", field="list_entry_id") from None
    entry = session.get(ListEntry, entry_id)
    if entry is None or entry.subject_id != actor.subject_id:
        raise NotFound("no such list entry of your subject", field="list_entry_id")
    contested = contested_removal(session, entry)
    if entry.status != EntryStatus.ACTIVE.value and contested is None:
        raise Conflict(N_("this list entry is %(status)s: there is nothing to object to now"), field="list_entry_id",
                       labels={"status": "state"}, status=entry.status)
    data = _grounds(params)
    existing = open_case_on_entry(session, "objection", entry.id)
    if existing is not None:
        raise Conflict(N_("an objection against this entry is already open (case #%(id)s)"), field="list_entry_id",
                       id=existing.id)
    repair = open_case_on_entry(session, "repair_exit", entry.id)
    if repair is not None:  # the repair would exit the entry while it is verified: one of the two waits
        raise Conflict(N_("a credit repair application on this entry is open (case #%(id)s): object after it is "
                          "decided, or withdraw it to object now"), field="list_entry_id", id=repair.id)
    if contested is not None:
        data["against_removal"] = contested.id
    return Filing(subject_id=entry.subject_id, department_id=entry.department_id, list_entry_id=entry.id, data=data)
