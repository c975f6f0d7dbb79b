"""What must hold of the lists whatever happened: the checks of the list invariants' state machine, also run on
a database upgraded from the previous release."""
from __future__ import annotations

from sqlalchemy import select

from workflows.store.models import ListEntry, Measure


def lists_are_true(session) -> list[ListEntry]:
    """No subject on the red list and on the blacklist or key attention at once; a purged entry keeps nothing of
    its subject; no measure in force on a closed entry, nor anything derived from a disputed or wrong record.
    Returns the entries it read."""
    entries = list(session.scalars(select(ListEntry)))
    open_kinds: dict[int, set[str]] = {}
    for entry in entries:
        if entry.is_open and entry.subject_id is not None:
            open_kinds.setdefault(entry.subject_id, set()).add(entry.list_kind)
        if entry.status == "purged":
            assert (entry.subject_id, entry.basis, entry.document_no, entry.category) == (None, "", "", ""), entry.id
    for subject_id, kinds in open_kinds.items():
        assert not ("red" in kinds and kinds & {"black", "key_attention"}), (subject_id, kinds)
    active_on_closed = session.scalars(select(Measure.id).join(ListEntry).where(
        Measure.status == "active", ListEntry.status.in_(["suspended", "exited", "purged"]))).all()
    assert active_on_closed == [], active_on_closed
    status = {e.id: e.status for e in entries}
    for entry in entries:  # nothing derived from a disputed or wrong record is in force
        if entry.derived_from_id is not None and status[entry.derived_from_id] in ("suspended", "purged"):
            assert not entry.is_open or status[entry.derived_from_id] == "suspended", entry.id
            assert all(m.status != "active" for m in entry.measures), entry.id
    return entries
