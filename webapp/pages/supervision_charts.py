"""The dashboard's links to the cases behind each figure, and its charts' data (read by static/supervision.js)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _

from workflows.domain.supervision import DEADLINE_STATUSES, Period, next_month
from workflows.services.supervision.dashboard import Dashboard, OwnerFigures

from .. import labels, ui


def period_args(period: Period) -> dict:
    return {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}


def case_filters(scope: dict, **params) -> dict:
    """The case list's filters that select the cases behind a figure (scope: the dashboard's process and department);
    the page links to /cases with them, the API to /api/v1/cases."""
    return {k: v for k, v in {**scope, **params}.items() if v not in (None, "")}


def cases_link(scope: dict, **params) -> str:
    """The case list filtered to the cases behind a figure."""
    return url_for("cases.index", **case_filters(scope, **params))


def owner_filters(owner: OwnerFigures, scope: dict, period: dict) -> dict[str, dict | None]:
    """The filters behind a department's (or the accepting office's) figures: its overdue cases now, the cases
    whose deadline it met or missed in the period, the cases it closed in the period (departments only)."""
    return {"overdue": case_filters(scope, deadline="overdue", deadline_owner=owner.key),
            "met": case_filters(scope, dated="met", deadline_owner=owner.key, **period),
            "breached": case_filters(scope, dated="breached", deadline_owner=owner.key, **period),
            "closed": case_filters(scope, dated="closed", department=owner.key, **period) if owner.department else None}


def month_filters(scope: dict, first: date) -> dict[str, dict]:
    """The filters behind a month of the trend: cases opened, closed, with a deadline met or missed in it."""
    bounds = {"date_from": first.isoformat(), "date_to": _month_end(first).isoformat()}
    return {figure: case_filters(scope, dated=dated, **bounds)
            for figure, dated in (("opened", "filed"), ("closed", "closed"), ("met", "met"), ("breached", "breached"))}


def owner_label(owner: OwnerFigures) -> str:
    return ui.localized(owner.department) if owner.department else _("Accepting office")


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def chart_data(data: Dashboard, scope: dict) -> dict:
    period = period_args(data.filters.period)
    status = [{"label": labels.deadline_status_label(s), "value": data.deadline_status.get(s, 0), "key": s,
               "url": cases_link(scope, deadline=s)} for s in DEADLINE_STATUSES]
    breaches = [{"label": owner_label(o), "value": o.working_days_overdue, "cases": o.overdue_cases,
                 "url": url_for("cases.index", **owner_filters(o, scope, period)["overdue"])}
                for o in data.owners if o.overdue_deadlines]
    compliance = [{"label": owner_label(o), "value": percent(o.compliance),
                   "url": url_for("cases.index", **owner_filters(o, scope, period)["breached"])}
                  for o in data.owners if o.compliance is not None]
    months = [m.month.strftime("%Y-%m") for m in data.trend]

    def month_links(figure: str) -> list[str]:
        return [url_for("cases.index", **month_filters(scope, m.month)[figure]) for m in data.trend]

    trend = {"labels": months, "series": [
        {"key": "opened", "label": _("Opened"), "values": [m.opened for m in data.trend],
         "urls": month_links("opened")},
        {"key": "closed", "label": _("Closed"), "values": [m.closed for m in data.trend],
         "urls": month_links("closed")},
        {"key": "breached", "label": _("Deadlines missed"), "values": [m.breached for m in data.trend],
         "urls": month_links("breached")},
    ]}
    texts = {"days_overdue": _("Working days overdue"), "compliance": _("Compliance rate (%)"),
             "cases": _("Cases")}
    return {"status": status, "breaches": breaches, "compliance": compliance, "trend": trend, "texts": texts}


def _month_end(first: date) -> date:
    return next_month(first) - timedelta(days=1)
