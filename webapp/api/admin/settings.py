"""What deadlines are counted with, through the API (administrators): the time limits and switches, and each
year's holiday arrangement (JSON or an iCalendar file)."""
from __future__ import annotations

import json
from functools import wraps

import marshmallow as ma
from flask import g, request

from workflows.domain.errors import InvalidInput, NotFound
from workflows.domain.settings import SETTINGS
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import calendar_imports
from workflows.services.admin import settings as settings_service
from workflows.services.casework.actors import actor_for

from ...extensions import db
from ..reference import ArrangementOut, SettingOut
from .blueprint import SECURED, admin_only, bp, refusals

# --- settings -------------------------------------------------------------------------------------

class SettingIn(ma.Schema):
    value = ma.fields.Raw(required=True, metadata={"description": "a whole number within the setting's range, "
                                                                  "true/false for a switch, or a name (text on one "
                                                                  "line, within the setting's lengths)"})


@bp.route("/settings/<key>", methods=["PUT"])
@admin_only
@bp.arguments(SettingIn)
@bp.response(200, SettingOut)
@refusals(bp, e404="No such setting", e422="Not a whole number in the setting's range, not true/false, or a name "
          "too short or too long")
@bp.doc(**SECURED, description="The settings, their values and ranges: `GET /api/v1/settings`. Each change is "
        "recorded with who made it and when; it applies to deadlines started afterwards.")
def change_setting(body, key: str):
    """Change a time limit or switch."""
    if key not in SETTINGS:
        raise NotFound("no such setting", field="key", details={"key": key[:64]})
    value = settings_service.change(db.session, key, body["value"], actor_for(g.api_user))
    db.session.commit()
    return {"key": key, "value": value}


# --- holiday calendar -----------------------------------------------------------------------------

class ArrangementIn(ma.Schema):
    year = ma.fields.Integer(required=True, metadata={"description": "the year in the address"})
    days_off = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=20)), required=True,
                              validate=ma.validate.Length(max=366),
                              metadata={"description": "statutory days off on weekdays, YYYY-MM-DD"})
    working_days = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=20)), required=True,
                                  validate=ma.validate.Length(max=366),
                                  metadata={"description": "make-up working days (调休) on weekends, YYYY-MM-DD"})


def arrangement_json(arrangement) -> dict:
    return {"year": arrangement.year, "days_off": sorted(arrangement.days_off),
            "working_days": sorted(arrangement.working_days)}


@bp.route("/calendar/<int:year>", methods=["GET"])
@admin_only
@bp.response(200, ArrangementOut)
@refusals(bp, e404="No arrangement for this year (neither imported nor packaged)")
@bp.doc(**SECURED, description="The arrangement deadlines use for the year (the imported one, else the packaged "
        "data), in the format `PUT` takes: the export can be edited and sent back.")
def export_calendar(year: int):
    """Export a year's holiday arrangement."""
    return arrangement_json(calendar_service.effective_arrangement(db.session, year))


ICALENDAR = "text/calendar"
ICALENDAR_MAX_BYTES = 256 * 1024  # as the calendar page takes a file


def or_icalendar(view):
    """The body may also be an iCalendar file (`Content-Type: text/calendar`) as holiday calendars circulate:
    its text goes to the view in place of the JSON, which is then neither parsed nor validated by the schema."""

    @wraps(view)
    def taking(*args, **kwargs):
        if request.mimetype != ICALENDAR:
            return view(*args, **kwargs)
        if (request.content_length or 0) > ICALENDAR_MAX_BYTES:
            raise InvalidInput("the file is too large for a holiday arrangement", field="file")
        raw = request.get_data(cache=False)
        if len(raw) > ICALENDAR_MAX_BYTES:
            raise InvalidInput("the file is too large for a holiday arrangement", field="file")
        for encoding in ("utf-8-sig", "gb18030"):  # as the calendar page reads a file
            try:
                text_ = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput("the file is not UTF-8 or GB18030 text", field="file")
        if text_.lstrip()[:15].upper() != "BEGIN:VCALENDAR":
            raise InvalidInput("not an iCalendar file: it must begin with BEGIN:VCALENDAR", field="file")
        return view.__wrapped__(text_, *args, **kwargs)  # past the schema's parsing, to the view and its response

    return taking


@bp.route("/calendar/<int:year>", methods=["PUT"])
@admin_only
@or_icalendar
@bp.arguments(ArrangementIn)
@bp.response(200, ArrangementOut)
@refusals(bp, e422="A date that is not valid or not in the year, a day listed twice or both off and working, "
          "no days at all, an iCalendar event whose summary says neither 休 nor 班, or a year other than the "
          "address's; `details.field` says where (`days_off[2]`, or `line 14` of an iCalendar file)")
@bp.doc(**SECURED, description="Replaces the year's arrangement, which then takes precedence over the packaged "
        "data: deadlines are counted with it from now on, and deadlines that were waiting for this year are "
        "computed at once. The body is the JSON the export gives, or an iCalendar file as holiday calendars "
        "publish the arrangement (`Content-Type: text/calendar`, UTF-8): all-day events (`DTSTART`/`DTEND` as "
        "dates, `DTEND` exclusive), each a day off if its `SUMMARY` (or else its `CATEGORIES`) says 休, 放假 or "
        "假期, a make-up working day if it says 班 (上班, 补班); every day in the year of the first event.",
        requestBody={"content": {ICALENDAR: {"schema": {"type": "string"}, "example": (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//holidays//ZH\r\n"
            "BEGIN:VEVENT\r\nUID:2027-0206\r\nDTSTART;VALUE=DATE:20270206\r\nDTEND;VALUE=DATE:20270214\r\n"
            "SUMMARY:春节 休\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:2027-0214\r\nDTSTART;VALUE=DATE:20270214\r\nSUMMARY:春节调休 班\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n")}}})
def import_calendar(body, year: int):
    """Import a year's holiday arrangement."""
    text_ = body if isinstance(body, str) else json.dumps(body)  # an iCalendar file's text, or the JSON
    calendar_imports.import_arrangement(db.session, text_, f"PUT /api/v1/admin/calendar/{year}",
                                        actor_for(g.api_user), year=year)
    db.session.commit()
    return arrangement_json(calendar_service.effective_arrangement(db.session, year))
