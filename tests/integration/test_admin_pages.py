"""The administrator's pages: who may open them, and that a change is saved, recorded and shown, or refused
next to its field with nothing written."""
from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from sqlalchemy import event, func, select

from sla import calendar as working_calendar
from tests.integration.calendar_files import (
    CONTRADICTION_LINE,
    CONTRADICTORY_2098,
    DAYS_OFF_2098,
    GOOD_2098,
    WORKING_DAYS_2098,
)
from workflows import clock
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import settings as settings_service
from workflows.store.models import CalendarYear, Department, HistoryEntry, MeasureCatalogueItem, User

# the pages and what each role may do with them: their subject is no database (the flow, persistence and
# end-to-end tests run on both)
pytestmark = pytest.mark.one_database

ADMIN_PAGES = [
    "/admin/users", "/admin/users/new", "/admin/claims", "/admin/departments", "/admin/departments/new",
    "/admin/departments/{department}", "/admin/measures", "/admin/measures/new", "/admin/measures/{measure}",
    "/admin/settings", "/admin/calendar",
]


@pytest.fixture
def english(client):
    client.post("/lang/en")
    return client


@pytest.fixture
def ids(seeded, db_session):
    return {
        "department": db_session.scalar(select(Department.id).where(Department.code == "SCJGJ")),
        "measure": db_session.scalar(select(MeasureCatalogueItem.id).where(MeasureCatalogueItem.code == "P-PROC")),
    }


@pytest.fixture
def restore_calendar():
    """Imports install into the process-wide calendar: put the packaged one back afterwards."""
    yield
    working_calendar.install_arrangements([])
    calendar_service._installed = None  # rebuilt from the next database on its next use


def field_error(html: str, field_id: str) -> str:
    """The text of the error shown beside a field ('' if there is none)."""
    match = re.search(rf'<div class="field-error" id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip() if match else ""


def count(db_session, *criteria, model=HistoryEntry) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model).where(*criteria))


# --- who may open the pages -----------------------------------------------------------------------

def test_who_may_open_the_admin_pages(client, auth, ids):
    """The administrator opens every admin page; other roles are refused each (the claims page aside: the
    accepting office has it, below); an anonymous visitor is sent to log in. One app for the whole walk: the
    access table (tests/integration/access_table.py) walks every route with every role as well."""
    pages = [page.format(**ids) for page in ADMIN_PAGES]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), page
    auth.login("admin")
    assert {page: client.get(page).status_code for page in pages} == {page: 200 for page in pages}
    for username in ("provider", "office", "applicant"):
        auth.logout()
        auth.login(username)
        refused = [page for page in pages if page != "/admin/claims"]
        assert {page: client.get(page).status_code for page in refused} == {page: 403 for page in refused}, username


def test_claims_page_is_open_to_the_accepting_office_only_besides_admin(client, auth, seeded):
    auth.login("office")
    assert client.get("/admin/claims").status_code == 200
    auth.logout()
    auth.login("provider")
    assert client.get("/admin/claims").status_code == 403


def test_posting_is_refused_to_non_administrators(client, auth, seeded, db_session):
    auth.login("office")
    response = client.post("/admin/departments/new", data={"code": "NEW", "name": "新部门"})
    assert response.status_code == 403
    assert count(db_session, Department.code == "NEW", model=Department) == 0


# --- departments ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["SCJGJ", "scjgj"])
def test_duplicate_department_code_is_shown_beside_the_field_and_nothing_is_written(
        english, auth, seeded, db_session, code):
    auth.login("admin")
    before = count(db_session, model=Department)
    response = english.post("/admin/departments/new", data={"code": code, "name": "重复的部门"})
    assert response.status_code == 422
    assert "this code is already in use" in field_error(response.get_data(as_text=True), "code")
    assert count(db_session, model=Department) == before
    assert count(db_session, HistoryEntry.entity_type == "department") == 0


