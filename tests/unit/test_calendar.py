"""Working-day calendar: packaged data, administrator imports, limits and the import format."""
from datetime import date, datetime, timedelta, timezone

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla import calendar as cal
from sla.arrangement_files import parse_arrangement, serialize_arrangement
from sla.calendar import (CalendarDataMissing, CalendarFileError, WorkingCalendar, YearArrangement,
                          add_working_days, is_working_day, working_days_between)

pytestmark = pytest.mark.clock  # deadline-sensitive: run again with the clock shifted


def days(first: date, last: date):
    while first <= last:
        yield first
        first += timedelta(days=1)


@pytest.fixture
def restore_default():
    saved = cal.default_calendar()
    yield
    cal._default = saved


# --- Packaged data -----------------------------------------------------------------------------

def test_domain_example_national_day_2026():
    assert add_working_days(date(2026, 9, 28), 20) == date(2026, 10, 30)
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 30)) == 20
    assert is_working_day(date(2026, 10, 10))  # Saturday, make-up day
    assert not any(is_working_day(d) for d in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert is_working_day(date(2026, 9, 20))  # Sunday, make-up day
    assert not is_working_day(date(2026, 9, 25))  # Friday, Mid-Autumn Festival


def test_spring_festival_2026():
    # Holiday Sun 15 Feb .. Mon 23 Feb; make-up Saturdays 14 and 28 Feb.
    assert not any(is_working_day(d) for d in days(date(2026, 2, 15), date(2026, 2, 23)))
    assert is_working_day(date(2026, 2, 14)) and is_working_day(date(2026, 2, 28))
    assert is_working_day(date(2026, 2, 13)) and is_working_day(date(2026, 2, 24))
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


@pytest.mark.parametrize("off, make_up", [
    ((date(2024, 2, 10), date(2024, 2, 17)), [date(2024, 2, 4), date(2024, 2, 18)]),
    ((date(2024, 10, 1), date(2024, 10, 7)), [date(2024, 9, 29), date(2024, 10, 12)]),
    ((date(2025, 1, 28), date(2025, 2, 4)), [date(2025, 1, 26), date(2025, 2, 8)]),
    ((date(2025, 10, 1), date(2025, 10, 8)), [date(2025, 9, 28), date(2025, 10, 11)]),
], ids=["spring-2024", "national-2024", "spring-2025", "national-2025"])
def test_holidays_and_make_up_days_2024_2025(off, make_up):
    assert not any(is_working_day(d) for d in days(*off))
    assert all(d.weekday() >= 5 and is_working_day(d) for d in make_up)


def test_packaged_data_agrees_with_holidays_package():
    china = holidays.China(years=range(2024, 2027))
    disagreements = [d for d in days(date(2024, 1, 1), date(2026, 12, 31))
                     if is_working_day(d) != china.is_working_day(d)]
    assert disagreements == []
    ours = {d for d in days(date(2024, 1, 1), date(2026, 12, 31))
            if d.weekday() >= 5 and is_working_day(d)}
    assert ours == {d for d in china.weekend_workdays if 2024 <= d.year <= 2026}


def test_sources():
    c = WorkingCalendar([YearArrangement(2027, {date(2027, 1, 1)}, set())])
    assert (c.source(2026), c.source(2027), c.source(2028), c.source(2003)) == \
        ("packaged", "imported", None, None)
    assert c.has_year(2004) and not c.has_year(2003)


# --- Limits ------------------------------------------------------------------------------------

def test_limit_edges():
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)  # 0 returns start as is
    assert add_working_days(date(2026, 10, 3), 1) == date(2026, 10, 8)
    assert working_days_between(date(2026, 10, 8), date(2026, 10, 8)) == 0
    assert working_days_between(date(2026, 10, 9), date(2026, 10, 8)) == 0
    assert working_days_between(date(2026, 10, 7), date(2026, 10, 8)) == 1
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)
    with pytest.raises(TypeError):
        add_working_days(datetime(2026, 1, 5, tzinfo=timezone.utc), 1)


