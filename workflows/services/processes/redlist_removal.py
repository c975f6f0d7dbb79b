"""Red-list removal (红名单退出): every trigger opens one case through `open_removal`, on the action path.

The removal itself (the entry exited or purged, every incentive stopped) happens in the transaction
of the action that decides it (`removal_rules.after_action`), so the red list is true at every moment: a
subject is never on the blacklist (or key-attention list) and on an active red list at once, and no incentive
stays active on an entry that left the list. The flow then tells the departments, announces, tells the
subject and pushes the result (workflows.steps.redlist_removal).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound, RoleNotAllowed
from workflows.domain.lists import ListKind
from workflows.domain.process import Actor
from workflows.processes import definition
from workflows.processes.redlist_removal import AUTOMATIC, REPORTED, TRIGGERS
from workflows.services.casework import evidence as evidence_service
from workflows.services.casework.case_records import submitted_before
from workflows.services.casework.cases import file_case, take_action
from workflows.services.lists import list_validity
from workflows.services.lists.reevaluation import Reevaluation, chosen_entries, matching_entries
from workflows.services.processes import removal_rules
from workflows.services.processes.removal_rules import (
    OPEN,
    PROCESS,
    SYSTEM,
    open_red_entry,
    open_removal_case,
    other_open_listing,
)
from workflows.store.base import utcnow
from workflows.store.cases import Case
from workflows.store.green import PendingRedlistRemoval
from workflows.store.models import ListEntry


def open_removal(session: Session, entry: ListEntry, trigger: str, *, actor: Actor, now: datetime | None = None,
                 reason: str | None = None, evidence: list[evidence_service.Upload] | None = None,
                 upload_dir: Path | None = None, max_bytes: int = 10 * 1024 * 1024,
                 cause_entry_id: int | None = None) -> Case:
    """Open the removal case of a red-list entry for one trigger, in the caller's transaction.

    An automatic trigger removes the entry at once; an abuse report (with evidence) waits for the
    listing department. Refused, changing nothing, when the entry is not an open red-list entry or
    already has an open removal case. `cause_entry_id`: the listing that triggered it (a blacklisting), so that
    revoking that listing as wrong reverses the removal."""
    now = now or utcnow()
    if trigger not in TRIGGERS:
        raise InvalidInput(N_("unknown trigger '%(value)s'; one of: %(allowed)s"), field="trigger", value=trigger,
                           allowed=", ".join(TRIGGERS))
    if entry is None:
        raise NotFound("no such list entry", field="list_entry_id")
    if entry.list_kind != ListKind.RED.value:
        raise InvalidInput(N_("list entry #%(id)s is not on the red list"), field="list_entry_id", id=entry.id)
    if entry.status not in OPEN:
        raise Conflict(N_("red-list entry #%(id)s is %(status)s: it is no longer on the red list"),
                       field="list_entry_id", labels={"status": "state"}, id=entry.id, status=entry.status)
    existing = open_removal_case(session, entry.id)
    if existing is not None:
        raise Conflict(N_("a removal case for red-list entry #%(entry)s is already open (case #%(id)s)"),
                       field="list_entry_id", entry=entry.id, id=existing.id)
    reason = (reason or "").strip()
    if trigger in REPORTED:
        if len(reason) < 10:
            raise InvalidInput("describe the abuse (at least 10 characters)", field="reason")
        if not evidence:
            raise InvalidInput("an abuse report needs evidence: attach at least one file", field="files")
        for upload in evidence:
            evidence_service.check(upload, max_bytes)
    with removal_rules.opening():
        case = file_case(session, PROCESS, actor, {"list_entry_id": entry.id, "trigger": trigger, "reason": reason,
                                                   "cause_entry_id": cause_entry_id}, now=now)
    if evidence:
        evidence_service.store(session, case, evidence, actor, upload_dir or Path("uploads"), max_bytes)
    return take_action(session, case.id, "remove" if trigger in AUTOMATIC else "report", SYSTEM, now=now)


def report_abuse(session: Session, actor: Actor, params: Mapping[str, Any],
                 evidence: list[evidence_service.Upload], *, upload_dir: Path, max_bytes: int,
                 submission_key: str | None = None, now: datetime | None = None) -> Case:
    """A department reports abuse of red-list incentives: the entry by `list_entry_id` or `subject_code`.

    The other triggers are not filed: they start with the event behind them (or, for changed criteria,
    with the listing department's re-evaluation)."""
    existing = submitted_before(session, submission_key, actor)
    if existing is not None:
        return existing
    filing = definition(PROCESS).filing
    if not filing.who.roles & actor.roles:
        raise RoleNotAllowed(N_("a red-list removal may be reported only by %(who)s"), who=filing.who.describe())
    trigger = str(params.get("trigger") or "abuse")
    if trigger not in REPORTED:
        raise InvalidInput(N_("a removal for '%(trigger)s' is not filed, it starts with the event behind it: changed "
                              "criteria go through the red-list re-evaluation; a department files 'abuse' with "
                              "evidence"), field="trigger", trigger=trigger)
    raw_id, code = params.get("list_entry_id"), params.get("subject_code")
    if raw_id in (None, "") and not code:
        raise InvalidInput("name the red-list entry by 'list_entry_id' or the subject by 'subject_code'",
                           field="list_entry_id")
    if raw_id not in (None, ""):
        try:
            entry = session.get(ListEntry, int(raw_id))
        except (TypeError, ValueError, OverflowError):
            raise InvalidInput("'list_entry_id' must be a whole number", field="list_entry_id") from None
        if entry is None:
            raise NotFound(N_("no list entry #%(id)s"), field="list_entry_id", id=raw_id)
    else:
        entry = open_red_entry(session, str(code))
    case = open_removal(session, entry, trigger, actor=actor, now=now, reason=str(params.get("reason") or ""),
                        evidence=evidence, upload_dir=upload_dir, max_bytes=max_bytes)
    case.submission_key = submission_key
    return case



def decide_abuse(session: Session, case_id: int, action: str, actor: Actor, reason: str, *,
                 now: datetime | None = None) -> Case:
    """The listing department confirms or dismisses an abuse report."""
    if action not in ("confirm_abuse", "dismiss"):
        raise InvalidInput("decide with confirm_abuse or dismiss", field="action")
    return take_action(session, case_id, action, actor, {"reason": reason}, now=now)


def take_up_pending(session: Session, row: PendingRedlistRemoval, actor: Actor = SYSTEM) -> Case | None:
    """A green-channel broken commitment queued for removal: removed at once unless already on its way out."""
    entry = session.get(ListEntry, row.list_entry_id)
    if entry is None or entry.status not in OPEN:
        return None
    existing = open_removal_case(session, entry.id)
    if existing is not None and existing.state == "reported":
        take_action(session, existing.id, "supersede", SYSTEM)
    elif existing is not None:
        return existing
    return open_removal(session, entry, "broken_commitment", actor=actor if actor.is_system else SYSTEM,
                        reason=f"green-channel case #{row.case_id}: commitment not kept")


# --- what a listing does to the red list (listings.ON_LISTING) ---


def red_listed(session: Session, entry: ListEntry, actor: Actor, now: datetime) -> None:
    """A red-list entry is refused while the subject is punished, and gets its validity timer at once."""
    punishing = other_open_listing(session, entry)
    if punishing is not None and punishing.list_kind != ListKind.RED.value:
        message = (N_("the subject is on the blacklist (entry #%(id)s): it cannot be put on the red list")
                   if punishing.list_kind == ListKind.BLACK.value else
                   N_("the subject is on the key-attention list (entry #%(id)s): it cannot be put on the red list"))
        raise Conflict(message, field="list", id=punishing.id)
    list_validity.start(session, entry, now)  # the sweep would arm it too; at once is surer


def punished(session: Session, entry: ListEntry, actor: Actor, now: datetime) -> None:
    """A blacklisting or key-attention listing removes the subject's red-list entries in the same transaction."""
    if entry.subject_id is None:
        return
    reds = session.scalars(select(ListEntry).where(ListEntry.subject_id == entry.subject_id,
                                                   ListEntry.list_kind == ListKind.RED.value,
                                                   ListEntry.status.in_(OPEN)))
    for red in list(reds):
        existing = open_removal_case(session, red.id)
        if existing is not None and existing.state == "reported":  # an abuse report is overtaken
            take_action(session, existing.id, "supersede", SYSTEM, now=now)
        elif existing is not None:
            continue
        open_removal(session, red, "blacklisted", actor=SYSTEM, now=now, cause_entry_id=entry.id,
                     reason=f"{entry.list_kind} list entry #{entry.id} ({entry.document_no})")


def expire(session: Session, entry_id: int, now: datetime | None = None) -> Case | None:
    """The validity timer fired: the entry exits by expiry (nothing when it already left the list)."""
    entry = session.get(ListEntry, entry_id)
    if entry is None or entry.list_kind != ListKind.RED.value or entry.status not in OPEN:
        return None
    if open_removal_case(session, entry.id) is not None:
        return None
    return open_removal(session, entry, "expired", actor=SYSTEM, now=now, reason=f"valid until {entry.valid_until}")


def expire_red(session: Session, event, entry: ListEntry, config) -> list[int]:
    """A red-list entry's validity ended (list_lifecycle.ON_EXPIRY): its removal case's own flow tells everyone."""
    expire(session, entry.id)
    return []


# --- re-evaluation against changed criteria (认定标准发生改变) ---


def reevaluation_preview(session: Session, actor: Actor, rule: Reevaluation) -> list[ListEntry]:
    """The department's open red-list entries that the rule would remove; refused when it matches none."""
    entries = matching_entries(session, actor, rule, ListKind.RED, OPEN,
                               "only a listing department re-evaluates its red-list entries")
    if not entries:
        raise InvalidInput("the rule matches none of your department's red-list entries: nothing would be removed",
                           field="category")
    return entries


def confirm_reevaluation(session: Session, actor: Actor, rule: Reevaluation, entry_ids: list[int], *,
                         now: datetime | None = None) -> list[Case]:
    """Remove the confirmed entries of the preview, all in one transaction (all or none)."""
    now = now or utcnow()
    chosen = chosen_entries(reevaluation_preview(session, actor, rule), entry_ids,
                            "choose at least one entry to remove")
    return [open_removal(session, entry, "criteria_changed", actor=actor, now=now, reason=rule.statement.strip())
            for entry in chosen]