def test_new_department_is_saved_with_its_history(english, auth, seeded, db_session):
    auth.login("admin")
    response = english.post("/admin/departments/new",
                            data={"code": "wjw", "name": "市卫生健康局", "name_en": "Health Commission"})
    assert response.status_code == 302
    department = db_session.scalar(select(Department).where(Department.code == "WJW"))
    assert department.name == "市卫生健康局"
    assert count(db_session, HistoryEntry.entity_type == "department",
                 HistoryEntry.action == "create_department") == 1
    assert "Health Commission" in english.get("/admin/departments").get_data(as_text=True)


def test_department_name_can_be_edited_but_not_its_code(english, auth, ids, db_session):
    auth.login("admin")
    response = english.post(f"/admin/departments/{ids['department']}",
                            data={"code": "OTHER", "name": "市市场监管局", "name_en": "SAMR"})
    assert response.status_code == 302
    db_session.expire_all()
    department = db_session.get(Department, ids["department"])
    assert (department.code, department.name) == ("SCJGJ", "市市场监管局")


# --- measure catalogue ----------------------------------------------------------------------------

def test_measure_effect_cannot_change_once_applied(english, auth, ids, db_session):
    auth.login("admin")
    response = english.post(f"/admin/measures/{ids['measure']}", data={
        "name": "限制参与政府采购活动", "effect": "incentive", "obligation": "mandatory", "department": "CZJ",
        "active": "y"})
    assert response.status_code == 422
    assert "cannot change" in field_error(response.get_data(as_text=True), "effect")
    assert db_session.get(MeasureCatalogueItem, ids["measure"]).effect == "punishment"


def test_new_measure_needs_an_existing_department(english, auth, seeded, db_session):
    auth.login("admin")
    data = {"code": "P-TRAVEL", "name": "限制乘坐飞机", "effect": "punishment", "obligation": "mandatory",
            "department": "NOPE", "active": "y"}
    response = english.post("/admin/measures/new", data=data)
    assert response.status_code == 422
    assert "no such department" in field_error(response.get_data(as_text=True), "department")
    assert english.post("/admin/measures/new", data={**data, "department": "FGW"}).status_code == 302
    assert count(db_session, MeasureCatalogueItem.code == "P-TRAVEL", model=MeasureCatalogueItem) == 1


# --- settings -------------------------------------------------------------------------------------

def test_changing_a_setting_records_who_and_when_and_shows_it(english, auth, seeded, db_session):
    auth.login("admin")
    response = english.post("/admin/settings/objection.verification_days", data={"value": "25"})
    assert response.status_code == 302
    assert settings_service.get(db_session, "objection.verification_days") == 25
    change = db_session.scalar(select(HistoryEntry).where(HistoryEntry.entity_type == "setting"))
    admin = db_session.scalar(select(User).where(User.username == "admin"))
    assert (change.entity_id, change.from_state, change.to_state) == ("objection.verification_days", "20", "25")
    assert change.actor_user_id == admin.id and change.at is not None
    page = english.get("/admin/settings").get_data(as_text=True)
    assert f"Last changed by {admin.display_name}" in page
    assert change.at.astimezone(working_calendar.ZONE).strftime("%Y-%m-%d %H:%M") in page


def test_the_warning_rule_is_a_setting_shown_with_its_meaning(client, auth, seeded):
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "期限剩余该数量工作日时预警（期限不长于此数的，在最后一个工作日开始时预警）" in page


def test_setting_out_of_range_is_shown_beside_the_field(english, auth, seeded, db_session):
    auth.login("admin")
    response = english.post("/admin/settings/objection.verification_days", data={"value": "0"})
    assert response.status_code == 422
    assert "between 1 and 365" in field_error(response.get_data(as_text=True), "setting-objection-verification_days")
    assert count(db_session, HistoryEntry.entity_type == "setting") == 0


# --- holiday calendar -----------------------------------------------------------------------------

def upload(client, text: str, filename: str, encoding: str = "utf-8"):
    return client.post("/admin/calendar", data={"file": (io.BytesIO(text.encode(encoding)), filename)},
                       content_type="multipart/form-data")


