"""Reading issued documents: only those who may see the case (or the list entry) they belong to."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from workflows.domain.errors import N_, NotFound
from workflows.domain.process import Actor
from workflows.services.casework.case_records import get_case, may_view
from workflows.services.hub.hub_queries import entry_for
from workflows.store import new_cases
from workflows.store.documents import DecisionDocument


@lru_cache(maxsize=None)
def _listing(of: str):
    """A list of documents as a case or an entry shows it: the columns and the title, not the text each was issued
    with (a case's answer lists its documents at every action). Built once per column."""
    d = DecisionDocument
    return (select(d.id, d.number, d.kind, d.action, d.case_id, d.list_entry_id, d.department_id, d.issued_at,
                   d.fields["title"].as_string().label("title"))
            .where(getattr(d, of) == bindparam("owner")).order_by(d.id))


def of_case(session: Session, case_id: int) -> list[Row]:
    """The case's documents: each one's id, number, kind, action, owner, department, issue time and title (of a
    case this transaction filed, as issued: not read back)."""
    issued = new_cases.written(session, case_id, new_cases.DOCUMENTS)
    return issued if issued is not None else list(session.execute(_listing("case_id"), {"owner": case_id}))


def of_entry(session: Session, entry_id: int) -> list[Row]:
    return list(session.execute(_listing("list_entry_id"), {"owner": entry_id}))


def entry_documents(session: Session, actor: Actor, entry_id: int) -> list[Row]:
    """The documents of a list entry the actor may see (staff, or the subject itself); 404 otherwise."""
    return of_entry(session, entry_for(session, actor, entry_id).id)


def case_document(session: Session, actor: Actor, case_id: int, document_id: int) -> DecisionDocument:
    """A document of a case the actor may view; 404 for anyone else, so its existence is not given away."""
    case = get_case(session, case_id)
    document = session.get(DecisionDocument, document_id)
    if not (may_view(case, actor) or actor.is_system) or document is None or document.case_id != case.id:
        raise NotFound(N_("no document #%(id)s"), field="document", id=document_id)
    return document


def entry_document(session: Session, actor: Actor, entry_id: int, document_id: int) -> DecisionDocument:
    entry = entry_for(session, actor, entry_id)
    document = session.get(DecisionDocument, document_id)
    if document is None or document.list_entry_id != entry.id:
        raise NotFound(N_("no document #%(id)s"), field="document", id=document_id)
    return document
