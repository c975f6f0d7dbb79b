"""Each action names what follows it; the flows are made from those names, checked when they are assembled."""
from dataclasses import replace

import pytest

from workflows.processes import DEFINITIONS, OBJECTION
from workflows.steps import STEPS, UnknownStep, plan_of


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_every_consequence_named_by_a_definition_is_a_step(name):
    plan = plan_of(DEFINITIONS[name])
    assert plan and all(step in STEPS for steps in plan.values() for step in steps)


def test_the_objection_rule_reads_from_its_definition():
    accept = next(a for a in OBJECTION.actions if a.name == "accept")
    assert accept.then == ("suspend_listing", "tell_provider")
    assert plan_of(OBJECTION)["accept"] == ["objection.suspend_listing", "objection.tell_provider"]
    assert plan_of(OBJECTION)["breach"] == ["timer.breach"]  # deadline events: the shared steps


def test_a_misspelled_consequence_is_refused_when_the_plan_is_made():
    accept = next(a for a in OBJECTION.actions if a.name == "accept")
    wrong = replace(OBJECTION, actions=tuple(replace(a, then=("suspend_listng",)) if a is accept else a
                                             for a in OBJECTION.actions))
    with pytest.raises(UnknownStep, match="objection.suspend_listng"):
        plan_of(wrong)
