"""List work through the JSON API, on both databases: a key-attention subject moved to the blacklist, a red-list
re-evaluation previewed and confirmed, the green channel's catalogue with the caller's eligibility, the granted
licences, and a green case's notice and materials. Every refusal is a clear error and changes nothing."""
import io
from datetime import timedelta

from sqlalchemy import func, select

from workflows import clock
from workflows.demo import ENTERPRISE_BLACK, ENTERPRISE_KEY, ENTERPRISE_RED, ENTERPRISE_RED_2, PERSON_BLACK
from workflows.processes.repair_exit import add_months
from workflows.store.automation import Announcement, OutboxEvent
from workflows.store.cases import Case, EvidenceFile
from workflows.store.green import LicenceMatter
from workflows.store.models import HistoryEntry, ListEntry, Subject

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LATER = (clock.today() + timedelta(days=3 * 365)).isoformat()


def entries_of(db_session, code):
    db_session.expire_all()
    return db_session.scalars(select(ListEntry).join(Subject).where(Subject.code == code).order_by(ListEntry.id)).all()


def count(db_session, model, *where):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model).where(*where))


def error(response, status):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json["error"]


# --- escalation ---------------------------------------------------------------------------------------------

def test_a_key_attention_subject_is_moved_to_the_blacklist_and_every_refusal_changes_nothing(api, db_session):
    key = entries_of(db_session, ENTERPRISE_KEY)[0]
    url = f"/api/v1/list-entries/{key.id}/escalate"
    body = {"basis": "重点关注期间再次发生严重食品安全违法行为", "document_no": "珠市监食〔2026〕99号",
            "valid_until": LATER, "measures": ["P-PROC", "P-BID"]}
    history_before = count(db_session, HistoryEntry)
    assert "valid_until" in error(api("POST", url, "provider", json={**body, "valid_until": "2020-01-01"}), 422)[
        "message"]
    assert error(api("POST", url, "provider", json={**body, "measures": ["P-NOPE"]}), 422)["details"]["field"] == \
        "measures"
    assert "cannot be attached" in error(api("POST", url, "provider", json={**body, "measures": ["I-GREEN"]}),
                                         422)["message"]
    missing = error(api("POST", url, "provider", json={"basis": "x"}), 422)
    assert {"document_no", "valid_until", "measures"} <= set(missing["details"]["fields"]["json"])
    assert error(api("POST", url, "provider", json={**body, "measures": []}), 422)["details"]["fields"]
    assert error(api("POST", url, "implementer", json=body), 403)["code"] == "forbidden"
    assert error(api("POST", url, "admin", json=body), 403)["code"] == "forbidden"
    assert error(api("POST", url, None, json=body), 401)["code"] == "unauthorized"
    assert error(api("POST", "/api/v1/list-entries/999999/escalate", "provider", json=body), 404)
    black = entries_of(db_session, "91440400MA4UH8XQ7M")[0]  # a blacklist entry is no key-attention entry
    assert error(api("POST", f"/api/v1/list-entries/{black.id}/escalate", "provider", json=body), 404)
    assert [(e.list_kind, e.status) for e in entries_of(db_session, ENTERPRISE_KEY)] == [("key_attention", "active")]
    assert count(db_session, HistoryEntry) == history_before

    created = api("POST", url, "provider", json=body)
    assert created.status_code == 201, created.json
    assert (created.json["list"], created.json["status"], created.json["department"]) == ("black", "active", "SCJGJ")
    assert sorted(m["code"] for m in created.json["measures"]) == ["P-BID", "P-PROC"]
    entries = entries_of(db_session, ENTERPRISE_KEY)
    assert [(e.list_kind, e.status, e.exit_reason) for e in entries] == [
        ("key_attention", "exited", "blacklisted"), ("black", "active", None)]
    assert entries[1].id == created.json["id"] and entries[1].valid_until.isoformat() == LATER
    # the same consequences as the page: the flow's event, the history of the escalation
    events = db_session.scalars(select(OutboxEvent).where(OutboxEvent.process == "lists")).all()
    assert [(e.kind, e.payload["list_entry_id"]) for e in events] == [("blacklisted", created.json["id"])]
    assert count(db_session, HistoryEntry, HistoryEntry.action == "escalate_to_blacklist") == 1
    again = error(api("POST", url, "provider", json=body), 422)
    assert "only an active one can be escalated" in again["message"]


# --- red-list re-evaluation ---------------------------------------------------------------------------------

