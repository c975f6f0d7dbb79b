"""Every dashboard and monthly figure against the hand-computed fixture (tests/integration/supervision_fixture.py)."""
from datetime import date

import pytest
from sqlalchemy import select

from tests.integration.supervision_fixture import NOW, TODAY, at, build, file
from workflows.domain.errors import InvalidInput, NotFound
from workflows.domain.supervision import Period
from workflows.services.supervision import dashboard as board
from workflows.services.supervision import monthly, report_files
from workflows.store.models import Department

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def world(seeded, db_session):
    ids = build(db_session)
    return db_session, ids


def owners_by_key(data):
    return {o.key: o for o in data.owners}


def test_now_figures(world):
    session, _ = world
    data = board.dashboard(session, board.Filters(OCTOBER), NOW)
    assert data.open_by_state == [("objection", "verifying", 2)]  # B and C
    assert data.deadline_status == {"overdue": 1, "due_soon": 0, "on_track": 1, "paused": 0}
    owners = owners_by_key(data)
    tax = owners["SWJ"]
    assert (tax.overdue_cases, tax.overdue_deadlines, tax.working_days_overdue, tax.most_working_days_overdue) == (
        1, 1, 22, 22)
    # B's acceptance was breached but done (late): it no longer makes anyone overdue
    assert owners["accepting_office"].overdue_deadlines == 0
    assert data.owners[0].key == "SWJ"  # the latest department first


def test_period_figures_cross_the_holidays(world):
    session, _ = world
    owners = owners_by_key(board.dashboard(session, board.Filters(OCTOBER), NOW))
    market, tax, court, office = owners["SCJGJ"], owners["SWJ"], owners["FY"], owners["accepting_office"]
    assert (market.met, market.breached, market.compliance) == (1, 0, 1.0)  # A's verification
    assert (tax.met, tax.breached, tax.compliance) == (0, 1, 0.0)  # C's verification
    assert (court.met, court.breached, court.compliance) == (0, 0, None)
    assert (office.met, office.breached, office.compliance) == (1, 1, 0.5)  # E's acceptance; B's acceptance
    assert (market.closed_cases, market.median_days) == (2, 7.0)  # A: 12 working days over National Day, E: 2
    february = Period(date(2026, 2, 1), date(2026, 2, 28))
    spring = owners_by_key(board.dashboard(session, board.Filters(february), NOW))["SCJGJ"]
    assert (spring.closed_cases, spring.median_days) == (1, 3.0)  # D: 12 calendar days, 3 working days


def test_trend_and_filters(world):
    session, _ = world
    data = board.dashboard(session, board.Filters(OCTOBER), NOW)
    months = {m.month.strftime("%Y-%m"): (m.opened, m.closed, m.met, m.breached) for m in data.trend}
    assert len(months) == 12 and min(months) == "2025-11" and max(months) == "2026-10"
    assert months["2026-02"] == (1, 1, 1, 0)
    assert months["2026-09"] == (2, 0, 2, 0)
    assert months["2026-10"] == (2, 2, 2, 2)
    assert sum(sum(v) for k, v in months.items() if k not in ("2026-02", "2026-09", "2026-10")) == 0
    court = session.scalar(select(Department.id).where(Department.code == "FY"))
    only_court = board.dashboard(session, board.Filters(OCTOBER, department_id=court), NOW)
    assert only_court.open_by_state == [("objection", "verifying", 1)]
    assert only_court.deadline_status["on_track"] == 1 and only_court.deadline_status["overdue"] == 0
    assert [o.key for o in only_court.owners] == ["FY"]
    other_process = board.dashboard(session, board.Filters(OCTOBER, process="repair_exit"), NOW)
    assert other_process.open_total == 0 and other_process.met == 0


def test_monthly_figures(world):
    session, _ = world
    figures = monthly.figures(session, OCTOBER)
    rows = {row["code"]: row for row in figures["departments"]}
    assert rows["CZJ"]["measures"]["red"]["applied"] == 1 and rows["CZJ"]["measures"]["black"]["resumed"] == 1
    assert rows["RMYH"]["measures"]["red"]["applied"] == 1
    assert rows["RMYH"]["measures"]["black"] == {"applied": 0, "suspended": 0, "resumed": 1, "stopped": 1}
    assert rows["FGW"]["measures"]["black"]["resumed"] == 1 and rows["SCJGJ"]["measures"]["black"]["resumed"] == 1
    total = figures["total"]
    assert total["measures"]["black"] == {"applied": 0, "suspended": 0, "resumed": 4, "stopped": 1}  # Sep 28 not counted
    assert total["measures"]["red"]["applied"] == 2
    assert rows["SCJGJ"]["cases"]["objection"] == {"opened": 1, "closed": 2}  # E opened; A and E closed
    assert rows["FY"]["cases"]["objection"] == {"opened": 1, "closed": 0}  # B
    assert total["cases"]["objection"] == {"opened": 2, "closed": 2}
    assert rows["SWJ"]["deadlines"] == {"met": 0, "breached": 1, "compliance": 0.0}
    assert rows["accepting_office"]["deadlines"] == {"met": 1, "breached": 1, "compliance": 0.5}
    assert total["deadlines"] == {"met": 2, "breached": 2, "compliance": 0.5}
    assert rows["SCJGJ"]["handling"] == {"closed": 2, "median_days": 7.0}
    assert total["handling"] == {"closed": 2, "median_days": 7.0}


def test_kept_month_never_changes_and_exports_the_same_file(world):
    session, _ = world
    report = monthly.generate(session, "2026-10", TODAY)
    session.commit()
    first = (report_files.csv_bytes(report.figures),
             report_files.xlsx_bytes(report.figures, "2026-10", report.generated_at))
    again = monthly.generate(session, "2026-10", TODAY)
    assert again.id == report.id
    late_arrival = file(session, "applicant", at(10, 29))  # filed "in October", recorded after the report
    session.commit()
    assert late_arrival
    kept = monthly.get(session, "2026-10", TODAY)
    assert kept.figures == report.figures
    assert (report_files.csv_bytes(kept.figures),
            report_files.xlsx_bytes(kept.figures, "2026-10", kept.generated_at)) == first
    on_demand = monthly.figures(session, OCTOBER)
    assert on_demand["total"]["cases"]["objection"]["opened"] == 3  # computed now: it sees the new case


def test_bad_periods_and_months_are_refused(world):
    session, _ = world
    with pytest.raises(InvalidInput) as caught:
        Period(date(2026, 10, 31), date(2026, 10, 1))
    assert caught.value.field == "end"
    with pytest.raises(InvalidInput, match="has not ended yet"):
        monthly.generate(session, "2026-11", TODAY)
    with pytest.raises(InvalidInput, match="not a month"):
        monthly.generate(session, "2026-13", TODAY)
    with pytest.raises(NotFound, match="has not been generated yet"):
        monthly.get(session, "2026-09", TODAY)


def test_the_job_generates_the_previous_month_from_its_first_working_day(world):
    session, _ = world
    assert monthly.first_working_day(date(2026, 10, 20)) == date(2026, 10, 8)  # National Day: Oct 1-7 off
    assert monthly.generate_due(session, date(2026, 10, 7)) is None
    assert monthly.generate_due(session, date(2026, 10, 8)).month == "2026-09"
    report = monthly.generate_due(session, date(2026, 11, 2))
    session.commit()
    assert report.month == "2026-10" and report.figures["total"]["deadlines"]["met"] == 2
    assert monthly.generate_due(session, date(2026, 11, 20)).id == report.id  # kept, not made again
