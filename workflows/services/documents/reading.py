"""Reading issued documents: only those who may see the case (or the list entry) they belong to."""
from __future__ import annotations

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from workflows.domain.errors import N_, NotFound
from workflows.domain.process import Actor
from workflows.services.casework.case_records import get_case, may_view
from workflows.services.hub.hub_queries import entry_for
from workflows.store.documents import DecisionDocument

# a list entry's documents as its subject's page shows them: the columns and the title, not the text each was
# issued with (a case's are listed with its record, history_view.case_record)
_OF_ENTRY = (select(DecisionDocument.id, DecisionDocument.number, DecisionDocument.kind, DecisionDocument.action,
                    DecisionDocument.case_id, DecisionDocument.list_entry_id, DecisionDocument.department_id,
                    DecisionDocument.issued_at, DecisionDocument.fields["title"].as_string().label("title"))
             .where(DecisionDocument.list_entry_id == bindparam("entry_id")).order_by(DecisionDocument.id))


def of_entry(session: Session, entry_id: int) -> list[Row]:
    return list(session.execute(_OF_ENTRY, {"entry_id": entry_id}))


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
