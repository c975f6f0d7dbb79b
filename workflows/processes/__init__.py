"""The four processes, each declared as data in its own module (pure: no framework imports)."""
from __future__ import annotations

from workflows.domain.errors import InvalidInput
from workflows.domain.process import ProcessDefinition

from .objection import OBJECTION

DEFINITIONS: dict[str, ProcessDefinition] = {d.name: d for d in (OBJECTION,)}


def definition(name: str) -> ProcessDefinition:
    try:
        return DEFINITIONS[name]
    except KeyError:
        allowed = ", ".join(sorted(DEFINITIONS))
        raise InvalidInput(f"unknown process '{name}'; one of: {allowed}", field="process") from None
