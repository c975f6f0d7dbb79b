"""An administrator's holiday arrangement as a file: JSON, CSV (as a spreadsheet saves it) or iCalendar (as
holiday calendars publish it), read into a `YearArrangement` with every problem named by its line or row, and
written back as JSON. Pure Python, like the calendar it feeds."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta

from sla.calendar import N_, CalendarFileError, YearArrangement

ONE_DAY = timedelta(days=1)

_DATE_RE = re.compile(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s*")  # Excel may write 2027/1/1
_KINDS = {"off": "off", "休": "off", "working": "working", "班": "working"}
_HEADERS = {"date": "date", "日期": "date", "type": "type", "类型": "type"}


def _parse_date(value, field: str) -> date:
    match = _DATE_RE.fullmatch(value) if isinstance(value, str) else None
    try:
        return date(*map(int, match.groups()))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise CalendarFileError(field, N_("not a valid date (expected YYYY-MM-DD): %(value)s"),
                                value=repr(value)) from None


def _build(year: int, entries: list[tuple[str, date, str]], *, repeats_ok: bool = False) -> YearArrangement:
    """entries: (kind, day, field) in file order; checks year, duplicates and contradictions
    (`repeats_ok`: a day given twice with the same kind is one day, not an error)."""
    seen: dict[date, str] = {}
    for kind, day, field in entries:
        if day.year != year:
            raise CalendarFileError(field, N_("%(day)s is not in %(year)s"), day=day.isoformat(), year=year)
        if day in seen and not (repeats_ok and seen[day] == kind):
            problem = (N_("%(day)s is listed twice") if seen[day] == kind else
                       N_("%(day)s is both a day off and a working day"))
            raise CalendarFileError(field, problem, day=day.isoformat())
        seen[day] = kind
    if not seen:
        raise CalendarFileError("file", "the arrangement lists no days")
    return YearArrangement(year, frozenset(d for d, k in seen.items() if k == "off"),
                           frozenset(d for d, k in seen.items() if k == "working"))


def _parse_json(text: str) -> YearArrangement:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalendarFileError("file", N_("invalid JSON at line %(line)s: %(detail)s"), line=exc.lineno,
                                detail=exc.msg) from None
    if not isinstance(data, dict):
        raise CalendarFileError("file", "expected a JSON object")
    # Unknown keys are rejected: a typo ("workdays") would otherwise silently drop data.
    unknown = sorted(set(data) - {"year", "days_off", "working_days"})
    if unknown:
        raise CalendarFileError(unknown[0], "unknown field")
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not MINYEAR <= year <= MAXYEAR:
        raise CalendarFileError("year", N_("expected a year number, got %(value)s"), value=repr(year))
    entries = []
    for key, kind in (("days_off", "off"), ("working_days", "working")):
        values = data.get(key)
        if not isinstance(values, list):
            raise CalendarFileError(key, "expected a list of dates")
        fields = [f"{key}[{i}]" for i in range(len(values))]
        entries += [(kind, _parse_date(v, f), f) for v, f in zip(values, fields)]
    return _build(year, entries)


def _parse_csv(text: str) -> YearArrangement:
    try:
        rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise CalendarFileError("file", N_("unreadable CSV: %(detail)s"), detail=str(exc)) from None
    if not rows:
        raise CalendarFileError("file", "the file is empty")
    header = [_HEADERS.get(c.strip().lower(), c.strip()) for c in rows[0]]
    if "date" not in header or "type" not in header:
        raise CalendarFileError("row 1", "header must have the columns date,type")
    d_col, t_col = header.index("date"), header.index("type")
    entries = []
    for number, row in enumerate(rows[1:], start=2):  # row numbers as a spreadsheet shows them
        cells = row + [""] * (len(header) - len(row))
        day = _parse_date(cells[d_col], f"row {number}, column date")
        kind = _KINDS.get(cells[t_col].strip().lower())
        if kind is None:
            raise CalendarFileError(f"row {number}, column type", N_("expected off/working (休/班), got %(value)s"),
                                    value=repr(cells[t_col]))
        entries.append((kind, day, f"row {number}, column date"))
    if not entries:
        raise CalendarFileError("file", "the arrangement lists no days")
    return _build(entries[0][1].year, entries)  # the first row fixes the year; others must match


# iCalendar (.ics): the arrangement as holiday calendars circulate it, one all-day event per holiday or make-up
# day (DTEND exclusive), its kind in the summary ("春节 休", "春节调休 班", "上班") or else in its categories.
_ICS_WORKING = re.compile(r"班|\b(?:working|work ?day|make-?up)\b", re.IGNORECASE)  # "春节调休 班": 班 decides
_ICS_OFF = re.compile(r"休|放假|假期|假日|\b(?:off|holiday|day off|rest)\b", re.IGNORECASE)
_ICS_NAME = re.compile(r"[A-Za-z0-9-]+")
_ICS_TRACKED = {"SUMMARY", "DTSTART", "DTEND", "DURATION", "CATEGORIES", "RRULE", "RDATE"}
_ICS_MAX_DAYS = 366


def _ics_kind(text: str) -> str | None:
    return "working" if _ICS_WORKING.search(text) else "off" if _ICS_OFF.search(text) else None


def _ics_lines(text: str) -> list[dict[str, int]]:
    """Per VEVENT in file order (as the library walks them): the line numbers of its BEGIN and properties.

    The library keeps no line numbers, so the file is scanned here the way it splits it: lines end with
    LF or CRLF, and a line starting with a space or a tab continues the one before."""
    events: list[dict[str, int]] = []
    open_components: list[tuple[str, int | None]] = []
    for number, line in enumerate(re.split(r"\r?\n", text), start=1):
        if not line or line[0] in " \t":
            continue
        match = _ICS_NAME.match(line)
        name = match.group().upper() if match else ""
        value = line.partition(":")[2].strip().upper()
        if name == "BEGIN":
            if value == "VEVENT":
                events.append({"BEGIN": number})
            open_components.append((value, len(events) - 1 if value == "VEVENT" else None))
        elif name == "END":
            if open_components:
                open_components.pop()
        elif open_components and open_components[-1][1] is not None and name in _ICS_TRACKED:
            events[open_components[-1][1]].setdefault(name, number)
    return events


def _ics_day(event, name: str, field: str) -> date | None:
    from icalendar import vBroken

    prop = event.get(name)
    if prop is None:
        return None
    value = None if isinstance(prop, (vBroken, list)) else getattr(prop, "dt", None)
    if isinstance(value, datetime) or not isinstance(value, date):
        shown = str(prop) if isinstance(prop, vBroken) else _ics_text(prop)
        raise CalendarFileError(field, N_("not an all-day date (expected YYYYMMDD): %(value)s"), value=repr(shown))
    return value


def _ics_text(prop) -> str:
    try:
        raw = prop.to_ical()
    except Exception:  # noqa: BLE001 - only for showing the value in a message
        return str(prop)
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _parse_ics(text: str) -> YearArrangement:
    from icalendar import Calendar

    lines = _ics_lines(text)
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # noqa: BLE001 - any failure of the library on a bad file is the file's
        raise CalendarFileError("file", N_("unreadable iCalendar: %(detail)s"), detail=str(exc)[:200]) from None
    events = [event for component in calendars for event in component.walk("VEVENT")]
    if len(events) != len(lines):  # the scan and the library disagree: say where by file, not by a wrong line
        lines = [{} for _ in events]
    entries = []
    for event, where in zip(events, lines):
        begin = f"line {where['BEGIN']}" if "BEGIN" in where else "file"
        start_field = f"line {where['DTSTART']}" if "DTSTART" in where else begin
        if "RRULE" in event or "RDATE" in event:
            raise CalendarFileError(start_field, "a repeating event: list the days of the arrangement themselves")
        start = _ics_day(event, "DTSTART", start_field)
        if start is None:
            raise CalendarFileError(begin, "the event has no start (DTSTART)")
        end = _ics_day(event, "DTEND", f"line {where['DTEND']}" if "DTEND" in where else start_field)
        length = 1  # an all-day event without an end or a duration is that one day (RFC 5545)
        if end is not None:
            length = (end - start).days
        elif "DURATION" in event:
            duration = getattr(event.get("DURATION"), "dt", None)
            if not isinstance(duration, timedelta) or duration % ONE_DAY:
                raise CalendarFileError(f"line {where['DURATION']}" if "DURATION" in where else start_field,
                                        "the duration of an all-day event must be whole days")
            length = duration.days
        if length <= 0:
            raise CalendarFileError(start_field, "the event ends before it starts")
        if length > _ICS_MAX_DAYS:
            raise CalendarFileError(start_field, "the event is longer than a year")
        summary = str(event.get("SUMMARY", "")).strip()
        try:
            categories = " ".join(str(c) for c in event.categories)
        except Exception:  # noqa: BLE001 - unreadable categories decide nothing
            categories = ""
        kind = _ics_kind(summary) or _ics_kind(categories)
        if kind is None:
            summary_field = f"line {where['SUMMARY']}" if "SUMMARY" in where else start_field
            raise CalendarFileError(summary_field, N_("neither a day off (休) nor a working day (班): %(value)s"),
                                    value=repr(summary))
        # by ordinal: no day after 9999-12-31 exists, and the year check below refuses any day out of the year
        last = min(start.toordinal() + length - 1, date.max.toordinal())
        entries += [(kind, date.fromordinal(o), start_field) for o in range(start.toordinal(), last + 1)]
    if not entries:
        raise CalendarFileError("file", "the arrangement lists no days")
    # Events may overlap (the holiday's span and its eve as an event of its own): a day told twice alike is
    # one day; a day told off and working is refused.
    return _build(entries[0][1].year, entries, repeats_ok=True)


def parse_arrangement(text: str, filename: str = "") -> YearArrangement:
    """Parse an import file: JSON ({"year", "days_off", "working_days"}), CSV (date,type) or iCalendar (.ics)."""
    text = text.lstrip("\ufeff")  # Excel writes a UTF-8 BOM
    if not text.strip():
        raise CalendarFileError("file", "the file is empty")
    name = filename.lower()
    if name.endswith(".ics") or text.lstrip()[:15].upper() == "BEGIN:VCALENDAR":
        return _parse_ics(text)
    is_json = name.endswith(".json") or (not name.endswith(".csv") and text.lstrip()[0] in "{[")
    return _parse_json(text) if is_json else _parse_csv(text)


def serialize_arrangement(arrangement: YearArrangement) -> str:
    """JSON export in the import format, so parse_arrangement(serialize_arrangement(a)) == a."""
    return json.dumps({"year": arrangement.year,
                       "days_off": sorted(d.isoformat() for d in arrangement.days_off),
                       "working_days": sorted(d.isoformat() for d in arrangement.working_days)},
                      indent=2)
