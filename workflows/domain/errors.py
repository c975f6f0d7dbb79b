"""Domain errors: each names what is wrong so the web and API layers can show it as it is.

An error carries a message id, the English text of the catalogue with ``%(name)s`` placeholders, and
the values to fill them with: ``NotFound(N_("no case #%(id)s"), id=case_id)``. ``error.message`` is the
English text with the values filled in (what the API answers); the pages look the id up in the
reader's language and fill in the same values. A value that is one of the processes' names (a state, a
field, an action, a list, a process, ...) is declared in ``labels`` by its kind, so a page shows its
label instead of the identifier: ``labels={"state": "state"}``.
"""
from __future__ import annotations

from collections.abc import Mapping


def N_(message: str) -> str:
    """Marks a message id for extraction into the catalogue; it is translated where it is shown."""
    return message


def fill(message: str, params: Mapping[str, object]) -> str:
    """A message id's English text with its values filled in (a message without values is as it is)."""
    return message % dict(params) if params else message


class DomainError(Exception):
    """A rule of the domain refused an input or an action. Nothing has been changed."""

    #: stable machine-readable code, used by the API's error body
    code = "invalid"
    #: HTTP status the API maps this error to
    http_status = 422

    def __init__(self, message: str, *, field: str | None = None, details: dict | None = None,
                 labels: Mapping[str, str] | None = None, **params):
        self.msgid = message
        self.params = params
        self.labels = dict(labels or {})
        self.message = fill(message, params)
        super().__init__(self.message)
        self.field = field
        self.details = details or {}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(DomainError):
    code = "invalid_input"
    http_status = 422


class ActionNotAllowed(DomainError):
    """The action exists but the current state does not allow it."""

    code = "action_not_allowed"
    http_status = 409


class RoleNotAllowed(DomainError):
    """The actor's role or department may not take this action."""

    code = "forbidden"
    http_status = 403


class GuardFailed(DomainError):
    """The state allows the action but one of its conditions is not met."""

    code = "condition_not_met"
    http_status = 409


class Conflict(DomainError):
    """The thing already exists or has changed meanwhile."""

    code = "conflict"
    http_status = 409


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class CalendarYearMissing(Conflict):
    """An action that must tell a person a date in a year whose holiday arrangement is not imported yet."""

    code = "calendar_missing"

    def __init__(self, year: int):
        super().__init__(N_("this needs the working-day calendar of %(year)s, which has not been imported yet: the "
                            "administrators have been asked to import it; nothing was changed, try again once they "
                            "have"), details={"year": year}, year=year)
        self.year = year
