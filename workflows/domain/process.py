"""Process definitions as data, and the one generic way to apply an action to a case.

A definition lists its states and its actions; each action names the states it leaves from,
the state it leads to, who may take it, the fields it needs, its guard and the deadlines it
starts, stops, pauses or resumes. `ProcessDefinition.apply` is the only way a case's state
changes: it returns a `Transition` or raises a `DomainError` saying why not.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import N_, ActionNotAllowed, GuardFailed, InvalidInput, RoleNotAllowed
from .roles import Role


@dataclass(frozen=True)
class Actor:
    """Who is acting. The system actor (timers, automatic consequences) has no user."""

    user_id: int | None
    roles: frozenset[Role] = frozenset()
    department_id: int | None = None
    subject_id: int | None = None
    label: str = ""

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(user_id=None, label=label)


@dataclass(frozen=True)
class CaseView:
    """What the rules need to know of a case; built by the persistence layer."""

    process: str
    state: str
    subject_id: int | None
    department_id: int | None  # the department that must act on the case (provider, lister, licensing)
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Who:
    """Who may take an action: a set of roles, optionally bound to the case's subject or department."""

    roles: frozenset[Role]
    binding: str = "any"  # "any" | "subject" | "department" | "party" | "system"

    def permits(self, actor: Actor, case: CaseView) -> bool:
        if self.binding == "system":
            return actor.is_system
        if actor.is_system or not (actor.roles & self.roles):
            return False
        if self.binding == "subject":
            return actor.subject_id is not None and actor.subject_id == case.subject_id
        if self.binding == "department":
            return actor.department_id is not None and actor.department_id == case.department_id
        if self.binding == "party":  # the subject of a case it filed itself; otherwise the one who filed it
            if case.facts.get("origin", "applicant") == "applicant":
                return actor.subject_id is not None and actor.subject_id == case.subject_id
            return actor.user_id is not None and actor.user_id == case.facts.get("filed_by")
        return True

    def describe(self) -> str:
        if self.binding == "system":
            return "system"
        names = "anyone logged in" if self.roles == frozenset(Role) else " / ".join(sorted(r.value for r in self.roles))
        return {"subject": f"{names} (own subject)", "department": f"{names} (case department)",
                "party": "the party who filed the case"}.get(self.binding, names)


def applicant() -> Who:
    return Who(frozenset({Role.APPLICANT}), "subject")


def accepting_office() -> Who:
    return Who(frozenset({Role.ACCEPTING_OFFICE}))


def department(*roles: Role) -> Who:
    return Who(frozenset(roles), "department")


def party() -> Who:
    """The one who filed a case, whatever its role: the subject for a case the subject filed (any of its confirmed
    accounts), otherwise the person who filed it (a complainant)."""
    return Who(frozenset(Role), "party")


def supervisor() -> Who:
    return Who(frozenset({Role.SUPERVISOR}))


SYSTEM = Who(frozenset(), "system")


@dataclass(frozen=True)
class Field:
    name: str
    required: bool = True
    kind: str = "text"  # text | line (one line) | date | int | choice | files | bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeadlineSpec:
    """A legal time limit started by an action; its length is a setting, in working days."""

    kind: str
    limit_setting: str
    owner: str  # whose step it times: "accepting_office", "department", "applicant"


Guard = Callable[[CaseView, Mapping[str, Any]], str | None]


@dataclass(frozen=True)
class Action:
    name: str
    sources: tuple[str, ...]
    target: str
    who: Who
    fields: tuple[Field, ...] = ()
    guard: Guard | None = None
    starts: tuple[DeadlineSpec, ...] = ()
    ends: tuple[str, ...] = ()  # deadline kinds met or cancelled by this action
    pauses: tuple[str, ...] = ()
    resumes: tuple[str, ...] = ()
    #: what follows it, carried out by the process's flow: step names (see workflows.steps)
    then: tuple[str, ...] = ()
    #: the cases it belongs to, by their facts (e.g. who opened the case): elsewhere it is neither offered nor taken
    applies: Callable[[CaseView], bool] | None = None

    @property
    def automatic(self) -> bool:
        return self.who.binding == "system"


@dataclass(frozen=True)
class State:
    name: str
    final: bool = False


