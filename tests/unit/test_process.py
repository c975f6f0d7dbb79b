"""The generic process engine on a small definition of its own."""
import pytest

from workflows.domain.errors import ActionNotAllowed, GuardFailed, InvalidInput, RoleNotAllowed
from workflows.domain.process import (
    SYSTEM,
    Action,
    Actor,
    CaseView,
    DeadlineSpec,
    Field,
    ProcessDefinition,
    State,
    accepting_office,
    applicant,
    department,
)
from workflows.domain.roles import Role

REVIEW = DeadlineSpec("review", "objection.verification_days", "department")


def _no_decision_without_grounds(case, params):
    return None if case.facts.get("grounds") else "the case has no grounds to decide on"


DEFINITION = ProcessDefinition(
    name="sample",
    states=(State("submitted"), State("reviewing"), State("waiting"), State("done", final=True)),
    initial="submitted",
    actions=(
        Action("accept", ("submitted",), "reviewing", accepting_office(), starts=(REVIEW,)),
        Action("ask", ("reviewing",), "waiting", department(Role.INFORMATION_PROVIDER),
               fields=(Field("question"),), pauses=("review",)),
        Action("answer", ("waiting",), "reviewing", applicant(), resumes=("review",)),
        Action("decide", ("reviewing",), "done", department(Role.INFORMATION_PROVIDER),
               fields=(Field("result", choices=("yes", "no")),), guard=_no_decision_without_grounds, ends=("review",)),
        Action("expire", ("reviewing", "waiting"), "done", SYSTEM),
    ),
)

OFFICE = Actor(user_id=1, roles=frozenset({Role.ACCEPTING_OFFICE}))
PROVIDER = Actor(user_id=2, roles=frozenset({Role.INFORMATION_PROVIDER}), department_id=7)
OTHER_PROVIDER = Actor(user_id=3, roles=frozenset({Role.INFORMATION_PROVIDER}), department_id=8)
OWNER = Actor(user_id=4, roles=frozenset({Role.APPLICANT}), subject_id=42)
STRANGER = Actor(user_id=5, roles=frozenset({Role.APPLICANT}), subject_id=43)


def case(state, **facts):
    return CaseView("sample", state, subject_id=42, department_id=7, facts={"grounds": "x", **facts})


def test_apply_returns_the_transition_with_its_deadlines():
    transition = DEFINITION.apply(case("submitted"), "accept", OFFICE)
    assert (transition.source, transition.target, transition.starts) == ("submitted", "reviewing", (REVIEW,))


def test_action_from_wrong_state_is_refused():
    with pytest.raises(ActionNotAllowed) as caught:
        DEFINITION.apply(case("done"), "accept", OFFICE)
    assert "done" in caught.value.message


def test_unknown_action_is_refused():
    with pytest.raises(ActionNotAllowed):
        DEFINITION.apply(case("submitted"), "approve", OFFICE)


@pytest.mark.parametrize("actor", [OWNER, OTHER_PROVIDER, OFFICE, Actor.system()])
def test_wrong_role_or_department_is_refused(actor):
    with pytest.raises(RoleNotAllowed):
        DEFINITION.apply(case("reviewing"), "decide", actor, {"result": "yes"})


def test_applicant_binding_is_to_its_own_subject():
    DEFINITION.apply(case("waiting"), "answer", OWNER)
    with pytest.raises(RoleNotAllowed):
        DEFINITION.apply(case("waiting"), "answer", STRANGER)


def test_system_actions_are_only_for_the_system():
    DEFINITION.apply(case("waiting"), "expire", Actor.system())
    with pytest.raises(RoleNotAllowed):
        DEFINITION.apply(case("waiting"), "expire", OFFICE)


def test_required_field_and_choices():
    with pytest.raises(InvalidInput) as caught:
        DEFINITION.apply(case("reviewing"), "decide", PROVIDER, {})
    assert caught.value.field == "result"
    with pytest.raises(InvalidInput):
        DEFINITION.apply(case("reviewing"), "decide", PROVIDER, {"result": "maybe"})


def test_guard_refusal_says_why():
    with pytest.raises(GuardFailed) as caught:
        DEFINITION.apply(CaseView("sample", "reviewing", 42, 7, {}), "decide", PROVIDER, {"result": "yes"})
    assert "no grounds" in caught.value.message


def test_available_actions_follow_state_and_actor():
    assert [a.name for a in DEFINITION.available_actions(case("reviewing"), PROVIDER)] == ["ask", "decide"]
    assert DEFINITION.available_actions(case("reviewing"), OWNER) == []
    assert DEFINITION.available_actions(case("done"), PROVIDER) == []


def test_definition_is_checked_when_declared():
    with pytest.raises(ValueError):
        ProcessDefinition("bad", (State("a"),), "a", (Action("go", ("a",), "nowhere", SYSTEM),))
    with pytest.raises(ValueError):
        ProcessDefinition("bad", (State("a", final=True), State("b")), "b", (Action("go", ("a",), "b", SYSTEM),))


def test_edges_describe_the_diagram():
    assert ("reviewing", "expire", "done") in DEFINITION.edges()
    assert DEFINITION.final_states() == ["done"]


def test_process_docs_are_generated_from_the_definitions():
    from workflows.docs import outputs

    stale = [path.name for path, text in outputs().items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert stale == [], f"run `python -m workflows.docs`: {stale} are out of date"
