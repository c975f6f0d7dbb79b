"""Working-day calendar for SLA deadlines (mainland China, Asia/Shanghai).

A day is a working day iff it is Monday-Friday and not a statutory day off, or it is a make-up
working day (调休). Data per year comes from an administrator's import if there is one (it fully
replaces the packaged data for that year), else from the ``chinese_calendar`` package. A year with
neither raises CalendarDataMissing: we never fall back to "weekends only", because a deadline
computed from a missing arrangement would be silently wrong.

Limits: ``add_working_days(start, n)`` is the n-th working day after ``start`` (start not counted);
``working_days_between(start, end)`` counts working days d with start < d <= end. A limit ends at
the end of its last day: ``day_end_exclusive(due)`` is the next day's 00:00 in Asia/Shanghai, and a
limit is overdue iff ``now >= day_end_exclusive(due)`` (exclusive, so no 23:59:59.999999 rounding).

Pure Python on purpose: used by the web app, the Prefect flows and the scheduler alike.
"""
from __future__ import annotations

import csv
import io
import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Iterable
from zoneinfo import ZoneInfo

import chinese_calendar

ZONE = ZoneInfo("Asia/Shanghai")
_ONE_DAY = timedelta(days=1)


def N_(message: str) -> str:
    """Marks a message id for extraction; the web layer translates it (workflows.domain.errors.N_ alike)."""
    return message


class CalendarDataMissing(Exception):
    """No arrangement (imported or packaged) for ``year``: deadlines in it cannot be computed."""

    msgid = N_("No working-day calendar data for %(year)s: import the year's holiday arrangement first")

    def __init__(self, year: int):
        self.year = year
        self.params = {"year": year}
        super().__init__(self.msgid % self.params)


class CalendarFileError(ValueError):
    """An invalid import file; ``field`` says where ("days_off[3]", "row 5, column date").

    ``msgid`` is the problem's message id with ``%(name)s`` placeholders, ``params`` their values and
    ``message`` the English text with them filled in."""

    def __init__(self, field: str, message: str, **params):
        self.field, self.msgid, self.params = field, message, params
        self.message = message % params if params else message
        super().__init__(f"{field}: {self.message}")


@dataclass(frozen=True)
class YearArrangement:
    """One year's State Council arrangement: statutory days off and make-up working days."""
    year: int
    days_off: frozenset[date]
    working_days: frozenset[date]

    def __post_init__(self):
        # Coerce so callers may pass lists/sets; validate so a bad DB row cannot skew deadlines.
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "working_days", frozenset(self.working_days))
        if any(d.year != self.year for d in self.days_off | self.working_days):
            raise ValueError(f"arrangement for {self.year} contains dates of another year")
        if self.days_off & self.working_days:
            raise ValueError(f"arrangement for {self.year} has days both off and working")

    def is_working_day(self, day: date) -> bool:
        return day in self.working_days or (day.weekday() < 5 and day not in self.days_off)


