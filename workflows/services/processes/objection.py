"""The objection process's rules that need the database: who may open a verification of what.

A verification opens three ways (Z VII(3), Q V(6)), recorded as the case's `origin`:
- `applicant`: the subject disputes its own record (异议申请);
- `department`: a department finds that a record it supplied, or whose measure it applies, may be wrong (主动发现);
  no applicant and no formal review: the system begins the verification at once (`begin_verification`);
- `complaint`: anyone logged in complains about a record on the public lists (投诉); the complainant names only what
  the public lists show, and a record they do not show is "not found", whatever it is.
Any record that is kept may be disputed: an active entry, an exited one (kept in the back end), a broken commitment.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from workflows import clock
from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.lists import EntryStatus
from workflows.domain.process import Actor
from workflows.domain.roles import DEPARTMENT_ROLES, Role
from workflows.processes import definition
from workflows.processes.objection import ORIGINS
from workflows.services.casework.case_records import Filing, FollowOn
from workflows.services.lists.public_lists import is_public
from workflows.services.lists.subjects import get_subject
from workflows.services.processes.removal_rules import contested_removal
from workflows.store.cases import Case
from workflows.store.green import BrokenCommitment
from workflows.store.models import ListEntry

SYSTEM = Actor.system("automation")
# entries an objection may dispute: in force, or exited and kept (a suspended one is being verified already)
DISPUTABLE = (EntryStatus.ACTIVE.value, EntryStatus.EXITED.value)


def _open_in(processes: tuple[str, ...]):
    return or_(*(and_(Case.process == p, Case.state.not_in(definition(p).final_states())) for p in processes))


def open_case_on_entry(session: Session, process: str, entry_id: int) -> Case | None:
    """The process's open case on the entry (at most one), if any."""
    return session.scalars(select(Case).where(Case.list_entry_id == entry_id, _open_in((process,)))
                           .order_by(Case.id).limit(1)).first()


BLOCKING = ("objection", "repair_exit")  # an open case of either on an entry: no objection filed on it now


@lru_cache(maxsize=1)
def _entry_with_open_cases():
    """`entry_with_open_cases`'s statement, built once."""
    return (select(ListEntry, Case.process, Case.id).options(joinedload(ListEntry.subject))
            .outerjoin(Case, and_(Case.list_entry_id == ListEntry.id, _open_in(BLOCKING)))
            .where(ListEntry.id == bindparam("entry_id")).order_by(Case.id))


def entry_with_open_cases(session: Session, entry_id: int) -> tuple[ListEntry | None, dict[str, int]]:
    """The entry with its subject (the case shows it), and the id of the open case of each BLOCKING process on it,
    in one query: an objection's first read, whoever files it."""
    rows = session.execute(_entry_with_open_cases(), {"entry_id": entry_id}).unique().all()
    found: dict[str, int] = {}
    for _entry, process, case_id in rows:
        if case_id is not None:
            found.setdefault(process, case_id)
    return (rows[0][0] if rows else None), found


def facts(session: Session, case: Case) -> dict:
    """What the decision checks against: the disputed entry's listing day (a corrected validity ends after it),
    the case's origin and who filed it (who may supplement or withdraw)."""
    entry = case.list_entry
    return {"listed_on": entry.listed_on if entry is not None else None,
            "origin": (case.data or {}).get("origin") or "applicant", "filed_by": case.applicant_id}


def origin_of(case: Case) -> str:
    return (case.data or {}).get("origin") or "applicant"


def _grounds(params: Mapping[str, Any], *, contact: bool) -> dict:
    grounds = str(params.get("grounds", "")).strip()
    if len(grounds) < 10:
        raise InvalidInput("state the grounds of the objection (at least 10 characters)", field="grounds")
    data = {"grounds": grounds[:5000]}
    if contact:  # a complainant or a department is reached through its account: no contact shown to the subject
        data |= {"contact_name": str(params.get("contact_name", ""))[:100],
                 "contact_phone": str(params.get("contact_phone", ""))[:40]}
    return data


def open_case_on_commitment(session: Session, record_id: int) -> Case | None:
    final = definition("objection").final_states()
    for case in session.scalars(select(Case).where(Case.process == "objection", Case.list_entry_id.is_(None),
                                                   Case.state.not_in(final))):
        if (case.data or {}).get("broken_commitment_id") == record_id:
            return case
    return None


def _record_id(params: Mapping[str, Any], name: str, message: str) -> int:
    try:
        return int(params.get(name))
    except (TypeError, ValueError):
        raise InvalidInput(message, field=name) from None


def _against_commitment(session: Session, record: BrokenCommitment, data: dict) -> Filing:
    """A broken commitment disputed like any record kept: the department whose window recorded it verifies."""
    if record.status != "active":
        raise Conflict(N_("this broken commitment is %(status)s: there is nothing to object to now"),
                       field="broken_commitment_id", status=record.status)
    existing = open_case_on_commitment(session, record.id)
    if existing is not None:
        raise Conflict(N_("an objection against this record is already open (case #%(id)s)"),
                       field="broken_commitment_id", id=existing.id)
    data["broken_commitment_id"] = record.id
    return Filing(subject_id=record.subject_id, department_id=record.case.department_id, data=data)


