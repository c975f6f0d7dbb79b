"""The Prefect side of the flows: a task run per step (workflows.steps) and per outside call, with retries, and
the flow factory that turns a plan into a process's named flow."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from workflows.services.deliveries import notify, platform, webhooks
from workflows.steps import STEPS, StepResult
from workflows.steps.runtime import runtime, session_scope
from workflows.store.automation import OutboxEvent, PlatformDelivery
from workflows.store.cases import Case


@task(retries=3, retry_delay_seconds=[0.5, 2, 5], cache_policy=NO_CACHE, task_run_name="{name}-event-{event_id}")
def run_step(name: str, event_id: int) -> StepResult:
    with session_scope() as session:
        event = session.get(OutboxEvent, event_id)
        if event is None:
            return StepResult()
        case = session.get(Case, event.case_id) if event.case_id else None  # None: a list entry's event
        return STEPS[name](session, event, case) or StepResult()


@task(retries=3, retry_delay_seconds=[0.5, 2, 5], cache_policy=NO_CACHE, task_run_name="email-{notification_id}")
def send_email(notification_id: int) -> bool:
    with session_scope() as session:
        return notify.send_email(session, notification_id, runtime().config)


@task(retries=4, retry_delay_seconds=[0.5, 1, 2, 4], cache_policy=NO_CACHE, task_run_name="platform-{delivery_id}")
def deliver_to_platform(delivery_id: int) -> bool:
    with runtime().sessions() as session:
        return platform.attempt(session, delivery_id)


@task(retries=4, retry_delay_seconds=[0.5, 1, 2, 4], cache_policy=NO_CACHE, task_run_name="webhook-{delivery_id}")
def deliver_webhook(delivery_id: int) -> bool:
    """One signed POST to a department's endpoint; Prefect retries it with growing delays."""
    with runtime().sessions() as session:
        return webhooks.attempt(session, delivery_id, allowed_hosts=runtime().config.webhook_allowed_hosts)


@dataclass(frozen=True)
class Runner:
    """How a flow's work is carried out: as Prefect task runs (the worker), or as the same functions called in
    this process with the same number of attempts and no waits between them (most flow tests)."""
    step: Callable[[str, int], StepResult]
    email: Callable[[int], bool]
    platform: Callable[[int], bool]
    webhook: Callable[[int], bool]


def _attempts(task_) -> Callable:
    """The task's own function, tried as often as the task would be (1 + retries), without the delays."""
    def call(*args):
        for _ in range(task_.retries):
            try:
                return task_.fn(*args)
            except Exception:  # noqa: BLE001, S112 - as Prefect retries any failure
                continue
        return task_.fn(*args)  # the last attempt: its failure is the caller's

    return call


PREFECT_TASKS = Runner(run_step, send_email, deliver_to_platform, deliver_webhook)
IN_PROCESS = Runner(*(_attempts(t) for t in (run_step, send_email, deliver_to_platform, deliver_webhook)))


def carry_out(plan: dict[str, list[str]], event_id: int, kind: str, runner: Runner = PREFECT_TASKS) -> None:
    """Run the steps planned for this kind of event, then the e-mails and deliveries they produced."""
    for name in plan.get(kind, []):
        result = runner.step(name, event_id)
        for notification_id in result.notifications:
            runner.email(notification_id)
        if result.delivery_id is not None:
            try:
                runner.platform(result.delivery_id)
            except platform.DeliveryFailed:
                _mark_delivery_failed(result.delivery_id)
        deliver_webhooks(event_id, runner)
    if kind in plan:
        send_left_over_emails(event_id, runner)


def process_flow(name: str, plan: dict[str, list[str]]):
    """A process's Prefect flow: the consequences of a batch of its events, in order; `.plan` is what it runs."""
    @flow(name=name, log_prints=False)
    async def run(events: list[tuple[int, str]]) -> int:
        for event_id, kind in events:
            carry_out(plan, event_id, kind)
        return len(events)

    run.plan = plan
    return run


def send_left_over_emails(event_id: int, runner: Runner = PREFECT_TASKS) -> None:
    """A worker killed between a step's commit and its e-mails left them unsent: a later attempt sends them."""
    if not runtime().config.smtp_host:
        return
    with session_scope() as session:
        event = session.get(OutboxEvent, event_id)
        unsent = notify.unsent_for_event(session, event_id) if event is not None and event.attempts > 1 else []
    for notification_id in unsent:
        runner.email(notification_id)


def deliver_webhooks(event_id: int, runner: Runner = PREFECT_TASKS) -> None:
    """The departments' webhook messages the event's steps produced (measure changes)."""
    with session_scope() as session:
        pending = webhooks.pending_for_event(session, event_id)
    for delivery_id in pending:
        try:
            runner.webhook(delivery_id)
        except webhooks.DeliveryFailed:
            with session_scope() as session:
                webhooks.give_up(session, delivery_id)


def _mark_delivery_failed(delivery_id: int) -> None:
    with session_scope() as session:
        delivery = session.get(PlatformDelivery, delivery_id)
        if delivery is not None and delivery.status != "delivered":
            delivery.status = "failed"
