"""Domain messages in the reader's language.

Fixed messages go through the catalogue as they are. Many carry values in the text (the calendar
file's, the settings' ranges, a case's number, a file's name); they are matched here and translated
with their values. A value that is one of the processes' names (a field, an action, a state, a list,
a process) is shown by its label. A message that matches nothing, or whose pattern has no translation
in the reader's language, is shown as it is, in English, rather than wrongly.
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
    (r"unreadable iCalendar: (?P<detail>.*)", N_("unreadable iCalendar: %(detail)s")),
    (r"not an all-day date \(expected YYYYMMDD\): (?P<value>.*)",
     N_("not an all-day date (expected YYYYMMDD): %(value)s")),
    (r"neither a day off \(休\) nor a working day \(班\): (?P<value>.*)",
     N_("neither a day off (休) nor a working day (班): %(value)s")),
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
    (r"No working-day calendar data for (?P<year>\d+): import the year's holiday arrangement first",
     N_("No working-day calendar data for %(year)s: import the year's holiday arrangement first")),
    (r"this needs the working-day calendar of (?P<year>\d+), which has not been imported yet: the administrators "
     r"have been asked to import it; nothing was changed, try again once they have",
     N_("this needs the working-day calendar of %(year)s, which has not been imported yet: the administrators "
        "have been asked to import it; nothing was changed, try again once they have")),
    # cases and their actions
    (r"no case #(?P<id>\d+)", N_("no case #%(id)s")),
    (r"the case is (?P<state>\w+)", N_("the case is %(state)s"), {"state": "state"}),
    (r"'(?P<field>\w+)' is required", N_("'%(field)s' is required"), {"field": "field"}),
    (r"'(?P<field>\w+)' is required for '(?P<action>\w+)'", N_("'%(field)s' is required for '%(action)s'"),
     {"field": "field", "action": "action"}),
    (r"'(?P<field>\w+)' must be one of (?P<choices>.*)", N_("'%(field)s' must be one of %(choices)s"),
     {"field": "field"}),
    (r"'(?P<action>\w+)' is not an action of the (?P<process>\w+) process",
     N_("'%(action)s' is not an action of the %(process)s process"), {"action": "action", "process": "process"}),
    (r"'(?P<action>\w+)' is not possible while the case is (?P<state>\w+)",
     N_("'%(action)s' is not possible while the case is %(state)s"), {"action": "action", "state": "state"}),
    (r"unknown process '(?P<value>.*)'; one of: (?P<allowed>.*)",
     N_("unknown process '%(value)s'; one of: %(allowed)s")),
    (r"unknown role '(?P<value>.*)'; one of: (?P<allowed>.*)", N_("unknown role '%(value)s'; one of: %(allowed)s")),
    (r"unknown setting '(?P<key>.*)'", N_("unknown setting '%(key)s'")),
    (r"unknown status '(?P<value>.*)'", N_("unknown status '%(value)s'")),
    (r"unknown deadline status '(?P<value>.*)'; one of: (?P<allowed>.*)",
     N_("unknown deadline status '%(value)s'; one of: %(allowed)s")),
    (r"unknown date filter '(?P<value>.*)'; one of: (?P<allowed>.*)",
     N_("unknown date filter '%(value)s'; one of: %(allowed)s")),
    (r"no list entry #(?P<id>\d+)", N_("no list entry #%(id)s")),
    (r"no notification #(?P<id>\d+)", N_("no notification #%(id)s")),
    (r"no webhook endpoint #(?P<id>\d+)", N_("no webhook endpoint #%(id)s")),
    (r"no webhook delivery #(?P<id>\d+)", N_("no webhook delivery #%(id)s")),
    # uploaded files (the case pages say some of these their own way: webapp.labels)
    (r"'(?P<name>.*)' is empty", N_("'%(name)s' is empty")),
    (r"'(?P<name>.*)' is larger than (?P<mb>\d+) MB", N_("'%(name)s' is larger than %(mb)s MB")),
    (r"at most (?P<count>\d+) files at once", N_("at most %(count)s files at once")),
    (r"'(?P<name>.*)' is not a PDF, PNG or JPEG file \(checked by its content\)",
     N_("'%(name)s' is not a PDF, PNG or JPEG file (checked by its content)")),
    (r"'(?P<name>.*)' is not a PDF, PNG or JPEG file \(checked by its content; its content is (?P<kind>.*)\)",
     N_("'%(name)s' is not a PDF, PNG or JPEG file (checked by its content; its content is %(kind)s)")),
    (r"'(?P<name>.*)' is named as a (?P<suffix>\.\S*) file but its content is "
     r"(?P<kind>a PDF|a PNG image|a JPEG image): "
     r"upload the file under its real name",
     N_("'%(name)s' is named as a %(suffix)s file but its content is %(kind)s: upload the file under its real name"),
     {"kind": "file_kind"}),
    (r"the file name '(?P<name>.*)' was sent with a path \((?P<raw>.*)\): send the file's name only",
     N_("the file name '%(name)s' was sent with a path (%(raw)s): send the file's name only")),
    (r"the file name '(?P<name>.*)' contains control characters",
     N_("the file name '%(name)s' contains control characters")),
    # objections and lists
    (r"an objection against this entry is already open \(case #(?P<id>\d+)\)",
     N_("an objection against this entry is already open (case #%(id)s)")),
    (r"this list entry is (?P<status>\w+): there is nothing to object to now",
     N_("this list entry is %(status)s: there is nothing to object to now"), {"status": "state"}),
    (r"validity ends \((?P<end>[\d-]+)\) on or before it starts \((?P<start>[\d-]+)\)",
     N_("validity ends (%(end)s) on or before it starts (%(start)s)")),
    (r"the validity ends on (?P<day>[\d-]+), in the past", N_("the validity ends on %(day)s, in the past")),
    (r"unknown measure '(?P<code>.*)'", N_("unknown measure '%(code)s'")),
    (r"unknown list '(?P<value>.*)'; one of: (?P<allowed>.*)", N_("unknown list '%(value)s'; one of: %(allowed)s")),
    (r"the subject already has an open (?P<list>\w+) list entry \(#(?P<id>\d+)\)",
     N_("the subject already has an open %(list)s list entry (#%(id)s)"), {"list": "list"}),
    (r"a listing department lists for itself \((?P<own>.*)\), not for '(?P<code>.*)'",
     N_("a listing department lists for itself (%(own)s), not for '%(code)s'")),
    (r"no key-attention entry #(?P<id>\d+)", N_("no key-attention entry #%(id)s")),
    (r"the key-attention entry is (?P<status>\w+): only an active one can be escalated",
     N_("the key-attention entry is %(status)s: only an active one can be escalated"), {"status": "state"}),
    (r"'(?P<value>.*)' is not a public list; one of: red, black",
     N_("'%(value)s' is not a public list; one of: red, black")),
    (r"the search is longer than (?P<count>\d+) characters", N_("the search is longer than %(count)s characters")),
    # credit repair
    (r"'(?P<value>.*)' is not a date \(YYYY-MM-DD\)", N_("'%(value)s' is not a date (YYYY-MM-DD)")),
    (r"'(?P<value>.*)' is not a whole number of months", N_("'%(value)s' is not a whole number of months")),
    (r"the key-attention period must be 1 to (?P<max>\d+) months",
     N_("the key-attention period must be 1 to %(max)s months")),
    (r"the key-attention validity must end after today \((?P<today>[\d-]+)\); (?P<day>[\d-]+) is not in the future",
     N_("the key-attention validity must end after today (%(today)s); %(day)s is not in the future")),
    (r"entries of the category '(?P<category>.*)' need proof that the wrong has been put right: attach at least one "
     r"PDF, PNG or JPEG file",
     N_("entries of the category '%(category)s' need proof that the wrong has been put right: attach at least one "
        "PDF, PNG or JPEG file"), {"category": "category"}),
    (r"this entry is (?P<status>\w+): there is nothing to repair",
     N_("this entry is %(status)s: there is nothing to repair"),
     {"status": "state"}),
    (r"entries of the category '(?P<category>.*)' cannot be repaired through this process",
     N_("entries of the category '%(category)s' cannot be repaired through this process"), {"category": "category"}),
    (r"entries of the category '(?P<category>.*)' must stay listed at least (?P<months>\d+) months: this one can be "
     r"repaired from (?P<day>[\d-]+)",
     N_("entries of the category '%(category)s' must stay listed at least %(months)s months: this one can be "
        "repaired from %(day)s"), {"category": "category"}),
    (r"an objection on this entry is already open \(case #(?P<id>\d+)\)",
     N_("an objection on this entry is already open (case #%(id)s)")),
    (r"a credit repair application on this entry is already open \(case #(?P<id>\d+)\)",
     N_("a credit repair application on this entry is already open (case #%(id)s)")),
    # green channel
    (r"material (?P<no>\d+) is not one of this matter's materials",
     N_("material %(no)s is not one of this matter's materials")),
    (r"'(?P<name>.*)' is a statutory core material: it cannot be missing",
     N_("'%(name)s' is a statutory core material: it cannot be missing")),
    (r"a deadline of (?P<days>\d+) working days is later than the matter's processing time "
     r"\((?P<limit>\d+) working days\)",
     N_("a deadline of %(days)s working days is later than the matter's processing time (%(limit)s working days)")),
    (r"material (?P<no>\d+) is not one of the missing materials of this application",
     N_("material %(no)s is not one of the missing materials of this application")),
    (r"material (?P<no>\d+) is (?P<status>\w+): it cannot be submitted now",
     N_("material %(no)s is %(status)s: it cannot be submitted now"), {"status": "material"}),
    (r"material (?P<no>\d+) is (?P<status>\w+): it cannot be verified now",
     N_("material %(no)s is %(status)s: it cannot be verified now"), {"status": "material"}),
    (r"an extension of (?P<days>\d+) working days would end after the matter's processing time \((?P<room>\d+) "
     r"working days are left to it\)",
     N_("an extension of %(days)s working days would end after the matter's processing time (%(room)s working days "
        "are left to it)")),
    (r"a green-channel application for this matter is already open \(case #(?P<id>\d+)\)",
     N_("a green-channel application for this matter is already open (case #%(id)s)")),
    # red-list removal
    (r"unknown trigger '(?P<value>.*)'; one of: (?P<allowed>.*)",
     N_("unknown trigger '%(value)s'; one of: %(allowed)s")),
    (r"a removal for '(?P<trigger>.*)' starts automatically", N_("a removal for '%(trigger)s' starts automatically")),
    (r"a removal for '(?P<trigger>.*)' cannot be contested", N_("a removal for '%(trigger)s' cannot be contested")),
    (r"list entry #(?P<id>\d+) is not on the red list", N_("list entry #%(id)s is not on the red list")),
    (r"a removal case for red-list entry #(?P<entry>\d+) is already open \(case #(?P<id>\d+)\)",
     N_("a removal case for red-list entry #%(entry)s is already open (case #%(id)s)")),
    (r"red-list entry #(?P<id>\d+) is (?P<status>\w+): it is no longer on the red list",
     N_("red-list entry #%(id)s is %(status)s: it is no longer on the red list"), {"status": "state"}),
    (r"the subject is on the blacklist \(entry #(?P<id>\d+)\): it cannot be put on the red list",
     N_("the subject is on the blacklist (entry #%(id)s): it cannot be put on the red list")),
    (r"the subject is on the key-attention list \(entry #(?P<id>\d+)\): it cannot be put on the red list",
     N_("the subject is on the key-attention list (entry #%(id)s): it cannot be put on the red list")),
    (r"the objection against removal case #(?P<id>\d+) has already been decided",
     N_("the objection against removal case #%(id)s has already been decided")),
    (r"entries (?P<ids>#\d+(?:, #\d+)*) do not match the rule", N_("entries %(ids)s do not match the rule")),
    # supervision, statistics and credit-status queries
    (r"at most (?P<count>\d+) cases at once", N_("at most %(count)s cases at once")),
    (r"the reply-by day must be after today \((?P<today>[\d-]+)\)",
     N_("the reply-by day must be after today (%(today)s)")),
    (r"case #(?P<id>\d+) is closed: there is nothing to urge", N_("case #%(id)s is closed: there is nothing to urge")),
    (r"case #(?P<id>\d+) has no department concerned: choose the department",
     N_("case #%(id)s has no department concerned: choose the department")),
    (r"no urging #(?P<id>\d+)", N_("no urging #%(id)s")),
    (r"the period ends \((?P<end>[\d-]+)\) before it starts \((?P<start>[\d-]+)\)",
     N_("the period ends (%(end)s) before it starts (%(start)s)")),
    (r"the period starts in the future \((?P<start>[\d-]+)\)", N_("the period starts in the future (%(start)s)")),
    (r"'(?P<value>.*)' is not a month \(expected YYYY-MM\)", N_("'%(value)s' is not a month (expected YYYY-MM)")),
    (r"the month (?P<month>\S+) has not ended yet: its report can only be made from (?P<day>[\d-]+) on",
     N_("the month %(month)s has not ended yet: its report can only be made from %(day)s on")),
    (r"the report for (?P<month>\S+) has not been generated yet: it is generated on the first working day of the next "
     r"month",
     N_("the report for %(month)s has not been generated yet: it is generated on the first working day of the next "
        "month")),
    (r"the purpose is too short: say what the query is for \(at least (?P<count>\d+) characters\)",
     N_("the purpose is too short: say what the query is for (at least %(count)s characters)")),
    (r"the purpose is longer than (?P<count>\d+) characters", N_("the purpose is longer than %(count)s characters")),
    (r"no query log visible for (?P<code>.*)", N_("no query log visible for %(code)s")),
    # last: any name before it (after "list entry #… is not on the red list" above)
    (r"(?P<name>.+) is not on the red list", N_("%(name)s is not on the red list")),
]
# f-strings in the services whose few possible values make them fixed messages in effect, and the
# processes' guards' refusals (returned, not raised, so not extracted by the errors' names)
FIXED = (
    N_("this claim is already confirmed"), N_("this claim is already rejected"),
    N_("a punishment measure cannot be attached to the red list"),
    N_("a incentive measure cannot be attached to the black list"),
    N_("a incentive measure cannot be attached to the key_attention list"),
    N_("the red-list entry was removed because the subject was put on the blacklist or key-attention list: object "
       "to that listing instead"),
    N_("the red-list entry left the list because its validity ended: there is no decision to object to"),
    N_("only a blacklist entry can leave its list early through credit repair"),
    N_("this entry is suspended while an objection against it is verified: wait for its result"),
    N_("the deadline has already been extended once: only one extension is allowed"),
    N_("no material is outstanding: there is no deadline to extend"),
    N_("not every missing material is verified yet"),
    N_("only an automatic trigger is removed without the listing department's decision"),
    N_("only an abuse report waits for the listing department's decision"),
)
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

_PATTERNS = [(re.compile(pattern, re.S), msgid, names[0] if names else {})
             for pattern, msgid, *names in _TEMPLATED]

# an uploaded file's detected kind, as evidence checking names it
_FILE_KINDS = {"a PDF": "PDF", "a PNG image": "PNG", "a JPEG image": "JPEG"}
# the blacklist categories that credit repair has settings for (workflows.domain.settings)
_CATEGORIES = {"market_regulation": N_("market regulation"), "tax": N_("tax"), "food_safety": N_("food safety"),
               "environment": N_("environment"), "court_enforcement": N_("court enforcement")}
# a green-channel material's status (as the materials panel says it)
_MATERIAL_STATUSES = {"supplied": N_("Supplied at filing"), "missing": N_("Missing"),
                      "submitted": N_("Submitted, to be verified"), "verified": N_("Verified"),
                      "rejected": N_("Rejected, to submit again")}


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
_LINE = re.compile(r"line (\d+)")


def _named(kind: str | None, value: str) -> str:
    """A value in a message by its label: the processes' names as the pages show them."""
    if kind is None:
        return value
    if kind == "file_kind":
        return _FILE_KINDS.get(value, value)
    if kind == "category":
        return _(_CATEGORIES[value]) if value in _CATEGORIES else value
    if kind == "material":
        return _(_MATERIAL_STATUSES[value]) if value in _MATERIAL_STATUSES else value
    from . import labels  # noqa: PLC0415 - labels imports this module

    return {"field": labels.field_label, "action": labels.action_label, "state": labels.state_label,
            "list": labels.list_label, "process": labels.process_label}[kind](value)


def translate(message: str) -> str:
    translated = _(message)
    if translated != message:
        return translated
    for pattern, msgid, names in _PATTERNS:
        if match := pattern.fullmatch(message):
            if _(msgid) == msgid:  # not translated into the reader's language: the message as it is
                return message
            return _(msgid, **{key: _named(names.get(key), value) for key, value in match.groupdict().items()})
    return message


def file_error(error: DomainError) -> str:
    """An import file's error: where in the file (row and column, list item, or line) and what is wrong there."""
    message, where = translate(error.message), error.field or "file"
    if where == "file":
        return message
    if match := _ROW_COLUMN.fullmatch(where):
        where = _("row %(row)s, column %(column)s", row=match[1], column=match[2])
    elif match := _LIST_ITEM.fullmatch(where):
        where = _("%(list)s, item %(number)s", list=match[1], number=int(match[2]) + 1)
    elif match := _LINE.fullmatch(where):
        where = _("line %(line)s", line=match[1])
    return _("%(where)s: %(problem)s", where=where, problem=message)
