"""The red-list removal flow (红名单退出): what happens after each removal event, and after each event of an
objection against a removal (called from the objection flow's steps)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.domain.lists import EntryStatus, MeasureStatus
from workflows.domain.roles import Role
from workflows.processes.redlist_removal import CONTESTABLE, TRIGGERS
from sla import calendar
from workflows.services import erasure, history, list_lifecycle, notify
from workflows.services import redlist_removal as removal
from workflows.services.cases import take_action
from workflows.services.consequences import (
    LIST_NAMES, SYSTEM, announce, change_entry, change_measures, once, tell_role,
)
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case
from workflows.store.models import ListEntry, User

from .base import StepResult, Steps
from .runtime import runtime

step = Steps("redlist_removal")

WHY = {
    "objection_revoked": ("经异议处理认定有误", "the listing was found to be wrong on objection"),
    "blacklisted": ("已被列入黑名单或重点关注名单", "the subject was put on the blacklist or key-attention list"),
    "abuse": ("存在不当利用红名单激励的行为", "abuse of red-list incentives was confirmed"),
    "broken_commitment": ("未履行信用承诺", "a written credit commitment was broken"),
    "expired": ("有效期届满", "the validity period ended"),
    "criteria_changed": ("认定标准发生改变，不再符合条件", "the criteria changed and the entry no longer qualifies"),
}


def _name(case: Case) -> str:
    subject = case.subject
    if subject is None:
        return f"#{case.list_entry_id}"
    return subject.name if subject.kind == "enterprise" else subject.name[:1] + "**"


def trigger_of(case: Case) -> str:
    """The case's trigger; a purged entry's case texts may already be erased, and only an error is purged."""
    trigger = (case.data or {}).get("trigger")
    if trigger in TRIGGERS:
        return trigger
    return "objection_revoked" if case.list_entry is not None and case.list_entry.status == "purged" else "abuse"


def _why(case: Case) -> tuple[str, str]:
    return WHY[trigger_of(case)]


def tell_departments(session: Session, event: OutboxEvent, case: Case, entry: ListEntry, status: str,
                     verb_zh: str) -> list[int]:
    """Each implementing department told, once per measure, of what happened to its incentive."""
    ids: list[int] = []
    for measure in entry.measures:
        if measure.status != status:
            continue
        name = measure.catalogue.name
        ids += notify.notify(
            session, notify.users_with_role(session, Role.IMPLEMENTING_DEPARTMENT, measure.department_id),
            kind=f"measure_{status}", key=f"e{event.id}:m{measure.id}:{status}", case_id=case.id,
            subject=f"请{verb_zh}联合激励措施：{name}（{_name(case)}）",
            body=(f"红名单条目 #{entry.id}（{_name(case)}）的激励措施“{name}”已{verb_zh}。原因：{_why(case)[0]}。"
                  f"案件 #{case.id}。\nIncentive '{measure.catalogue.name_en or name}' on red-list entry #{entry.id}: "
                  f"{status} ({_why(case)[1]})."))
    return ids


def tell_subject(session: Session, event: OutboxEvent, case: Case, subject: str, body: str) -> list[int]:
    users = list(session.scalars(select(User).where(User.subject_id == case.subject_id,
                                                    User.claim_status == "confirmed"))) if case.subject_id else []
    return notify.notify(session, users, kind=f"case_{event.kind}", key=f"e{event.id}:subject", case_id=case.id,
                         subject=subject, body=body)


@step
def stop_incentives(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Every incentive is stopped (already, in the deciding transaction) and each implementing department told."""
    entry = case.list_entry
    if entry is None:
        return StepResult()
    if entry.status in removal.OPEN:  # a decision that reached the database without its follow-up
        removal.apply_removal(session, case, utcnow())
    return StepResult(tell_departments(session, event, case, entry, MeasureStatus.STOPPED.value, "停止执行"))