def _days_of(year: int) -> Iterable[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += _ONE_DAY


@lru_cache(maxsize=None)
def _packaged_ordinals(year: int) -> tuple[int, ...]:
    """Sorted working-day ordinals of a year from chinese_calendar (immutable: cached globally)."""
    if not MINYEAR <= year <= MAXYEAR:
        raise CalendarDataMissing(year)
    try:
        return tuple(d.toordinal() for d in _days_of(year) if chinese_calendar.is_workday(d))
    except NotImplementedError:  # chinese_calendar's way of saying "no data for this year"
        raise CalendarDataMissing(year) from None


def _check_day(value) -> None:
    # A datetime is a date subclass; passing a UTC instant would silently shift the day.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"expected a datetime.date (use local_date() for instants), got {value!r}")


class WorkingCalendar:
    """Packaged data plus administrator imports. Immutable after construction, so thread-safe."""

    def __init__(self, arrangements: Iterable[YearArrangement] = ()):
        self._imported: dict[int, YearArrangement] = {}
        for arrangement in arrangements:
            if arrangement.year in self._imported:
                raise ValueError(f"two arrangements for {arrangement.year}")
            self._imported[arrangement.year] = arrangement
        # Precomputed eagerly (≈365 checks per year) so lookups never mutate shared state.
        self._imported_ordinals = {
            year: tuple(d.toordinal() for d in _days_of(year) if a.is_working_day(d))
            for year, a in self._imported.items()}

    def _ordinals(self, year: int) -> tuple[int, ...]:
        found = self._imported_ordinals.get(year)
        return found if found is not None else _packaged_ordinals(year)

    def source(self, year: int) -> str | None:
        if year in self._imported:
            return "imported"
        try:
            _packaged_ordinals(year)
        except CalendarDataMissing:
            return None
        return "packaged"

    def has_year(self, year: int) -> bool:
        return self.source(year) is not None

    def arrangement(self, year: int) -> YearArrangement:
        """The effective arrangement of a year (e.g. to prefill an import form or export it)."""
        if year in self._imported:
            return self._imported[year]
        working = {date.fromordinal(o) for o in _packaged_ordinals(year)}
        return YearArrangement(
            year, frozenset(d for d in _days_of(year) if d.weekday() < 5 and d not in working),
            frozenset(d for d in working if d.weekday() >= 5))

    def is_working_day(self, day: date) -> bool:
        _check_day(day)
        ordinals, o = self._ordinals(day.year), day.toordinal()
        i = bisect_left(ordinals, o)
        return i < len(ordinals) and ordinals[i] == o

    def add_working_days(self, start: date, days: int) -> date:
        _check_day(start)
        if not isinstance(days, int) or isinstance(days, bool):
            raise TypeError(f"days must be an int, got {days!r}")
        if days < 0:
            raise ValueError("days must be >= 0")
        if days == 0:
            return start
        remaining, after = days, start.toordinal()
        # Start in the year of the first counted day, so Dec 31 needs no data for its own year.
        year = start.year + 1 if (start.month, start.day) == (12, 31) else start.year
        while True:  # one iteration per calendar year crossed
            ordinals = self._ordinals(year)
            pos = bisect_right(ordinals, after)
            if remaining <= len(ordinals) - pos:
                return date.fromordinal(ordinals[pos + remaining - 1])
            remaining -= len(ordinals) - pos
            year += 1

    def working_days_between(self, start: date, end: date) -> int:
        _check_day(start)
        _check_day(end)
        if end <= start:
            return 0
        first, total = start + _ONE_DAY, 0
        for year in range(first.year, end.year + 1):
            ordinals = self._ordinals(year)
            lo = max(first, date(year, 1, 1)).toordinal()
            total += bisect_right(ordinals, min(end, date(year, 12, 31)).toordinal())
            total -= bisect_left(ordinals, lo)
        return total


_default = WorkingCalendar()


def default_calendar() -> WorkingCalendar:
    return _default


def install_arrangements(arrangements: Iterable[YearArrangement]) -> None:
    """Replace the default calendar's imports. Builds a new calendar, then swaps the reference
    (a single assignment), so concurrent readers see either the old or the new one, never a mix."""
    global _default
    _default = WorkingCalendar(arrangements)


# The State Council publishes a year's arrangement in November of the year before: from then on, a missing
# next year is worth telling the administrator before deadlines begin to run into it.
NEXT_YEAR_WATCH_FROM = (11, 1)  # (month, day)


def missing_next_year(today: date, cal: WorkingCalendar) -> int | None:
    """Next year, if ``today`` is on or after 1 November and ``cal`` has no arrangement for it; else None."""
    _check_day(today)
    if (today.month, today.day) < NEXT_YEAR_WATCH_FROM or today.year >= MAXYEAR:
        return None
    return None if cal.has_year(today.year + 1) else today.year + 1


def is_working_day(day: date) -> bool:
    return _default.is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    return _default.add_working_days(start, days)


def working_days_between(start: date, end: date) -> int:
    return _default.working_days_between(start, end)


def local_date(instant: datetime) -> date:
    """The Asia/Shanghai calendar date of an instant; naive datetimes are taken as UTC."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(ZONE).date()


def day_start(day: date) -> datetime:
    """The start of ``day`` in Asia/Shanghai (00:00, +08:00)."""
    return datetime.combine(day, time(0), tzinfo=ZONE)


def day_end_exclusive(day: date) -> datetime:
    """Exclusive end of ``day`` in Asia/Shanghai: the next day's 00:00 (+08:00, no DST)."""
    return datetime.combine(day + _ONE_DAY, time(0), tzinfo=ZONE)


# --- Import / export of an administrator's arrangement -------------------------------------------

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
            if not isinstance(duration, timedelta) or duration % _ONE_DAY:
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
