"""A case's record as people read it: its history, its files and its written decisions, as its page and its API
answer show them."""
from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import Integer, Text, bindparam, cast, literal, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from workflows.domain.process import Actor
from workflows.domain.roles import STAFF_ROLES
from workflows.store import new_cases
from workflows.store.cases import Case, EvidenceFile
from workflows.store.documents import DecisionDocument
from workflows.store.models import HistoryEntry

COMPLAINANT = "complainant"  # how a complainant is named to those who may not know who complained


class CaseRecord(NamedTuple):
    history: list[dict]  # each with at, actor, action, from_, to, reason
    evidence: list  # each with id, original_name, content_type, size, purpose, uploaded_at
    documents: list  # each with id, number, kind, action, case_id, list_entry_id, department_id, issued_at, title


def case_record(session: Session, case: Case, viewer: Actor | None = None) -> CaseRecord:
    """The case's history, files and written decisions, as its page and its API answer show them: of a case this
    transaction filed, as written (nothing read back); of any other, in one statement."""
    history = new_cases.written(session, case.id, new_cases.HISTORY)
    if history is not None:
        return CaseRecord(_shown(case, history, viewer), list(case.evidence),
                          new_cases.written(session, case.id, new_cases.DOCUMENTS))
    parts: tuple[list, list, list] = ([], [], [])
    for row in session.execute(_record(), {"case_id": case.id}):
        parts[row.part].append(row)
    history = [SimpleNamespace(at=r.at, actor_user_id=r.n, actor_label=r.a, action=r.b, from_state=r.c,
                               to_state=r.d, reason=r.e) for r in parts[_HISTORY]]
    evidence = [SimpleNamespace(id=r.id, uploaded_at=r.at, size=r.n, original_name=r.a, content_type=r.b,
                                purpose=r.c) for r in parts[_EVIDENCE]]
    documents = [SimpleNamespace(id=r.id, issued_at=r.at, department_id=r.n, number=r.a, kind=r.b, action=r.c,
                                 title=r.d, case_id=case.id, list_entry_id=r.m) for r in parts[_DOCUMENTS]]
    return CaseRecord(_shown(case, history, viewer), evidence, documents)


def _shown(case: Case, rows, viewer: Actor | None) -> list[dict]:
    """History rows as a reader sees them: a complaint's complainant is named only to staff and to the complainant
    (the subject reading its case does not learn who complained)."""
    hidden = _hidden_complainant(case, viewer)
    return [{"at": r.at, "actor": COMPLAINANT if hidden is not None and r.actor_user_id == hidden else r.actor_label,
             "action": r.action, "from_": r.from_state, "to": r.to_state, "reason": r.reason} for r in rows]


def _hidden_complainant(case: Case, viewer: Actor | None) -> int | None:
    if (case.data or {}).get("origin") != "complaint" or case.applicant_id is None:
        return None
    if viewer is not None and (viewer.roles & STAFF_ROLES or viewer.user_id == case.applicant_id):
        return None
    return case.applicant_id


_HISTORY, _EVIDENCE, _DOCUMENTS = 0, 1, 2


@cache
def _record():
    """The three lists as one UNION ALL, built once: each row's `part` says which list it belongs to, its other
    columns are the list's own, placed by type (an instant, two numbers, five texts)."""
    h, e, d = HistoryEntry, EvidenceFile, DecisionDocument
    case_id = bindparam("case_id")
    number, text_ = cast(null(), Integer), cast(null(), Text)  # typed: PostgreSQL matches a UNION's columns by type
    return union_all(
        select(literal(_HISTORY).label("part"), h.id.label("id"), h.at.label("at"), h.actor_user_id.label("n"),
               number.label("m"), h.actor_label.label("a"), h.action.label("b"), h.from_state.label("c"),
               h.to_state.label("d"), h.reason.label("e")).where(h.case_id == case_id),
        select(literal(_EVIDENCE), e.id, e.uploaded_at, e.size, number, e.original_name, e.content_type, e.purpose,
               text_, text_).where(e.case_id == case_id),
        select(literal(_DOCUMENTS), d.id, d.issued_at, d.department_id, d.list_entry_id, d.number, d.kind, d.action,
               d.fields["title"].as_string(), text_).where(d.case_id == case_id),
    ).order_by(literal_column("part"), literal_column("id"))
