"""The departments as the case views name them: their codes, kept per process under the departments' stamp."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.store import config_stamps
from workflows.store.models import Department

_codes = config_stamps.Kept(config_stamps.DEPARTMENTS)


def code_of(session: Session, department_id: int | None) -> str | None:
    """The department's code (None for none): read once per process while the departments do not change."""
    if department_id is None:
        return None
    return _codes.get(session, department_id,
                      lambda: session.scalar(select(Department.code).where(Department.id == department_id)))
