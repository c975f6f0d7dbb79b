"""What people read for the processes' names: processes, states, actions, deadlines, fields.

Processes (through forms/labels.py), lists and statuses are declared once in workflows/labels.py (the worker's
notices use them too).

The process definitions name things in English identifiers; these are their labels, marked for
translation. A name without a label is shown as it is, so a new state is never hidden.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# the tables the forms show as well live beside the forms, which do not import the web layer
from forms.labels import ACTION_FIELDS, ACTIONS, CHOICES, FIELDS, PROCESSES, STATES  # noqa: F401 - also read here
from workflows import labels
from workflows.domain.errors import ActionNotAllowed, Conflict, DomainError, RoleNotAllowed
from workflows.domain.process import ProcessDefinition

from . import messages

LISTS = {name: _l(label) for name, label in labels.LISTS.items()}

# list entries' and measures' statuses, which a case's history also shows
STATUSES = {name: _l(label) for name, label in labels.STATUSES.items()}

DEADLINES = {
    "acceptance": _l("Formal review by the accepting office"),
    "verification": _l("Verification by the information provider"),
    "review": _l("Decision by the listing department"),
    "materials": _l("Missing materials"),
    "processing": _l("Promised processing time of the licence matter"),
    "publication": _l("Publication"),
    "urging_reply": _l("Reply to an urging (督办)"),
    "abuse_review": _l("Decision on an abuse report by the listing department"),
}

DEADLINE_STATUSES = {
    "on_track": _l("On track"),
    "due_soon": _l("Due soon"),
    "overdue": _l("Overdue"),
    "paused": _l("Paused"),
    "unscheduled": _l("Waiting for next year's holiday calendar"),
    "met": _l("Met"),
    "breached": _l("Missed"),
    "cancelled": _l("Cancelled"),
}

# who acted when no person did: the system's parts, named in the reader's language
SYSTEM_ACTORS = {
    "automation": _l("Automatic processing"),
    "scheduler": _l("Deadline monitor"),
    "green channel": _l("Green channel (automatic)"),
    "red-list removal": _l("Red-list removal (automatic)"),
    "system": _l("System"),
    "demo": _l("Demo data"),
}


def _label(table: dict, name: str | None) -> str:
    if not name:
        return ""
    label = table.get(name)
    return str(label) if label is not None else name


def list_label(kind: str | None) -> str:
    return _label(LISTS, kind)


def process_label(name: str | None) -> str:
    return _label(PROCESSES, name)


def state_label(name: str | None) -> str:
    return _label(STATES, name) if name in STATES else _label(STATUSES, name)


def action_label(name: str | None) -> str:
    return _label(ACTIONS, name)


def actor_label(name: str | None) -> str:
    return _label(SYSTEM_ACTORS, name)


def deadline_label(kind: str | None) -> str:
    return _label(DEADLINES, kind)


def deadline_status_label(status: str | None) -> str:
    return _label(DEADLINE_STATUSES, status)


def field_label(name: str, action: str | None = None) -> str:
    label = ACTION_FIELDS.get((action, name)) if action else None
    return str(label) if label is not None else _label(FIELDS, name)


def choice_label(field: str, value: str) -> str:
    label = CHOICES.get((field, value))
    return str(label) if label is not None else value


def diagram_labels(definition: ProcessDefinition) -> dict[str, str]:
    """State and action labels for workflows.processes.diagram.svg, in the reader's language."""
    names = {s.name: state_label(s.name) for s in definition.states}
    names.update({a.name: action_label(a.name) for a in definition.actions})
    return names


# --- domain errors on the case pages ------------------------------------------------------------

_FILE_ERRORS = [
    (re.compile(r"'(?P<name>.*)' is not a PDF, PNG or JPEG file \(checked by its content\)", re.S),
     lambda m: _("“%(name)s” is not a PDF, PNG or JPEG file (checked by its content).", name=m["name"])),
    (re.compile(r"'(?P<name>.*)' is not a PDF, PNG or JPEG file \(checked by its content; its content is "
                r"(?P<kind>.*)\)", re.S),
     lambda m: _("“%(name)s” is not a PDF, PNG or JPEG file: by its content it is %(kind)s.", name=m["name"],
                 kind=m["kind"])),
    (re.compile(r"'(?P<name>.*)' is larger than (?P<mb>\d+) MB", re.S),
     lambda m: _("“%(name)s” is larger than the limit of %(mb)s MB.", name=m["name"], mb=m["mb"])),
    (re.compile(r"'(?P<name>.*)' is empty", re.S), lambda m: _("“%(name)s” is empty.", name=m["name"])),
    (re.compile(r"at most (?P<count>\d+) files at once"),
     lambda m: _("At most %(count)s files at once.", count=m["count"])),
    (re.compile(r"an objection against this entry is already open \(case #(?P<id>\d+)\)"),
     lambda m: _("An objection against this entry is already open (case #%(id)s).", id=m["id"])),
    (re.compile(r"this list entry is (?P<status>\w+): there is nothing to object to now"),
     lambda m: _("This list entry is %(status)s: there is nothing to object to now.",
                 status=state_label(m["status"]).lower())),
]


def error_message(error: DomainError, action: str | None = None) -> str:
    """A domain error as the case pages say it: by its kind for refused actions, else its own words."""
    if isinstance(error, Conflict) and error.field == "version":
        return _("The case changed since you opened it: reload it to see what happened.")
    if isinstance(error, RoleNotAllowed) and action:
        return _("Your role may not take the action “%(action)s” on this case.", action=action_label(action))
    if isinstance(error, ActionNotAllowed) and action:
        state = error.details.get("state")
        if state:
            return _("“%(action)s” is not possible while the case is %(state)s.", action=action_label(action),
                     state=state_label(state).lower())
        return _("“%(action)s” is not an action of this case.", action=action_label(action))
    for pattern, say in _FILE_ERRORS:
        if match := pattern.fullmatch(error.message):
            return say(match)
    return messages.translate(error.message)
