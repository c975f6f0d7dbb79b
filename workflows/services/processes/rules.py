"""Each process's rules that need the database, assembled in one place: what the action path
(`cases.file_case`, `cases.take_action`) asks of a process beyond its definition (workflows/processes).
A process without an entry here cannot be filed; `tests/unit/test_layers.py` keeps the modules below
the action path (none of them imports `cases`)."""
from __future__ import annotations

from workflows.services.casework.case_records import ProcessRules
from workflows.services.processes import (
    conditional_acceptance,
    material_deadlines,
    objection,
    removal_rules,
    repair_exit,
)

RULES: dict[str, ProcessRules] = {
    "objection": ProcessRules(filing=objection.file_objection, facts=objection.facts,
                              after_filing=objection.after_filing),
    "repair_exit": ProcessRules(filing=repair_exit.file_repair, facts=repair_exit.facts),
    "conditional_acceptance": ProcessRules(filing=conditional_acceptance.file_conditional_acceptance,
                                           facts=conditional_acceptance.facts,
                                           follow_up=material_deadlines.after_action),
    "redlist_removal": ProcessRules(filing=removal_rules.file_removal, follow_up=removal_rules.after_action),
}
