"""Re-evaluation against changed criteria (认定标准发生改变, Q VI(1) way four, VI(2) way four): the listing
department states the new rule and the conditions that pick its entries that no longer qualify. The rule and
its matching are the same for the red list (red-list removal) and the blacklist (exit onto the key-attention
list); what an exit does is each list's own."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.domain.errors import N_, InvalidInput, RoleNotAllowed
from workflows.domain.lists import ListKind
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.store.models import ListEntry


@dataclass(frozen=True)
class Reevaluation:
    """The listing department's stated rule: its entries matching every given condition no longer qualify."""

    statement: str  # the new criterion, in words
    category: str = ""
    listed_before: date | None = None
    basis_contains: str = ""

    def check(self) -> None:
        if len(self.statement.strip()) < 10:
            raise InvalidInput("state the changed criterion (at least 10 characters)", field="statement")
        if not (self.category.strip() or self.listed_before or self.basis_contains.strip()):
            raise InvalidInput("give at least one condition: category, listed before, or basis containing",
                               field="category")


def matching_entries(session: Session, actor: Actor, rule: Reevaluation, kind: ListKind,
                     statuses: Collection[str], refused: str) -> list[ListEntry]:
    """The actor's department's entries of the list, in these statuses, that the rule matches (maybe none).
    `refused`: the message for an actor who is no listing department."""
    if Role.LISTING_DEPARTMENT not in actor.roles or actor.department_id is None:
        raise RoleNotAllowed(refused)
    rule.check()
    query = select(ListEntry).where(ListEntry.list_kind == kind.value, ListEntry.status.in_(list(statuses)),
                                    ListEntry.department_id == actor.department_id)
    if rule.category.strip():
        query = query.where(ListEntry.category == rule.category.strip())
    if rule.listed_before:
        query = query.where(ListEntry.listed_on < rule.listed_before)
    if rule.basis_contains.strip():
        query = query.where(ListEntry.basis.contains(rule.basis_contains.strip(), autoescape=True))
    return list(session.scalars(query.order_by(ListEntry.id)))


def chosen_entries(matching: list[ListEntry], entry_ids: list[int], nothing_chosen: str) -> list[ListEntry]:
    """The confirmed entries of the preview, in the order chosen; refused when none or one the rule does not match."""
    by_id = {e.id: e for e in matching}
    chosen = list(dict.fromkeys(entry_ids))
    if not chosen:
        raise InvalidInput(nothing_chosen, field="entry_ids")
    stray = [i for i in chosen if i not in by_id]
    if stray:
        raise InvalidInput(N_("entries %(ids)s do not match the rule"), field="entry_ids",
                           ids=", ".join(f"#{i}" for i in stray))
    return [by_id[i] for i in chosen]
