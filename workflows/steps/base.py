"""What a step is: one consequence of an event, a plain function of (session, event, case) that claims its own
`once()` key, so that a retry or a second delivery never applies anything twice. Prefect-free: the flows wrap
these in task runs (workflows.flows), the tests may call them in-process, the process documents read them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from workflows.store.automation import OutboxEvent
from workflows.store.cases import Case


@dataclass
class StepResult:
    notifications: list[int] = field(default_factory=list)
    delivery_id: int | None = None


# A step: (session, event, case or None) -> StepResult | None
Step = Callable[[Session, OutboxEvent, Case | None], StepResult | None]


class Steps(dict[str, Step]):
    """A module's steps by their full names ("objection.suspend_listing"): `step = Steps("objection")`, then
    `@step` on each function (named after it) or `@step.named("announce")`. workflows.steps assembles them."""

    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix

    def __call__(self, function: Step) -> Step:
        self[f"{self.prefix}.{function.__name__}"] = function
        return function

    def named(self, name: str) -> Callable[[Step], Step]:
        def register(function: Step) -> Step:
            self[f"{self.prefix}.{name}"] = function
            return function

        return register