def test_malformed_date_is_shown_beside_the_file_field_and_nothing_is_written(
        english, auth, seeded, db_session, restore_calendar):
    auth.login("admin")
    years_before = count(db_session, model=CalendarYear)  # the suite's stand-ins, if any
    text = json.dumps({"year": 2097, "days_off": ["2097-01-01", "2097-02-30"], "working_days": []})
    response = upload(english, text, "2097.json")
    assert response.status_code == 422
    error = field_error(response.get_data(as_text=True), "file")
    assert "days_off, item 2" in error and "not a valid date" in error
    assert count(db_session, model=CalendarYear) == years_before
    assert count(db_session, HistoryEntry.entity_type == "calendar_year") == 0
    assert working_calendar.default_calendar().source(2097) is None


GOOD_2027_JSON = json.dumps({"year": 2027, "days_off": ["2027-01-01", "2027-02-05", "2027-02-08"],
                             "working_days": ["2027-02-14"]})
GOOD_2027_CSV = "日期,类型\n2027-01-01,休\n2027-02-05,休\n2027-02-08,休\n2027/2/14,班\n"


@pytest.mark.parametrize("text, filename, encoding", [
    (GOOD_2027_JSON, "holidays-2027.json", "utf-8"),
    (GOOD_2027_CSV, "2027年节假日.csv", "gb18030"),  # as Excel saves it on Chinese Windows
])
def test_good_2027_file_makes_2027_imported(english, auth, seeded, db_session, restore_calendar,
                                             text, filename, encoding):
    auth.login("admin")
    response = upload(english, text, filename, encoding)
    assert response.status_code == 302
    row = db_session.get(CalendarYear, 2027)
    admin = db_session.scalar(select(User).where(User.username == "admin"))
    assert row.imported_by_id == admin.id and row.working_days == ["2027-02-14"]
    assert working_calendar.default_calendar().source(2027) == "imported"
    assert working_calendar.is_working_day(date(2027, 2, 14))  # a Sunday made a working day
    assert not working_calendar.is_working_day(date(2027, 2, 5))
    page = english.get("/admin/calendar").get_data(as_text=True)
    assert re.search(r"<th scope=\"row\">2027</th>\s*<td>\s*<span class=\"badge source-imported\">", page)
    assert admin.display_name in page


# --- users and claims -----------------------------------------------------------------------------

def test_department_role_without_department_is_shown_beside_the_field(english, auth, seeded, db_session):
    auth.login("admin")
    response = english.post("/admin/users/new", data={
        "username": "newstaff", "password": "long-enough-1", "roles": ["listing_department"], "department": ""})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "department")
    assert count(db_session, User.username == "newstaff", model=User) == 0


def test_administrator_creates_and_disables_a_user(client, auth, seeded, db_session):
    auth.login("admin")
    response = client.post("/admin/users/new", data={
        "username": "wjw-staff", "password": "long-enough-1", "roles": ["implementing_department"],
        "department": "CZJ", "display_name": "财政局经办人"})
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.username == "wjw-staff"))
    assert client.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(User, user.id).active is False
    auth.logout()
    assert auth.login("wjw-staff", "long-enough-1").status_code == 401


def test_administrator_cannot_disable_own_account(english, auth, seeded, db_session):
    auth.login("admin")
    admin = db_session.scalar(select(User).where(User.username == "admin"))
    response = english.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 422
    assert "you cannot disable your own account" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(User, admin.id).active is True


@pytest.fixture
def pending_applicant(seeded, client):
    other = seeded.test_client()
    response = other.post("/signup", data={
        "code": "11010519491231002X", "name": "张三", "username": "zhangsan", "password": "long-enough-1",
        "confirm": "long-enough-1"})
    assert response.status_code == 302
    return "zhangsan"


