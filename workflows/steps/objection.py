"""The objection flow (异议处理): what happens after each objection event."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.domain.lists import EntryStatus, ExitReason
from workflows.domain.roles import Role
from workflows.services.casework import history
from workflows.services.deliveries import notify
from workflows.services.lists import correction, erasure, list_lifecycle, list_validity
from workflows.services.lists.consequences import (
    SYSTEM,
    announce,
    change_entry,
    change_measures,
    load_measures,
    once,
    subject_name,
    tell_applicant,
    tell_role,
)
from workflows.services.processes import removal_rules
from workflows.services.processes.objection import open_case_on_entry
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case
from workflows.store.green import BrokenCommitment, PendingRedlistRemoval
from workflows.store.models import ListEntry, User

from . import redlist_removal as red
from .base import StepResult, Steps
from .runtime import runtime

step = Steps("objection")


def origin_of(case: Case) -> str:
    return (case.data or {}).get("origin") or "applicant"


def tell_parties(session: Session, event: OutboxEvent, case: Case, kinds: dict[str, str], **params) -> list[int]:
    """Those a verification concerns, each by its own notice kind (`kinds`, by recipient): the subject's own
    objection: its accounts ("applicant"); a complaint: the complainant ("complainant") and the subject
    ("subject"); a department's finding: the subject ("subject"), the department following it on the case."""
    if origin_of(case) == "applicant":
        return tell_applicant(session, event, case, kinds["applicant"], **params) if "applicant" in kinds else []
    notices: list[int] = []
    if origin_of(case) == "complaint" and "complainant" in kinds and case.applicant is not None:
        notices += notify.notice(session, kinds["complainant"], [case.applicant],
                                 key={"event": event.id, "to": "complainant"}, case_id=case.id, case=case.id, **params)
    if "subject" in kinds and case.subject_id is not None:
        users = list(session.scalars(select(User).where(User.subject_id == case.subject_id,
                                                        User.claim_status == "confirmed")))
        notices += notify.notice(session, kinds["subject"], users, key={"event": event.id, "to": "subject"},
                                 case_id=case.id, case=case.id, **params)
    return notices