def _against_entry(session: Session, entry: ListEntry, open_cases: dict[str, int], data: dict) -> Filing:
    """An entry in force, or exited and kept; a red-list entry's removal that is open to objection. `open_cases`:
    the ids of the entry's open BLOCKING cases (`entry_with_open_cases`)."""
    contested = contested_removal(session, entry)
    if entry.status not in DISPUTABLE and contested is None:
        raise Conflict(N_("this list entry is %(status)s: there is nothing to object to now"), field="list_entry_id",
                       labels={"status": "state"}, status=entry.status)
    existing = open_cases.get("objection")
    if existing is not None:
        raise Conflict(N_("an objection against this entry is already open (case #%(id)s)"), field="list_entry_id",
                       id=existing)
    repair = open_cases.get("repair_exit")
    if repair is not None:  # the repair would exit the entry while it is verified: one of the two waits
        raise Conflict(N_("a credit repair application on this entry is open (case #%(id)s): object after it is "
                          "decided, or withdraw it to object now"), field="list_entry_id", id=repair)
    if contested is not None:
        data["against_removal"] = contested.id
    return Filing(subject_id=entry.subject_id, department_id=entry.department_id, list_entry_id=entry.id, data=data,
                  entry=entry)


def _by_applicant(session: Session, actor: Actor, params: Mapping[str, Any]) -> Filing:
    """The subject's own objection, by one of its confirmed accounts."""
    if Role.APPLICANT not in actor.roles:
        raise RoleNotAllowed("an objection is filed by the subject's account; a department opens a verification of "
                             "its own finding, anyone else files a complaint")
    if actor.subject_id is None:
        raise RoleNotAllowed("your claim to act for this subject has not been confirmed by the credit office yet")
    data = _grounds(params, contact=True)
    if params.get("broken_commitment_id") not in (None, "") and params.get("list_entry_id") in (None, ""):
        record = session.get(BrokenCommitment, _record_id(params, "broken_commitment_id",
                                                          "choose the broken commitment you object to"))
        if record is None or record.subject_id != actor.subject_id:
            raise NotFound("no such broken commitment of your subject", field="broken_commitment_id")
        return _against_commitment(session, record, data)
    entry, open_cases = entry_with_open_cases(session, _record_id(params, "list_entry_id",
                                                                  "choose the list entry you object to"))
    if entry is None or entry.subject_id != actor.subject_id:
        raise NotFound("no such list entry of your subject", field="list_entry_id")
    return _against_entry(session, entry, open_cases, data)


def _by_department(session: Session, actor: Actor, params: Mapping[str, Any]) -> Filing:
    """A department's own finding: on a record it supplied (it listed it, its window recorded the broken
    commitment) or whose measure it applies (found while carrying it out, Q V(6))."""
    if not actor.roles & DEPARTMENT_ROLES or actor.department_id is None:
        raise RoleNotAllowed("only a department's staff report its own finding about a record")
    data = _grounds(params, contact=False)
    if params.get("broken_commitment_id") not in (None, "") and params.get("list_entry_id") in (None, ""):
        record = session.get(BrokenCommitment, _record_id(params, "broken_commitment_id",
                                                          "choose the broken commitment you found may be wrong"))
        if record is None or record.case.department_id != actor.department_id:
            raise NotFound("no such broken commitment recorded by your department", field="broken_commitment_id")
        return _against_commitment(session, record, data)
    entry, open_cases = entry_with_open_cases(session, _record_id(params, "list_entry_id",
                                                                  "choose the list entry you found may be wrong"))
    if entry is None or entry.subject_id is None or not (
            entry.department_id == actor.department_id
            or any(m.department_id == actor.department_id for m in entry.measures)):
        raise NotFound("no such list entry supplied by your department or with a measure it applies",
                       field="list_entry_id")
    return _against_entry(session, entry, open_cases, data)


def _by_complainant(session: Session, actor: Actor, params: Mapping[str, Any]) -> Filing:
    """Anyone's complaint about an entry on the public lists, named with the subject's credit code. A record the
    public lists do not show (key-attention, exited, another subject's) is "not found", whatever it is."""
    subject = get_subject(session, str(params.get("subject_code") or "").strip())
    entry, open_cases = entry_with_open_cases(session, _record_id(params, "list_entry_id",
                                                                  "choose the public list entry you complain about"))
    if entry is None or entry.subject_id != subject.id or not is_public(entry, clock.today()):
        raise NotFound("no such entry of this subject on the public lists", field="list_entry_id")
    if actor.subject_id is not None and actor.subject_id == subject.id:
        raise InvalidInput("this is your own subject's record: file an objection instead of a complaint",
                           field="list_entry_id")
    return _against_entry(session, entry, open_cases, _grounds(params, contact=False))


FILERS = {"applicant": _by_applicant, "department": _by_department, "complaint": _by_complainant}


def file_objection(session: Session, actor: Actor, params: Mapping[str, Any]) -> Filing:
    origin = str(params.get("origin") or "applicant")
    if origin not in ORIGINS:
        raise InvalidInput(N_("'%(name)s' must be one of %(choices)s"), field="origin", labels={"name": "field"},
                           name="origin", choices=", ".join(ORIGINS))
    filing = FILERS[origin](session, actor, params)
    filing.data = {**(filing.data or {}), "origin": origin}
    return filing


def after_filing(session: Session, case: Case) -> FollowOn | None:
    """A department's finding goes to verification at once (no formal review of its own finding)."""
    return FollowOn("begin_verification", SYSTEM) if origin_of(case) == "department" else None


def under_verification(session: Session, subject_id: int) -> set[int]:
    """The subject's entries an accepted objection verifies now (an exited one stays exited meanwhile)."""
    return set(session.scalars(select(Case.list_entry_id).where(
        Case.process == "objection", Case.state == "verifying", Case.subject_id == subject_id,
        Case.list_entry_id.is_not(None))))