def test_a_red_list_reevaluation_is_previewed_then_confirmed_in_bulk(api, db_session):
    rule = {"statement": "纳税信用A级认定标准调整为连续三年A级。", "category": "tax_credit"}
    red = next(e for e in entries_of(db_session, ENTERPRISE_RED) if e.list_kind == "red")
    other = next(e for e in entries_of(db_session, ENTERPRISE_RED_2) if e.list_kind == "red")  # SCJGJ's
    preview = api("POST", "/api/v1/red-list/re-evaluations/preview", "tax", json=rule)
    assert preview.status_code == 200, preview.json
    assert preview.json["total"] == 1 and [e["id"] for e in preview.json["entries"]] == [red.id]
    assert preview.json["entries"][0]["subject_code"] == ENTERPRISE_RED
    short = error(api("POST", "/api/v1/red-list/re-evaluations/preview", "tax", json={**rule, "statement": "改了"}),
                  422)
    assert short["details"]["field"] == "statement"
    vague = error(api("POST", "/api/v1/red-list/re-evaluations/preview", "tax", json={"statement": rule["statement"]}),
                  422)
    assert "at least one condition" in vague["message"]
    none = error(api("POST", "/api/v1/red-list/re-evaluations/preview", "court", json=rule), 422)
    assert "matches none" in none["message"]
    assert error(api("POST", "/api/v1/red-list/re-evaluations/preview", "implementer", json=rule), 403)
    assert error(api("POST", "/api/v1/red-list/re-evaluations/preview", "office", json=rule), 403)

    url = "/api/v1/red-list/re-evaluations"
    assert "do not match the rule" in error(api("POST", url, "tax", json={**rule, "entry_ids": [other.id]}),
                                            422)["message"]
    assert "at least one" in error(api("POST", url, "tax", json={**rule, "entry_ids": []}), 422)["message"]
    assert "entry_ids" in error(api("POST", url, "tax", json=rule), 422)["details"]["fields"]["json"]
    assert error(api("POST", url, "provider", json={**rule, "entry_ids": [red.id]}), 422)  # SCJGJ has none of these
    assert error(api("POST", url, "redco", json={**rule, "entry_ids": [red.id]}), 403)
    assert count(db_session, Case) == 0
    assert [(e.status, e.exit_reason) for e in entries_of(db_session, ENTERPRISE_RED_2) + [red]] == [
        ("active", None), ("active", None)]

    done = api("POST", url, "tax", json={**rule, "entry_ids": [red.id]})
    assert done.status_code == 201, done.json
    assert done.json["removed"] == 1
    case = done.json["cases"][0]
    assert (case["process"], case["state"], case["list_entry_id"]) == ("redlist_removal", "removed", red.id)
    assert case["data"]["trigger"] == "criteria_changed" and case["data"]["reason"] == rule["statement"]
    db_session.expire_all()
    entry = db_session.get(ListEntry, red.id)
    assert (entry.status, entry.exit_reason, {m.status for m in entry.measures}) == (
        "exited", "criteria_changed", {"stopped"})
    assert count(db_session, OutboxEvent, OutboxEvent.case_id == case["id"]) >= 1  # the removal's flow tells everyone
    assert "matches none" in error(api("POST", url, "tax", json={**rule, "entry_ids": [red.id]}), 422)["message"]


# --- blacklist re-evaluation -----------------------------------------------------------------------------

