"""The objection flow (异议处理): what happens after each objection event."""
from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.domain.lists import EntryStatus, ExitReason
from workflows.domain.roles import Role
from workflows.services import erasure
from workflows.services import redlist_removal as removal
from workflows.services.consequences import (
    SYSTEM, announce, change_entry, change_measures, once, tell_applicant, tell_role,
)
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case

from . import redlist_removal as red
from .base import StepResult, Steps
from .runtime import runtime

step = Steps("objection")

RESULTS = {
    "refuse": ("不予受理", "not accepted"),
    "confirm": ("经核实信息无误，维持原记录", "the information was verified as correct"),
    "correct": ("经核实信息部分有误，已更正", "the information was partly wrong and has been corrected"),
    "revoke": ("经核实信息有误，已撤销", "the information was wrong and has been revoked"),
    "withdraw": ("申请人已撤回异议", "withdrawn by the applicant"),
}


@step
def acknowledge(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the objection was received."""
    return StepResult(tell_applicant(session, event, case, f"异议申请已收到（案件 #{case.id}）",
                                     f"您的异议申请已提交，受理窗口将进行形式审查。\nObjection #{case.id} received."))


class DisputedListing:
    """An objection against a list entry: its measures are suspended while it is verified (Q V(6))."""

    def suspend(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        entry = case.list_entry
        notices = []
        if entry is not None and once(session, event.id, "suspend_listing"):
            change_entry(session, event, entry, "suspend")
            notices = change_measures(session, event, entry, "suspend")
        return StepResult(notices + tell_applicant(
            session, event, case, f"异议已受理（案件 #{case.id}）",
            f"您的异议已受理，核查期间相关联合惩戒措施暂停执行。\nObjection #{case.id} accepted; the measures are suspended."))

    def resume(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        entry = case.list_entry
        if entry is None or entry.status != EntryStatus.SUSPENDED or not once(session, event.id, "resume_listing"):
            return StepResult()
        change_entry(session, event, entry, "resume")
        return StepResult(change_measures(session, event, entry, "resume"))

    def correct(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        entry = case.list_entry
        if entry is None or not once(session, event.id, "apply_correction"):
            return StepResult()
        if event.params.get("measures") == "stop":
            notices = change_measures(session, event, entry, "stop")
            change_entry(session, event, entry, "exit", ExitReason.OBJECTION_UPHELD)
            announce(session, event, entry, "correction", f"信用信息更正公告（{entry.subject.name}）",
                     f"经信息提供单位核实，{entry.subject.name}的相关信息部分有误，已予更正并停止相关措施。")
            return StepResult(notices)
        change_entry(session, event, entry, "resume")
        return StepResult(change_measures(session, event, entry, "resume"))

    def revoke(self, session: Session, event: OutboxEvent, case: Case) -> StepResult:
        entry = case.list_entry
        if entry is not None and entry.list_kind == "red" and entry.is_open:  # red-list removal with purge
            return red.remove_revoked(session, event, case)
        if entry is None or not once(session, event.id, "revoke_listing"):
            return StepResult()
        notices = change_measures(session, event, entry, "stop")
        if entry.subject is not None:
            name = entry.subject.name if entry.subject.kind == "enterprise" else entry.subject.name[:1] + "**"
            announce(session, event, entry, "correction", f"信用信息撤销公告（{name}）",
                     f"经信息提供单位核实，原公示的{name}相关{_list_name(entry.list_kind)}信息有误，现予撤销，特此公告，"
                     f"恢复其信誉。\nThe listing was found to be wrong and has been revoked.")
        change_entry(session, event, entry, "purge")
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


DisputedRecord = DisputedListing | DisputedRemoval


def disputed(case: Case) -> DisputedRecord:
    """What the objection disputes, by its target's kind: the one place that tells them apart."""
    return DisputedRemoval() if removal.is_against_removal(case) else DisputedListing()


@step
def suspend_listing(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Measures are not executed while the information is being verified (a contested removal: incentives kept)."""
    return disputed(case).suspend(session, event, case)


@step
def request_supplement(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told what to supplement."""
    reason = event.params.get("reason", "")
    return StepResult(tell_applicant(session, event, case, f"请补正异议材料（案件 #{case.id}）",
                                     f"受理窗口要求补正材料：{reason}\nPlease supplement your objection: {reason}"))


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
    """The applicant is told the result."""
    zh, en = RESULTS.get(event.kind, (event.kind, event.kind))
    reason = event.params.get("reason") or event.params.get("correction") or ""
    return StepResult(tell_applicant(session, event, case, f"异议处理结果：{zh}（案件 #{case.id}）",
                                     f"处理结果：{zh}。{reason}\nResult of objection #{case.id}: {en}. {reason}"))




@step
def tell_office(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The accepting office is told a case waits for formal review."""
    return StepResult(tell_role(session, event, case, Role.ACCEPTING_OFFICE, f"新异议申请待审查（案件 #{case.id}）",
                                f"案件 #{case.id} 等待形式审查。"))


@step
def tell_provider(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The information provider is told to verify within its limit."""
    return StepResult(tell_role(session, event, case, Role.INFORMATION_PROVIDER, f"异议待核实（案件 #{case.id}）",
                                f"案件 #{case.id} 已受理，请在规定期限内核实并反馈。", case.department_id))


@step
def erase_personal_data(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Last, once the result is told and pushed: the purged entry's data erased from every copy of it."""
    entry = case.list_entry
    if entry is None or entry.status != EntryStatus.PURGED or not once(session, event.id, "erase_personal_data"):
        return StepResult()
    erasure.erase_purged_entry(session, entry, SYSTEM, runtime().config.upload_dir)
    return StepResult()


def _list_name(kind: str) -> str:
    return {"red": "红名单", "black": "黑名单", "key_attention": "重点关注名单"}.get(kind, kind)
