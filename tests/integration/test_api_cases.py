"""The JSON API for cases: tokens, filing, reading, acting, and every refusal as a clear error."""
import re

import pytest
from sqlalchemy import func, select

from workflows.store.cases import Case
from workflows.store.models import ListEntry, User

PASSWORD = "demo-pass-2026"
GROUNDS = "原处罚决定已被复议机关撤销，请核实。"


def entry_of(db_session, username):
    return db_session.scalar(select(ListEntry.id).join(User, User.subject_id == ListEntry.subject_id)
                             .where(User.username == username).order_by(ListEntry.id))


def file_objection(api, db_session, headers=None, **extra):
    body = {"process": "objection", "list_entry_id": entry_of(db_session, "applicant"), "grounds": GROUNDS, **extra}
    return api("POST", "/api/v1/cases", "applicant", json=body, headers=headers or {})


def test_token_and_errors_are_json(api, client):
    assert client.post("/api/v1/auth/token", json={"username": "admin", "password": "wrong"}).status_code == 401
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert set(response.json["error"]) == {"code", "message", "details"}
    bad = client.get("/api/v1/cases", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and "not valid" in bad.json["error"]["message"]


@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_file_read_and_act(api, db_session):
    created = file_objection(api, db_session)
    assert created.status_code == 201, created.json
    case = created.json
    assert case["state"] == "submitted" and case["subject_code"] == "91440400MA4UH8XQ7M"
    assert case["available_actions"] == ["withdraw"]
    assert [d["kind"] for d in case["deadlines"]] == ["acceptance"]
    seen_by_office = api("GET", f"/api/v1/cases/{case['id']}", "office").json
    assert set(seen_by_office["available_actions"]) == {"accept", "request_supplement", "refuse"}
    accepted = api("POST", f"/api/v1/cases/{case['id']}/actions/accept", "office", json={})
    assert accepted.status_code == 200 and accepted.json["state"] == "verifying"
    assert [h["action"] for h in accepted.json["history"]][:2] == ["file", "accept"]
    assert {h["from"] for h in accepted.json["history"] if h["action"] == "accept"} == {"submitted"}


@pytest.mark.parametrize(
    "username, action, body, status, code",
    [
        ("applicant", "accept", {}, 403, "forbidden"),  # wrong role
        ("provider", "confirm", {"reason": "x"}, 409, "action_not_allowed"),  # wrong state
        ("office", "refuse", {}, 422, "invalid_input"),  # missing reason
        ("office", "approve", {}, 409, "action_not_allowed"),  # no such action
        ("tax", "request_supplement", {"reason": "x"}, 404, "not_found"),  # another department: not even visible
    ],
)
def test_refusals_change_nothing(api, db_session, username, action, body, status, code):
    case = file_objection(api, db_session).json
    response = api("POST", f"/api/v1/cases/{case['id']}/actions/{action}", username, json=body)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code and response.json["error"]["message"]
    after = api("GET", f"/api/v1/cases/{case['id']}", "office").json
    assert after["state"] == "submitted" and after["version"] == case["version"]
    assert len(after["history"]) == len(case["history"])


def test_second_open_objection_on_the_same_entry_is_refused(api, db_session):
    file_objection(api, db_session)
    second = file_objection(api, db_session)
    assert second.status_code == 409 and "already open" in second.json["error"]["message"]


def test_malformed_fields_are_422_not_500(api, db_session):
    assert api("POST", "/api/v1/cases", "applicant", json={"process": "nope"}).status_code == 422
    assert api("POST", "/api/v1/cases", "applicant", json={"process": "objection", "list_entry_id": "abc",
                                                            "grounds": GROUNDS}).status_code == 422
    assert api("POST", "/api/v1/cases", "applicant", data="not json",
               headers={"Content-Type": "application/json"}).status_code in (400, 422)
    assert api("GET", "/api/v1/cases?page=0", "office").status_code == 422
    assert api("GET", "/api/v1/subjects/91110000600037341A", "office").status_code == 422


def test_same_idempotency_key_files_one_case(api, db_session):
    headers = {"Idempotency-Key": "form-123"}
    first = file_objection(api, db_session, headers=headers)
    again = file_objection(api, db_session, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"]
    assert db_session.scalar(select(func.count()).select_from(Case)) == 1


def test_stale_version_is_refused(api, db_session):
    case = file_objection(api, db_session).json
    api("POST", f"/api/v1/cases/{case['id']}/actions/request_supplement", "office", json={"reason": "补充材料"})
    stale = api("POST", f"/api/v1/cases/{case['id']}/actions/refuse", "office",
                json={"reason": "x", "version": case["version"]})
    assert stale.status_code == 409 and "changed" in stale.json["error"]["message"]


def test_applicants_cannot_reach_other_subjects_cases(api, db_session):
    case = file_objection(api, db_session).json
    assert api("GET", f"/api/v1/cases/{case['id']}", "redco").status_code == 404
    assert api("POST", f"/api/v1/cases/{case['id']}/actions/withdraw", "redco", json={}).status_code == 404
    assert api("GET", "/api/v1/cases", "redco").json["total"] == 0
    assert api("GET", "/api/v1/cases", "applicant").json["total"] == 1


def test_inbox_lists_what_waits_on_the_caller(api, db_session):
    case = file_objection(api, db_session).json
    assert [c["id"] for c in api("GET", "/api/v1/cases?inbox=true", "office").json["items"]] == [case["id"]]
    assert api("GET", "/api/v1/cases?inbox=true", "provider").json["total"] == 0
    api("POST", f"/api/v1/cases/{case['id']}/actions/accept", "office", json={})
    assert [c["id"] for c in api("GET", "/api/v1/cases?inbox=true", "provider").json["items"]] == [case["id"]]
    assert api("GET", "/api/v1/cases?inbox=true", "tax").json["total"] == 0  # another department


def test_openapi_document_lists_the_case_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/actions/{action}",
            "/api/v1/auth/token"} <= set(spec["paths"])


@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_abuse_report_through_the_case_api_with_evidence_in_base64(api, db_session):
    import base64

    from workflows.demo import ENTERPRISE_RED
    from workflows.store.models import Subject

    from tests.integration.test_case_pages import PDF

    red = db_session.scalar(select(ListEntry).join(Subject).where(Subject.code == ENTERPRISE_RED,
                                                                  ListEntry.list_kind == "red"))
    reason = "该企业以红名单身份取得的信用贷款优惠系以虚假材料骗取。"
    pdf = {"name": "report.pdf", "content": base64.b64encode(PDF).decode()}
    body = {"process": "redlist_removal", "subject_code": ENTERPRISE_RED, "reason": reason, "files": [pdf]}
    cases_before = db_session.scalar(select(func.count(Case.id)))

    refusals = [
        (api("POST", "/api/v1/cases", "applicant", json=body), 403, None),  # not a department
        (api("POST", "/api/v1/cases", "implementer", json={**body, "files": []}), 422, "files"),  # no evidence
        (api("POST", "/api/v1/cases", "implementer", json={**body, "files": [{"name": "x.pdf", "content": "%%"}]}),
         422, "files"),
        (api("POST", "/api/v1/cases", "implementer", json={**body, "files": "report.pdf"}), 422, "files"),
        (api("POST", "/api/v1/cases", "implementer",
             json={**body, "files": [{"name": "x.pdf", "content": base64.b64encode(b"MZ\x90\x00").decode()}]}),
         422, "files"),  # not a PDF, PNG or JPEG
        (api("POST", "/api/v1/cases", "implementer", json={**body, "reason": "short"}), 422, "reason"),
        (api("POST", "/api/v1/cases", "implementer", json={**body, "trigger": "expired"}), 422, "trigger"),
        (api("POST", "/api/v1/cases", "implementer", json={**body, "subject_code": None}), 422, "list_entry_id"),
        (api("POST", "/api/v1/cases", "implementer",
             json={**body, "subject_code": None, "list_entry_id": 999999}), 404, "list_entry_id"),
        (api("POST", "/api/v1/cases", "implementer",
             json={**body, "subject_code": None, "list_entry_id": "seven"}), 422, "list_entry_id"),
        (api("POST", "/api/v1/cases", "implementer",
             json={**body, "subject_code": None, "list_entry_id": entry_of(db_session, "applicant")}), 422,
         "list_entry_id"),  # a blacklist entry
    ]
    for response, status, field in refusals:
        assert response.status_code == status, response.json
        assert field is None or response.json["error"]["details"].get("field") == field, response.json
    assert db_session.scalar(select(func.count(Case.id))) == cases_before  # nothing was half-written

    created = api("POST", "/api/v1/cases", "implementer", json=body, headers={"Idempotency-Key": "abuse-1"})
    assert created.status_code == 201, created.json
    case = created.json
    assert (case["process"], case["state"], case["list_entry_id"]) == ("redlist_removal", "reported", red.id)
    assert case["data"]["trigger"] == "abuse" and [e["name"] for e in case["evidence"]] == ["report.pdf"]
    assert [d["kind"] for d in case["deadlines"]] == ["abuse_review"]
    again = api("POST", "/api/v1/cases", "implementer", json=body, headers={"Idempotency-Key": "abuse-1"})
    assert again.status_code == 201 and again.json["id"] == case["id"]  # a retried request: the same case
    second = api("POST", "/api/v1/cases", "bank", json=body)
    assert second.status_code == 409 and "already open" in second.json["error"]["message"]
    assert api("GET", f"/api/v1/cases/{case['id']}", "implementer").status_code == 200  # the reporter follows it
    assert api("GET", f"/api/v1/cases/{case['id']}", "bank").status_code == 404

    lister = red.department.code
    decider = {"SWJ": "tax", "FY": "court", "SCJGJ": "provider"}[lister]
    seen = api("GET", f"/api/v1/cases/{case['id']}", decider).json
    assert set(seen["available_actions"]) == {"confirm_abuse", "dismiss"}
    confirmed = api("POST", f"/api/v1/cases/{case['id']}/actions/confirm_abuse", decider,
                    json={"reason": "经核查属实。", "version": seen["version"]})
    assert confirmed.status_code == 200 and confirmed.json["state"] == "removed", confirmed.json
    db_session.expire_all()
    assert (db_session.get(ListEntry, red.id).status, db_session.get(ListEntry, red.id).exit_reason) == \
        ("exited", "abuse")


def test_a_filing_and_an_action_answer_with_the_whole_case_and_read_nothing_twice(api, app, db_session):
    """The statements behind `POST /api/v1/cases` and `POST .../actions/...`: the token's user comes with its roles
    and the configuration's stamps in one query, for the filing and the action alike; the case an action checks for
    visibility is held from that read on, so the action does not read it again; a new case's timers and files, its
    entry and its subject, and the departments' codes are not read back for the answer (the codes are kept per
    process under the departments' stamp), nor its history and documents: the rows the filing wrote are its whole
    history; an action reads the case's history, files and documents back in one statement, the documents by their
    titles."""
    from sqlalchemy import event

    from webapp.extensions import db

    first = file_objection(api, db_session).json  # the tokens, the kept codes, the first time of everything
    assert api("POST", f"/api/v1/cases/{first['id']}/actions/refuse", "office",
               json={"reason": "材料不全，不予受理。"}).status_code == 200
    body = {"process": "objection", "list_entry_id": entry_of(db_session, "applicant"), "grounds": GROUNDS}
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_):
        seen.append(" ".join(statement.split()))

    def request(*args, **kwargs):  # as a server's request: a session of its own, nothing in it yet
        db_session.close()
        seen.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            return api(*args, **kwargs), list(seen)
        finally:
            event.remove(engine, "before_cursor_execute", record)

    with app.app_context():
        engine = db.engine
    created, filed = request("POST", "/api/v1/cases", "applicant", json=body)
    refused, acted = request("POST", f"/api/v1/cases/{created.json['id']}/actions/refuse", "office",
                             json={"reason": "材料不全，不予受理。"})
    assert created.status_code == 201 and refused.status_code == 200, (created.json, refused.json)
    assert created.json["subject_code"] and created.json["department"] and created.json["deadlines"]
    assert refused.json["state"] == "refused" and refused.json["documents"][0]["department"]

    def reads(statements, table):
        return [s for s in statements if s.startswith("SELECT") and f" FROM {table} " in f"{s} "]

    for statements in (filed, acted):  # the token's user and its roles: one statement
        assert len(reads(statements, "users")) == 1 and reads(statements, "user_roles") == reads(statements, "users")
        assert not reads(statements, "departments"), statements
    assert len(reads(acted, "cases")) == 1, acted
    # the configuration's stamps: read with the token's user, the first statement, never on their own
    for statements in (filed, acted):
        assert not [s for s in statements if s.startswith("SELECT config_stamps")], statements
        assert statements[0].startswith("SELECT users.") and "config_stamps" in statements[0], statements
    for table in ("sla_timers", "evidence_files", "list_entries", "subjects", "history", "decision_documents"):
        assert len(reads(filed, table)) == (table == "list_entries"), (table, filed)
    # a filing is a read of its user and of the entry it objects to, then the case, its timer, its history row and
    # its event, each inserted once: the timer, the history row and the event in one statement where the database
    # has data-modifying WITHs (PostgreSQL)
    together = engine.dialect.name == "postgresql"
    assert len(filed) == (4 if together else 6), filed
    for statements in (filed, acted):
        [history_row] = [s for s in statements if "INSERT INTO history " in s]
        assert len([s for s in statements if "INSERT INTO outbox " in s]) == 1, statements
    [timer] = [s for s in filed if "INSERT INTO sla_timers " in s]
    assert (timer.startswith("WITH history_row AS (INSERT INTO history ") and "event AS (INSERT INTO outbox " in
            timer) == together, timer
    # an action's history row, its event and its timer's change are WITHs of its case's UPDATE there
    [changed] = [s for s in acted if " UPDATE cases SET " in f" {s}"]
    assert (changed.startswith("WITH history_row AS (INSERT INTO history ") and "event AS (INSERT INTO outbox " in
            changed and "timer_0 AS (UPDATE sla_timers " in changed) == together, changed
    # the answer's record in one statement: the history, the files and the documents, of these their titles, not
    # the whole text each was issued with
    [record] = reads(acted, "decision_documents")
    assert " FROM history " in record and " FROM evidence_files " in record, acted
    assert not re.search(r"(SELECT|,) decision_documents\.fields( AS \w+)?(,| FROM)", record), record
    assert not reads(acted, "history")[1:] and not reads(acted, "evidence_files")[1:], acted
    # the user and the case held, the history row, the event, the case and its timer changed (one statement on
    # PostgreSQL), the decision's number and the decision, the record read
    assert len(acted) == (6 if together else 9), acted
    assert refused.json["documents"][0]["title"] == "不予受理决定书"


@pytest.mark.clock  # a department's finding starts its verification's limit at once
def test_a_filings_answer_lists_what_a_later_read_shows(api, db_session):
    """The new case's history and documents in the filing's answer are those it wrote (not read back): the same as
    the case's page in the API shows afterwards, a department's finding with its follow-on step included."""
    mine = file_objection(api, db_session).json
    other = db_session.scalar(select(ListEntry.id).where(ListEntry.id != mine["list_entry_id"],
                                                         ListEntry.list_kind == "black", ListEntry.status == "active"))
    found = api("POST", "/api/v1/cases", "implementer", json={
        "process": "objection", "origin": "department", "list_entry_id": other, "grounds": GROUNDS}).json
    assert [h["action"] for h in found.get("history", ())] == ["file", "begin_verification"], found
    for filed, username in ((mine, "applicant"), (found, "implementer")):
        shown = api("GET", f"/api/v1/cases/{filed['id']}", username).json
        assert (filed["history"], filed["documents"]) == (shown["history"], shown["documents"])