def test_a_blacklist_reevaluation_is_previewed_then_exits_onto_key_attention_in_bulk(api, db_session):
    rule = {"statement": "经营异常名录届满三年的企业不再列入黑名单，改列重点关注。", "category": "market_regulation"}
    black = next(e for e in entries_of(db_session, ENTERPRISE_BLACK) if e.list_kind == "black")
    person = entries_of(db_session, PERSON_BLACK)[0]  # FY's
    preview = api("POST", "/api/v1/blacklist/re-evaluations/preview", "provider", json=rule)
    assert preview.status_code == 200, preview.json
    assert preview.json["total"] == 1 and [e["id"] for e in preview.json["entries"]] == [black.id]
    assert "matches none" in error(api("POST", "/api/v1/blacklist/re-evaluations/preview", "court", json=rule),
                                   422)["message"]
    assert error(api("POST", "/api/v1/blacklist/re-evaluations/preview", "implementer", json=rule), 403)

    url = "/api/v1/blacklist/re-evaluations"
    body = {**rule, "entry_ids": [black.id], "key_attention_months": 6}
    assert "do not match the rule" in error(api("POST", url, "provider", json={**body, "entry_ids": [person.id]}),
                                            422)["message"]
    assert error(api("POST", url, "provider", json={**rule, "entry_ids": [black.id]}), 422)["details"]["field"] == \
        "key_attention_until"
    past = error(api("POST", url, "provider", json={**rule, "entry_ids": [black.id],
                                                    "key_attention_until": "2020-01-01"}), 422)
    assert "after today" in past["message"]
    both = {**body, "key_attention_until": LATER}
    assert "not both" in error(api("POST", url, "provider", json=both), 422)["message"]
    assert error(api("POST", url, "applicant", json=body), 403)
    assert [(e.list_kind, e.status) for e in entries_of(db_session, ENTERPRISE_BLACK)] == [("black", "active")]
    assert count(db_session, OutboxEvent, OutboxEvent.process == "lists") == 0

    done = api("POST", url, "provider", json=body)
    assert done.status_code == 201, done.json
    assert [(e["id"], e["status"]) for e in done.json["exited"]] == [(black.id, "exited")]
    until = add_months(clock.today(), 6)
    assert [(k["list"], k["valid_until"]) for k in done.json["key_attention"]] == [("key_attention",
                                                                                    until.isoformat())]
    entries = entries_of(db_session, ENTERPRISE_BLACK)
    assert [(e.list_kind, e.status, e.exit_reason) for e in entries] == [
        ("black", "exited", "criteria_changed"), ("key_attention", "active", None)]
    assert entries[1].derived_from_id == black.id  # a revoke of the blacklisting would undo it
    assert {m.status for m in entries[0].measures} == {"stopped"}
    assert count(db_session, Announcement, Announcement.list_kind == "black") == 1
    assert count(db_session, Announcement, Announcement.list_kind == "key_attention") == 0
    assert "matches none" in error(api("POST", url, "provider", json=body), 422)["message"]


# --- the green channel's catalogue and the granted licences --------------------------------------------------

def test_the_licence_matters_with_materials_and_the_callers_eligibility(api, db_session):
    listed = api("GET", "/api/v1/licence-matters", "redco")
    assert listed.status_code == 200
    matters = {m["code"]: m for m in listed.json["items"]}
    assert set(matters) == {"FOOD-BIZ", "PRINT-BIZ"}
    food = matters["FOOD-BIZ"]
    assert (food["department"], food["processing_days"], food["materials_days"]) == ("SCJGJ", 20, 10)
    assert [(m["core"], m["deferrable"]) for m in food["materials"]] == [(True, False)] * 2 + [(False, True)] * 3
    eligibility = listed.json["eligibility"]
    assert eligibility["eligible"] is True and any(r["supports"] for r in eligibility["reasons"])
    blacklisted = api("GET", "/api/v1/licence-matters", "applicant").json["eligibility"]
    assert blacklisted["eligible"] is False and any("blacklist" in r["message"] for r in blacklisted["reasons"])
    assert api("GET", "/api/v1/licence-matters", "office").json["eligibility"] is None  # staff: no subject
    assert error(api("GET", "/api/v1/licence-matters"), 401)

    one = api("GET", "/api/v1/licence-matters/food-biz", "licensing")
    assert one.status_code == 200 and one.json["code"] == "FOOD-BIZ" and one.json["eligibility"] is None
    assert one.json["materials"] == food["materials"]
    assert api("GET", "/api/v1/licence-matters/PRINT-BIZ", "applicant").json["eligibility"]["eligible"] is False
    assert error(api("GET", "/api/v1/licence-matters/NO-SUCH", "redco"), 404)["code"] == "not_found"
    assert error(api("GET", "/api/v1/licence-matters/bad%20code!", "redco"), 404)
    db_session.scalar(select(LicenceMatter).where(LicenceMatter.code == "PRINT-BIZ")).active = False
    db_session.commit()
    assert [m["code"] for m in api("GET", "/api/v1/licence-matters", "redco").json["items"]] == ["FOOD-BIZ"]
    assert error(api("GET", "/api/v1/licence-matters/PRINT-BIZ", "redco"), 404)


def file_green_case(api, db_session):
    matter = db_session.scalar(select(LicenceMatter).where(LicenceMatter.code == "FOOD-BIZ"))
    missing = [m.id for m in matter.materials if not m.core][:1]  # material no. 3
    created = api("POST", "/api/v1/cases", "redco", json={"process": "conditional_acceptance", "matter": "FOOD-BIZ",
                                                          "missing": missing, "signed": True, "signatory": "王守信"})
    assert created.status_code == 201, created.json
    return created.json["id"]