def test_limits_across_years_with_data():
    assert add_working_days(date(2024, 12, 31), 1) == date(2025, 1, 2)  # 1 Jan is off
    full = working_days_between(date(2023, 12, 31), date(2026, 12, 31))
    assert full == sum(is_working_day(d) for d in days(date(2024, 1, 1), date(2026, 12, 31)))
    assert add_working_days(date(2023, 12, 31), full) == date(2026, 12, 31)


def test_matches_day_by_day_reference():
    # Reference: walk day by day. Every start day of 2024-2026 with a 15-day limit.
    for start in days(date(2024, 1, 1), date(2026, 11, 30)):
        d, left = start, 15
        while left:
            d += timedelta(days=1)
            left -= is_working_day(d)
        assert add_working_days(start, 15) == d, start


@settings(max_examples=300, deadline=None)
@given(start=st.dates(date(2023, 12, 31), date(2026, 10, 31)), n=st.integers(0, 40),
       later=st.integers(0, 400))
def test_between_is_inverse_of_add(start, n, later):
    due = add_working_days(start, n)
    assert working_days_between(start, due) == n
    assert n == 0 or is_working_day(due)
    end = min(start + timedelta(days=later), date(2026, 12, 31))
    expected = sum(map(is_working_day, days(start + timedelta(days=1), end)))
    assert working_days_between(start, end) == expected


# --- Missing data and imports ------------------------------------------------------------------

def test_missing_years_raise():
    for day in (date(2027, 3, 1), date(2003, 6, 2)):
        with pytest.raises(CalendarDataMissing) as info:
            is_working_day(day)
        assert info.value.year == day.year and str(day.year) in str(info.value)
    with pytest.raises(CalendarDataMissing):
        add_working_days(date(2026, 12, 15), 20)  # runs into 2027
    with pytest.raises(CalendarDataMissing):
        working_days_between(date(2026, 12, 15), date(2027, 1, 10))
    with pytest.raises(CalendarDataMissing):
        add_working_days(date(2026, 12, 31), 1)


ARRANGEMENT_2027 = YearArrangement(
    2027, days_off={date(2027, 1, 1), *days(date(2027, 2, 8), date(2027, 2, 12))},
    working_days={date(2027, 2, 6), date(2027, 2, 20)})


def test_imported_year_becomes_computable(restore_default):
    cal.install_arrangements([ARRANGEMENT_2027])
    assert cal.default_calendar().source(2027) == "imported"
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # Fri 1 Jan is off
    assert is_working_day(date(2027, 2, 6)) and not is_working_day(date(2027, 2, 8))
    assert add_working_days(date(2027, 2, 5), 2) == date(2027, 2, 15)
    assert working_days_between(date(2026, 12, 15), add_working_days(date(2026, 12, 15), 20)) == 20
    cal.install_arrangements([])
    with pytest.raises(CalendarDataMissing):
        is_working_day(date(2027, 1, 4))


def test_import_overrides_packaged_year_entirely():
    # Only 1 Oct off and no make-up days: the package's other 2026 holidays no longer apply.
    c = WorkingCalendar([YearArrangement(2026, {date(2026, 10, 1)}, set())])
    assert c.source(2026) == "imported"
    assert not c.is_working_day(date(2026, 10, 1))
    assert c.is_working_day(date(2026, 10, 2)) and c.is_working_day(date(2026, 2, 16))
    assert not c.is_working_day(date(2026, 10, 10))
    assert c.add_working_days(date(2026, 9, 28), 20) == date(2026, 10, 27)
    assert is_working_day(date(2026, 10, 10))  # the default calendar is untouched


def test_packaged_arrangement_export_round_trips():
    packaged = WorkingCalendar().arrangement(2026)
    assert date(2026, 10, 10) in packaged.working_days and date(2026, 10, 1) in packaged.days_off
    again = WorkingCalendar([parse_arrangement(serialize_arrangement(packaged))])
    assert all(again.is_working_day(d) == is_working_day(d)
               for d in days(date(2026, 1, 1), date(2026, 12, 31)))


