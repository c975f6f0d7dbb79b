"""Administration through the API (users, claims, departments, measures, settings, calendar, licence matters, the
head of supervision) and the accounts' own endpoints: each change is saved and recorded, each refusal is a clear
error that changes nothing."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from sla import calendar as working_calendar
from sla.calendar import ZONE
from tests.integration.calendar_files import (
    CONTRADICTION_LINE,
    CONTRADICTORY_2098,
    DAYS_OFF_2098,
    GOOD_2098,
    WORKING_DAYS_2098,
)
from workflows.demo import enterprise_code
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import settings as settings_service
from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases as case_service
from workflows.services.casework.actors import actor_for
from workflows.store.cases import Timer
from workflows.store.models import CalendarYear, HistoryEntry, ListEntry, MeasureCatalogueItem, User

ADMIN = "/api/v1/admin"
NEW_CODE = enterprise_code("91440400MA5D0CA01")


def history(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(HistoryEntry))


def user_id(db_session, username) -> int:
    return db_session.scalar(select(User.id).where(User.username == username))


def error_of(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert error["message"]
    if field is not None:
        assert error["details"].get("field") == field or field in str(error["details"].get("fields")), error
    return error


@pytest.fixture
def restore_calendar():
    """Imports install into the process-wide calendar: put the packaged one back afterwards."""
    yield
    working_calendar.install_arrangements([])
    calendar_service._installed = None  # rebuilt from the next database on its next use


def test_users_are_listed_created_and_disabled(api, db_session, client):
    listed = api("GET", f"{ADMIN}/users?role=implementing_department&per_page=2", "admin")
    assert listed.status_code == 200 and listed.json["total"] == 5 and len(listed.json["items"]) == 2
    assert [u["username"] for u in api("GET", f"{ADMIN}/users?q=LICENS", "admin").json["items"]] == ["licensing"]
    provider = api("GET", f"{ADMIN}/users?q=provider", "admin").json["items"][0]
    assert provider["department"] == "SCJGJ" and provider["roles"] == ["information_provider", "listing_department"]
    error_of(api("GET", f"{ADMIN}/users?role=king", "admin"), 422, "role")
    error_of(api("GET", f"{ADMIN}/users", "office"), 403)

    before = history(db_session)
    body = {"username": "czj-staff", "password": "long-enough-1", "roles": ["implementing_department"],
            "display_name": "财政局经办人"}
    error_of(api("POST", f"{ADMIN}/users", "admin", json=body), 422, "department")
    error_of(api("POST", f"{ADMIN}/users", "admin", json={**body, "roles": ["king"]}), 422, "roles")
    error_of(api("POST", f"{ADMIN}/users", "admin", json={**body, "department": "NOPE"}), 404, "department")
    error_of(api("POST", f"{ADMIN}/users", "admin", json={**body, "username": "PROVIDER", "department": "CZJ"}),
             409, "username")
    error_of(api("POST", f"{ADMIN}/users", "admin", json={**body, "email": "not-an-address", "department": "CZJ"}),
             422, "email")
    error_of(api("POST", f"{ADMIN}/users", "supervisor", json={}), 403)  # the role first, whatever the body
    assert history(db_session) == before and find_user(db_session, "czj-staff") is None

    created = api("POST", f"{ADMIN}/users", "admin", json={**body, "department": "CZJ"})
    assert created.status_code == 201, created.json
    assert (created.json["department"], created.json["roles"], created.json["active"]) == (
        "CZJ", ["implementing_department"], True)
    assert "password" not in created.json
    assert history(db_session) == before + 1
    token = client.post("/api/v1/auth/token", json={"username": "czj-staff", "password": "long-enough-1"}).json
    staff = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/v1/accounts/me", headers=staff).json["department"] == "CZJ"

    new_id = created.json["id"]
    error_of(api("POST", f"{ADMIN}/users/{new_id}/active", "admin", json={"active": "no"}), 422, "active")
    error_of(api("POST", f"{ADMIN}/users/{new_id}/active", "office", json={"active": False}), 403)
    error_of(api("POST", f"{ADMIN}/users/999999/active", "admin", json={"active": False}), 404)
    error_of(api("POST", f"{ADMIN}/users/{user_id(db_session, 'admin')}/active", "admin", json={"active": False}),
             409, "user")
    assert history(db_session) == before + 1
    disabled = api("POST", f"{ADMIN}/users/{new_id}/active", "admin", json={"active": False})
    assert disabled.status_code == 200 and disabled.json["active"] is False
    assert client.get("/api/v1/accounts/me", headers=staff).status_code == 401  # its token stops working
    assert api("POST", f"{ADMIN}/users/{new_id}/active", "admin", json={"active": True}).json["active"] is True
    assert history(db_session) == before + 3


def test_sign_up_then_the_credit_office_decides_the_claims(api, db_session, client):
    before = history(db_session)
    body = {"code": NEW_CODE, "name": "珠海新注册贸易有限公司", "username": "newco", "password": "long-enough-1",
            "email": "newco@example.com"}
    error_of(client.post("/api/v1/accounts", json={**body, "code": NEW_CODE[:-1] + "0"}), 422, "code")
    error_of(client.post("/api/v1/accounts", json={**body, "username": "Applicant"}), 422, "username")
    error_of(client.post("/api/v1/accounts", json={**body, "password": "short"}), 422, "password")
    error_of(client.post("/api/v1/accounts", json={**body, "username": "  "}), 422, "username")
    assert history(db_session) == before and find_user(db_session, "newco") is None

    signed_up = client.post("/api/v1/accounts", json=body)  # no token needed
    assert signed_up.status_code == 201, signed_up.json
    assert (signed_up.json["subject_code"], signed_up.json["claim_status"], signed_up.json["roles"]) == (
        NEW_CODE, "pending", ["applicant"])
    second = client.post("/api/v1/accounts", json={**body, "username": "newco-2"})
    assert second.status_code == 201 and second.json["subject_code"] == NEW_CODE
    newco, newco_2 = signed_up.json["id"], second.json["id"]

    pending = api("GET", f"{ADMIN}/claims", "office")
    assert [u["username"] for u in pending.json] == ["newco", "newco-2"]
    error_of(api("GET", f"{ADMIN}/claims", "provider"), 403)
    before = history(db_session)
    error_of(api("POST", f"{ADMIN}/claims/{newco}/reject", "office", json={"reason": "  "}), 422, "reason")
    error_of(api("POST", f"{ADMIN}/claims/{newco}/reject", "office", json={}), 422, "reason")
    error_of(api("POST", f"{ADMIN}/claims/{newco}/reject", "implementer", json={"reason": "no"}), 403)
    error_of(api("POST", f"{ADMIN}/claims/{newco}/confirm", "applicant"), 403)
    error_of(api("POST", f"{ADMIN}/claims/999999/confirm", "office"), 404)
    error_of(api("POST", f"{ADMIN}/claims/{user_id(db_session, 'provider')}/confirm", "office"), 404)  # no applicant
    error_of(api("POST", f"{ADMIN}/claims/{user_id(db_session, 'person')}/confirm", "admin"), 409)  # confirmed
    assert history(db_session) == before

    rejected = api("POST", f"{ADMIN}/claims/{newco}/reject", "office", json={"reason": "未提供授权委托书"})
    assert rejected.status_code == 200 and rejected.json["claim_status"] == "rejected"
    confirmed = api("POST", f"{ADMIN}/claims/{newco_2}/confirm", "admin")
    assert confirmed.status_code == 200 and confirmed.json["claim_status"] == "confirmed"
    assert api("GET", f"{ADMIN}/claims", "office").json == []
    assert history(db_session) == before + 2

    token = client.post("/api/v1/auth/token", json={"username": "newco", "password": "long-enough-1"}).json["token"]
    mine = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"}).json
    assert (mine["username"], mine["claim_status"], mine["claim_rejection_reason"]) == (
        "newco", "rejected", "未提供授权委托书")
    office = api("GET", "/api/v1/accounts/me", "office").json
    assert (office["roles"], office["department"], office["subject_code"], office["claim_status"]) == (
        ["accepting_office"], "XYB", None, "none")  # the accepting office sits in the credit office
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_departments_and_measures(api, db_session):
    before = history(db_session)
    body = {"code": "wjw", "name": "市卫生健康局", "name_en": "Health Commission", "email": "wjw@example.gov.cn"}
    error_of(api("POST", f"{ADMIN}/departments", "admin", json={**body, "code": "1WJW"}), 422, "code")
    error_of(api("POST", f"{ADMIN}/departments", "admin", json={**body, "email": "wjw"}), 422, "email")
    error_of(api("POST", f"{ADMIN}/departments", "admin", json={**body, "name": ""}), 422, "name")
    error_of(api("POST", f"{ADMIN}/departments", "admin", json={**body, "code": "scjgj"}), 409, "code")
    error_of(api("POST", f"{ADMIN}/departments", "provider", json=body), 403)
    assert history(db_session) == before
    created = api("POST", f"{ADMIN}/departments", "admin", json=body)
    assert created.status_code == 201 and created.json["code"] == "WJW"
    department = created.json["id"]
    assert api("GET", f"{ADMIN}/departments/{department}", "admin").json == created.json
    assert "WJW" in [d["code"] for d in api("GET", "/api/v1/departments", "office").json]
    error_of(api("PUT", f"{ADMIN}/departments/{department}", "admin", json={"name": "x", "email": "@"}), 422, "email")
    error_of(api("PUT", f"{ADMIN}/departments/{department}", "admin", json={"name_en": "no name"}), 422, "name")
    error_of(api("PUT", f"{ADMIN}/departments/{department}", "office", json={"name": "x"}), 403)
    error_of(api("PUT", f"{ADMIN}/departments/999999", "admin", json={"name": "x"}), 404)
    error_of(api("GET", f"{ADMIN}/departments/999999", "admin"), 404)
    changed = api("PUT", f"{ADMIN}/departments/{department}", "admin", json={"name": "市卫生健康委员会"})
    assert (changed.json["code"], changed.json["name"], changed.json["email"]) == ("WJW", "市卫生健康委员会", "")
    assert history(db_session) == before + 2

    measure = {"code": "P-HEALTH", "name": "限制从事医疗机构执业", "effect": "punishment", "obligation": "mandatory",
               "department": "WJW", "legal_basis": "《医疗机构管理条例》"}
    error_of(api("POST", f"{ADMIN}/measures", "admin", json={**measure, "effect": "reward"}), 422, "effect")
    error_of(api("POST", f"{ADMIN}/measures", "admin", json={**measure, "department": "NOPE"}), 404, "department")
    error_of(api("POST", f"{ADMIN}/measures", "admin", json={**measure, "code": "p-proc"}), 409, "code")
    error_of(api("POST", f"{ADMIN}/measures", "implementer", json=measure), 403)
    assert history(db_session) == before + 2
    added = api("POST", f"{ADMIN}/measures", "admin", json=measure)
    assert added.status_code == 201, added.json
    assert (added.json["code"], added.json["department"], added.json["active"]) == ("P-HEALTH", "WJW", True)
    item = added.json["id"]
    assert api("GET", f"{ADMIN}/measures/{item}", "admin").json == added.json
    measure.pop("code")  # it stays
    moved = api("PUT", f"{ADMIN}/measures/{item}", "admin", json={**measure, "department": "SCJGJ", "active": False})
    assert moved.status_code == 200, moved.json
    assert (moved.json["department"], moved.json["active"]) == ("SCJGJ", False)
    listed = {m["code"]: m for m in api("GET", "/api/v1/measures", "office").json}
    assert (listed["P-HEALTH"]["department"], listed["P-HEALTH"]["active"]) == ("SCJGJ", False)
    proc_item = db_session.scalar(select(MeasureCatalogueItem.id).where(MeasureCatalogueItem.code == "P-PROC"))
    before = history(db_session)
    error_of(api("PUT", f"{ADMIN}/measures/{proc_item}", "admin",
                 json={**measure, "effect": "incentive", "department": "CZJ"}), 409, "effect")  # applied to listings
    error_of(api("PUT", f"{ADMIN}/measures/{item}", "admin", json={**measure, "obligation": "maybe"}), 422,
             "obligation")
    error_of(api("PUT", f"{ADMIN}/measures/999999", "admin", json=measure), 404)
    error_of(api("GET", f"{ADMIN}/measures/999999", "admin"), 404)
    error_of(api("GET", f"{ADMIN}/measures/{item}", "supervisor"), 403)
    assert history(db_session) == before


def test_settings_and_the_head_of_supervision(api, db_session, client):
    before = history(db_session)
    path = f"{ADMIN}/settings/objection.verification_days"
    error_of(api("PUT", path, "admin", json={"value": 400}), 422, "objection.verification_days")
    error_of(api("PUT", path, "admin", json={"value": "twenty"}), 422)
    error_of(api("PUT", path, "admin", json={"value": None}), 422, "value")
    error_of(api("PUT", path, "admin", json={}), 422, "value")
    error_of(api("PUT", f"{ADMIN}/settings/objection.nothing", "admin", json={"value": 3}), 404, "key")
    error_of(api("PUT", path, "supervisor", json={"value": 15}), 403)
    assert history(db_session) == before and settings_service.get(db_session, "objection.verification_days") == 20
    changed = api("PUT", path, "admin", json={"value": 15})
    assert changed.status_code == 200 and changed.json == {"key": "objection.verification_days", "value": 15}
    switch = api("PUT", f"{ADMIN}/settings/accounts.confirm_applicants", "admin", json={"value": False})
    assert switch.json["value"] is False
    values = {s["key"]: s["value"] for s in api("GET", "/api/v1/settings", "office").json}
    assert (values["objection.verification_days"], values["accounts.confirm_applicants"]) == (15, False)
    assert history(db_session) == before + 2

    head = api("GET", f"{ADMIN}/head-of-supervision", "admin").json
    supervisor = user_id(db_session, "supervisor")
    assert (head["user_id"], head["user"]) == (0, None)
    assert [c["username"] for c in head["candidates"]] == ["supervisor"]
    before = history(db_session)
    error_of(api("PUT", f"{ADMIN}/head-of-supervision", "admin", json={"user_id": user_id(db_session, "office")}),
             422, "user_id")
    error_of(api("PUT", f"{ADMIN}/head-of-supervision", "admin", json={"user_id": -1}), 422, "user_id")
    error_of(api("PUT", f"{ADMIN}/head-of-supervision", "supervisor", json={"user_id": supervisor}), 403)
    error_of(api("GET", f"{ADMIN}/head-of-supervision", "office"), 403)
    assert history(db_session) == before and settings_service.get(db_session, "supervision.head_user_id") == 0
    chosen = api("PUT", f"{ADMIN}/head-of-supervision", "admin", json={"user_id": supervisor})
    assert chosen.status_code == 200 and chosen.json["user"]["username"] == "supervisor"
    assert api("GET", f"{ADMIN}/head-of-supervision", "admin").json["user_id"] == supervisor
    assert api("PUT", f"{ADMIN}/head-of-supervision", "admin", json={"user_id": 0}).json["user"] is None
    assert history(db_session) == before + 2
    client.post("/login", data={"username": "admin", "password": "demo-pass-2026"})  # the page checks the same
    assert client.post("/supervision/head", data={"user": str(user_id(db_session, "office"))}).status_code == 422
    assert client.post("/supervision/head", data={"user": str(supervisor)}).status_code == 302
    assert settings_service.get(db_session, "supervision.head_user_id") == supervisor


def test_calendar_export_and_import_schedules_the_deadlines_that_waited(api, db_session, restore_calendar):
    exported = api("GET", f"{ADMIN}/calendar/2026", "admin")
    assert exported.status_code == 200
    assert exported.json["year"] == 2026 and "2026-10-01" in exported.json["days_off"]
    assert "2026-09-28" not in exported.json["days_off"]
    error_of(api("GET", f"{ADMIN}/calendar/2099", "admin"), 404, "year")
    error_of(api("GET", f"{ADMIN}/calendar/2026", "office"), 403)

    applicant, office = find_user(db_session, "applicant"), find_user(db_session, "office")
    entry = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id))
    accepted = datetime(2099, 3, 2, 10, tzinfo=ZONE)  # a Monday of a year no package has
    case = case_service.file_case(db_session, "objection", actor_for(applicant),
                                  {"list_entry_id": entry, "grounds": "原处罚决定已被复议机关撤销，请核实。"}, now=accepted)
    case_service.take_action(db_session, case.id, "accept", actor_for(office), now=accepted)
    db_session.commit()
    timer = db_session.scalar(select(Timer).where(Timer.case_id == case.id, Timer.kind == "verification"))
    assert timer.status == "unscheduled"

    arrangement = {"year": 2099, "days_off": ["2099-01-01", "2099-03-03"], "working_days": ["2099-03-07"]}
    before = history(db_session)
    path = f"{ADMIN}/calendar/2099"
    error_of(api("PUT", f"{ADMIN}/calendar/2098", "admin", json=arrangement), 422, "year")
    error_of(api("PUT", path, "admin", json={**arrangement, "year": 2098}), 422, "days_off[0]")  # not in 2098
    error_of(api("PUT", path, "admin", json={**arrangement, "days_off": ["2099-02-30"]}), 422, "days_off[0]")
    error_of(api("PUT", path, "admin", json={**arrangement, "working_days": ["2099-03-03"]}), 422, "working_days[0]")
    error_of(api("PUT", path, "admin", json={"year": 2099, "days_off": [], "working_days": []}), 422, "file")
    error_of(api("PUT", path, "admin", json={**arrangement, "workdays": []}), 422, "workdays")
    error_of(api("PUT", path, "supervisor", json=arrangement), 403)
    db_session.expire_all()
    assert history(db_session) == before and db_session.get(CalendarYear, 2099) is None
    assert db_session.get(Timer, timer.id).status == "unscheduled"

    imported = api("PUT", path, "admin", json=arrangement)
    assert imported.status_code == 200 and imported.json == arrangement
    assert api("GET", path, "admin").json == arrangement  # the export is what was imported
    db_session.expire_all()
    assert db_session.get(CalendarYear, 2099).imported_by_id == user_id(db_session, "admin")
    timer = db_session.get(Timer, timer.id)
    # 20 working days after Monday 2 March: the 3rd is off, Saturday the 7th is a working day
    assert (timer.status, timer.due_on) == ("pending", date(2099, 3, 30))
    years = [y["year"] for y in api("GET", "/api/v1/calendar/years", "office").json]
    assert 2099 in years


def test_calendar_import_takes_an_icalendar_file_and_refuses_a_contradiction_at_its_line(api, db_session,
                                                                                           restore_calendar):
    path, ics = f"{ADMIN}/calendar/2098", {"Content-Type": "text/calendar; charset=utf-8"}
    before = history(db_session)
    error = error_of(api("PUT", path, "admin", data=CONTRADICTORY_2098.encode(), headers=ics), 422,
                     f"line {CONTRADICTION_LINE}")
    assert "2098-02-08 is both a day off and a working day" in error["message"]
    error_of(api("PUT", path, "admin", data=b"date,type\n2098-01-01,off\n", headers=ics), 422, "file")
    error_of(api("PUT", f"{ADMIN}/calendar/2099", "admin", data=GOOD_2098.encode(), headers=ics), 422, "year")
    error_of(api("PUT", path, "supervisor", data=GOOD_2098.encode(), headers=ics), 403)
    db_session.expire_all()
    assert history(db_session) == before and db_session.get(CalendarYear, 2098) is None

    imported = api("PUT", path, "admin", data=GOOD_2098.encode(), headers=ics)
    assert imported.status_code == 200, imported.json
    assert imported.json == {"year": 2098, "days_off": DAYS_OFF_2098, "working_days": WORKING_DAYS_2098}
    assert api("GET", path, "admin").json == imported.json
    db_session.expire_all()
    assert db_session.get(CalendarYear, 2098).imported_by_id == user_id(db_session, "admin")
    assert working_calendar.is_working_day(date(2098, 1, 25))  # a Saturday made a working day


def test_licence_matters_and_their_materials(api, db_session):
    matters = api("GET", f"{ADMIN}/licence-matters", "admin").json
    food = next(m for m in matters if m["code"] == "FOOD-BIZ")
    assert food["department"] == "SCJGJ" and len(food["materials"]) == 5 and food["materials"][0]["core"] is True
    error_of(api("GET", f"{ADMIN}/licence-matters", "licensing"), 403)

    before = history(db_session)
    body = {"code": "HEALTH-PERMIT", "name": "公共场所卫生许可", "name_en": "Public venue hygiene permit",
            "department": "SCJGJ", "processing_days": 20, "materials_days": 10}
    error_of(api("POST", f"{ADMIN}/licence-matters", "admin", json={**body, "materials_days": 25}), 422,
             "materials_days")
    error_of(api("POST", f"{ADMIN}/licence-matters", "admin", json={**body, "processing_days": 0}), 422,
             "processing_days")
    error_of(api("POST", f"{ADMIN}/licence-matters", "admin", json={**body, "department": "NOPE"}), 404,
             "department")
    error_of(api("POST", f"{ADMIN}/licence-matters", "admin", json={**body, "code": "food-biz"}), 409, "code")
    error_of(api("POST", f"{ADMIN}/licence-matters", "provider", json=body), 403)
    assert history(db_session) == before
    created = api("POST", f"{ADMIN}/licence-matters", "admin", json=body)
    assert created.status_code == 201, created.json
    assert (created.json["code"], created.json["materials_days"], created.json["materials"]) == (
        "HEALTH-PERMIT", 10, [])
    matter = created.json["id"]
    body.pop("code")  # it stays
    changed = api("PUT", f"{ADMIN}/licence-matters/{matter}", "admin",
                  json={**body, "department": "FGW", "materials_days": None, "active": False})
    assert (changed.json["department"], changed.json["materials_days"], changed.json["active"]) == ("FGW", None, False)
    error_of(api("PUT", f"{ADMIN}/licence-matters/{matter}", "admin", json={**body, "name": ""}), 422, "name")
    error_of(api("PUT", f"{ADMIN}/licence-matters/999999", "admin", json=body), 404)
    error_of(api("GET", f"{ADMIN}/licence-matters/999999", "admin"), 404)

    material = {"name": "卫生管理制度", "name_en": "Hygiene rules", "core": True}
    error_of(api("POST", f"{ADMIN}/licence-matters/{matter}/materials", "admin", json={"name": "x"}), 422, "core")
    error_of(api("POST", f"{ADMIN}/licence-matters/999999/materials", "admin", json=material), 404)
    error_of(api("POST", f"{ADMIN}/licence-matters/{matter}/materials", "office", json=material), 403)
    first = api("POST", f"{ADMIN}/licence-matters/{matter}/materials", "admin", json=material)
    second = api("POST", f"{ADMIN}/licence-matters/{matter}/materials", "admin",
                 json={"name": "从业人员健康证明", "core": False})
    assert first.status_code == second.status_code == 201
    assert (first.json["position"], second.json["position"], second.json["core"]) == (1, 2, False)
    material_path = f"{ADMIN}/licence-matters/{matter}/materials/{second.json['id']}"
    moved = api("PUT", material_path, "admin", json={"name": "从业人员健康证明", "core": True, "position": 0})
    assert (moved.json["core"], moved.json["position"]) == (True, 0)
    error_of(api("PUT", material_path, "admin", json={"name": "x", "core": True, "position": 5000}), 422, "position")
    error_of(api("PUT", f"{ADMIN}/licence-matters/{food['id']}/materials/{second.json['id']}", "admin",
                 json=material), 404, "material")
    db_session.expire_all()  # the test shares the requests' session: read the order as stored
    shown = api("GET", f"{ADMIN}/licence-matters/{matter}", "admin").json
    assert [(m["name"], m["core"]) for m in shown["materials"]] == [("从业人员健康证明", True), ("卫生管理制度", True)]
    assert history(db_session) == before + 5
