"""The persons named in an enterprise's severe listing (落实到人, Z IV(7), Q III(6)): its legal representative and
the directly responsible persons, each a person subject (by a validated resident ID number) with a linked record
of the listing. The record has the enterprise entry's status, so it follows the entry through suspension,
exit, repair and purge; a purge erases the person from it (workflows.services.lists.erasure)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflows.domain.errors import N_, DomainError, InvalidInput
from workflows.domain.lists import EntryStatus, ListKind
from workflows.domain.process import Actor
from workflows.domain.subjects import SubjectKind, parse_subject_code, single_line_name
from workflows.labels import mask_name
from workflows.services.casework import history
from workflows.services.lists.subjects import register_subject
from workflows.store.models import ListEntry, ResponsiblePerson, Subject

LEGAL_REPRESENTATIVE, RESPONSIBLE_PERSON = "legal_representative", "responsible_person"
ROLES = (LEGAL_REPRESENTATIVE, RESPONSIBLE_PERSON)
MAX_PERSONS = 20
FIELD = "responsible_persons"


@dataclass(frozen=True)
class NamedPerson:
    code: str  # the resident ID number
    name: str
    role: str = RESPONSIBLE_PERSON


def from_lines(legal_code: str, legal_name: str, lines: str) -> list[NamedPerson]:
    """The persons as a page takes them: the legal representative, then one person a line (ID number, name)."""
    persons = []
    if (legal_code or "").strip() or (legal_name or "").strip():
        persons.append(NamedPerson(legal_code or "", legal_name or "", LEGAL_REPRESENTATIVE))
    for line in (lines or "").splitlines():
        code, _, name = line.strip().replace("，", " ").replace(",", " ").partition(" ")
        if code:
            persons.append(NamedPerson(code, name.strip()))
    return persons


def _refused(error: DomainError, index: int) -> InvalidInput:
    """A person's code or name refused, said of the person it concerns (the n-th, from 1)."""
    return InvalidInput(error.msgid, field=FIELD, labels=error.labels,
                        details={**(error.details or {}), "index": index, "person_field": error.field},
                        **error.params)


def check(persons: Sequence[NamedPerson], list_kind: str, subject_code: str) -> list[NamedPerson]:
    """The persons of a listing, validated before anything is written: only a blacklist listing of an enterprise
    names them; each by a valid resident ID number and a name; one legal representative at most; no one twice."""
    if not persons:
        return []
    if list_kind != ListKind.BLACK.value or parse_subject_code(subject_code).kind is not SubjectKind.ENTERPRISE:
        raise InvalidInput("responsible persons are named only in a blacklist listing of an enterprise", field=FIELD)
    if len(persons) > MAX_PERSONS:
        raise InvalidInput(N_("at most %(max)s responsible persons"), field=FIELD, max=MAX_PERSONS)
    checked: list[NamedPerson] = []
    for index, person in enumerate(persons, start=1):
        if person.role not in ROLES:
            raise InvalidInput(N_("person %(n)s: unknown role '%(value)s'; one of: %(allowed)s"), field=FIELD,
                               n=index, value=person.role, allowed=", ".join(ROLES))
        try:
            parsed = parse_subject_code(person.code, field="code")
            name = single_line_name(person.name, field="name")
        except DomainError as error:
            raise _refused(error, index) from None
        if parsed.kind is not SubjectKind.PERSON:
            raise InvalidInput(N_("person %(n)s: a responsible person is named by a resident ID number, not a "
                                  "Unified Social Credit Code"), field=FIELD, details={"index": index}, n=index)
        if any(c.code == parsed.value for c in checked):
            raise InvalidInput(N_("person %(n)s is named twice"), field=FIELD, details={"index": index}, n=index)
        checked.append(NamedPerson(parsed.value, name, person.role))
    if sum(p.role == LEGAL_REPRESENTATIVE for p in checked) > 1:
        raise InvalidInput("a listing names one legal representative", field=FIELD)
    return checked


def record(session: Session, entry: ListEntry, persons: Sequence[NamedPerson], actor: Actor,
           now: datetime) -> list[ResponsiblePerson]:
    """Each checked person as a subject (created if new) with its linked record of the entry."""
    links = []
    for person in persons:
        subject = register_subject(session, code=person.code, name=person.name, name_field=FIELD)
        link = ResponsiblePerson(entry=entry, person=subject, role=person.role, created_at=now)
        session.add(link)
        session.flush()
        history.record(session, actor=actor, action="name_responsible_person", entity_type="list_entry",
                       entity_id=entry.id, at=now, data={"responsible_person_id": link.id, "role": person.role})
        links.append(link)
    return links


def records_of(session: Session, subject: Subject) -> list[ResponsiblePerson]:
    """A person's linked records: the enterprise listings it is named in (not those purged)."""
    return list(session.scalars(
        select(ResponsiblePerson).join(ListEntry, ResponsiblePerson.list_entry_id == ListEntry.id)
        .where(ResponsiblePerson.subject_id == subject.id, ListEntry.status != EntryStatus.PURGED.value)
        .options(selectinload(ResponsiblePerson.entry)).order_by(ResponsiblePerson.id)))


@dataclass(frozen=True)
class ShownPerson:
    """A responsible person as a viewer may see it: staff in full; anyone else by surname, with no ID number."""
    role: str
    name: str
    code: str | None


def shown(link: ResponsiblePerson, entitled: bool) -> ShownPerson | None:
    person = link.person
    if person is None:
        return None
    if entitled:
        return ShownPerson(link.role, person.name, person.code)
    return ShownPerson(link.role, mask_name(person.name, SubjectKind.PERSON.value), None)