def test_two_arrangements_for_one_year_rejected():
    with pytest.raises(ValueError):
        WorkingCalendar([ARRANGEMENT_2027, ARRANGEMENT_2027])
    with pytest.raises(ValueError):
        YearArrangement(2027, {date(2026, 1, 1)}, set())


def test_local_date_and_day_end():
    assert cal.local_date(datetime(2026, 9, 30, 16, 30)) == date(2026, 10, 1)  # naive = UTC
    assert cal.local_date(datetime(2026, 9, 30, 15, 59, tzinfo=timezone.utc)) == date(2026, 9, 30)
    end = cal.day_end_exclusive(date(2026, 10, 30))
    assert end == datetime(2026, 10, 30, 16, 0, tzinfo=timezone.utc)
    assert cal.local_date(end - timedelta(microseconds=1)) == date(2026, 10, 30)


# --- Import file format ------------------------------------------------------------------------

def test_parse_json_and_round_trip():
    text = serialize_arrangement(ARRANGEMENT_2027)
    assert parse_arrangement(text, "2027.json") == ARRANGEMENT_2027
    assert parse_arrangement(text) == ARRANGEMENT_2027  # sniffed without a file name


def test_parse_csv_with_bom_chinese_types_and_extra_columns():
    text = ("\ufeffdate,type,name\n2027-01-01,off,元旦\n\n2027/2/6,班,春节调休\n"
            "2027-02-08,休,春节\n2027-02-20, working ,\n")
    got = parse_arrangement(text, "arrangement.CSV")
    assert got == YearArrangement(2027, {date(2027, 1, 1), date(2027, 2, 8)},
                                  {date(2027, 2, 6), date(2027, 2, 20)})


def test_lenient_on_harmless_entries():
    # A weekend day listed as off and a weekday listed as working change nothing: accepted.
    got = parse_arrangement("date,type\n2027-01-02,off\n2027-01-04,working\n")
    assert got.days_off == {date(2027, 1, 2)} and got.working_days == {date(2027, 1, 4)}


J = '{{"year": 2027, "days_off": {off}, "working_days": {work}}}'


@pytest.mark.parametrize("text, field, words", [
    ("", "file", "empty"),
    ("  \n\n", "file", "empty"),
    ("date,type\n", "file", "no days"),
    (J.format(off="[]", work="[]"), "file", "no days"),
    ("{not json", "file", "invalid JSON"),
    ("[]", "file", "JSON object"),
    ('{"year": "2027", "days_off": [], "working_days": []}', "year", "year"),
    ('{"year": 2027, "days_off": []}', "working_days", "list"),
    ('{"year": 2027, "days_off": [], "working_days": [], "workdays": []}', "workdays", "unknown"),
    (J.format(off='["2027-01-01", "2027-02-30"]', work="[]"), "days_off[1]", "not a valid date"),
    (J.format(off='["2027-01-01", 20270102]', work="[]"), "days_off[1]", "not a valid date"),
    (J.format(off='["2027-01-01"]', work='["2026-12-27"]'), "working_days[0]", "not in 2027"),
    (J.format(off='["2027-01-01", "2027-02-08", "2027-01-01"]', work="[]"), "days_off[2]", "twice"),
    (J.format(off='["2027-02-06"]', work='["2027-02-06"]'), "working_days[0]", "both"),
    ("date,kind\n2027-01-01,off\n", "row 1", "date,type"),
    ("date,type\n2027-01-01,off\n2027-13-01,off\n", "row 3, column date", "not a valid date"),
    ("date,type\n2027-01-01,off\n2027-02-06,holiday\n", "row 3, column type", "holiday"),
    ("date,type\n2027-01-01,off\n2027-02-06\n", "row 3, column type", "off/working"),
    ("date,type\n2027-01-01,off\n2026-12-31,off\n", "row 3, column date", "not in 2027"),
    ("date,type\n2027-01-01,off\n2027-01-01,off\n", "row 3, column date", "twice"),
    ("date,type\n2027-02-06,working\n2027-02-06,off\n", "row 3, column date", "both"),
])
def test_parse_errors_name_the_field(text, field, words):
    with pytest.raises(CalendarFileError) as info:
        parse_arrangement(text)
    assert info.value.field == field
    assert words in info.value.message
    assert str(info.value).startswith(field) and isinstance(info.value, ValueError)


