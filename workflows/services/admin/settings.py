"""Reading and changing the domain settings (time limits and switches), with their history."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.domain.settings import SETTINGS, spec
from workflows.services.casework import history
from workflows.store.base import utcnow
from workflows.store.models import Setting


def get(session: Session, key: str) -> int | bool:
    declared = spec(key)
    row = session.get(Setting, key)
    return declared.default if row is None else declared.parse(row.value)


def all_values(session: Session) -> dict[str, int | bool]:
    stored = {row.key: row.value for row in session.scalars(select(Setting))}
    return {key: (s.parse(stored[key]) if key in stored else s.default) for key, s in SETTINGS.items()}


def change(session: Session, key: str, raw: object, actor: Actor) -> int | bool:
    declared = spec(key)
    value = declared.parse(raw)
    old = get(session, key)
    if value == old:
        return value
    row = session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=str(value))
        session.add(row)
    row.value, row.updated_by_id, row.updated_at = str(value), actor.user_id, utcnow()
    history.record(
        session, actor=actor, action="change_setting", entity_type="setting", entity_id=key,
        from_state=str(old), to_state=str(value),
    )
    return value
