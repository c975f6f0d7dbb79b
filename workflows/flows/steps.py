"""The Prefect side of the processes: one named flow run per process per batch of events (ADR 0013).

The flow run carries the batch out on the fast path (workflows.steps.carry: each event's steps as plain calls in
one transaction, the e-mails over one SMTP connection); an event that fails there is tried again as a Prefect
task run with retries (the slow path, visible in the UI by its event and case). The flow run's name gives its
process and event numbers, its tags each case and event (`case:12`, `event:345`; as many as Prefect takes), and a
table artifact each event's outcome; a batch with an event still failing ends the flow run Failed, its message saying
how many.
Deliveries to the platform, to webhooks and by SMS are recorded by the steps and attempted by the worker's
delivery lane, not here (workflows/services/deliveries/outbound.py).
"""
from __future__ import annotations

import logging

from prefect import flow, tags, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed

from workflows.steps.carry import RETRY_DELAYS, Outcome, carry_out_alone, carry_out_batch, failures

log = logging.getLogger("credit_cases.flows")


@task(retries=len(RETRY_DELAYS), retry_delay_seconds=list(RETRY_DELAYS), cache_policy=NO_CACHE, persist_result=False,
      task_run_name="{kind}-event-{event_id}")
def retry_event(plan: dict[str, list[str]], event_id: int, kind: str) -> Outcome:
    return carry_out_alone(plan, event_id, kind)


def process_flow(name: str, plan: dict[str, list[str]]):
    """A process's Prefect flow: the consequences of a batch of its events, in order, each on its own. Ends
    Completed, or Failed when an event still fails (the worker reads which from `failed_of`); `.plan` is what it
    runs."""
    @flow(name=name, persist_result=False, log_prints=False, validate_parameters=False)
    async def run(events: list[tuple[int, str, int | None]]):
        outcomes = carry_out_batch(plan, events, lambda event_id, kind: retry_event(plan, event_id, kind))
        _outcomes[_key(events)] = outcomes  # for the worker in this process, whatever Prefect keeps of the state
        await _table(name, outcomes)
        failed = failures(outcomes)
        if failed:
            return Failed(message=f"{len(failed)} of {len(outcomes)} events to be tried again")
        return Completed(message=f"{len(outcomes)} events done")

    run.plan = plan
    return run


async def _table(name: str, outcomes: list[Outcome]) -> None:
    """Each event's outcome as the flow run's table artifact (best effort: the events are settled already)."""
    rows = [{"event": o.event_id, "case": o.case_id or "", "kind": o.kind, "e-mails": o.emails,
             "outcome": "failed, tried again later" if o.error else ("done on retry" if o.slow else "done")}
            for o in outcomes]
    try:
        await create_table_artifact(rows, description=f"{name}: {len(rows)} events")
    except Exception as error:  # noqa: BLE001 - a lost artifact loses no work
        log.warning("flow %s: its outcome table was not recorded (%s)", name, type(error).__name__)


def run_name(process: str, events: list[tuple[int, str, int | None]]) -> str:
    first, last = events[0][0], events[-1][0]
    return f"{process} event {first}" if first == last else f"{process} events {first}-{last}"


# Prefect refuses a flow run's event with more than 100 related resources, its tags among them
MAX_TAGS = 90


def labels(events: list[tuple[int, str, int | None]]) -> list[str]:
    """The flow run's tags, so the Prefect UI finds the run of a case's event: each case (`case:12`), then each
    event (`event:345`) as far as Prefect's limit allows (a full batch of 50 cases carries its cases and 40
    events; the run's name and its table artifact give every event)."""
    cases = sorted({case_id for _, _, case_id in events if case_id is not None})
    tags_ = [f"case:{case_id}" for case_id in cases] + [f"event:{event_id}" for event_id, _, _ in events]
    return tags_[:MAX_TAGS]


def start(process_flow_, process: str, events: list[tuple[int, str, int | None]]):
    """The coroutine of one named, tagged flow run of the batch, returning its final state."""
    async def go():
        with tags(*labels(events)):
            return await process_flow_.with_options(flow_run_name=run_name(process, events))(events, return_state=True)

    return go()


# the outcomes of the batches this process's flow runs carried out, by their events, until the worker takes them
_outcomes: dict[tuple[int, ...], list[Outcome]] = {}


def _key(events: list[tuple[int, str, int | None]]) -> tuple[int, ...]:
    return tuple(event_id for event_id, _, _ in events)


def failed_of(events: list[tuple[int, str, int | None]]) -> dict[int, str] | None:
    """{event id: error} of the batch's flow run, which ran in this process; None when it carried nothing out
    (Prefect refused to start it, or it broke before the end: every event again). Read from what the run left
    here, not from its final state, whose data Prefect need not hand back (results are not persisted)."""
    outcomes = _outcomes.pop(_key(events), None)
    return None if outcomes is None else failures(outcomes)
