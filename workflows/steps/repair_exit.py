"""The credit repair flow (信用修复): what happens after each repair event."""
from __future__ import annotations

from sqlalchemy.orm import Session

from sla import calendar
from workflows.domain.lists import EntryStatus, ExitReason
from workflows.domain.roles import Role
from workflows.processes.repair_exit import key_attention_until
from workflows.services.consequences import once, tell_applicant, tell_role
from workflows.services.list_lifecycle import exit_blacklist
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case

from .base import StepResult, Steps

step = Steps("repair_exit")

RESULTS = {
    "refuse": ("不予受理", "not accepted"),
    "approve": ("准予信用修复，提前移出黑名单", "approved: the subject leaves the blacklist early"),
    "deny": ("不予信用修复", "denied"),
    "withdraw": ("申请人已撤回申请", "withdrawn by the applicant"),
}


@step
def acknowledge(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the signed application was received."""
    return StepResult(tell_applicant(session, event, case, f"信用修复申请已收到（案件 #{case.id}）",
                                     f"您的信用修复申请及承诺书已提交，受理窗口将进行形式审查。\n"
                                     f"Credit repair application #{case.id} received."))


@step
def tell_office(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The accepting office is told an application waits for formal review."""
    return StepResult(tell_role(session, event, case, Role.ACCEPTING_OFFICE, f"信用修复申请待审查（案件 #{case.id}）",
                                f"案件 #{case.id} 等待形式审查。"))


@step
def accepted(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told; the listing department is told to decide within its limit."""
    ids = tell_applicant(session, event, case, f"信用修复申请已受理（案件 #{case.id}）",
                         f"您的信用修复申请已受理，转认定部门审核。\nRepair application #{case.id} accepted.")
    ids += tell_role(session, event, case, Role.LISTING_DEPARTMENT, f"信用修复申请待审核（案件 #{case.id}）",
                     f"案件 #{case.id} 已受理，请在规定期限内作出是否准予修复的决定。", case.department_id)
    return StepResult(ids)


@step
def request_supplement(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told what to supplement (the acceptance clock is paused meanwhile)."""
    reason = event.params.get("reason", "")
    return StepResult(tell_applicant(session, event, case, f"请补正信用修复材料（案件 #{case.id}）",
                                     f"受理窗口要求补正材料：{reason}\nPlease supplement your application: {reason}"))


@step
def exit_listing(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Approved: the entry exits (repaired), its measures stop, the exit is announced, key-attention follows."""
    entry = case.list_entry
    if entry is None or entry.status not in (EntryStatus.ACTIVE, EntryStatus.SUSPENDED):
        return StepResult()
    if not once(session, event.id, "exit_listing"):
        return StepResult()
    until = key_attention_until(event.params, calendar.local_date(event.created_at))
    return StepResult(exit_blacklist(session, event, entry, ExitReason.REPAIRED, until, event.created_at,
                                     case_no=case.id))


@step
def tell_result(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the result, with the reasons of a denial or the key-attention validity."""
    zh, en = RESULTS.get(event.kind, (event.kind, event.kind))
    params = event.params
    extra = params.get("reason") or ""
    if event.kind == "approve":
        until = key_attention_until(params, calendar.local_date(event.created_at)).isoformat()
        extra = f"已列入重点关注名单，有效期至 {until}。 (key-attention list until {until}) {extra}"
    return StepResult(tell_applicant(session, event, case, f"信用修复结果：{zh}（案件 #{case.id}）",
                                     f"处理结果：{zh}。{extra}\nResult of repair application #{case.id}: {en}. "))


