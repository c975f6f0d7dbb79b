"""Credit repair through the pages and the generic case API, on both databases: filing with proof and the
signed commitment in one transaction, refusals at filing with their reasons, bad input changing nothing,
deadlines across Spring Festival 2026 with a controlled clock, and the move of a key-attention subject to
the blacklist."""
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from workflows.domain.errors import Conflict, GuardFailed, InvalidInput
from workflows.domain.process import Actor
from workflows.services.admin import settings
from workflows.services.admin.accounts import find_user
from workflows.services.casework.actors import actor_for
from workflows.services.casework.cases import file_case, take_action
from workflows.store.cases import Case, EvidenceFile, Timer
from workflows.store.models import ListEntry, Subject, User

PASSWORD = "demo-pass-2026"
RECTIFICATION = "已补报2023至2025年度年度报告，并缴清全部罚款。"
PDF = b"%PDF-1.4\n% receipt\n"
SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY_ENTERPRISE = "91440402MA51R2C9XC"


def entry_of(db_session, username):
    return db_session.scalar(select(ListEntry.id).join(User, User.subject_id == ListEntry.subject_id)
                             .where(User.username == username).order_by(ListEntry.id))


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def post_repair(client, db_session, *, signed=True, files=True, entry_id=None):
    page = client.get("/cases/new/repair_exit")
    assert page.status_code == 200
    key = page.get_data(as_text=True).split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    data = {"list_entry_id": str(entry_id or entry_of(db_session, "applicant")), "rectification": RECTIFICATION,
            "submission_key": key}
    if signed:
        data["commitment_signed"] = "y"
    if files:
        data["files"] = [(io.BytesIO(PDF), "receipt.pdf")]
    return client.post("/cases/new/repair_exit", data=data, content_type="multipart/form-data")


@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_the_form_shows_the_generated_commitment_and_files_signs_and_submits_at_once(seeded, client, auth, db_session):
    auth.login("applicant")
    page = client.get("/cases/new/repair_exit").get_data(as_text=True)
    assert "信用修复承诺书" in page and "珠市监信〔2026〕12号" in page and "珠海示例科技有限公司" in page
    response = post_repair(client, db_session)
    assert response.status_code == 302
    case = db_session.scalars(select(Case)).one()
    assert (case.process, case.state) == ("repair_exit", "submitted")
    assert [f.original_name for f in case.evidence] == ["receipt.pdf"]
    assert [(t.kind, t.status) for t in case.timers] == [("acceptance", "pending")]
    assert "信用修复承诺书" in case.data["commitment"]


@pytest.mark.parametrize("signed, files, words", [(False, True, 'id="commitment_signed-error"'),
                                                   (True, False, 'id="files-error"')])
def test_unsigned_or_unproven_applications_are_refused_and_nothing_is_kept(seeded, client, auth, db_session,
                                                                           signed, files, words):
    auth.login("applicant")
    response = post_repair(client, db_session, signed=signed, files=files)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert count(db_session, Case) == 0 and count(db_session, EvidenceFile) == 0
    assert db_session.scalar(select(func.count()).select_from(Timer).where(Timer.case_id.is_not(None))) == 0


def test_proof_is_optional_where_the_category_does_not_require_it(seeded, client, auth, db_session):
    settings.change(db_session, "repair.proof_required.market_regulation", False, Actor.system())
    db_session.commit()
    auth.login("applicant")
    assert post_repair(client, db_session, files=False).status_code == 302
    assert db_session.scalars(select(Case.state)).one() == "submitted"


def test_entries_that_cannot_be_repaired_are_refused_at_filing_with_the_reason(seeded, client, auth, db_session):
    applicant = actor_for(find_user(db_session, "applicant"))
    entry_id = entry_of(db_session, "applicant")
    params = {"list_entry_id": entry_id, "rectification": RECTIFICATION}

    settings.change(db_session, "repair.min_listing_months.market_regulation", 24, Actor.system())
    with pytest.raises(GuardFailed, match="at least 24 months: this one can be repaired from"):
        file_case(db_session, "repair_exit", applicant, params)
    settings.change(db_session, "repair.repairable.market_regulation", False, Actor.system())
    with pytest.raises(GuardFailed, match="'market_regulation' cannot be repaired"):
        file_case(db_session, "repair_exit", applicant, params)
    db_session.rollback()

    objection = file_case(db_session, "objection", applicant, {"list_entry_id": entry_id,
                                                               "grounds": "原处罚决定已被撤销，请核实。"})
    with pytest.raises(Conflict, match=f"an objection on this entry is already open \\(case #{objection.id}\\)"):
        file_case(db_session, "repair_exit", applicant, params)
    db_session.rollback()

    first = file_case(db_session, "repair_exit", applicant, params)
    with pytest.raises(Conflict, match=f"credit repair application on this entry is already open \\(case #{first.id}\\)"):
        file_case(db_session, "repair_exit", applicant, params)
    db_session.rollback()

    person = actor_for(find_user(db_session, "person"))  # a court's list of dishonest debtors
    with pytest.raises(GuardFailed, match="'court_enforcement' cannot be repaired"):
        file_case(db_session, "repair_exit", person, {"list_entry_id": entry_of(db_session, "person"),
                                                      "rectification": RECTIFICATION})
    with pytest.raises(InvalidInput, match="put right"):
        file_case(db_session, "repair_exit", applicant, {"list_entry_id": entry_id, "rectification": "已改正"})
    db_session.rollback()
    assert count(db_session, Case) == 0
    auth.login("person")
    page = client.get("/cases/new/repair_exit").get_data(as_text=True)
    blocked = page.split('<ul class="plain">')[1].split("</ul>")[0]
    assert "（2025）粤04执1234号" in blocked and "court_enforcement" not in blocked.split("</strong>")[0]
    assert 'name="rectification"' not in page  # the entry is listed with its reason, and there is no form