# --- Next year's arrangement, watched from 1 November ------------------------------------------

ARRANGEMENT_2098 = YearArrangement(2098, {date(2098, 1, 1)}, set())


@pytest.mark.parametrize("today, calendar, missing", [
    (date(2097, 10, 31), WorkingCalendar(), None),  # before November: not yet expected
    (date(2097, 11, 1), WorkingCalendar(), 2098),  # published in November: its absence is shown from the 1st
    (date(2097, 12, 31), WorkingCalendar(), 2098),
    (date(2097, 11, 1), WorkingCalendar([ARRANGEMENT_2098]), None),  # imported
    (date(2098, 1, 1), WorkingCalendar(), None),  # the new year's own absence is another matter (ADR 0007)
    (date(2098, 11, 15), WorkingCalendar([ARRANGEMENT_2098]), 2099),
    (date(2025, 11, 1), WorkingCalendar(), None),  # 2026 is packaged
])
def test_missing_next_year_from_1_november(today, calendar, missing):
    assert cal.missing_next_year(today, calendar) == missing


def test_missing_next_year_takes_a_date_not_an_instant():
    with pytest.raises(TypeError):
        cal.missing_next_year(datetime(2097, 11, 2, 10), WorkingCalendar())


# --- iCalendar (.ics) import -------------------------------------------------------------------

# As holiday subscriptions publish an arrangement: all-day events (DTEND exclusive) spanning several days, the kind
# in the summary or in CATEGORIES, a time zone, a folded line, an alarm with a summary of its own, CRLF endings.
ICS_2098 = "\r\n".join([
    "BEGIN:VCALENDAR",  # 1
    "VERSION:2.0",
    "PRODID:-//Municipal Credit Office//Holidays//ZH",
    "X-WR-CALNAME:2098年节假日安排",
    "BEGIN:VTIMEZONE",  # 5
    "TZID:Asia/Shanghai",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",  # 10
    "END:STANDARD",
    "END:VTIMEZONE",
    "BEGIN:VEVENT",
    "UID:2098-0101@holidays",
    "DTSTART;VALUE=DATE:20980101",  # 15: one day, no DTEND
    "SUMMARY:元旦 休",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "UID:2098-0201@holidays",
    "DTSTART;VALUE=DATE:20980201",  # 20
    "DTEND;VALUE=DATE:20980209",
    "SUMMARY:春节 (休)",
    "DESCRIPTION:2月1日至8日放假调休，共8天。1月25日（星期六）上班。这一行很长，按 RFC 5545 折",
    " 行书写。",
    "BEGIN:VALARM",  # 25
    "ACTION:DISPLAY",
    "DESCRIPTION:提醒",
    "SUMMARY:提醒",
    "TRIGGER:-PT9H",
    "END:VALARM",  # 30
    "END:VEVENT",
    "BEGIN:VEVENT",
    "UID:2098-0125@holidays",
    "DTSTART;VALUE=DATE:20980125",
    "DTEND;VALUE=DATE:20980126",  # 35
    "SUMMARY:春节调休 班",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "UID:2098-1001@holidays",
    "DTSTART;VALUE=DATE:20981001",  # 40
    "DTEND;VALUE=DATE:20981008",
    "SUMMARY:国庆节、中秋节",
    "CATEGORIES:休,法定节假日",
    "END:VEVENT",
    "BEGIN:VEVENT",  # 45
    "UID:2098-1011@holidays",
    "DTSTART;VALUE=DATE:20981011",
    "DURATION:P1D",
    "SUMMARY:上班",
    "END:VEVENT",  # 50
    "END:VCALENDAR",
    "",
])


