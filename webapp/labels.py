"""What people read for the processes' names: processes, states, actions, deadlines, fields.

Processes, lists and statuses are declared once in workflows/labels.py (the worker's notices use them too).

The process definitions name things in English identifiers; these are their labels, marked for
translation. A name without a label is shown as it is, so a new state is never hidden.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workflows import labels
from workflows.domain.errors import ActionNotAllowed, Conflict, DomainError, RoleNotAllowed
from workflows.domain.process import ProcessDefinition

from . import messages

PROCESSES = {name: _l(label) for name, label in labels.PROCESSES.items()}

STATES = {
    "submitted": _l("Submitted"),
    "awaiting_supplement": _l("Awaiting supplement"),
    "verifying": _l("Being verified"),
    "concluded": _l("Concluded"),
    "refused": _l("Refused"),
    "withdrawn": _l("Withdrawn"),
    "closed": _l("Closed"),
    "under_review": _l("Under review"),
    "awaiting_materials": _l("Awaiting materials"),
    "materials_complete": _l("Materials complete"),
    "commitment_breached": _l("Commitment breached"),
    "granted": _l("Licence granted"),
    "licence_refused": _l("Licence refused"),
    "published": _l("Licence granted and published"),
    "opened": _l("Opened"),
    "reported": _l("Abuse reported"),
    "removed": _l("Removed from the red list"),
    "dismissed": _l("Dismissed"),
    "superseded": _l("Superseded"),
    "draft": _l("Draft: proof and signature to come"),
    "approved": _l("Approved: leaving the blacklist"),
    "denied": _l("Denied"),
}

LISTS = {name: _l(label) for name, label in labels.LISTS.items()}

# list entries' and measures' statuses, which a case's history also shows
STATUSES = {name: _l(label) for name, label in labels.STATUSES.items()}

ACTIONS = {
    "file": _l("Filing"),
    "accept": _l("Accept"),
    "request_supplement": _l("Ask for a supplement"),
    "supplement": _l("Supplement"),
    "refuse": _l("Refuse"),
    "confirm": _l("Confirm"),
    "correct": _l("Correct"),
    "revoke": _l("Revoke"),
    "withdraw": _l("Withdraw"),
    "close": _l("Close"),
    "approve": _l("Approve"),
    "deny": _l("Deny"),
    "accept_with_commitment": _l("Accept against a commitment"),
    "submit_materials": _l("Submit materials"),
    "verify_materials": _l("Verify materials"),
    "extend": _l("Extend the deadline"),
    "grant": _l("Grant the licence"),
    "refuse_licence": _l("Refuse the licence"),
    "complete_materials": _l("All materials verified"),
    "commitment_breached": _l("Commitment breached: materials not supplied in time"),
    "publish": _l("Licence published"),
    "queue_redlist_removal": _l("Red-list entry queued for removal"),
    "remove": _l("Remove from the red list"),
    "report": _l("Report abuse"),
    "confirm_abuse": _l("Confirm the abuse"),
    "dismiss": _l("Dismiss the report"),
    "supersede": _l("Superseded by another removal"),
    "removal_contested": _l("Removal contested: incentives in force"),
    "removal_upheld": _l("Removal upheld"),
    "removal_reversed": _l("Removal reversed: entry restored"),
    # timer events
    "warn": _l("Deadline warning"),
    "breach": _l("Deadline missed"),
    # what automation and staff record in a case's history beside its actions
    "upload": _l("Files uploaded"),
    "apply_measure": _l("Measure applied"),
    "suspend_measure": _l("Measure suspended"),
    "resume_measure": _l("Measure resumed"),
    "stop_measure": _l("Measure stopped"),
    "restore_measure": _l("Measure restored"),
    "suspend_entry": _l("List entry suspended"),
    "resume_entry": _l("List entry resumed"),
    "exit_entry": _l("List entry exited"),
    "purge_entry": _l("List entry deleted"),
    "restore_entry": _l("List entry restored"),
    "list": _l("Listed"),
    "urge": _l("Urged"),
    "reply_urging": _l("Reply to an urging"),
    "escalate": _l("Escalated to the head of supervision"),
    "generate_report": _l("Monthly statistics generated"),
    "submit": _l("Sign and submit"),
    "expire": _l("Validity ended"),
    "escalate_to_blacklist": _l("Moved to the blacklist"),
}

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

FIELDS = {
    "list_entry_id": _l("List entry"),
    "grounds": _l("Grounds"),
    "contact_name": _l("Contact name"),
    "contact_phone": _l("Contact phone"),
    "reason": _l("Reason"),
    "note": _l("Note"),
    "correction": _l("What is corrected"),
    "measures": _l("The measures"),
    "files": _l("Files"),
    "message": _l("Message"),
    "reply_by": _l("Reply by"),
    "reply": _l("Reply"),
    "case_ids": _l("Cases"),
    "trigger": _l("Why it leaves the red list"),
    "licence_no": _l("Licence number"),
    "days": _l("Working days"),
    "item": _l("Material number"),
    "result": _l("Verdict"),
    "application_no": _l("Application number"),
    "matter": _l("Licence matter"),
    "materials_supplied": _l("Materials supplied"),
    "materials_missing": _l("Materials to follow"),
    "commitment": _l("Written commitment"),
    "signatory": _l("Signed by"),
    "rectification": _l("What has been put right"),
    "public_service": _l("Public-service records"),
    "commitment_signed": _l("I sign the credit repair commitment"),
    "key_attention_until": _l("On the key-attention list until"),
    "key_attention_months": _l("Or: months on the key-attention list"),
}

# a field whose meaning depends on the action
ACTION_FIELDS = {
    ("request_supplement", "reason"): _l("What the applicant must supply"),
    ("supplement", "note"): _l("What you supply"),
    ("refuse", "reason"): _l("Reason for refusing"),
    ("withdraw", "reason"): _l("Reason for withdrawing"),
    ("confirm_abuse", "reason"): _l("Why the abuse is confirmed"),
    ("dismiss", "reason"): _l("Why the report is dismissed"),
    ("deny", "reason"): _l("Reasons for the denial (the applicant reads them)"),
    ("approve", "reason"): _l("Note (optional)"),
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

CHOICES = {
    ("measures", "resume"): _l("Resume the measures"),
    ("measures", "stop"): _l("Stop the measures"),
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
