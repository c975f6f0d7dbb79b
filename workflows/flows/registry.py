"""Each process's flow, by the process name its outbox events carry, made from its definition's plan; the
listing's fan-out and the list entries' own events ("lists") have plans of their own (workflows.steps)."""
from __future__ import annotations

from workflows.steps import plans

from .steps import process_flow

FLOWS = {name: process_flow(name, plan) for name, plan in plans().items()}
