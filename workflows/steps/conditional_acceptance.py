"""The green-channel flow (容缺受理): what happens after each conditional-acceptance event.

Every event first brings the material deadlines in line (idempotent; the pages already did it for their
own actions). A missed materials deadline is this process's breach: the flow applies the system action
`commitment_breached`, whose consequences write the broken commitment, queue the red-list entries for
removal and tell the applicant and the supervisors. Other deadlines escalate as in every process.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.domain.roles import Role
from workflows.services import green_records, material_deadlines
from workflows.services.cases import take_action
from workflows.services.conditional_acceptance import SYSTEM, after_action, application_of, materials_state
from workflows.services.consequences import once, tell_applicant, tell_role
from workflows.services.notify import notify, users_with_role
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case, Timer
from workflows.store.models import ListEntry

from . import timers as timer_events
from .base import StepResult, Steps

step = Steps("conditional_acceptance")

RESULTS = {
    "refuse": ("不予受理", "not accepted"),
    "refuse_licence": ("不予许可", "the licence is refused"),
    "publish": ("准予许可并已公示", "the licence is granted and published"),
    "commitment_breached": ("未按承诺补齐材料，申请终止", "the materials were not supplied as committed: the application ends"),
}


def _matter(session: Session, case: Case) -> str:
    application = application_of(session, case)
    return application.matter_name if application else ""


@step
def keep_deadlines(session: Session, event: OutboxEvent, case: Case) -> None:
    """The material and processing deadlines follow the materials' state; all verified moves the case on."""
    after_action(session, case, utcnow())