@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_filing_and_every_decision_work_through_the_generic_case_api(api, db_session):
    body = {"process": "repair_exit", "list_entry_id": entry_of(db_session, "applicant"),
            "rectification": RECTIFICATION}
    created = api("POST", "/api/v1/cases", "applicant", json=body)
    assert created.status_code == 201 and created.json["state"] == "draft"
    case_id = created.json["id"]
    assert "submit" in created.json["available_actions"]
    unsigned = api("POST", f"/api/v1/cases/{case_id}/actions/submit", "applicant", json={"commitment_signed": False})
    assert unsigned.status_code == 422 and "承诺书" in unsigned.json["error"]["message"]
    no_proof = api("POST", f"/api/v1/cases/{case_id}/actions/submit", "applicant", json={"commitment_signed": True})
    assert no_proof.status_code == 422 and "need proof" in no_proof.json["error"]["message"]
    assert api("GET", f"/api/v1/cases/{case_id}", "applicant").json["state"] == "draft"  # nothing changed
    uploaded = api("POST", f"/api/v1/cases/{case_id}/evidence", "applicant",
                   data={"files": [(io.BytesIO(PDF), "receipt.pdf")]}, content_type="multipart/form-data")
    assert uploaded.status_code == 200
    assert api("POST", f"/api/v1/cases/{case_id}/actions/submit", "applicant",
               json={"commitment_signed": True}).json["state"] == "submitted"
    assert api("POST", f"/api/v1/cases/{case_id}/actions/accept", "office", json={}).json["state"] == "under_review"
    assert api("POST", f"/api/v1/cases/{case_id}/actions/approve", "tax",
               json={"key_attention_months": 12}).status_code == 404  # another department's case
    assert api("POST", f"/api/v1/cases/{case_id}/actions/approve", "office",
               json={"key_attention_months": 12}).status_code == 403
    past = api("POST", f"/api/v1/cases/{case_id}/actions/approve", "provider", json={"key_attention_until": "2020-01-01"})
    assert past.status_code == 422 and "must end after today" in past.json["error"]["message"]
    assert api("POST", f"/api/v1/cases/{case_id}/actions/deny", "provider", json={"reason": ""}).status_code == 422
    approved = api("POST", f"/api/v1/cases/{case_id}/actions/approve", "provider", json={"key_attention_months": 12})
    assert approved.status_code == 200 and approved.json["state"] == "approved"
    assert [d["kind"] for d in approved.json["deadlines"]] == ["acceptance", "review"]


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def due(db_session, case_id, kind):
    return [(t.due_on.isoformat() if t.due_on else None, t.status)
            for t in db_session.scalars(select(Timer).where(Timer.case_id == case_id, Timer.kind == kind))]


def test_limits_run_in_working_days_across_spring_festival_2026(seeded, db_session):
    applicant = actor_for(find_user(db_session, "applicant"))
    office = actor_for(find_user(db_session, "office"))
    settings.change(db_session, "repair.proof_required.market_regulation", False, Actor.system())
    case = file_case(db_session, "repair_exit", applicant, {"list_entry_id": entry_of(db_session, "applicant"),
                                                            "rectification": RECTIFICATION}, now=at("2026-02-13"))
    take_action(db_session, case.id, "submit", applicant, {"commitment_signed": True}, now=at("2026-02-13"))
    # Friday 13 Feb: Saturday 14th is a make-up working day, 15-23 Feb are off: the 3rd working day is 25 Feb
    assert due(db_session, case.id, "acceptance") == [("2026-02-25", "pending")]
    take_action(db_session, case.id, "request_supplement", office, {"reason": "请补充缴款凭证"}, now=at("2026-02-24"))
    assert due(db_session, case.id, "acceptance") == [("2026-02-25", "paused")]
    take_action(db_session, case.id, "supplement", applicant, {"note": "已补充"}, now=at("2026-03-02"))
    assert due(db_session, case.id, "acceptance") == [("2026-03-03", "pending")]  # 1 working day was left
    take_action(db_session, case.id, "accept", office, {}, now=at("2026-03-03"))
    assert due(db_session, case.id, "acceptance") == [("2026-03-03", "met")]
    assert due(db_session, case.id, "review") == [("2026-03-17", "pending")]