@dataclass(frozen=True)
class Transition:
    process: str
    action: str
    source: str
    target: str
    actor: Actor
    params: Mapping[str, Any]
    starts: tuple[DeadlineSpec, ...]
    ends: tuple[str, ...]
    pauses: tuple[str, ...]
    resumes: tuple[str, ...]
    then: tuple[str, ...] = ()  # the steps its flow carries out: none, and the action owes the flow no event


# The steps that follow a case's deadline events and urgings, the same in every process unless it says otherwise
DEADLINE_EVENTS: Mapping[str, tuple[str, ...]] = {
    "warn": ("timer.warn",), "breach": ("timer.breach",), "escalate": ("timer.escalate",),
    "urge": ("supervision.tell_department",), "reply_urging": ("supervision.tell_supervisor",),
}


@dataclass(frozen=True)
class ProcessDefinition:
    name: str
    states: tuple[State, ...]
    initial: str
    actions: tuple[Action, ...]
    #: the action that creates a case (its sources are empty)
    filing: Action | None = None
    #: what follows the events that are no action: a deadline's warning, breach and escalation, an urging
    on_events: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEADLINE_EVENTS))

    def __post_init__(self):
        names = {s.name for s in self.states}
        if self.initial not in names:
            raise ValueError(f"{self.name}: initial state {self.initial} is not declared")
        seen: set[str] = set()
        for action in self.actions:
            unknown = (set(action.sources) | {action.target}) - names
            if unknown:
                raise ValueError(f"{self.name}.{action.name}: undeclared states {sorted(unknown)}")
            for source in action.sources:
                if self.state(source).final:
                    raise ValueError(f"{self.name}.{action.name}: leaves final state {source}")
            seen.add(action.name)

    def state(self, name: str) -> State:
        for state in self.states:
            if state.name == name:
                return state
        raise KeyError(name)

    def action(self, name: str) -> Action:
        for action in self.actions:
            if action.name == name:
                return action
        raise ActionNotAllowed(N_("'%(action)s' is not an action of the %(process)s process"), field="action",
                               labels={"action": "action", "process": "process"}, action=name, process=self.name)

    def available_actions(self, case: CaseView, actor: Actor) -> list[Action]:
        """Actions this actor may take now (guards are checked when applied, with the fields)."""
        return [a for a in self.actions if case.state in a.sources and a.who.permits(actor, case)
                and (a.applies is None or a.applies(case))]

    def apply(self, case: CaseView, action_name: str, actor: Actor, params: Mapping[str, Any] | None = None) -> Transition:
        params = dict(params or {})
        action = self.action(action_name)
        if case.state not in action.sources or (action.applies is not None and not action.applies(case)):
            raise ActionNotAllowed(
                N_("'%(action)s' is not possible while the case is %(state)s"),
                details={"state": case.state, "allowed_from": list(action.sources)},
                labels={"action": "action", "state": "state"}, action=action.name, state=case.state,
            )
        if not action.who.permits(actor, case):
            raise RoleNotAllowed(N_("'%(action)s' may be taken only by %(who)s"), labels={"action": "action"},
                                 action=action.name, who=action.who.describe())
        for spec in action.fields:
            value = params.get(spec.name)
            if spec.required and (value is None or (isinstance(value, str | list | tuple) and not value)):
                raise InvalidInput(N_("'%(name)s' is required for '%(action)s'"), field=spec.name,
                                   labels={"name": "field", "action": "action"}, name=spec.name, action=action.name)
            if value is not None and spec.choices and value not in spec.choices:
                raise InvalidInput(N_("'%(name)s' must be one of %(choices)s"), field=spec.name,
                                   labels={"name": "field"}, name=spec.name, choices=", ".join(spec.choices))
        if action.guard is not None:
            refusal = action.guard(case, params)
            if refusal:
                raise GuardFailed(refusal, details={"action": action.name})
        return Transition(
            process=self.name,
            action=action.name,
            source=case.state,
            target=action.target,
            actor=actor,
            params=params,
            starts=action.starts,
            ends=action.ends,
            pauses=action.pauses,
            resumes=action.resumes,
            then=action.then,
        )

    def edges(self) -> list[tuple[str, str, str]]:
        """(source, action, target) triples, for diagrams generated from the definition."""
        return [(s, a.name, a.target) for a in self.actions for s in a.sources]

    def final_states(self) -> list[str]:
        return [s.name for s in self.states if s.final]
