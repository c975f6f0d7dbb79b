"""What the pages share, and the API borrows from them: a case list's rows with their deadlines, a domain error
shown on its form, the departments to choose from, today's date where the office is, the monthly statistics as a
file."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from flask import Response
from flask_babel import gettext as _
from wtforms import SelectChoice

from sla.calendar import local_date
from workflows.domain.errors import DomainError
from workflows.services.casework import queries
from workflows.services.lists import catalogue, erasure
from workflows.services.supervision import report_files
from workflows.store.base import utcnow

from .. import labels, messages, ui
from ..extensions import db
from ..ui import current_locale

LATEST = datetime.max.replace(tzinfo=timezone.utc)


# --- lists of cases -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """A case in a list, with its next open deadline and its worst deadline status."""

    case: object
    deadline: queries.DeadlineStatus | None
    status: str


def case_rows(cases) -> list[Row]:
    now = utcnow()
    rows = []
    for case in cases:
        open_ = [queries.deadline_status(t, now) for t in case.timers if t.status in queries.OPEN_TIMER]
        first = min(open_, key=lambda s: (s.status == "paused", s.timer.due_at or LATEST), default=None)
        rows.append(Row(case, first, queries.case_deadline_status(case, now)))
    return rows


# --- forms ----------------------------------------------------------------------------------------

def show_error(form, error: DomainError, action: str | None = None) -> None:
    """A domain error next to its field, or above the form when no visible field matches."""
    field = form._fields.get(error.field) if error.field else None
    message = messages.error_message(error, action)
    if field is not None and getattr(field.widget, "input_type", None) != "hidden":
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def filed_facts(case, user_id: int | None = None) -> list[tuple[str, str]]:
    """(field, value) of what was filed, each value as its reader reads it; a department by its name. The applicant
    of a case whose listing was purged reads the filing kept for it (the case's own copy is erased)."""
    facts = []
    kept = erasure.kept_filing(db.session, case, user_id)
    for key, value in (kept.data if kept else case.data or {}).items():
        if key.endswith("department_id") and isinstance(value, int):
            try:
                value = ui.localized(catalogue.get_department(db.session, value))
            except DomainError:  # a department since removed: its number
                pass
        facts.append((key, labels.filed_value(key, value)))
    return facts


def department_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(d.code, ui.localized(d))
                                        for d in catalogue.departments(db.session)]


# --- the supervision figures and the monthly statistics -------------------------------------------

def today() -> date:
    return local_date(utcnow())


def column_label(what: str, part: str) -> str:
    """A report column's header in the reader's language."""
    words = {"applied": _("applied"), "suspended": _("suspended"), "resumed": _("resumed"), "stopped": _("stopped"),
             "opened": _("opened"), "closed": _("closed")}
    if what == "department":
        return _("Code") if part == "code" else _("Department")
    if what in ("measures", "cases", "carried_out") and ":" in part:
        name, column = part.split(":")
        group = labels.process_label(name) if what == "cases" else labels.list_label(name)
        if what == "carried_out":
            return _("%(list)s · carried out: %(what)s", list=group, what=words.get(column, column))
        return f"{group} · {words.get(column, column)}"
    return {("carried_out", "unconfirmed"): _("Instructions not confirmed at the end"), ("deadlines", "met"): _("Deadlines met"), ("deadlines", "breached"): _("Deadlines missed"),
            ("deadlines", "compliance"): _("Compliance rate"), ("handling", "closed"): _("Cases closed"),
            ("handling", "median_days"): _("Median handling time (working days)")}.get((what, part), part)


def row_name(row: dict) -> str:
    if row["code"] == "total":
        return _("Total")
    if row["code"] == "accepting_office":
        return _("Accepting office")
    return row["name_en"] if current_locale() == "en" and row.get("name_en") else row["name"]


def row_code(row: dict) -> str:
    """A department's code; the accepting office's and the total's rows have none a reader would know."""
    return "" if row["code"] in ("total", "accepting_office") else row["code"]


def statistics_title(label: str) -> str:
    return _("Joint incentives and punishments: statistics for %(period)s", period=label)


def send_statistics(figures: dict, fmt: str, name: str, title: str, generated_at, *, for_people: bool = True) -> Response:
    """The statistics as a file; for people, the rows without a department have no code (the API keeps its
    `accepting_office` and `total` codes for the programs that read them)."""
    code = row_code if for_people else None
    if fmt == "xlsx":
        body = report_files.xlsx_bytes(figures, title, generated_at, column_label, row_name, code)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, kind = report_files.csv_bytes(figures, column_label, row_name, code), "text/csv; charset=utf-8"
    response = Response(body, mimetype=kind.split(";")[0], content_type=kind)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
