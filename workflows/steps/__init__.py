"""Every step, by its full name, assembled in one place; and each process's plan read from its definition.

An action of a process definition names what follows it (`Action(..., then=("suspend_listing",
"tell_provider"))`): a plain name is one of the process's own steps, a dotted one is shared ("timer.warn").
`plan_of` turns a definition into {event kind: [step names]} and refuses a name that is no step, so a
misspelling fails when the flows are assembled, not at run time. The listing and list-entry events, which are
no case process, have their plans here.
"""
from __future__ import annotations

from workflows.domain.process import ProcessDefinition
from workflows.processes import DEFINITIONS

from . import (case, conditional_acceptance, instructions, list_lifecycle, listing, objection, redlist_removal,
               repair_exit, supervision, timers)
from .base import Step, StepResult, Steps

STEPS: dict[str, Step] = {
    **objection.step, **repair_exit.step, **conditional_acceptance.step, **redlist_removal.step,
    **case.step, **listing.step, **list_lifecycle.step, **timers.step, **supervision.step,
    **instructions.step, **instructions.reports,
}

# events that are no action of a case process: a listing's fan-out, and a list entry's own timer and escalation
EVENT_PLANS: dict[str, dict[str, list[str]]] = {
    "listing": {"listed": ["listing.tell_departments", "listing.tell_subjects"]},
    "lists": list_lifecycle.PLAN,
    "instructions": instructions.PLAN,  # a department urged to confirm its instructions
    "reports": instructions.REPORTS_PLAN,  # a kept month's statistics to the platform
}


class UnknownStep(LookupError):
    pass


def full_name(process: str, name: str) -> str:
    return name if "." in name else f"{process}.{name}"


def plan_of(definition: ProcessDefinition) -> dict[str, list[str]]:
    """{event kind: step names}: the filing's and each action's `then`, then the deadline and urging events."""
    actions = ([definition.filing] if definition.filing else []) + list(definition.actions)
    plan = {action.name: [full_name(definition.name, n) for n in action.then] for action in actions if action.then}
    plan.update({kind: [full_name(definition.name, n) for n in names] for kind, names in definition.on_events.items()})
    unknown = sorted({name for names in plan.values() for name in names} - set(STEPS))
    if unknown:
        raise UnknownStep(f"process {definition.name}: no step named {', '.join(unknown)}")
    return plan


def plans() -> dict[str, dict[str, list[str]]]:
    """Every flow's plan by the process name its outbox events carry: each process's, read from its definition,
    and the listing's and list entries' own (what workflows.flows.registry makes the flows of)."""
    return {**{name: plan_of(definition) for name, definition in DEFINITIONS.items()}, **EVENT_PLANS}


__all__ = ["EVENT_PLANS", "STEPS", "Step", "StepResult", "Steps", "UnknownStep", "full_name", "plan_of", "plans"]
