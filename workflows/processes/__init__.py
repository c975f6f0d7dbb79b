"""The four processes, each declared as data in its own module (pure: no framework imports)."""
from __future__ import annotations

from workflows.domain.errors import N_, InvalidInput
from workflows.domain.process import ProcessDefinition

from .conditional_acceptance import CONDITIONAL_ACCEPTANCE
from .objection import OBJECTION
from .redlist_removal import REDLIST_REMOVAL
from .repair_exit import REPAIR_EXIT

DEFINITIONS: dict[str, ProcessDefinition] = {d.name: d for d in (OBJECTION, CONDITIONAL_ACCEPTANCE, REPAIR_EXIT,
                                                               REDLIST_REMOVAL)}


def definition(name: str) -> ProcessDefinition:
    try:
        return DEFINITIONS[name]
    except KeyError:
        allowed = ", ".join(sorted(DEFINITIONS))
        raise InvalidInput(N_("unknown process '%(value)s'; one of: %(allowed)s"), field="process", value=name,
                           allowed=allowed) from None
