"""The dashboard's links to the cases behind each figure, and its charts' data (read by static/supervision.js)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _

from workflows.domain.supervision import DEADLINE_STATUSES, Period, next_month
from workflows.services.supervision import Dashboard, OwnerFigures

from . import labels, ui


def period_args(period: Period) -> dict:
    return {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}


def cases_link(scope: dict, **params) -> str:
    """The case list filtered to the cases behind a figure (scope: the dashboard's process and department)."""
    args = {k: v for k, v in {**scope, **params}.items() if v not in (None, "")}
    return url_for("cases.index", **args)


def owner_label(owner: OwnerFigures) -> str:
    return ui.localized(owner.department) if owner.department else _("Accepting office")


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def chart_data(data: Dashboard, scope: dict) -> dict:
    period = period_args(data.filters.period)
    status = [{"label": labels.deadline_status_label(s), "value": data.deadline_status.get(s, 0), "key": s,
               "url": cases_link(scope, deadline=s)} for s in DEADLINE_STATUSES]
    breaches = [{"label": owner_label(o), "value": o.working_days_overdue, "cases": o.overdue_cases,
                 "url": cases_link(scope, deadline="overdue", deadline_owner=o.key)}
                for o in data.owners if o.overdue_deadlines]
    compliance = [{"label": owner_label(o), "value": percent(o.compliance),
                   "url": cases_link(scope, dated="breached", deadline_owner=o.key, **period)}
                  for o in data.owners if o.compliance is not None]
    months = [m.month.strftime("%Y-%m") for m in data.trend]

    def month_links(dated: str) -> list[str]:
        return [cases_link(scope, dated=dated, date_from=m.month.isoformat(), date_to=_month_end(m.month).isoformat())
                for m in data.trend]

    trend = {"labels": months, "series": [
        {"key": "opened", "label": _("Opened"), "values": [m.opened for m in data.trend], "urls": month_links("filed")},
        {"key": "closed", "label": _("Closed"), "values": [m.closed for m in data.trend], "urls": month_links("closed")},
        {"key": "breached", "label": _("Deadlines missed"), "values": [m.breached for m in data.trend],
         "urls": month_links("breached")},
    ]}
    texts = {"days_overdue": _("Working days overdue"), "compliance": _("Compliance rate (%)"),
             "cases": _("Cases")}
    return {"status": status, "breaches": breaches, "compliance": compliance, "trend": trend, "texts": texts}


def _month_end(first: date) -> date:
    return next_month(first) - timedelta(days=1)
