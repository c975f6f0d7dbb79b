"""What a transaction wrote of the cases it created: their history rows and written decisions, as written.

A filing's answer lists its new case's history and documents; everything in them was written by the same
transaction a moment before, so they are kept here as they were written (in session.info) and not read back. Only
for a case this transaction inserted (nothing of it can predate the transaction); any other case is read as usual.
What is kept is forgotten when the transaction ends, and at a savepoint's end too (its rows may have been rolled
back): a case asked for after that is read as usual.
"""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy.orm import Session

_CREATED = "new_cases.written"  # in session.info: {case id: {"history": [...], "documents": [...]}}
HISTORY, DOCUMENTS = "history", "documents"


def created(session: Session, case_id: int) -> None:
    """The case's row was inserted by this transaction (audit_chain.mark_inserted): from now on, what is written of
    it is kept."""
    session.info.setdefault(_CREATED, {}).setdefault(case_id, {HISTORY: [], DOCUMENTS: []})


def wrote(session: Session, case_id: int | None, what: str, /, **values) -> None:
    """A row of `what` (HISTORY, DOCUMENTS) written for the case, its columns as `values` (kept only for a case this
    transaction created)."""
    kept = session.info.get(_CREATED, {}).get(case_id)
    if kept is not None:
        kept[what].append(SimpleNamespace(**values))


def written(session: Session, case_id: int, what: str) -> list | None:
    """The rows of `what` this transaction wrote for the case, in the order written, when it created the case (so
    they are all of them); None for any other case: read them."""
    kept = session.info.get(_CREATED, {}).get(case_id)
    return None if kept is None else list(kept[what])


def forget(session: Session) -> None:
    """The transaction, or a savepoint in it, ended (audit_chain forgets its holds on the cases then too)."""
    session.info.pop(_CREATED, None)
