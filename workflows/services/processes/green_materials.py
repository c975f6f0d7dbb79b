"""A green-channel case's materials on the action path: the applicant supplies one, a missed deadline breaks
the commitment. Both take an action (`cases.take_action`), so they sit above the process's rules."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from workflows.domain.errors import InvalidInput
from workflows.domain.process import Actor
from workflows.services.casework import evidence as evidence_service
from workflows.services.casework.cases import take_action
from workflows.services.processes.conditional_acceptance import SYSTEM, green_case, materials_state
from workflows.services.processes.material_deadlines import MATERIALS, reconcile
from workflows.store.cases import Case, Timer


def submit_material(session: Session, case_id: int, no: int, actor: Actor, uploads: Sequence[evidence_service.Upload],
                    *, upload_dir: Path, max_bytes: int, note: str = "", expected_version: int | None = None,
                    now: datetime | None = None) -> Case:
    """The applicant supplies one missing material with its file(s), kept under that material: the action and
    the files in the caller's transaction. On a refusal the caller rolls back: nothing is kept."""
    green_case(session, case_id, actor)
    if not uploads:
        raise InvalidInput("attach the file of the material", field="files")
    params = {"item": no, "note": note or "", "files": [upload.filename for upload in uploads]}
    case = take_action(session, case_id, "submit_materials", actor, params, expected_version=expected_version,
                       now=now)
    evidence_service.store(session, case, list(uploads), actor, upload_dir, max_bytes, purpose=f"material:{no}")
    return case


def breach(session: Session, case: Case, timer: Timer, now: datetime) -> bool:
    """A missed materials deadline ends the case as commitment_breached, if the deadline still stands."""
    if timer.kind != MATERIALS or case.state != "awaiting_materials" or timer.due_on is None:
        return False
    state = materials_state(session, case)
    overdue = [i for i in state.outstanding() if i.due_on is not None and i.due_on <= timer.due_on]
    if overdue:
        case = take_action(session, case.id, "commitment_breached", SYSTEM,
                           {"items": "；".join(i.line.name for i in overdue), "deadline": timer.due_on.isoformat()},
                           now=now)
    reconcile(session, case, now)
    return bool(overdue)
