"""A blacklist exit because the criteria changed (Q VI(1), way four): the listing department states the new
rule, previews its blacklist entries that the rule no longer covers, and exits those it confirms, all at once.

Each exit takes effect in the confirming transaction, as the other blacklist exits do in theirs: its measures
stop and each implementing department is told, the exit is announced through the original channel, and the
subject goes onto the key-attention list for the validity the department sets, with its warning (Q VI(1):
"有效期由之前将其列入黑名单的部门确定"). Each entry's exit is one event of the lists' own flow, which
e-mails the notices and pushes the result to the platform (workflows.steps.list_lifecycle.criteria_changed).
An entry under verification (suspended) is not in the preview: nothing follows from a disputed record until
it is decided.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.errors import InvalidInput
from workflows.domain.lists import EntryStatus, ExitReason, ListKind
from workflows.domain.process import Actor
from workflows.processes.repair_exit import key_attention_until
from workflows.services.casework import history
from workflows.services.lists import list_lifecycle, list_validity
from workflows.services.lists.consequences import once
from workflows.services.lists.reevaluation import Reevaluation, chosen_entries, matching_entries
from workflows.store.base import utcnow
from workflows.store.models import ListEntry

EXIT_EFFECT = "exit_criteria_changed"  # the once() key of the exit, claimed in the confirming transaction


def preview(session: Session, actor: Actor, rule: Reevaluation) -> list[ListEntry]:
    """The department's active blacklist entries that the rule would exit; refused when it matches none."""
    entries = matching_entries(session, actor, rule, ListKind.BLACK, (EntryStatus.ACTIVE.value,),
                               "only a listing department re-evaluates its blacklist entries")
    if not entries:
        raise InvalidInput("the rule matches none of your department's active blacklist entries: nothing would "
                           "exit", field="category")
    return entries


def key_attention_validity(params: Mapping[str, Any], now: datetime) -> date:
    """The key-attention validity the department sets: an end date or a number of months, as on a repair."""
    return key_attention_until(params, calendar.local_date(now))


def confirm(session: Session, actor: Actor, rule: Reevaluation, entry_ids: list[int],
            validity: Mapping[str, Any], *, now: datetime | None = None) -> list[ListEntry]:
    """Exit the confirmed entries of the preview (reason `criteria_changed`), all in one transaction (all or
    none); returns the key-attention entries that follow them."""
    now = now or utcnow()
    chosen = chosen_entries(preview(session, actor, rule), entry_ids, "choose at least one entry to exit")
    until = key_attention_validity(validity, now)
    statement = rule.statement.strip()
    followed: list[ListEntry] = []
    for entry in chosen:
        event = list_lifecycle.emit(session, "criteria_changed", now, list_entry_id=entry.id,
                                    key_attention_until=until.isoformat())
        history.record(session, actor=actor, action="reevaluate", entity_type="list_entry", entity_id=entry.id,
                       at=now, reason=statement[:2000], data={"event_id": event.id, "list": entry.list_kind})
        once(session, event.id, EXIT_EFFECT)
        list_lifecycle.exit_blacklist(session, event, entry, ExitReason.CRITERIA_CHANGED, until, now)
        list_validity.cancel(session, entry, now)  # its expiry will not come
        key = list_lifecycle.key_entry_after(session, entry)
        if key is not None:
            followed.append(key)
    return followed