@step.named("announce")
def announce_exit(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """An exit announcement through the original channel; a correction when the listing was an error."""
    entry = case.list_entry
    if entry is None or not once(session, event.id, "announce"):
        return StepResult()
    zh, en = _why(case)
    if TRIGGERS[trigger_of(case)] is None:
        announce(session, event, entry, "correction", f"信用信息撤销公告（{_name(case)}）",
                 f"经核实，原公示的{_name(case)}红名单信息有误，现予删除，特此公告。\nThe red listing was wrong and is deleted.")
    else:
        announce(session, event, entry, "exit", f"红名单退出公告（{_name(case)}）",
                 f"{_name(case)}因{zh}，自即日起退出{LIST_NAMES['red']}，停止享受相关激励措施。\n"
                 f"{_name(case)} leaves the red list: {en}; its incentives are stopped.")
    return StepResult()


@step.named("tell_subject")
def tell_result(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The subject is told why it left the red list, and whether it may object."""
    zh, en = _why(case)
    may_object = trigger_of(case) in CONTESTABLE
    return StepResult(tell_subject(
        session, event, case, f"红名单退出通知（案件 #{case.id}）",
        f"您的红名单条目 #{case.list_entry_id} 因{zh}已退出红名单，相关激励措施停止执行。"
        + ("如有异议，可提出异议申请，核查期间暂停撤销激励措施。" if may_object else "")
        + f"\nYour red-list entry #{case.list_entry_id} was removed: {en}."
        + (" You may object; while it is verified the incentives stay in force." if may_object else "")))


@step
def tell_lister(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The listing department is told an abuse report waits for its decision."""
    return StepResult(tell_role(session, event, case, Role.LISTING_DEPARTMENT,
                                f"红名单激励滥用举报待认定（案件 #{case.id}）",
                                f"红名单条目 #{case.list_entry_id}（{_name(case)}）被举报不当利用激励，请在规定期限内认定。"
                                f"\nAn abuse report on red-list entry #{case.list_entry_id} waits for your decision.",
                                case.department_id))


@step
def tell_reporter(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The reporting department is told the outcome of its report."""
    if case.applicant is None:
        return StepResult()
    outcome = {"report": ("已收到", "received"), "confirm_abuse": ("已认定，红名单条目已移出", "confirmed: removed"),
               "dismiss": ("不予认定", "dismissed")}.get(event.kind, (event.kind, event.kind))
    reason = event.params.get("reason", "")
    return StepResult(notify.notify(session, [case.applicant], kind=f"case_{event.kind}", key=f"e{event.id}:reporter",
                                    case_id=case.id, subject=f"红名单滥用举报{outcome[0]}（案件 #{case.id}）",
                                    body=f"{outcome[0]}。{reason}\nAbuse report #{case.id}: {outcome[1]}. {reason}"))




@step
def erase_personal_data(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Last, for an entry listed in error: its data erased from every copy, the notices just sent included."""
    entry = case.list_entry
    if entry is not None and entry.status == EntryStatus.PURGED.value and once(session, event.id, "erase"):
        erasure.erase_purged_entry(session, entry, SYSTEM, runtime().config.upload_dir)
    return StepResult()


# --- an objection against a removal: called by the objection flow's steps ---


def _contested(session: Session, case: Case) -> tuple[Case | None, ListEntry | None]:
    removal_case = session.get(Case, case.data.get("against_removal"))
    return removal_case, case.list_entry


def _note(session: Session, event: OutboxEvent, removal_case: Case, action: str, entry: ListEntry) -> None:
    """The removal case's history shows what the objection against it did."""
    history.record(session, actor=SYSTEM, action=action, entity_type="case", entity_id=removal_case.id,
                   case_id=removal_case.id, to_state=entry.status,
                   data={"event_id": event.id, "objection_case_id": event.case_id, "list_entry_id": entry.id})


def suspend_withdrawal(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Objection accepted: the withdrawal is suspended, so the entry and its incentives are in force again."""
    removal_case, entry = _contested(session, case)
    if entry is None or removal_case is None or not once(session, event.id, "suspend_withdrawal"):
        return StepResult()
    notices: list[int] = []
    if entry.status == EntryStatus.EXITED.value and removal.other_open_listing(session, entry) is None:
        change_entry(session, event, entry, "restore")
        notices = change_measures(session, event, entry, "restore")
        if entry.valid_until >= calendar.local_date(utcnow()):
            list_lifecycle.start_validity_timer(session, entry, utcnow())
        _note(session, event, removal_case, "removal_contested", entry)
    return StepResult(notices + tell_subject(
        session, event, case, f"异议已受理（案件 #{case.id}）",
        f"您对红名单移出的异议已受理，核查期间暂停撤销激励措施，相关激励措施继续执行。\n"
        f"Objection #{case.id} accepted: while it is verified, the incentives stay in force."))


def complete_removal(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The removal stands (confirmed, or the objection withdrawn): the entry exits again, incentives stop."""
    removal_case, entry = _contested(session, case)
    if entry is None or removal_case is None or entry.status not in removal.OPEN \
            or not once(session, event.id, "complete_removal"):
        return StepResult()
    notices = change_measures(session, event, entry, "stop")
    change_entry(session, event, entry, "exit", TRIGGERS[removal_case.data["trigger"]])
    removal.cancel_validity_timer(session, entry, utcnow())
    _note(session, event, removal_case, "removal_upheld", entry)
    return StepResult(notices)


def reverse_removal(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The removal was wrong: the entry and its incentives are restored, and the correction announced."""
    removal_case, entry = _contested(session, case)
    if entry is None or removal_case is None or not once(session, event.id, "reverse_removal"):
        return StepResult()
    notices: list[int] = []
    if entry.status == EntryStatus.EXITED.value and removal.other_open_listing(session, entry) is None:
        change_entry(session, event, entry, "restore")  # withdrawn before acceptance was not possible; decided now
        notices = change_measures(session, event, entry, "restore")
    if entry.status == EntryStatus.ACTIVE.value:
        _note(session, event, removal_case, "removal_reversed", entry)
        announce(session, event, entry, "correction", f"红名单恢复公告（{_name(case)}）",
                 f"经异议核查，{_name(case)}的红名单移出决定有误，现恢复其红名单资格及相关激励措施，特此公告。\n"
                 f"The red-list removal of {_name(case)} was wrong; the entry and its incentives are restored.")
    return StepResult(notices)


def remove_revoked(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """An objection revoked a red-list entry: red-list removal with purge (no record kept)."""
    entry = case.list_entry
    if entry is not None and entry.status in removal.OPEN and once(session, event.id, "revoke_red_listing"):
        pending = removal.open_removal_case(session, entry.id)
        if pending is not None and pending.state == "reported":
            take_action(session, pending.id, "supersede", SYSTEM)
        removal.open_removal(session, entry, "objection_revoked", actor=SYSTEM,
                             reason=str(event.params.get("reason", "")))
    return StepResult()
