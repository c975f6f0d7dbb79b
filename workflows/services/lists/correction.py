"""An objection's `correct`: the published record itself corrected as the information provider stated it
(domain.md, Process 1, step 4): the legal basis, the document number, the validity; the measures resume
or stop as stated (workflows.steps.objection). The fields are the `correct` action's
(workflows/processes/objection.py); what they were is kept in the entry's history."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from workflows.services.casework import history
from workflows.services.lists.consequences import SYSTEM, subject_name
from workflows.store.automation import OutboxEvent
from workflows.store.models import ListEntry

CORRECTABLE = ("basis", "document_no", "valid_until")


def stated(params: dict) -> dict:
    """The corrected values the provider stated (blank: unchanged)."""
    values = {name: str(params[name]).strip() for name in CORRECTABLE if str(params.get(name) or "").strip()}
    if "valid_until" in values:
        values["valid_until"] = date.fromisoformat(values["valid_until"])
    return values


def apply(session: Session, event: OutboxEvent, entry: ListEntry) -> dict:
    """Write the stated corrections to the entry; its history keeps what they were. The changed values."""
    changed = {name: value for name, value in stated(event.params).items() if getattr(entry, name) != value}
    if not changed:
        return {}
    before = {name: str(getattr(entry, name)) for name in changed}
    for name, value in changed.items():
        setattr(entry, name, value)
    history.record(session, actor=SYSTEM, action="correct_entry", entity_type="list_entry", entity_id=entry.id,
                   from_state=entry.status, to_state=entry.status, case_id=event.case_id,
                   data={"event_id": event.id, "before": before, "after": {k: str(v) for k, v in changed.items()}})
    return changed


def announced(entry: ListEntry, stopped: bool) -> dict:
    """The correction announcement's values: the record as corrected (a person named by surname)."""
    return {"name": subject_name(entry), "basis": entry.basis, "document": entry.document_no or "",
            "until": entry.valid_until.isoformat(), "measures": "stop" if stopped else "resume"}