def test_the_granted_licences_are_public_and_paged(api, db_session):
    from workflows.services.processes import green_records
    from workflows.store.base import utcnow

    empty = api("GET", "/api/v1/public/licences")
    assert empty.status_code == 200 and (empty.json["total"], empty.json["items"]) == (0, [])
    case_id = file_green_case(api, db_session)
    green_records.publish_grant(db_session, db_session.get(Case, case_id), "JY14404000012345", utcnow())
    db_session.commit()
    page = api("GET", "/api/v1/public/licences?per_page=1")
    assert (page.json["total"], page.json["page"], page.json["per_page"]) == (1, 1, 1)
    item = page.json["items"][0]
    assert (item["holder_code"], item["licence_no"], item["matter_name"], item["department"]) == (
        ENTERPRISE_RED, "JY14404000012345", "食品经营许可", "SCJGJ")
    assert api("GET", "/api/v1/public/licences?page=2&per_page=1").json["items"] == []
    assert error(api("GET", "/api/v1/public/licences?per_page=0"), 422)["details"]["fields"]


# --- a green case: its notice, a material supplied with its file ------------------------------------------

def test_the_notice_and_a_material_supplied_with_its_file_then_verified(api, db_session):
    case_id = file_green_case(api, db_session)
    notice_url = f"/api/v1/cases/{case_id}/notice"
    assert "not been accepted" in error(api("GET", notice_url, "redco"), 404)["message"]
    accepted = api("POST", f"/api/v1/cases/{case_id}/actions/accept_with_commitment", "licensing", json={"days": 5})
    assert accepted.status_code == 200, accepted.json

    notice = api("GET", notice_url, "redco")
    assert notice.status_code == 200, notice.json
    assert notice.json["application_no"].startswith("RQ") and notice.json["subject_code"] == ENTERPRISE_RED
    assert (notice.json["matter_code"], notice.json["department"], notice.json["signatory"]) == (
        "FOOD-BIZ", "SCJGJ", "王守信")
    [item] = notice.json["deferred"]
    assert (item["no"], item["status"]) == (3, "missing") and item["due_on"] > clock.today().isoformat()
    assert [s["no"] for s in notice.json["supplied"]] == [1, 2, 4, 5]
    assert "red-list removal" in notice.json["consequence"] and notice.json["extension_days"] == 0
    assert api("GET", notice_url, "licensing").status_code == 200
    assert error(api("GET", notice_url, "applicant"), 404)  # another subject's case
    assert error(api("GET", notice_url, "tax"), 404)  # another department's
    assert error(api("GET", "/api/v1/cases/999999/notice", "redco"), 404)

    url = f"/api/v1/cases/{case_id}/materials/3/submit"
    version = api("GET", f"/api/v1/cases/{case_id}", "redco").json["version"]

    def send(username, name="plan.pdf", content=PDF, no=3, **form):
        data = {"note": "补交", **form}
        if name:
            data["files"] = (io.BytesIO(content), name)
        return api("POST", url.replace("/3/", f"/{no}/"), username, data=data, content_type="multipart/form-data")

    assert error(send("redco", name=None, version=version), 422)["details"]["field"] == "files"
    assert error(send("redco", content=b"not a pdf", version=version), 422)["details"]["field"] == "files"
    assert "not one of the missing materials" in error(send("redco", no=1, version=version), 422)["message"]
    assert error(send("redco", version="abc"), 422)["details"]["field"] == "version"
    assert error(send("redco", version=version - 1), 409)
    assert error(send("licensing", version=version), 403)
    assert error(send("applicant", version=version), 404)
    assert error(api("POST", "/api/v1/cases/999999/materials/3/submit", "redco"), 404)
    assert count(db_session, EvidenceFile) == 0
    assert db_session.get(Case, case_id).version == version

    submitted = send("redco", version=version)
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["state"] == "awaiting_materials"
    db_session.expire_all()
    # kept under the material, as the page keeps it
    assert db_session.scalars(select(EvidenceFile.purpose)).all() == ["material:3"]
    assert api("GET", notice_url, "redco").json["deferred"][0]["status"] == "submitted"
    # the window's verdict on the item is the generic action, as on the case page
    verified = api("POST", f"/api/v1/cases/{case_id}/actions/verify_materials", "licensing",
                   json={"item": 3, "result": "verified", "version": submitted.json["version"]})
    assert verified.status_code == 200 and verified.json["state"] == "materials_complete"
