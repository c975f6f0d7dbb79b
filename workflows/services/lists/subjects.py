"""Credit subjects and what a viewer may see of them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflows.domain.errors import N_, NotFound
from workflows.domain.lists import EntryStatus, ExitReason, ListKind
from workflows.domain.process import Actor
from workflows.domain.roles import KEY_ATTENTION_VIEWERS
from workflows.domain.subjects import parse_subject_code, single_line_name
from workflows.store.models import ListEntry, Measure, Subject


# whose word a subject's name is, from the weakest: an applicant's at sign-up, its claim confirmed, a listing
# department's (a decision document names the subject: it prevails over what an applicant declared)
DECLARED, CLAIMED, LISTED = "declared", "claimed", "listed"
_WEIGHT = {DECLARED: 0, CLAIMED: 1, LISTED: 2}


def name_subject(subject: Subject, name: str, source: str) -> bool:
    """The subject takes `name` when `source` outweighs the word its name rests on now (a listing department's
    over an applicant's); a name as strong stays (a change of name never comes from a sign-up)."""
    name = (name or "").strip()
    if not name or _WEIGHT[source] <= _WEIGHT.get(subject.name_source, _WEIGHT[LISTED]):
        return False
    subject.name, subject.name_source = name, source
    return True


def register_subject(session: Session, *, code: str, name: str, email: str = "", phone: str = "",
                     legal_representative: str = "", name_field: str = "name", source: str = LISTED) -> Subject:
    """The subject for a code, created if new; the code and the name (one line of text) are validated first. An
    existing subject takes the name only from a stronger source (`name_subject`): a sign-up never renames a
    subject."""
    parsed = parse_subject_code(code)
    name = single_line_name(name, field=name_field)
    subject = session.scalar(select(Subject).where(Subject.code == parsed.value))
    if subject is None:
        subject = Subject(code=parsed.value, kind=parsed.kind.value, name=name, name_source=source,
                          contact_email=email, contact_phone=phone, legal_representative=legal_representative)
        session.add(subject)
        session.flush()
    else:
        name_subject(subject, name, source)
    return subject


def get_subject(session: Session, code: str) -> Subject:
    parsed = parse_subject_code(code)
    subject = session.scalar(select(Subject).where(Subject.code == parsed.value))
    if subject is None:
        raise NotFound(N_("no subject with code %(code)s"), field="code", code=parsed.value)
    return subject


def may_see_key_attention(viewer: Actor, subject: Subject) -> bool:
    """Key-attention entries are not public: staff who handle them, and the subject itself."""
    return bool(viewer.roles & KEY_ATTENTION_VIEWERS) or (
        viewer.subject_id is not None and viewer.subject_id == subject.id
    )


# a red-list entry that left for a blacklisting or for a finding that is not public (a key-attention listing, an
# abuse, a broken commitment), as a viewer who may not see the key-attention list reads it: one reason for all,
# as the public announcement says it, so that none can be told apart
MISCONDUCT = "misconduct"
_FINDINGS = frozenset({ExitReason.BLACKLISTED.value, ExitReason.ABUSE.value})


def shown_exit_reason(entry: ListEntry, entitled: bool) -> str | None:
    if not entitled and entry.list_kind == ListKind.RED.value and entry.exit_reason in _FINDINGS:
        return MISCONDUCT
    return entry.exit_reason


@dataclass(frozen=True)
class SubjectView:
    subject: Subject
    entries: list[ListEntry]
    measures: dict[int, list[Measure]]
    shows_key_attention: bool

    def exit_reason_of(self, entry: ListEntry) -> str | None:
        return shown_exit_reason(entry, self.shows_key_attention)


def subject_view(session: Session, code: str, viewer: Actor) -> SubjectView:
    subject = get_subject(session, code)
    shows_key_attention = may_see_key_attention(viewer, subject)
    query = (
        select(ListEntry)
        .where(ListEntry.subject_id == subject.id, ListEntry.status != EntryStatus.PURGED.value)
        .options(selectinload(ListEntry.measures).selectinload(Measure.catalogue),
                 selectinload(ListEntry.department))
        .order_by(ListEntry.listed_on.desc(), ListEntry.id.desc())
    )
    if not shows_key_attention:
        query = query.where(ListEntry.list_kind != ListKind.KEY_ATTENTION.value)
    entries = list(session.scalars(query))
    return SubjectView(subject, entries, {e.id: list(e.measures) for e in entries}, shows_key_attention)
