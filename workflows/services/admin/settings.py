"""Reading and changing the domain settings (time limits and switches), with their history.

The stored values are kept in this process under the stamp they were read with (workflows/store/config_stamps):
a transaction that reads settings costs one small query for the stamps, and none when it already read them;
a change, whichever process made it, is seen at the next transaction."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.domain.settings import SETTINGS, spec
from workflows.services.casework import history
from workflows.store import config_stamps
from workflows.store.base import utcnow
from workflows.store.models import Setting

_kept: tuple[str, dict[str, str]] | None = None  # (stamp, stored values) in this process


def stored_values(session: Session) -> dict[str, str]:
    """The stored values as text, by key (read from the database only when its stamp changed)."""
    global _kept
    stamp = config_stamps.current(session).get(config_stamps.SETTINGS)
    kept = _kept
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept[1]
    stored = dict(session.execute(select(Setting.key, Setting.value)).all())
    if stamp is not None:
        _kept = stamp, stored
    return stored


def get(session: Session, key: str) -> int | bool:
    declared = spec(key)
    raw = stored_values(session).get(key)
    return declared.default if raw is None else declared.parse(raw)


def all_values(session: Session) -> dict[str, int | bool]:
    stored = stored_values(session)
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
    session.flush()  # the trigger renews the stamp: this transaction's next read sees the new value
    history.record(
        session, actor=actor, action="change_setting", entity_type="setting", entity_id=key,
        from_state=str(old), to_state=str(value),
    )
    return value
