"""Domain messages in the reader's language.

Fixed messages go through the catalogue as they are. A few carry values in the text (the calendar
file's, the settings' ranges); they are matched here and translated with their values. A message
that matches nothing is shown as it is, in English, rather than wrongly.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from workflows.domain.errors import DomainError


def N_(text: str) -> str:
    """Marks a string for extraction; translated where it is shown."""
    return text


_TEMPLATED = [
    (r"not a valid date \(expected YYYY-MM-DD\): (?P<value>.*)",
     N_("not a valid date (expected YYYY-MM-DD): %(value)s")),
    (r"(?P<day>\S+) is not in (?P<year>\d+)", N_("%(day)s is not in %(year)s")),
    (r"(?P<day>\S+) is listed twice", N_("%(day)s is listed twice")),
    (r"(?P<day>\S+) is both a day off and a working day", N_("%(day)s is both a day off and a working day")),
    (r"expected off/working \(休/班\), got (?P<value>.*)", N_("expected off/working (休/班), got %(value)s")),
    (r"invalid JSON at line (?P<line>\d+): (?P<detail>.*)", N_("invalid JSON at line %(line)s: %(detail)s")),
    (r"expected a year number, got (?P<value>.*)", N_("expected a year number, got %(value)s")),
    (r"unreadable CSV: (?P<detail>.*)", N_("unreadable CSV: %(detail)s")),
    (r"must be between (?P<min>-?\d+) and (?P<max>-?\d+)", N_("must be between %(min)s and %(max)s")),
    (r"must be a whole number, got (?P<value>.*)", N_("must be a whole number, got %(value)s")),
    (r"must be at least (?P<count>\d+) characters", N_("must be at least %(count)s characters")),
    (r"the user name '(?P<name>.*)' is taken", N_("the user name '%(name)s' is taken")),
    (r"no department with code '(?P<code>.*)'", N_("no department with code '%(code)s'")),
    (r"no subject with code '?(?P<code>[^']*)'?", N_("no subject with code '%(code)s'")),
    (r"must be 18 characters \(a Unified Social Credit Code or a resident ID number\), got (?P<count>\d+)",
     N_("must be 18 characters (a Unified Social Credit Code or a resident ID number), got %(count)s")),
    (r"wrong check character '(?P<got>.)' for a Unified Social Credit Code: expected '(?P<expected>.)'",
     N_("wrong check character '%(got)s' for a Unified Social Credit Code: expected '%(expected)s'")),
    (r"wrong check character '(?P<got>.)' for a resident ID number: expected '(?P<expected>.)'",
     N_("wrong check character '%(got)s' for a resident ID number: expected '%(expected)s'")),
]
# f-strings in the services whose few possible values make them fixed messages in effect
FIXED = (N_("this claim is already confirmed"), N_("this claim is already rejected"))

_PATTERNS = [(re.compile(pattern, re.S), msgid) for pattern, msgid in _TEMPLATED]


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

_ROW_COLUMN = re.compile(r"row (\d+), column (\w+)")
_LIST_ITEM = re.compile(r"(days_off|working_days)\[(\d+)\]")


def translate(message: str) -> str:
    translated = _(message)
    if translated != message:
        return translated
    for pattern, msgid in _PATTERNS:
        if match := pattern.fullmatch(message):
            return _(msgid, **match.groupdict())
    return message


def file_error(error: DomainError) -> str:
    """An import file's error: where in the file (row and column, or list item) and what is wrong there."""
    message, where = translate(error.message), error.field or "file"
    if where == "file":
        return message
    if match := _ROW_COLUMN.fullmatch(where):
        where = _("row %(row)s, column %(column)s", row=match[1], column=match[2])
    elif match := _LIST_ITEM.fullmatch(where):
        where = _("%(list)s, item %(number)s", list=match[1], number=int(match[2]) + 1)
    return _("%(where)s: %(problem)s", where=where, problem=message)