def test_office_rejects_a_claim_only_with_a_reason(english, auth, db_session, pending_applicant):
    auth.login("office")
    user = db_session.scalar(select(User).where(User.username == pending_applicant))
    assert pending_applicant in english.get("/admin/claims").get_data(as_text=True)
    response = english.post(f"/admin/claims/{user.id}/reject", data={"reason": ""})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), f"reason-{user.id}")
    db_session.expire_all()
    assert db_session.get(User, user.id).claim_status == "pending"
    response = english.post(f"/admin/claims/{user.id}/reject", data={"reason": "未提供授权委托书"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, user.id).claim_status == "rejected"


def test_office_confirms_a_claim(client, auth, db_session, pending_applicant):
    auth.login("office")
    user = db_session.scalar(select(User).where(User.username == pending_applicant))
    assert client.post(f"/admin/claims/{user.id}/confirm").status_code == 302
    db_session.expire_all()
    assert db_session.get(User, user.id).claim_status == "confirmed"
    assert f"id=\"claim-{user.id}\"" not in client.get("/admin/claims").get_data(as_text=True)


# --- Chinese is the default -----------------------------------------------------------------------



def test_field_errors_are_in_chinese_by_default(client, auth, seeded):
    auth.login("admin")
    response = client.post("/admin/departments/new", data={"code": "SCJGJ", "name": "重复的部门"})
    assert response.status_code == 422
    assert "该代码已被使用" in field_error(response.get_data(as_text=True), "code")


# --- holiday calendar: iCalendar files; next year's arrangement watched from 1 November -----------

def test_icalendar_file_makes_its_year_imported(english, auth, seeded, db_session, restore_calendar):
    auth.login("admin")
    form = english.get("/admin/calendar").get_data(as_text=True)
    file_input = re.search(r'<input[^>]*id="file"[^>]*>', form).group()
    assert 'accept=".json,.csv,.ics,' in file_input and 'text/calendar"' in file_input
    response = upload(english, GOOD_2098, "2098年节假日安排.ics")
    assert response.status_code == 302, field_error(response.get_data(as_text=True), "file")
    row = db_session.get(CalendarYear, 2098)
    assert (row.days_off, row.working_days, row.source_filename) == (DAYS_OFF_2098, WORKING_DAYS_2098,
                                                                     "2098年节假日安排.ics")
    assert working_calendar.default_calendar().source(2098) == "imported"
    assert working_calendar.is_working_day(date(2098, 1, 25)) and not working_calendar.is_working_day(date(2098, 2, 3))


def test_contradictory_icalendar_file_is_refused_at_its_line_and_nothing_is_written(
        client, auth, seeded, restore_calendar):
    from webapp.extensions import db

    auth.login("admin")
    response = upload(client, CONTRADICTORY_2098, "2098.ics")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "file") == (
        f"第 {CONTRADICTION_LINE} 行：2098-02-08 同时被列为放假日和上班日")
    client.post("/lang/en")
    response = upload(client, CONTRADICTORY_2098, "2098.ics")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "file") == (
        f"line {CONTRADICTION_LINE}: 2098-02-08 is both a day off and a working day")
    with seeded.app_context():  # its own, so that the requests above each chose their language
        assert db.session.get(CalendarYear, 2098) is None
        assert count(db.session, HistoryEntry.entity_type == "calendar_year") == 0
    assert working_calendar.default_calendar().source(2098) is None


BANNER = "2098 年节假日安排尚未导入：跨入该年的期限暂不计算。"
SEEN_BY_ADMINISTRATORS = [*ADMIN_PAGES, "/", "/cases", "/supervision/", "/supervision/reports"]