@step
def acknowledge(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the application and its commitment were received."""
    matter = _matter(session, case)
    return StepResult(tell_applicant(session, event, case, f"容缺受理申请已收到（案件 #{case.id}）",
                                     f"您的“{matter}”容缺受理申请及信用承诺书已提交，许可部门窗口将进行审查。\n"
                                     f"Green-channel application #{case.id} for {matter} received."))


@step
def tell_window(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The licensing department's window is told what waits on it."""
    what = {"file": "新的容缺受理申请待审查", "submit_materials": "申请人已补交材料，待核验"}.get(event.kind, "案件待办理")
    return StepResult(tell_role(session, event, case, Role.IMPLEMENTING_DEPARTMENT, f"{what}（案件 #{case.id}）",
                                f"“{_matter(session, case)}”案件 #{case.id}：{what}。", case.department_id))


@step
def issue_notice(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant receives the notice of conditional acceptance: each missing item and its deadline."""
    items = "\n".join(f"{i.line.name}：{i.due_on.isoformat()}" for i in materials_state(session, case).missing()
                      if i.due_on)
    return StepResult(tell_applicant(
        session, event, case, f"容缺受理通知书（案件 #{case.id}）",
        f"您的“{_matter(session, case)}”申请已容缺受理。请在下列期限内补齐材料：\n{items}\n"
        f"逾期未补齐的，申请终止并记录未履行承诺。\nAccepted against your commitment; supply each item by its date."))


@step
def tell_materials(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told an item was verified, or rejected and why (its deadline runs on)."""
    params = event.params
    item = materials_state(session, case).item(int(params.get("item") or 0))
    name = item.line.name if item else ""
    if params.get("result") == "rejected":
        due = item.due_on.isoformat() if item and item.due_on else ""
        subject = f"补交材料未通过核验（案件 #{case.id}）"
        body = (f"材料“{name}”未通过核验：{params.get('reason', '')}\n请在 {due} 前重新提交（期限不因退回而中止）。\n"
                f"'{name}' was rejected: {params.get('reason', '')}. Submit it again by {due}.")
    else:
        subject, body = f"补交材料已核验（案件 #{case.id}）", f"材料“{name}”已核验通过。\n'{name}' was verified."
    return StepResult(tell_applicant(session, event, case, subject, body))


@step
def tell_extension(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the new deadlines after the one extension."""
    items = "\n".join(f"{i.line.name}：{i.due_on.isoformat()}" for i in materials_state(session, case).outstanding()
                      if i.due_on)
    return StepResult(tell_applicant(session, event, case, f"补交材料期限已延长（案件 #{case.id}）",
                                     f"延期理由：{event.params.get('reason', '')}\n新的期限：\n{items}"))


@step
def tell_complete(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """Everyone concerned is told that every material is in and verified: the decision comes next."""
    ids = tell_applicant(session, event, case, f"材料已齐全（案件 #{case.id}）",
                         f"您补交的材料已全部核验通过，许可部门将作出决定。\nAll materials verified for case #{case.id}.")
    ids += tell_role(session, event, case, Role.IMPLEMENTING_DEPARTMENT, f"材料已齐全，待作出许可决定（案件 #{case.id}）",
                     f"案件 #{case.id} 材料已全部核验，请在承诺时限内作出决定。", case.department_id)
    return StepResult(ids)


@step
def publish_grant(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The granted licence is published on the public list, which completes the publication deadline."""
    if case.state == "granted":
        green_records.publish_grant(session, case, str(event.params.get("licence_no", "")), event.created_at)
        take_action(session, case.id, "publish", SYSTEM)
    matter = _matter(session, case)
    return StepResult(tell_applicant(session, event, case, f"准予许可（案件 #{case.id}）",
                                     f"您申请的“{matter}”已准予许可，许可证号：{event.params.get('licence_no', '')}。"
                                     f"\nThe licence for {matter} is granted."))


@step
def tell_result(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is told the result."""
    zh, en = RESULTS.get(event.kind, (event.kind, event.kind))
    reason = event.params.get("reason") or event.params.get("items") or ""
    return StepResult(tell_applicant(session, event, case, f"容缺受理结果：{zh}（案件 #{case.id}）",
                                     f"处理结果：{zh}。{reason}\nResult of case #{case.id}: {en}. {reason}"))



@step
def record_breach(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """A broken-commitment record goes into the subject's credit file; its red-list entries go to removal."""
    if not once(session, event.id, "record_breach"):
        return StepResult()
    green_records.record_broken_commitment(session, case)
    ids = []
    for row in green_records.queue_redlist_removal(session, case, SYSTEM):
        entry = session.get(ListEntry, row.list_entry_id)
        ids += notify(session, users_with_role(session, Role.LISTING_DEPARTMENT, entry.department_id),
                      kind="redlist_removal_pending", key=f"e{event.id}:redlist:{entry.id}", case_id=case.id,
                      subject=f"红名单条目待移出：未履行信用承诺（条目 #{entry.id}）",
                      body=f"{case.subject.name if case.subject else ''}未按承诺补齐材料（案件 #{case.id}），"
                           f"其红名单条目 #{entry.id} 已列入待移出。\nRed-list entry #{entry.id} is queued for removal.")
    return StepResult(ids)


@step
def tell_breach(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant and the supervisors are told the commitment was broken."""
    items = event.params.get("items", "")
    body = (f"案件 #{case.id}（{_matter(session, case)}）未在期限 {event.params.get('deadline', '')} 前补齐材料：{items}。"
            f"申请终止，未履行承诺已记入信用档案。\nCase #{case.id}: the committed materials were not supplied in time.")
    ids = tell_applicant(session, event, case, f"未履行信用承诺（案件 #{case.id}）", body)
    ids += tell_role(session, event, case, Role.SUPERVISOR, f"未履行信用承诺（案件 #{case.id}）", body)
    ids += tell_role(session, event, case, Role.IMPLEMENTING_DEPARTMENT, f"未履行信用承诺（案件 #{case.id}）", body,
                     case.department_id)
    return StepResult(ids)


def _timer(session: Session, event: OutboxEvent) -> Timer | None:
    return session.get(Timer, event.payload.get("timer_id"))


@step
def warn(session: Session, event: OutboxEvent, case: Case) -> StepResult:
    """The applicant is warned before a materials deadline; other deadlines warn their owner."""
    timer = _timer(session, event)
    if timer is None or timer.kind != material_deadlines.MATERIALS:
        return timer_events.warn(session, event, case)
    due = event.payload.get("due_on", "")
    return StepResult(tell_applicant(session, event, case, f"补交材料期限即将届满（案件 #{case.id}）",
                                     f"请在 {due} 前补齐承诺的材料，逾期将记录未履行承诺。\n"
                                     f"Supply the committed materials by {due}."))


@step
def breach(session: Session, event: OutboxEvent, case: Case) -> StepResult | None:
    """A missed materials deadline ends the case as commitment_breached; other deadlines escalate to supervisors."""
    timer = _timer(session, event)
    if timer is None or timer.kind != material_deadlines.MATERIALS:
        return timer_events.breach(session, event, case)
    material_deadlines.breach(session, case, timer, utcnow())
    return None


@step
def escalate(session: Session, event: OutboxEvent, case: Case) -> StepResult | None:
    """Still overdue after the set number of working days: the head of supervision is told."""
    timer = _timer(session, event)
    if timer is not None and timer.kind == material_deadlines.MATERIALS:
        return None  # a missed materials deadline already ended the case
    return timer_events.escalate(session, event, case)
