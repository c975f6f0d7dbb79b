"""iCalendar files of an arrangement for 2098, a year no package will have, as holiday calendars publish them."""


def arrangement_2098(second_make_up_day: str) -> str:
    return "\r\n".join([
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Municipal Credit Office//Holidays//ZH",
        "X-WR-CALNAME:2098年节假日安排",
        "BEGIN:VEVENT",  # 5
        "UID:2098-0101@holidays",
        "DTSTART;VALUE=DATE:20980101",
        "SUMMARY:元旦 休",
        "END:VEVENT",
        "BEGIN:VEVENT",  # 10
        "UID:2098-0201@holidays",
        "DTSTART;VALUE=DATE:20980201",
        "DTEND;VALUE=DATE:20980209",
        "SUMMARY:春节 (休)",
        "END:VEVENT",  # 15
        "BEGIN:VEVENT",
        "UID:2098-0125@holidays",
        "DTSTART;VALUE=DATE:20980125",
        "SUMMARY:春节调休 班",
        "END:VEVENT",  # 20
        "BEGIN:VEVENT",
        "UID:2098-second-make-up@holidays",
        f"DTSTART;VALUE=DATE:{second_make_up_day}",  # 23
        "SUMMARY:上班",
        "END:VEVENT",  # 25
        "END:VCALENDAR",
        "",
    ])


GOOD_2098 = arrangement_2098("20980215")  # a Saturday
DAYS_OFF_2098 = ["2098-01-01", *(f"2098-02-0{d}" for d in range(1, 9))]
WORKING_DAYS_2098 = ["2098-01-25", "2098-02-15"]
# Saturday 8 February, a day off of the spring festival above, made a working day as well: refused at its line
CONTRADICTORY_2098, CONTRADICTION_LINE = arrangement_2098("20980208"), 23