@step
def acknowledge(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant, or the complainant, is told the case was received (a department's finding: no one)."""
    return StepResult(tell_parties(session, event, case, {"applicant": "objection.received",
                                                          "complainant": "complaint.received"}))


def opened_notices(session: Session, event: OutboxEvent, case: Case, applicant_kind: str) -> list[int]:
    """The verification begins: the subject told, whoever raised it (and a complainant told it was accepted)."""
    return tell_parties(session, event, case, {"applicant": applicant_kind, "complainant": "complaint.accepted",
                                               "subject": "verification.opened"}, origin=origin_of(case))


class DisputedListing:
    """An objection against a list entry: its measures are suspended while it is verified (Q V(6))."""

    def suspend(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        entry = case.list_entry
        notices = []
        retained = entry is not None and entry.status == EntryStatus.EXITED
        if entry is not None and once(session, event.id, "suspend_listing"):
            # an exited entry kept in the back end has no measure left; what followed from it (the key-attention
            # entry after a blacklist exit) is not executed while the record it rests on is verified
            disputed_entries = following(session, entry) if retained else [entry]
            load_measures(session, disputed_entries)
            for disputed_entry in disputed_entries:
                change_entry(session, event, disputed_entry, "suspend")
                notices += change_measures(session, event, disputed_entry, "suspend")
        return StepResult(notices + opened_notices(
            session, event, case, "objection.accepted.record" if retained else "objection.accepted"))

    def resume(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        entry = case.list_entry
        if entry is None or not once(session, event.id, "resume_listing"):
            return StepResult()
        notices: list[int] = []
        disputed_entries = [entry, *following(session, entry, status=EntryStatus.SUSPENDED)]
        load_measures(session, disputed_entries)
        for disputed_entry in disputed_entries:
            if disputed_entry.status != EntryStatus.SUSPENDED:
                continue
            change_entry(session, event, disputed_entry, "resume")
            notices += change_measures(session, event, disputed_entry, "resume")
            list_lifecycle.expire_if_due(session, disputed_entry, utcnow())  # an expiry that waited takes effect now
        return StepResult(notices)

    def correct(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        """The published record itself corrected as the provider stated, announced with the corrected data."""
        entry = case.list_entry
        if entry is None or not once(session, event.id, "apply_correction"):
            return StepResult()
        correction.apply(session, event, entry)
        stop = event.params.get("measures") == "stop"
        notices: list[int] = []
        # a retained (exited) entry has no measure left: what followed from it ends or resumes with the correction
        retained = entry.status == EntryStatus.EXITED
        followed = following(session, entry, status=EntryStatus.SUSPENDED) if retained else []
        for corrected in [*([] if retained else [entry]), *followed]:
            if stop:
                notices += change_measures(session, event, corrected, "stop")
                change_entry(session, event, corrected, "exit", ExitReason.OBJECTION_UPHELD)
                list_validity.cancel(session, corrected, utcnow())
            else:
                change_entry(session, event, corrected, "resume")
                notices += change_measures(session, event, corrected, "resume")
                list_lifecycle.expire_if_due(session, corrected, utcnow())  # the (corrected) validity, kept or ended
        announce(session, event, entry, "announce.corrected", **correction.announced(entry, stop))
        return StepResult(notices)

    def revoke(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        """Listed in error: the entry purged with everything it caused (Q VI(1)1, VI(3); Z VII(3)): the entries
        that followed from it purged too, the red-list removals it triggered reversed."""
        entry = case.list_entry
        if entry is not None and entry.list_kind == "red" and entry.is_open:  # red-list removal with purge
            return red.remove_revoked(session, event, case)
        if entry is None or not once(session, event.id, "revoke_listing"):
            return StepResult()
        now = utcnow()
        undone = [entry, *list_lifecycle.derived_entries(session, entry)]
        notices: list[int] = []
        for wrong in undone:
            notices += change_measures(session, event, wrong, "stop")
            list_validity.cancel(session, wrong, now)
        if entry.subject is not None:
            announce(session, event, entry, "announce.revoked", name=subject_name(entry), list=entry.list_kind)
        for wrong in undone:
            change_entry(session, event, wrong, "purge")
        session.flush()
        notices += red.undo_caused_removals(session, event, [e.id for e in undone])
        return StepResult(notices)


class DisputedRemoval:
    """An objection against a red-list removal: the withdrawal of incentives is suspended while it is verified."""

    def suspend(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        return red.suspend_withdrawal(session, event, case)  # the entry and its incentives in force again

    def resume(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        return red.complete_removal(session, event, case)  # the contested removal stands after all

    def correct(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        # measures "stop": the removal stands; "resume": it is reversed
        stands = event.params.get("measures") == "stop"
        return (red.complete_removal if stands else red.reverse_removal)(session, event, case)

    def revoke(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        return red.reverse_removal(session, event, case)  # the removal was wrong: entry and incentives restored


class DisputedCommitment:
    """An objection against a broken commitment in the credit file: it does not count while verified, and an
    upheld objection revokes it (kept, no longer a bad record). Never public, so nothing is announced."""

    @staticmethod
    def _set(session: Session, event: OutboxEvent, case: Case, effect: str, to: str, *, only_from: tuple[str, ...],
             correction: str = "") -> None:
        record = session.get(BrokenCommitment, (case.data or {}).get("broken_commitment_id"))
        if record is None or record.status not in only_from or not once(session, event.id, effect):
            return
        before, record.status = record.status, to
        if correction:
            record.correction = correction[:4000]
        history.record(session, actor=SYSTEM, action=effect, entity_type="broken_commitment", entity_id=record.id,
                       case_id=case.id, from_state=before, to_state=to, reason=correction[:2000],
                       data={"event_id": event.id})

    def suspend(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        self._set(session, event, case, "suspend_record", "suspended", only_from=("active",))
        return StepResult(opened_notices(session, event, case, "objection.accepted.record"))

    def resume(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        self._set(session, event, case, "resume_record", "active", only_from=("suspended",))
        return StepResult()

    def correct(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        upheld = event.params.get("measures") == "stop"  # "stop": it no longer counts; "resume": it stands, corrected
        self._set(session, event, case, "correct_record", "revoked" if upheld else "active",
                  only_from=("active", "suspended"), correction=str(event.params.get("correction", "")))
        return StepResult(self._undo_removals(session, event, case) if upheld else [])

    def revoke(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        self._set(session, event, case, "revoke_record", "revoked", only_from=("active", "suspended"),
                  correction=str(event.params.get("reason", "")))
        return StepResult(self._undo_removals(session, event, case))

    @staticmethod
    def _undo_removals(session: Session, event: OutboxEvent, case: Case) -> list[int]:
        """Like a wrong listing, a wrong broken commitment undoes the red-list removals it caused: the red entry
        and its incentives come back (unless the subject is on another list meanwhile)."""
        record = session.get(BrokenCommitment, (case.data or {}).get("broken_commitment_id"))
        if record is None or not once(session, event.id, "undo_commitment_removals"):
            return []
        notices: list[int] = []
        for row in session.scalars(select(PendingRedlistRemoval).where(
                PendingRedlistRemoval.case_id == record.case_id, PendingRedlistRemoval.consumed_by_case_id.is_not(None))):
            removal_case = session.get(Case, row.consumed_by_case_id)
            if removal_case is not None and removal_case.state in ("removed", "closed") \
                    and removal_case.list_entry is not None:
                notices += red.restore_removed(session, event, removal_case, removal_case.list_entry)
        return notices


DisputedRecord = DisputedListing | DisputedRemoval | DisputedCommitment


def following(session: Session, entry: ListEntry, status: EntryStatus = EntryStatus.ACTIVE) -> list[ListEntry]:
    """The entries that followed from this one in this status, unless an objection of their own is open."""
    return [e for e in list_lifecycle.derived_entries(session, entry)
            if e.status == status and open_case_on_entry(session, "objection", e.id) is None]


def disputed(case: Case) -> DisputedRecord:
    """What the objection disputes, by its target's kind: the one place that tells them apart."""
    if (case.data or {}).get("broken_commitment_id"):
        return DisputedCommitment()
    return DisputedRemoval() if removal_rules.is_against_removal(case) else DisputedListing()


@step
def suspend_listing(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Measures are not executed while the information is being verified (a contested removal: incentives kept)."""
    return disputed(case).suspend(session, event, case)


@step
def request_supplement(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant, or the complainant, is told what to supplement."""
    return StepResult(tell_parties(session, event, case, {"applicant": "objection.supplement",
                                                          "complainant": "complaint.supplement"},
                                   reason=event.params.get("reason", "")))


@step
def resume_listing(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The entry and its measures are active again, each implementing department told (a contested removal stands)."""
    return disputed(case).resume(session, event, case)


@step
def apply_correction(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The record is corrected; its measures resume or stop as the provider stated."""
    return disputed(case).correct(session, event, case)


@step
def revoke_listing(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Listed in error: measures stopped, a correction published, the entry purged (a removal: reversed)."""
    return disputed(case).revoke(session, event, case)


@step
def tell_result(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the result; a complainant is told the outcome, and the subject the result of the
    verification of its record (once one was opened: a complaint refused or withdrawn concerned it not)."""
    reason = event.params.get("reason") or event.params.get("correction") or ""
    if event.kind in ("confirm", "correct", "revoke"):
        return StepResult(tell_parties(session, event, case, {
            "applicant": "objection.result", "complainant": "complaint.result", "subject": "verification.result"},
            result=event.kind, reason=reason))
    if event.kind == "withdraw":  # a complainant withdrew it: no one else to tell
        return StepResult(tell_parties(session, event, case, {"applicant": "objection.result"}, result=event.kind,
                                       reason=reason))
    return StepResult(tell_parties(session, event, case, {"applicant": "objection.result",
                                                          "complainant": "complaint.result"},
                                   result=event.kind, reason=reason))


@step
def tell_office(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The accepting office is told a case waits for formal review (a department's finding waits for none)."""
    if origin_of(case) == "department":
        return StepResult()
    return StepResult(tell_role(session, event, case, Role.ACCEPTING_OFFICE, "objection.to_review"))


@step
def tell_provider(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The information provider is told to verify within its limit."""
    return StepResult(tell_role(session, event, case, Role.INFORMATION_PROVIDER, "objection.to_verify",
                                case.department_id))


@step
def erase_personal_data(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Last, once the result is told and pushed: the purged entry's data erased from every copy of it."""
    entry = case.list_entry
    if entry is None or entry.status != EntryStatus.PURGED or not once(session, event.id, "erase_personal_data"):
        return StepResult()
    erasure.erase_purged_entry(session, entry, SYSTEM, runtime().config.upload_dir)
    return StepResult()
