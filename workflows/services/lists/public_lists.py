"""The public red list and blacklist: search by name or code. The key-attention list is never among them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from workflows.domain.errors import N_, InvalidInput
from workflows.domain.lists import EntryStatus, ListKind
from workflows.domain.subjects import SubjectCode, SubjectKind
from workflows.store.models import ListEntry, Subject

PUBLIC_LISTS = (ListKind.RED.value, ListKind.BLACK.value)
MAX_QUERY = 100


@dataclass(frozen=True)
class PublicEntry:
    id: int
    list_kind: str
    subject_name: str
    subject_code: str  # a person's resident ID with its middle masked
    subject_kind: str
    department: object
    basis: str
    document_no: str
    listed_on: date
    valid_until: date
    published_channel: str
    version: int


@dataclass(frozen=True)
class PublicPage:
    items: list[PublicEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def fingerprint(self) -> str:
        """Changes whenever what the page shows changes: an entry added, exited, edited (its version)."""
        import hashlib

        seen = f"{self.total}:{self.page}:" + ",".join(f"{e.id}.{e.version}" for e in self.items)
        return hashlib.sha256(seen.encode()).hexdigest()[:32]


def is_public(entry: ListEntry, today: date) -> bool:
    """Whether the public lists show this entry today (what anyone may name in a complaint)."""
    return (entry.list_kind in PUBLIC_LISTS and entry.status == EntryStatus.ACTIVE.value
            and entry.valid_until >= today)


def public_entries_of(session: Session, subject: Subject, today: date) -> list[ListEntry]:
    """The subject's entries the public lists show today, oldest first."""
    return list(session.scalars(select(ListEntry).where(
        ListEntry.subject_id == subject.id, ListEntry.list_kind.in_(PUBLIC_LISTS),
        ListEntry.status == EntryStatus.ACTIVE.value, ListEntry.valid_until >= today).order_by(ListEntry.id)))


def parse_list(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw not in PUBLIC_LISTS:
        raise InvalidInput(N_("'%(value)s' is not a public list; one of: red, black"), field="list", value=raw)
    return raw


def _shown_code(subject: Subject) -> str:
    if subject.kind == SubjectKind.PERSON.value:
        return SubjectCode(SubjectKind.PERSON, subject.code).masked()
    return subject.code


def search(session: Session, query: str | None, *, list_kind: str | None, today: date, page: int = 1,
           per_page: int = 20) -> PublicPage:
    """Open, unexpired public entries whose subject's code is `query` or whose name contains it."""
    list_kind = parse_list(list_kind)
    query = " ".join((query or "").split())
    if len(query) > MAX_QUERY:
        raise InvalidInput(N_("the search is longer than %(count)s characters"), field="q", count=MAX_QUERY)
    statement = (select(ListEntry).join(Subject, ListEntry.subject_id == Subject.id)
                 .where(ListEntry.list_kind.in_([list_kind] if list_kind else PUBLIC_LISTS),
                        ListEntry.status == EntryStatus.ACTIVE.value, ListEntry.valid_until >= today))
    if query:
        if len(query) == 18 and query.isalnum():
            statement = statement.where(Subject.code == query.upper())
        else:
            escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            statement = statement.where(Subject.name.like(f"%{escaped}%", escape="\\"))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(statement.options(contains_eager(ListEntry.subject), selectinload(ListEntry.department))
                           .order_by(ListEntry.listed_on.desc(), ListEntry.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    items = [PublicEntry(e.id, e.list_kind, e.subject.name, _shown_code(e.subject), e.subject.kind, e.department,
                         e.basis, e.document_no, e.listed_on, e.valid_until, e.published_channel, e.version) for e in rows]
    return PublicPage(items, total, page, per_page)
