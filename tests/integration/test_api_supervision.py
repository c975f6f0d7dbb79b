"""Supervision through the API: the dashboard and the cases behind each figure, a department's own figures,
urging and replying, monthly reports (JSON, CSV, XLSX) and any period; every refusal changes nothing."""
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from sla.calendar import local_date
from tests.integration.supervision_fixture import build
from workflows.store.base import utcnow
from workflows.store.models import HistoryEntry
from workflows.store.supervision import MonthlyReport, Urging

OCTOBER = "start=2026-10-01&end=2026-10-31"


@pytest.fixture
def world(api, db_session):
    return build(db_session)


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def listed(api, username, url) -> int:
    """How many cases the API's case list gives for a figure's `cases` query."""
    assert urlsplit(url).path == "/api/v1/cases", url
    response = api("GET", url, username)
    assert response.status_code == 200, (url, response.json)
    return response.json["total"]


def error(response, status, field=None):
    """A refusal with its status; a 422 names the field (`details.field`, or under `details.fields` per location)."""
    assert response.status_code == status, response.json
    details = response.json["error"]["details"]
    assert response.json["error"]["message"]
    if field:
        assert details.get("field") == field or any(field in fields for fields in details.get("fields", {}).values()), (
            response.json)


def test_the_dashboard_gives_the_page_figures_and_the_cases_behind_each(api, world):
    response = api("GET", f"/api/v1/supervision/dashboard?{OCTOBER}", "supervisor")
    assert response.status_code == 200, response.json
    data = response.json
    assert data["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    owners = {o["key"]: o for o in data["departments"]}
    market, tax, office = owners["SCJGJ"], owners["SWJ"], owners["accepting_office"]
    assert (market["met"], market["breached"], market["compliance"]) == (1, 0, 1.0)  # A's verification
    assert (market["closed_cases"], market["median_days"]) == (2, 7.0)  # A: 12 working days, E: 2
    assert (tax["met"], tax["breached"], tax["compliance"]) == (0, 1, 0.0)  # C's verification
    assert tax["overdue_cases"] == 1 and tax["working_days_overdue"] >= 22  # C, still open
    assert (office["met"], office["breached"], office["compliance"], office["cases"]["closed"]) == (1, 1, 0.5, None)
    assert data["period_totals"] == {"met": 2, "breached": 2, "compliance": 0.5}
    months = {m["month"]: (m["opened"], m["closed"], m["met"], m["breached"]) for m in data["trend"]}
    assert len(months) == 12 and months["2026-10"] == (2, 2, 2, 2) and months["2026-02"] == (1, 1, 1, 0)
    assert data["open_cases"]["count"] == 2 and [(s["process"], s["state"], s["count"]) for s in
                                                 data["open_by_state"]] == [("objection", "verifying", 2)]
    assert {s["status"] for s in data["deadline_status"]} == {"overdue", "due_soon", "on_track", "paused"}
    assert data["overdue"]["total"] >= 1 and {c["id"] for c in data["overdue"]["shown"]} >= {world["C"]}

    # every figure, and the case list behind it through GET /api/v1/cases: the same number of cases
    figures = [(data["open_cases"]["count"], data["open_cases"]["cases"]),
               (data["overdue"]["total"], data["overdue"]["cases"])]
    figures += [(s["count"], s["cases"]) for s in data["open_by_state"] + data["deadline_status"]]
    for o in data["departments"]:
        figures += [(o["overdue_cases"], o["cases"]["overdue"]), (o["met"], o["cases"]["met"]),
                    (o["breached"], o["cases"]["breached"])]
        figures += [(o["closed_cases"], o["cases"]["closed"])] if o["cases"]["closed"] else []
    for m in data["trend"]:
        figures += [(m[figure], m["cases"][figure]) for figure in ("opened", "closed", "met", "breached")]
    for number, url in figures:
        assert listed(api, "supervisor", url) == number, url
    assert parse_qs(urlsplit(market["cases"]["breached"]).query) == {
        "dated": ["breached"], "deadline_owner": ["SCJGJ"], "date_from": ["2026-10-01"], "date_to": ["2026-10-31"]}

    # the page's filters: a department, a process
    court = api("GET", f"/api/v1/supervision/dashboard?{OCTOBER}&department=FY", "admin").json
    assert [o["key"] for o in court["departments"]] == ["FY"] and court["open_cases"]["count"] == 1
    assert listed(api, "admin", court["open_cases"]["cases"]) == 1 and "department=FY" in court["open_cases"]["cases"]
    other = api("GET", f"/api/v1/supervision/dashboard?{OCTOBER}&process=repair_exit", "supervisor").json
    assert other["open_cases"]["count"] == 0 and other["period_totals"]["met"] == 0

    # refusals
    assert api("GET", "/api/v1/supervision/dashboard", "provider").status_code == 403
    assert api("GET", "/api/v1/supervision/dashboard", "applicant").status_code == 403
    assert api("GET", "/api/v1/supervision/dashboard").status_code == 401
    error(api("GET", "/api/v1/supervision/dashboard?start=2026-10-31&end=2026-10-01", "supervisor"), 422, "end")
    error(api("GET", "/api/v1/supervision/dashboard?start=2999-01-01", "supervisor"), 422, "start")
    error(api("GET", "/api/v1/supervision/dashboard?start=0001-01-01&end=9999-12-31", "supervisor"), 422, "start")
    error(api("GET", "/api/v1/supervision/dashboard?department=NOPE", "supervisor"), 422, "department")
    error(api("GET", "/api/v1/supervision/dashboard?process=nope", "supervisor"), 422, "process")
    error(api("GET", "/api/v1/supervision/dashboard?end=2026-13-01", "supervisor"), 422, "end")


def test_the_case_list_filters_behind_the_figures_refuse_bad_values(api):
    for query, field in (("dated=nope", "dated"), ("deadline=late", "deadline"),
                         ("deadline_owner=%00", "deadline_owner"), ("department=%00", "department"),
                         ("dated=closed&date_from=2026-10-31&date_to=2026-10-01", "date_to"),
                         ("date_from=0001-01-01", "date_from"), ("date_to=9999-12-31", "date_to")):
        error(api("GET", f"/api/v1/cases?{query}", "supervisor"), 422, field)


def test_a_department_sees_its_own_figures_and_answers_urgings(api, db_session, world):
    provider = api("GET", f"/api/v1/supervision/department?{OCTOBER}", "provider")
    assert provider.status_code == 200, provider.json
    own = provider.json
    assert own["department"]["code"] == "SCJGJ" and own["awaiting_reply"] == []
    figures = own["figures"]
    assert (figures["met"], figures["breached"], figures["closed_cases"], figures["median_days"]) == (1, 0, 2, 7.0)
    for number, url in ((figures["met"], figures["cases"]["met"]),
                        (figures["closed_cases"], figures["cases"]["closed"]),
                        (own["overdue"]["total"], own["overdue"]["cases"])):
        assert listed(api, "provider", url) == number, url
    tax = api("GET", f"/api/v1/supervision/department?{OCTOBER}", "tax").json
    assert tax["figures"]["breached"] == 1 and {c["id"] for c in tax["overdue"]["shown"]} == {world["C"]}
    for username in ("supervisor", "admin", "applicant"):
        error(api("GET", "/api/v1/supervision/department", username), 403)
    # the accepting office sits in the credit office: its own figures
    assert api("GET", "/api/v1/supervision/department", "office").json["department"]["code"] == "XYB"
    error(api("GET", "/api/v1/supervision/department?start=2999-01-01", "provider"), 422, "start")

    # urging: C (SWJ's verification, overdue) and B (FY's)
    before = (count(db_session, Urging), count(db_session, HistoryEntry))
    body = {"case_ids": [world["C"], world["B"]], "message": "请于三个工作日内反馈核实进度。"}
    for username in ("admin", "provider", "office"):
        error(api("POST", "/api/v1/supervision/urgings", username, json=body), 403)
    error(api("POST", "/api/v1/supervision/urgings", "supervisor", json={**body, "message": "快"}), 422, "message")
    error(api("POST", "/api/v1/supervision/urgings", "supervisor", json={**body, "case_ids": []}), 422, "case_ids")
    error(api("POST", "/api/v1/supervision/urgings", "supervisor", json={**body, "reply_by": "2020-01-01"}), 422,
          "reply_by")
    error(api("POST", "/api/v1/supervision/urgings", "supervisor", json={**body, "case_ids": ["x"]}), 422, "case_ids")
    error(api("POST", "/api/v1/supervision/urgings", "supervisor", json={**body, "case_ids": [world["C"], 999999]}),
          404, "case")
    error(api("POST", "/api/v1/supervision/urgings", "supervisor", json={**body, "department": "NOPE"}), 404,
          "department")
    error(api("POST", "/api/v1/supervision/urgings", "supervisor", json={**body, "case_ids": [world["A"]]}), 409)
    error(api("POST", "/api/v1/supervision/urgings", "supervisor", json={**body, "message": "请\x00核实"}), 422,
          "message")
    assert (count(db_session, Urging), count(db_session, HistoryEntry)) == before
    urged = api("POST", "/api/v1/supervision/urgings", "supervisor", json=body)
    assert urged.status_code == 201, urged.json
    assert [(u["case_id"], u["department"], u["status"]) for u in urged.json] == [(world["C"], "SWJ", "open"),
                                                                                  (world["B"], "FY", "open")]
    first = urged.json[0]["id"]
    assert count(db_session, Urging) == before[0] + 2
    assert db_session.scalar(select(HistoryEntry.reason).where(HistoryEntry.case_id == world["C"],
                                                               HistoryEntry.action == "urge")) == body["message"]

    # who sees which urgings
    every = api("GET", "/api/v1/supervision/urgings", "supervisor").json
    assert {u["case_id"] for u in every} >= {world["B"], world["C"]}
    assert [u["id"] for u in api("GET", "/api/v1/supervision/urgings", "tax").json] == [first]
    assert api("GET", "/api/v1/supervision/urgings", "provider").json == []
    assert api("GET", "/api/v1/supervision/urgings?replied=true", "admin").json == []
    assert api("GET", "/api/v1/supervision/department", "tax").json["awaiting_reply"][0]["id"] == first
    assert api("GET", "/api/v1/supervision/urgings", "office").json == []  # none addressed to the credit office
    error(api("GET", "/api/v1/supervision/urgings", "applicant"), 403)
    error(api("GET", "/api/v1/supervision/urgings?replied=maybe", "supervisor"), 422, "replied")

    # replying
    reply = f"/api/v1/supervision/urgings/{first}/reply"
    error(api("POST", reply, "court", json={"reply": "不是我们的案件"}), 403)
    error(api("POST", reply, "supervisor", json={"reply": "代为答复"}), 403)
    error(api("POST", reply, "tax", json={"reply": " "}), 422, "reply")
    error(api("POST", reply, "tax", json={}), 422, "reply")
    error(api("POST", "/api/v1/supervision/urgings/999999/reply", "tax", json={"reply": "已安排"}), 404)
    db_session.expire_all()
    assert db_session.get(Urging, first).replied_at is None
    answered = api("POST", reply, "tax", json={"reply": "已安排专人核实，预计下周反馈。"})
    assert answered.status_code == 200 and answered.json["status"] in ("replied", "replied_late")
    db_session.expire_all()
    assert db_session.get(Urging, first).reply == "已安排专人核实，预计下周反馈。"
    error(api("POST", reply, "tax", json={"reply": "再次答复"}), 409)
    assert [u["id"] for u in api("GET", "/api/v1/supervision/urgings?replied=true", "supervisor").json] == [first]


def test_monthly_reports_json_csv_xlsx_and_any_period(api, db_session, world):
    error(api("GET", "/api/v1/supervision/reports/2026-10", "supervisor"), 404, "month")
    for month in ("2026-13", "2099-01", "0000-01", "10-2026", "2026-10\x00"):
        error(api("POST", "/api/v1/supervision/reports", "supervisor", json={"month": month}), 422, "month")
    error(api("POST", "/api/v1/supervision/reports", "supervisor", json={}), 422, "month")
    for username in ("provider", "office", "applicant"):
        error(api("POST", "/api/v1/supervision/reports", username, json={"month": "2026-10"}), 403)
    assert count(db_session, MonthlyReport) == 0

    made = api("POST", "/api/v1/supervision/reports", "supervisor", json={"month": "2026-10"})
    assert made.status_code == 201, made.json
    report = made.json
    assert (report["month"], report["start"], report["end"]) == ("2026-10", "2026-10-01", "2026-10-31")
    total = report["figures"]["total"]
    assert total["handling"] == {"closed": 2, "median_days": 7.0} and total["deadlines"]["compliance"] == 0.5
    again = api("POST", "/api/v1/supervision/reports", "admin", json={"month": "2026-10"})
    assert again.status_code == 200 and again.json["generated_at"] == report["generated_at"]
    assert count(db_session, MonthlyReport) == 1
    assert [r["month"] for r in api("GET", "/api/v1/supervision/reports", "admin").json] == ["2026-10"]
    assert api("GET", "/api/v1/supervision/reports/2026-10", "supervisor").json == report

    csv_file = api("GET", "/api/v1/supervision/reports/2026-10.csv", "supervisor")
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    assert csv_file.headers["Content-Disposition"] == 'attachment; filename="statistics-2026-10.csv"'
    last = csv_file.data.decode("utf-8-sig").splitlines()[-1].split(",")
    assert last[0] == "total" and last[-2:] == ["2", "7.0000"]
    xlsx = api("GET", "/api/v1/supervision/reports/2026-10.xlsx", "admin")
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[-1][0] == "total" and rows[-1][-1] == 7.0

    period = api("GET", f"/api/v1/supervision/reports/period?{OCTOBER}", "supervisor")
    assert period.status_code == 200 and period.json == report["figures"]
    today = local_date(utcnow())
    assert api("GET", "/api/v1/supervision/reports/period", "admin").json["period"] == {
        "start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    error(api("GET", "/api/v1/supervision/reports/period?start=2999-01-01&end=2999-01-31", "supervisor"), 422, "start")
    error(api("GET", "/api/v1/supervision/reports/period?start=2026-10-31&end=2026-10-01", "supervisor"), 422, "end")
    error(api("GET", "/api/v1/supervision/reports/period?start=yesterday", "supervisor"), 422, "start")

    for path in ("", "/2026-10", "/2026-10.csv", "/2026-10.xlsx", "/period"):
        error(api("GET", f"/api/v1/supervision/reports{path}", "provider"), 403)
    assert api("GET", "/api/v1/supervision/reports/2026-10.csv").status_code == 401
    for path in ("/2026-09.csv", "/2026-09.xlsx"):
        error(api("GET", f"/api/v1/supervision/reports{path}", "supervisor"), 404, "month")
    for path in ("/2026-1", "/2999-01.csv", "/nope.xlsx"):
        error(api("GET", f"/api/v1/supervision/reports{path}", "supervisor"), 422, "month")
