"""Credit repair's rules that need the database: which blacklist entries may be repaired, and by whom."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.errors import N_, Conflict, DomainError, GuardFailed, InvalidInput, NotFound
from workflows.domain.lists import EntryStatus, ListKind
from workflows.domain.process import Actor
from workflows.domain.settings import SETTINGS
from workflows.processes.repair_exit import CommitmentFacts, add_months, commitment_text
from workflows.services.admin import settings
from workflows.services.casework.case_records import Filing
from workflows.services.processes.objection import open_case_on_entry
from workflows.store.base import utcnow
from workflows.store.cases import Case
from workflows.store.models import ListEntry

PROCESS = "repair_exit"


@dataclass(frozen=True)
class RepairPolicy:
    """What the settings say about repairing an entry of one category."""

    category: str
    repairable: bool
    min_listing_months: int
    proof_required: bool


def _setting(session: Session, name: str, category: str):
    key = f"repair.{name}.{category}"
    return settings.get(session, key if key in SETTINGS else f"repair.{name}")


def policy(session: Session, category: str) -> RepairPolicy:
    return RepairPolicy(category, bool(_setting(session, "repairable", category)),
                        int(_setting(session, "min_listing_months", category)),
                        bool(_setting(session, "proof_required", category)))


def today() -> date:
    return calendar.local_date(utcnow())


def refusal(session: Session, entry: ListEntry, on: date) -> DomainError | None:
    """Why this entry cannot be repaired now (the error filing it would raise), or None."""
    if entry.list_kind != ListKind.BLACK.value:
        return GuardFailed(N_("only a blacklist entry can leave its list early through credit repair"),
                           field="list_entry_id")
    if entry.status == EntryStatus.SUSPENDED.value:
        return GuardFailed(N_("this entry is suspended while an objection against it is verified: wait for its result"),
                           field="list_entry_id")
    if entry.status != EntryStatus.ACTIVE.value:
        return GuardFailed(N_("this entry is %(status)s: there is nothing to repair"), field="list_entry_id",
                           labels={"status": "state"}, status=entry.status)
    rules = policy(session, entry.category)
    if not rules.repairable:
        return GuardFailed(N_("entries of the category '%(category)s' cannot be repaired through this process"),
                           field="list_entry_id", labels={"category": "category"}, category=entry.category)
    earliest = add_months(entry.listed_on, rules.min_listing_months)
    if on < earliest:
        return GuardFailed(N_("entries of the category '%(category)s' must stay listed at least %(months)s months: "
                              "this one can be repaired from %(day)s"), field="list_entry_id",
                           labels={"category": "category"}, category=entry.category or "-",
                           months=rules.min_listing_months, day=earliest.isoformat())
    for process, already_open in (
            ("objection", N_("an objection on this entry is already open (case #%(id)s)")),
            (PROCESS, N_("a credit repair application on this entry is already open (case #%(id)s)"))):
        open_case = open_case_on_entry(session, process, entry.id)
        if open_case is not None:
            return Conflict(already_open, field="list_entry_id", id=open_case.id)
    return None


def repairable_entries(session: Session, subject_id: int) -> list[ListEntry]:
    entries = session.scalars(select(ListEntry).where(ListEntry.subject_id == subject_id,
                                                      ListEntry.list_kind == ListKind.BLACK.value,
                                                      ListEntry.status == EntryStatus.ACTIVE.value)
                              .order_by(ListEntry.id))
    on = today()
    return [e for e in entries if refusal(session, e, on) is None]


def commitment_of(entry: ListEntry) -> str:
    return commitment_text(CommitmentFacts(
        subject_name=entry.subject.name if entry.subject else "",
        subject_code=entry.subject.code if entry.subject else "",
        department_name=entry.department.name, document_no=entry.document_no, basis=entry.basis,
        obligations=(f"{entry.document_no or '列入决定'}所确定的全部义务",)))


def file_repair(session: Session, actor: Actor, params: Mapping[str, Any]) -> Filing:
    try:
        entry_id = int(params.get("list_entry_id"))
    except (TypeError, ValueError):
        raise InvalidInput("choose the blacklist entry to repair", field="list_entry_id") from None
    entry = session.get(ListEntry, entry_id)
    if entry is None or entry.subject_id is None or entry.subject_id != actor.subject_id:
        raise NotFound("no such list entry of your subject", field="list_entry_id")
    why_not = refusal(session, entry, today())
    if why_not is not None:
        raise why_not
    rectification = str(params.get("rectification", "")).strip()
    if len(rectification) < 10:
        raise InvalidInput("state what has been put right: obligation performed, penalty paid, harm removed "
                           "(at least 10 characters)", field="rectification")
    rules = policy(session, entry.category)
    data = {"rectification": rectification[:5000], "public_service": str(params.get("public_service") or "")[:3000],
            "category": entry.category, "proof_required": rules.proof_required, "commitment": commitment_of(entry),
            "contact_phone": str(params.get("contact_phone") or "")[:40]}
    return Filing(subject_id=entry.subject_id, department_id=entry.department_id, list_entry_id=entry.id, data=data)


def facts(session: Session, case: Case) -> dict:
    entry = case.list_entry
    return {"today": today(), "proof_files": len(case.evidence), "entry_status": entry.status if entry else None}