def test_review_accepted_before_the_festival_counts_the_make_up_saturdays(seeded, db_session):
    applicant = actor_for(find_user(db_session, "applicant"))
    settings.change(db_session, "repair.proof_required.market_regulation", False, Actor.system())
    case = file_case(db_session, "repair_exit", applicant, {"list_entry_id": entry_of(db_session, "applicant"),
                                                            "rectification": RECTIFICATION}, now=at("2026-02-12"))
    take_action(db_session, case.id, "submit", applicant, {"commitment_signed": True}, now=at("2026-02-12"))
    take_action(db_session, case.id, "accept", actor_for(find_user(db_session, "office")), {}, now=at("2026-02-13"))
    # 14 Feb (Sat, worked), 24-27 Feb, 28 Feb (Sat, worked), 2-5 Mar: the 10th working day is 5 Mar
    assert due(db_session, case.id, "review") == [("2026-03-05", "pending")]


def test_a_listing_department_moves_a_key_attention_subject_to_the_blacklist(seeded, client, auth, db_session):
    key_id = db_session.scalar(select(ListEntry.id).join(Subject).where(Subject.code == KEY_ENTERPRISE))
    auth.login("implementer")
    assert client.get(f"/lists/{key_id}/escalate").status_code == 403
    auth.logout()
    auth.login("provider")
    assert client.get(f"/lists/{entry_of(db_session, 'applicant')}/escalate").status_code == 404
    assert client.get(f"/lists/{key_id}/escalate").status_code == 200
    empty = client.post(f"/lists/{key_id}/escalate", data={"basis": "", "document_no": "x", "valid_until": "2028-01-01"})
    assert empty.status_code == 422
    response = client.post(f"/lists/{key_id}/escalate", data={
        "basis": "重点关注期间再次发生严重食品安全违法行为", "document_no": "珠市监食〔2026〕99号",
        "valid_until": "2029-01-01", "measures": ["P-PROC", "P-BID"]})
    assert response.status_code == 302
    db_session.expire_all()
    entries = db_session.scalars(select(ListEntry).join(Subject).where(Subject.code == KEY_ENTERPRISE)
                                 .order_by(ListEntry.id)).all()
    assert [(e.list_kind, e.status, e.exit_reason) for e in entries] == [
        ("key_attention", "exited", "blacklisted"), ("black", "active", None)]
    assert sorted(m.catalogue.code for m in entries[1].measures) == ["P-BID", "P-PROC"]


@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_the_review_limit_warns_then_breaches_by_the_sweep(seeded, db_session):
    from sla.calendar import day_end_exclusive
    from workflows.automation.sweep import sweep
    from workflows.store.automation import OutboxEvent

    applicant = actor_for(find_user(db_session, "applicant"))
    settings.change(db_session, "repair.proof_required.market_regulation", False, Actor.system())
    case = file_case(db_session, "repair_exit", applicant, {"list_entry_id": entry_of(db_session, "applicant"),
                                                            "rectification": RECTIFICATION}, now=at("2026-02-12"))
    take_action(db_session, case.id, "submit", applicant, {"commitment_signed": True}, now=at("2026-02-12"))
    take_action(db_session, case.id, "accept", actor_for(find_user(db_session, "office")), {}, now=at("2026-02-13"))
    db_session.commit()
    assert sweep(db_session, now=at("2026-03-02", 23)) == 0
    assert sweep(db_session, now=at("2026-03-03", 0)) == 1  # the 7th working day has ended: 3 are left, a warning
    assert sweep(db_session, now=day_end_exclusive(date(2026, 3, 5)) - timedelta(minutes=1)) == 0
    assert sweep(db_session, now=at("2026-03-06", 0)) == 1  # the end of 5 Mar has passed: breached
    db_session.expire_all()
    assert due(db_session, case.id, "review") == [("2026-03-05", "breached")]
    events = db_session.scalars(select(OutboxEvent.kind).where(OutboxEvent.case_id == case.id,
                                                               OutboxEvent.kind.in_(["warn", "breach"]))).all()
    assert events == ["warn", "breach"]