def ics_events(*events: tuple[str, str, str]) -> str:
    """A calendar of (DTSTART, DTEND or '', SUMMARY) events: event i begins on line 3 + 5i, its DTSTART on the
    line after, its SUMMARY two lines further."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0"]
    for start, end, summary in events:
        lines += ["BEGIN:VEVENT", f"DTSTART;VALUE=DATE:{start}",
                  f"DTEND;VALUE=DATE:{end}" if end else "X-NO-END:1", f"SUMMARY:{summary}", "END:VEVENT"]
    return "\n".join(lines + ["END:VCALENDAR", ""])


def test_parse_ics_as_holiday_calendars_publish_it():
    expected = YearArrangement(
        2098,
        days_off={date(2098, 1, 1), *days(date(2098, 2, 1), date(2098, 2, 8)),
                  *days(date(2098, 10, 1), date(2098, 10, 7))},
        working_days={date(2098, 1, 25), date(2098, 10, 11)})  # two make-up Saturdays
    assert parse_arrangement(ICS_2098, "2098年节假日.ics") == expected
    assert parse_arrangement(ICS_2098.replace("\r\n", "\n")) == expected  # sniffed by BEGIN:VCALENDAR, LF endings
    assert WorkingCalendar([expected]).add_working_days(date(2098, 1, 24), 1) == date(2098, 1, 25)


def test_parse_ics_overlapping_events_of_one_kind_are_one_day():
    text = ics_events(("20980201", "20980209", "春节 休"), ("20980131", "20980202", "除夕、春节 放假"))
    assert parse_arrangement(text, "x.ics").days_off == {*days(date(2098, 1, 31), date(2098, 2, 8))}


@pytest.mark.parametrize("text, field, words", [
    # a day both off and a make-up working day: the line of the event that contradicts the earlier one
    (ics_events(("20980201", "20980209", "春节 休"), ("20980207", "", "春节调休 班")),
     "line 9", "2098-02-07 is both a day off and a working day"),
    (ICS_2098.replace("DTSTART;VALUE=DATE:20981011", "DTSTART;VALUE=DATE:20981007"),
     "line 47", "2098-10-07 is both a day off and a working day"),
    # a summary that says neither: the line of the summary
    (ics_events(("20980101", "20980102", "元旦 休"), ("20980214", "", "情人节")),
     "line 11", "neither a day off (休) nor a working day (班): '情人节'"),
    # another year than the first event's
    (ics_events(("20980101", "20980102", "元旦 休"), ("20971231", "", "元旦 休")), "line 9", "2097-12-31 is not in 2098"),
    (ics_events(("20981231", "20990102", "元旦 休")), "line 4", "2099-01-01 is not in 2098"),
    (ics_events(("20980101T090000", "", "元旦 休")), "line 4", "not an all-day date"),
    (ics_events(("2098-01-01", "", "元旦 休")), "line 4", "not an all-day date"),
    (ics_events(("20980105", "20980103", "休")), "line 4", "ends before it starts"),
    (ics_events(("20980101", "20990301", "休")), "line 4", "longer than a year"),
    ("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "file", "no days"),
    ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:休\nEND:VEVENT\nEND:VCALENDAR\n", "line 2", "no start"),
    ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20980101\nRRULE:FREQ=YEARLY\nSUMMARY:元旦 休\n"
     "END:VEVENT\nEND:VCALENDAR\n", "line 3", "repeating"),
    ("BEGIN:VCALENDAR\nthis is not a content line\nEND:VCALENDAR\n", "file", "unreadable iCalendar"),
])
def test_parse_ics_errors_name_the_line(text, field, words):
    with pytest.raises(CalendarFileError) as info:
        parse_arrangement(text, "arrangement.ics")
    assert (info.value.field, words in info.value.message) == (field, True), info.value


def test_parse_csv_contradiction_names_the_row():
    with pytest.raises(CalendarFileError) as info:
        parse_arrangement("日期,类型\n2027-02-06,休\n2027-02-07,休\n2027-02-06,班\n", "2027.csv")
    assert str(info.value) == "row 4, column date: 2027-02-06 is both a day off and a working day"
