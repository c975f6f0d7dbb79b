"""Domain errors in the reader's language.

An error carries its message id and values (workflows.domain.errors): the id is looked up in the
catalogue and the values filled in, each value that names one of the processes' things (a state, a
field, an action, a list, ...) shown by its label. An id without a translation in the reader's language
is shown as the error's English text rather than half translated.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from workflows.domain.errors import N_, ActionNotAllowed, Conflict, DomainError, RoleNotAllowed

from . import labels


def translate(error: DomainError) -> str:
    """The error's message (without its field) in the reader's language; also a bulk import's problem, which
    carries its message id and values alike."""
    translated = _(error.msgid)
    if translated == error.msgid:
        return error.message
    try:
        return translated % _values(error) if error.params else translated
    except (KeyError, TypeError, ValueError):  # a translation that does not fit the values: the English text
        return error.message


def _values(error: DomainError) -> dict:
    named = getattr(error, "labels", None) or {}
    return {key: labels.named(named[key], value) if key in named else value for key, value in error.params.items()}


# the case pages say these their own way (as sentences, the name in quotation marks)
_ON_CASE_PAGES = {
    "'%(name)s' is not a PDF, PNG or JPEG file (checked by its content)":
        N_("“%(name)s” is not a PDF, PNG or JPEG file (checked by its content)."),
    "'%(name)s' is not a PDF, PNG or JPEG file (checked by its content; its content is %(kind)s)":
        N_("“%(name)s” is not a PDF, PNG or JPEG file: by its content it is %(kind)s."),
    "'%(name)s' is larger than %(mb)s MB": N_("“%(name)s” is larger than the limit of %(mb)s MB."),
    "'%(name)s' is empty": N_("“%(name)s” is empty."),
    "at most %(count)s files at once": N_("At most %(count)s files at once."),
    "an objection against this entry is already open (case #%(id)s)":
        N_("An objection against this entry is already open (case #%(id)s)."),
    "this list entry is %(status)s: there is nothing to object to now":
        N_("This list entry is %(status)s: there is nothing to object to now."),
}


def error_message(error: DomainError, action: str | None = None) -> str:
    """A domain error as the case pages say it: by its kind for refused actions, else its own words."""
    if isinstance(error, Conflict) and error.field == "version":
        return _("The case changed since you opened it: reload it to see what happened.")
    if isinstance(error, RoleNotAllowed) and action:
        return _("Your role may not take the action “%(action)s” on this case.", action=labels.action_label(action))
    if isinstance(error, ActionNotAllowed) and action:
        state = error.details.get("state")
        if state:
            return _("“%(action)s” is not possible while the case is %(state)s.", action=labels.action_label(action),
                     state=labels.state_label(state).lower())
        return _("“%(action)s” is not an action of this case.", action=labels.action_label(action))
    if error.msgid in _ON_CASE_PAGES:
        values = {key: str(value).lower() if key in error.labels else value for key, value in _values(error).items()}
        return _(_ON_CASE_PAGES[error.msgid], **values)
    return translate(error)


_ROW_COLUMN = re.compile(r"row (\d+), column (\w+)")
_LIST_ITEM = re.compile(r"(days_off|working_days)\[(\d+)\]")
_LINE = re.compile(r"line (\d+)")


def file_error(error: DomainError) -> str:
    """An import file's error: where in the file (row and column, list item, or line) and what is wrong there."""
    message, where = translate(error), error.field or "file"
    if where == "file":
        return message
    if match := _ROW_COLUMN.fullmatch(where):
        where = _("row %(row)s, column %(column)s", row=match[1], column=match[2])
    elif match := _LIST_ITEM.fullmatch(where):
        where = _("%(list)s, item %(number)s", list=match[1], number=int(match[2]) + 1)
    elif match := _LINE.fullmatch(where):
        where = _("line %(line)s", line=match[1])
    return _("%(where)s: %(problem)s", where=where, problem=message)


# Messages the pages show through _() that no code names in full: marked here so they are extracted.
# the settings page shows every setting's label through _(); these are built per blacklist category
SETTING_LABELS = (
    N_("Credit repair: category 'market_regulation' is repairable"),
    N_("Credit repair: minimum listing period, category 'market_regulation'"),
    N_("Credit repair: proof files required, category 'market_regulation'"),
    N_("Credit repair: category 'tax' is repairable"),
    N_("Credit repair: minimum listing period, category 'tax'"),
    N_("Credit repair: proof files required, category 'tax'"),
    N_("Credit repair: category 'food_safety' is repairable"),
    N_("Credit repair: minimum listing period, category 'food_safety'"),
    N_("Credit repair: proof files required, category 'food_safety'"),
    N_("Credit repair: category 'environment' is repairable"),
    N_("Credit repair: minimum listing period, category 'environment'"),
    N_("Credit repair: proof files required, category 'environment'"),
    N_("Credit repair: category 'court_enforcement' is repairable"),
    N_("Credit repair: minimum listing period, category 'court_enforcement'"),
    N_("Credit repair: proof files required, category 'court_enforcement'"),
)


# Werkzeug's descriptions, which error.html shows through _(): listed here so they are translated.
HTTP_DESCRIPTIONS = (
    N_("The browser (or proxy) sent a request that this server could not understand."),
    N_("The server could not verify that you are authorized to access the URL requested. You either supplied the "
       "wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials "
       "required."),
    N_("You don't have the permission to access the requested resource. It is either read-protected or not "
       "readable by the server."),
    N_("The requested URL was not found on the server. If you entered the URL manually please check your spelling "
       "and try again."),
    N_("The method is not allowed for the requested URL."),
    N_("The data value transmitted exceeds the capacity limit."),
    N_("This user has exceeded an allotted request count. Try again later."),
    N_("The server encountered an internal error and was unable to complete your request. Either the server is "
       "overloaded or there is an error in the application."),
)
