"""The Prefect side of the flows: a task run per step (workflows.steps) and per e-mail, with retries, and the flow
factory that turns a plan into a process's named flow. Deliveries to the platform, to webhooks and by SMS are
recorded by the steps (an SMS with its notice, in the step's transaction) and not attempted here: the worker's
delivery lane does (workflows/services/deliveries/outbound.py)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from workflows.services.deliveries import notify, sms
from workflows.steps import STEPS, StepResult
from workflows.steps.runtime import runtime, session_scope
from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case


@task(retries=3, retry_delay_seconds=[0.5, 2, 5], cache_policy=NO_CACHE, task_run_name="{name}-event-{event_id}")
def run_step(name: str, event_id: int) -> StepResult:
    with session_scope() as session:
        event = session.get(OutboxEvent, event_id)
        if event is None:
            return StepResult()
        case = session.get(Case, event.case_id) if event.case_id else None  # None: a list entry's event
        result = STEPS[name](session, event, case) or StepResult()
        sms.record(session, result.notifications, runtime().config)  # owed with the notices, in their transaction
        return result


@task(retries=3, retry_delay_seconds=[0.5, 2, 5], cache_policy=NO_CACHE, task_run_name="email-{notification_id}")
def send_email(notification_id: int) -> bool:
    with session_scope() as session:
        return notify.send_email(session, notification_id, runtime().config)


@dataclass(frozen=True)
class Runner:
    """How a flow's work is carried out: as Prefect task runs (the worker), or as the same functions called in
    this process with the same number of attempts and no waits between them (most flow tests)."""
    step: Callable[[str, int], StepResult]
    email: Callable[[int], bool]


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


PREFECT_TASKS = Runner(run_step, send_email)
IN_PROCESS = Runner(*(_attempts(t) for t in (run_step, send_email)))


def carry_out(plan: dict[str, list[str]], event_id: int, kind: str, runner: Runner = PREFECT_TASKS) -> None:
    """Run the steps planned for this kind of event, then the e-mails they produced. What the steps owe the
    platform and the departments' webhooks they queued for the worker's delivery lane: no endpoint is waited on
    here (workflows/services/deliveries/outbound.py)."""
    for name in plan.get(kind, []):
        result = runner.step(name, event_id)
        for notification_id in result.notifications:
            runner.email(notification_id)
    if kind in plan:
        send_left_over_emails(event_id, runner)


def carry_out_each(plan: dict[str, list[str]], events: list[tuple[int, str]],
                   runner: Runner = PREFECT_TASKS) -> dict[int, str]:
    """Each event of a batch on its own: one that fails (its attempts spent) is reported, and the others are
    carried out all the same. Returns {event id: error} of those that failed."""
    failed = {}
    for event_id, kind in events:
        try:
            carry_out(plan, event_id, kind, runner)
        except Exception as error:  # noqa: BLE001 - any failure is this event's alone: retried later by itself
            failed[event_id] = f"{type(error).__name__}: {error}"
    return failed


def process_flow(name: str, plan: dict[str, list[str]]):
    """A process's Prefect flow: the consequences of a batch of its events, in order, each on its own; returns
    {event id: error} of the events that failed; `.plan` is what it runs."""
    @flow(name=name, log_prints=False)
    async def run(events: list[tuple[int, str]]) -> dict[int, str]:
        return carry_out_each(plan, events)

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