@pytest.mark.parametrize("today, shown", [
    (date(2097, 10, 31), False),  # not expected before November
    (date(2097, 11, 1), True),
    (date(2097, 11, 2), True),
    (date(2097, 12, 31), True),
])
def test_administrator_pages_show_a_missing_next_year_from_1_november(client, auth, ids, restore_calendar,
                                                                       today, shown):
    auth.login("admin")
    with clock.travel(today):
        for page in SEEN_BY_ADMINISTRATORS:
            response = client.get(page.format(**ids))
            assert response.status_code == 200, page
            html = response.get_data(as_text=True)
            assert (BANNER in html) == shown, page
            assert ('href="/admin/calendar#import">导入</a>' in html) == shown, page
    if shown:
        banner = re.search(r'<section class="alert alert-warning calendar-banner" aria-label="([^"]+)">', html)
        assert banner and banner.group(1) == "节假日日历"  # a landmark with its name


def test_the_banner_is_in_the_reader_language_and_for_administrators_only(client, english, auth, seeded,
                                                                           restore_calendar):
    with clock.travel(date(2097, 11, 2)):
        auth.login("admin")
        html = english.get("/admin/users").get_data(as_text=True)
        assert ("The holiday arrangement for 2098 has not been imported: deadlines that run into that year are not "
                "computed yet.") in html and '">Import it</a>' in html
        auth.logout()
        for username in ("office", "supervisor", "provider", "applicant"):
            auth.login(username)
            assert "calendar-banner" not in client.get("/").get_data(as_text=True), username
            auth.logout()


def test_the_banner_goes_once_next_year_is_imported(client, auth, seeded, restore_calendar):
    auth.login("admin")
    with clock.travel(date(2097, 11, 2)):
        assert BANNER in client.get("/admin/calendar").get_data(as_text=True)
        assert upload(client, GOOD_2098, "2098.ics").status_code == 302
        page = client.get("/admin/calendar").get_data(as_text=True)
        assert "calendar-banner" not in page
        assert "calendar-banner" not in client.get("/admin/users").get_data(as_text=True)


def test_the_banner_costs_an_administrator_page_no_query(client, auth, seeded, db_session, restore_calendar):
    from webapp.extensions import db

    statements = []

    def counted(page: str, today: date) -> int:
        statements.clear()
        with clock.travel(today):
            assert client.get(page).status_code == 200
        return len(statements)

    def listen(connection, cursor, statement, *args):
        statements.append(statement)

    auth.login("admin")
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        counted("/admin/users", date(2097, 11, 2))  # anything installed once, as any earlier page would have
        for page in ("/admin/users", "/admin/settings", "/"):
            counted(page, date(2097, 11, 2))  # what the page keeps per process (the settings) read once
            without, missing = counted(page, date(2097, 10, 31)), counted(page, date(2097, 11, 2))
            assert missing == without, (page, statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def test_a_claim_to_a_subject_with_records_waits_for_the_office_even_when_claims_need_no_confirmation(
        seeded, client, api, db_session):
    """With accounts.confirm_applicants off, a sign-up is confirmed at once only for a subject it brings into
    being; a claim to an existing subject (listed, with cases, files, contact data) always waits for the office."""
    from workflows.demo import ENTERPRISE_BLACK

    assert api("PUT", "/api/v1/admin/settings/accounts.confirm_applicants", "admin",
               json={"value": False}).status_code == 200
    squatter = api("POST", "/api/v1/accounts", json={"code": ENTERPRISE_BLACK, "name": "珠海示例科技有限公司",
                                                    "username": "squatter", "password": "squatter-pass-2026",
                                                    "email": "squatter@example.com"})
    assert squatter.status_code == 201 and squatter.json["claim_status"] == "pending"
    token = client.post("/api/v1/auth/token", json={"username": "squatter", "password": "squatter-pass-2026"}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert api("GET", "/api/v1/cases", headers=headers).json["items"] == []
    assert api("GET", f"/api/v1/subjects/{ENTERPRISE_BLACK}/credit-queries", headers=headers).status_code == 404
    newco = api("POST", "/api/v1/accounts", json={"code": "91440400MA5D0E001F", "name": "珠海新设有限公司",
                                                 "username": "newco", "password": "newco-pass-2026",
                                                 "email": "newco@example.com"})
    assert newco.status_code == 201 and newco.json["claim_status"] == "confirmed"
