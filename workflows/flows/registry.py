"""Each process's flow, by the process name its outbox events carry, made from its definition's plan; the
listing's fan-out and the list entries' own events ("lists") have plans of their own (workflows.steps)."""
from __future__ import annotations

from workflows.processes import DEFINITIONS
from workflows.steps import EVENT_PLANS, plan_of

from .steps import process_flow

FLOWS = {
    **{name: process_flow(name, plan_of(definition)) for name, definition in DEFINITIONS.items()},
    **{name: process_flow(name, plan) for name, plan in EVENT_PLANS.items()},
}
