"""What people read for the processes' names: processes, states, actions, deadlines, fields.

Processes (through forms/labels.py), lists and statuses are declared once in workflows/labels.py (the worker's
notices use them too).

The process definitions name things in English identifiers; these are their labels, marked for
translation. A name without a label is shown as it is, so a new state is never hidden.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

# the tables the forms show as well live beside the forms, which do not import the web layer
from forms.labels import ACTION_FIELDS, ACTIONS, CHOICES, FIELDS, PROCESSES, STATES  # noqa: F401 - also read here
from workflows import labels as workflow_labels
from workflows.domain.process import ProcessDefinition

LISTS = {name: _l(label) for name, label in workflow_labels.LISTS.items()}

# list entries' and measures' statuses, which a case's history also shows
STATUSES = {name: _l(label) for name, label in workflow_labels.STATUSES.items()}

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
    "sla": _l("Deadline monitor"),  # the sweep of deadlines (workflows/automation/sweep.py)
    "restore": _l("Restore from a backup"),
    "green channel": _l("Green channel (automatic)"),
    "red-list removal": _l("Red-list removal (automatic)"),
    "system": _l("System"),
    "demo": _l("Demo data"),
    "complainant": _l("The complainant"),
}

# the listings' categories (workflows/labels.py): the blacklist's, which credit repair has settings for, the red list's
CATEGORIES = {name: _l(label) for name, label in workflow_labels.CATEGORIES.items()}

# a green-channel material's status, as the materials panel says it
MATERIAL_STATUSES = {
    "supplied": _l("Supplied at filing"),
    "missing": _l("Missing"),
    "submitted": _l("Submitted, to be verified"),
    "verified": _l("Verified"),
    "rejected": _l("Rejected, to submit again"),
}

# an uploaded file's kind, as evidence checking names it
FILE_KINDS = {"a PDF": "PDF", "a PNG image": "PNG", "a JPEG image": "JPEG"}

MEASURE_EFFECTS = {"incentive": _l("Incentive"), "punishment": _l("Punishment")}


def _label(table: dict, name: str | None) -> str:
    if not name:
        return ""
    label = table.get(name)
    return str(label) if label is not None else name


def list_label(kind: str | None) -> str:
    return _label(LISTS, kind)


# a case's filed values that are the product's codes, by field
FILED_VALUES = {
    "origin": {"applicant": _l("The subject's objection"), "department": _l("A department's own finding"),
               "complaint": _l("A complaint")},
}


def filed_value_label(value, field: str):
    """A filed value as people read it: a code by its label, anything else as it is."""
    table = FILED_VALUES.get(field)
    return _label(table, value) if table is not None and isinstance(value, str) else value


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


def category_label(name: str | None) -> str:
    return _label(CATEGORIES, name)


# the written commitments are filed in Chinese, then in English from one of these lines (the repair commitment of
# workflows/processes/repair_exit.py, the green channel's of workflows/domain/commitment.py)
ENGLISH_PARTS = ("\nCredit repair commitment:", "\n\nWritten commitment\n")


def in_reader_language(text: str) -> str:
    """A text filed in both languages (a written commitment), in the reader's: the part before the English one
    in Chinese, the English part in English."""
    start = next((s for s in ENGLISH_PARTS if isinstance(text, str) and s in text), None)
    if start is None:
        return text
    chinese, english = text.split(start, 1)
    locale = get_locale()
    return start.lstrip("\n") + english if locale is not None and locale.language == "en" else chinese


def file_purpose_label(purpose: str | None) -> str:
    """What an uploaded file is for: proof of a repair, a green-channel material by its number, else the action it
    came with."""
    if purpose == "proof":
        return _("Proof of what was put right")
    if purpose and purpose.startswith("material:") and purpose[9:].isdigit():
        return _("Material %(no)s", no=purpose[9:])
    return action_label(purpose)


def filed_value(key: str, value) -> str:
    """A value of what was filed (a case's data) as its reader reads it: yes or no, a category, a trigger, a
    text in the reader's language; none is shown as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in FILED_VALUES:
        return filed_value_label(value, key)
    if key == "category":
        return category_label(value)
    if key == "trigger":
        reason = workflow_labels.REMOVAL_TRIGGERS.get(value)
        return _(reason) if reason else value
    if key == "list_kind":
        return list_label(value)
    return in_reader_language(value)


def diagram_labels(definition: ProcessDefinition) -> dict[str, str]:
    """State and action labels for workflows.processes.diagram.svg, in the reader's language."""
    names = {s.name: state_label(s.name) for s in definition.states}
    names[definition.name] = process_label(definition.name)  # the diagram's text alternative
    names.update({a.name: action_label(a.name) for a in definition.actions})
    return names


def named(kind: str, value) -> str:
    """A value that is one of the processes' names, by its label; `kind` as a domain error declares it."""
    labeller = {"field": field_label, "action": action_label, "state": state_label, "list": list_label,
                "process": process_label, "category": category_label,
                "material": lambda v: _label(MATERIAL_STATUSES, v), "file_kind": lambda v: _label(FILE_KINDS, v),
                "effect": lambda v: _label(MEASURE_EFFECTS, v)}.get(kind)
    return labeller(value) if labeller is not None and isinstance(value, str) else value


def diagram_alt(definition: ProcessDefinition, current: str | None) -> str:
    """The diagram's text alternative: which process, and where the case stands in it."""
    return str(_l("Diagram of the process “%(process)s”: the case is now at “%(state)s”.",
                  process=process_label(definition.name), state=state_label(current)))


def diagram_steps(definition: ProcessDefinition) -> list[str]:
    """What the diagram draws, as sentences: each action, from which state to which."""
    return [str(_l("%(action)s: from “%(source)s” to “%(target)s”", action=action_label(action),
                   source=state_label(source), target=state_label(target)))
            for source, action, target in definition.edges()]
