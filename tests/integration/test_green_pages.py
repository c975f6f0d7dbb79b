"""The green channel through the pages and the generic JSON API, on both databases: eligibility with its
reasons, filing with uploads and the signed commitment, the materials, the notice, the public list, the
licence matters catalogue, and every bad input refused with a clear error and nothing changed."""
import io
import re
import uuid

import pytest
from sqlalchemy import func, select

from workflows.store.cases import Case, EvidenceFile
from workflows.store.green import BrokenCommitment, GreenApplication, LicenceMatter, MatterMaterial
from workflows.store.models import HistoryEntry

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PASSWORD = "demo-pass-2026"


@pytest.fixture(autouse=True)
def english(client, seeded):
    """The pages in English, so the assertions read the messages as written in the code."""
    client.post("/lang/en")
    return client


def materials(db_session, code="FOOD-BIZ"):
    matter = db_session.scalar(select(LicenceMatter).where(LicenceMatter.code == code))
    return [(m.id, m.core) for m in matter.materials]


def deferrable(db_session):
    return [i for i, core in materials(db_session) if not core]


def core(db_session):
    return [i for i, is_core in materials(db_session) if is_core]


def count(db_session, model):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def file_through_pages(client, missing, signed="y", files=True):
    url = "/green/apply/FOOD-BIZ?" + "&".join(f"missing={m}" for m in missing)
    page = client.get(url)
    assert page.status_code == 200, page.data[:400]
    data = {"signatory": "王守信", "submission_key": str(uuid.uuid4())}
    if signed:
        data["signed"] = signed
    if files:  # each material supplied now with its file
        data.update({"file_1": (io.BytesIO(PDF), "licence.pdf"), "file_2": (io.BytesIO(PDF), "id.pdf")})
        data.update({name: (io.BytesIO(PDF), f"{name}.pdf") for name in re.findall(r'name="(file_\d+)"', page.text)
                     if name not in data})
    return client.post(url, data=data, content_type="multipart/form-data")


def test_eligibility_is_shown_with_its_reasons(client, auth, seeded):
    auth.login("redco")
    page = client.get("/green").get_data(as_text=True)
    assert "is eligible for the green channel" in page and "On the red list" in page
    assert 'href="/green/apply/FOOD-BIZ"' in page
    assert 'href="/green"' in client.get("/cases").get_data(as_text=True)  # linked from "my cases"
    auth.logout()
    auth.login("applicant")  # on the blacklist
    page = client.get("/green").get_data(as_text=True)
    assert "is not eligible for the green channel" in page and "On the blacklist" in page
    assert "ordinary procedure" in page and "/green/apply/" not in page


def test_an_ineligible_subject_cannot_file_through_the_page(client, auth, seeded, db_session):
    auth.login("applicant")
    response = client.post("/green/apply/FOOD-BIZ?missing=3", data={"signatory": "x", "signed": "y"})
    assert response.status_code == 403
    assert "ordinary procedure" in response.get_data(as_text=True)
    assert count(db_session, Case) == 0 and count(db_session, GreenApplication) == 0


def test_filing_stores_each_supplied_material_and_the_signed_commitment(client, auth, seeded, db_session):
    auth.login("redco")
    missing = deferrable(db_session)[:2]
    step2 = client.get("/green/apply/FOOD-BIZ?" + "&".join(f"missing={m}" for m in missing)).get_data(as_text=True)
    # the commitment and the materials in the reader's language only
    assert "Written commitment" in step2 and "within 10 working days" in step2 and "Floor plan of the premises" in step2
    assert "信用承诺书" not in step2 and "食品经营场所和设备布局" not in step2
    response = file_through_pages(client, missing)
    assert response.status_code == 302, response.data[:600]
    case = db_session.scalars(select(Case)).one()
    assert (case.process, case.state) == ("conditional_acceptance", "submitted")
    application = db_session.scalars(select(GreenApplication)).one()
    assert application.signatory == "王守信" and "食品安全管理制度文本" in application.commitment_zh
    assert sorted(e.purpose for e in db_session.scalars(select(EvidenceFile))) == ["material:1", "material:2", "material:5"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert application.number in page and "The written commitment" in page


@pytest.mark.parametrize("problem", ["core", "none", "unsigned"])
def test_bad_filings_are_refused_and_change_nothing(client, auth, seeded, db_session, problem):
    auth.login("redco")
    if problem == "core":
        response = client.get(f"/green/apply/FOOD-BIZ?missing={core(db_session)[0]}")
        assert response.status_code == 422
        assert "is a statutory core material: it cannot be missing" in response.get_data(as_text=True)
    elif problem == "none":
        assert "Statutory core materials" in client.get("/green/apply/FOOD-BIZ").get_data(as_text=True)
        response = client.get("/green/apply/FOOD-BIZ?missing=")
        assert response.status_code in (200, 422)
    else:
        response = file_through_pages(client, deferrable(db_session)[:1], signed=None)
        assert response.status_code == 422
        assert "Sign the commitment to file the application." in response.get_data(as_text=True)
    assert count(db_session, Case) == 0 and count(db_session, GreenApplication) == 0


def accepted_case(client, auth, db_session, days=None):
    auth.login("redco")
    file_through_pages(client, deferrable(db_session)[:1])
    case_id = db_session.scalar(select(Case.id))
    auth.logout()
    auth.login("licensing")
    fields = {"version": 1, **({"days": days} if days is not None else {})}
    return case_id, client.post(f"/cases/{case_id}/actions/accept_with_commitment", data=fields)


@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_window_accepts_the_notice_shows_each_deadline_and_the_materials_move_on(client, auth, seeded, db_session):
    case_id, response = accepted_case(client, auth, db_session, days=5)
    assert response.status_code == 302
    notice = client.get(f"/green/cases/{case_id}/notice").get_data(as_text=True)
    assert "Notice of conditional acceptance" in notice and "容缺受理通知书" in notice
    assert "Floor plan of the premises" in notice and "the application ends" in notice
    auth.logout()
    auth.login("redco")
    case = db_session.get(Case, case_id)
    submitted = client.post(f"/green/cases/{case_id}/materials/3/submit",
                            data={"version": case.version, "files": (io.BytesIO(PDF), "plan.pdf"), "note": "补交"},
                            content_type="multipart/form-data")
    assert submitted.status_code == 302
    db_session.expire_all()
    assert db_session.scalar(select(EvidenceFile.purpose).where(EvidenceFile.original_name == "plan.pdf")) == "material:3"
    auth.logout()
    auth.login("licensing")
    version = db_session.get(Case, case_id).version
    verified = client.post(f"/green/cases/{case_id}/materials/3/verify", data={"version": version, "result": "verified"})
    assert verified.status_code == 302
    db_session.expire_all()
    assert db_session.get(Case, case_id).state == "materials_complete"
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Verified" in page and 'id="action-grant"' in page


def test_a_deadline_beyond_the_processing_time_is_refused_and_changes_nothing(client, auth, seeded, db_session):
    case_id, response = accepted_case(client, auth, db_session, days=21)  # FOOD-BIZ: 20 working days
    assert response.status_code == 422
    assert "later than the matter&#39;s processing time (20 working days)" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Case, case_id).state == "submitted"
    assert client.get(f"/green/cases/{case_id}/notice").status_code == 404  # no notice before acceptance


def test_submitting_without_a_file_is_refused(client, auth, seeded, db_session):
    case_id, _ = accepted_case(client, auth, db_session)
    auth.logout()
    auth.login("redco")
    version = db_session.get(Case, case_id).version
    response = client.post(f"/green/cases/{case_id}/materials/3/submit", data={"version": version},
                           follow_redirects=True)
    assert "Choose the file of the material to submit." in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Case, case_id).version == version


def test_public_licences_and_broken_commitments_on_the_subject_page(client, auth, seeded, db_session):
    from workflows.services.processes import green_records
    from workflows.store.base import utcnow

    case_id, _ = accepted_case(client, auth, db_session)
    case = db_session.get(Case, case_id)
    green_records.publish_grant(db_session, case, "JY001", utcnow())
    db_session.commit()
    auth.logout()
    public = client.get("/public/licences")  # no log-in
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "泉州守信制造有限公司" in text and "JY001" in text and "Food business licence" in text
    assert 'href="/public/licences"' in text  # linked from every page's footer
    db_session.add(BrokenCommitment(subject_id=case.subject_id, case_id=case.id, matter_name="食品经营许可",
                                    missed="平面图", due_on=utcnow().date(), recorded_on=utcnow().date()))
    db_session.commit()
    auth.login("redco")
    page = client.get(f"/subjects/{case.subject.code}").get_data(as_text=True)
    assert "Broken written commitments" in page and "平面图" in page
    assert "Broke a written commitment on" in client.get("/green").get_data(as_text=True)


def test_licence_matters_catalogue_pages(client, auth, seeded, db_session):
    auth.login("admin")
    listing = client.get("/admin/licence-matters").get_data(as_text=True)
    assert "FOOD-BIZ" in listing and "2 core, 3 deferrable" in listing
    bad = client.post("/admin/licence-matters/new", data={"code": "PUB-HEALTH", "name": "公共场所卫生许可",
                                                          "department": "SCJGJ", "processing_days": 10,
                                                          "materials_days": 15, "active": "y"})
    assert bad.status_code == 422
    assert "cannot be later than the processing time" in bad.get_data(as_text=True)
    assert count(db_session, LicenceMatter) == 2
    created = client.post("/admin/licence-matters/new", data={"code": "PUB-HEALTH", "name": "公共场所卫生许可",
                                                              "department": "SCJGJ", "processing_days": 10,
                                                              "active": "y"})
    assert created.status_code == 302
    matter_id = db_session.scalar(select(LicenceMatter.id).where(LicenceMatter.code == "PUB-HEALTH"))
    added = client.post(f"/admin/licence-matters/{matter_id}/materials",
                        data={"name": "卫生管理制度", "kind": "deferrable", "active": "y"})
    assert added.status_code == 302
    db_session.expire_all()
    assert [(m.name, m.core) for m in db_session.scalars(select(MatterMaterial).where(
        MatterMaterial.matter_id == matter_id))] == [("卫生管理制度", False)]
    assert client.get(f"/admin/licence-matters/{matter_id}").status_code == 200
    auth.logout()
    auth.login("redco")
    assert client.get("/admin/licence-matters").status_code == 403


# --- the generic JSON API -------------------------------------------------------------------------

def api_file(api, db_session, username="redco", **extra):
    body = {"process": "conditional_acceptance", "matter": "FOOD-BIZ", "missing": deferrable(db_session)[:1],
            "signed": True, "signatory": "王守信", **extra}
    return api("POST", "/api/v1/cases", username, json=body)


@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_every_action_through_the_generic_api(api, db_session):
    created = api_file(api, db_session)
    assert created.status_code == 201, created.json
    case_id = created.json["id"]
    assert created.json["data"]["application_no"].startswith("RQ")
    assert [d["kind"] for d in created.json["deadlines"]] == ["acceptance"]
    seen = api("GET", f"/api/v1/cases/{case_id}", "licensing").json
    assert set(seen["available_actions"]) == {"accept_with_commitment", "refuse"}
    accepted = api("POST", f"/api/v1/cases/{case_id}/actions/accept_with_commitment", "licensing", json={"days": 8})
    assert accepted.status_code == 200 and accepted.json["state"] == "awaiting_materials"
    # the materials deadline is set in the acceptance's own transaction
    assert {d["kind"]: d["status"] for d in accepted.json["deadlines"]}["materials"] == "on_track"
    steps = [("extend", "licensing", {"days": 2, "reason": "台风"}),
             ("submit_materials", "redco", {"item": 3, "note": "已补交"}),
             ("verify_materials", "licensing", {"item": 3, "result": "rejected", "reason": "未盖章"}),
             ("submit_materials", "redco", {"item": 3}),
             ("verify_materials", "licensing", {"item": 3, "result": "verified"}),
             ("grant", "licensing", {"licence_no": "JY14404000099999"})]
    for action, who, body in steps:
        if action == "submit_materials":  # a material travels with its file: its own multipart route
            body = {"note": body.get("note", ""), "files": (io.BytesIO(PDF), "平面图.pdf")}
            response = api("POST", f"/api/v1/cases/{case_id}/materials/3/submit", who, data=body,
                           content_type="multipart/form-data")
        else:
            response = api("POST", f"/api/v1/cases/{case_id}/actions/{action}", who, json=body)
        assert response.status_code == 200, (action, response.json)
    assert response.json["state"] == "granted"
    assert [h["action"] for h in response.json["history"]][-2:] == ["complete_materials", "grant"]


@pytest.mark.parametrize("body, status, message", [
    ({"missing": "CORE"}, 422, "is a statutory core material: it cannot be missing"),
    ({"missing": []}, 422, "'missing' is required"),
    ({"signed": False}, 422, "'signed' is required"),
    ({"signed": "no"}, 422, "sign the written commitment to file"),
    ({"matter": "NO-SUCH"}, 404, "no such licence matter"),
])
def test_bad_filings_through_the_api_change_nothing(api, db_session, body, status, message):
    if body.get("missing") == "CORE":
        body = {"missing": core(db_session)[:1]}
    response = api_file(api, db_session, **body)
    assert response.status_code == status and message in response.json["error"]["message"]
    assert count(db_session, Case) == 0 and count(db_session, GreenApplication) == 0


def test_an_ineligible_subject_forcing_a_case_through_the_api_is_refused_with_the_reasons(api, db_session):
    response = api_file(api, db_session, username="applicant")
    assert response.status_code == 403
    error = response.json["error"]
    assert error["code"] == "not_eligible" and "on the blacklist" in error["message"]
    assert "ordinary procedure" in error["details"]["ordinary_route"]
    assert count(db_session, Case) == 0 and count(db_session, GreenApplication) == 0


def test_bad_actions_through_the_api_change_nothing(api, db_session):
    case_id = api_file(api, db_session).json["id"]
    too_long = api("POST", f"/api/v1/cases/{case_id}/actions/accept_with_commitment", "licensing", json={"days": 21})
    assert too_long.status_code == 422 and "processing time (20 working days)" in too_long.json["error"]["message"]
    assert api("POST", f"/api/v1/cases/{case_id}/actions/accept_with_commitment", "licensing", json={}).status_code == 200
    first = api("POST", f"/api/v1/cases/{case_id}/actions/extend", "licensing", json={"days": 1, "reason": "停电"})
    assert first.status_code == 200
    second = api("POST", f"/api/v1/cases/{case_id}/actions/extend", "licensing", json={"days": 1, "reason": "再次"})
    assert second.status_code == 409 and "only one extension is allowed" in second.json["error"]["message"]
    wrong_item = api("POST", f"/api/v1/cases/{case_id}/materials/1/submit", "redco",
                     data={"files": (io.BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data")
    assert wrong_item.status_code == 422 and "not one of the missing materials" in wrong_item.json["error"]["message"]
    no_file = api("POST", f"/api/v1/cases/{case_id}/actions/submit_materials", "redco", json={"item": 3,
                                                                                             "files": ["x.pdf"]})
    assert no_file.status_code == 422 and f"/api/v1/cases/{case_id}/materials/{{item}}/submit" in \
        no_file.json["error"]["message"]  # a name in JSON is no file: the material is not marked supplied
    early = api("POST", f"/api/v1/cases/{case_id}/actions/grant", "licensing", json={"licence_no": "X"})
    assert early.status_code == 409
    assert api("POST", f"/api/v1/cases/{case_id}/actions/extend", "redco", json={"days": 1, "reason": "x"}).status_code == 403
    db_session.expire_all()
    actions = db_session.scalars(select(HistoryEntry.action).where(HistoryEntry.case_id == case_id,
                                                                   HistoryEntry.entity_type == "case")).all()
    assert actions == ["file", "accept_with_commitment", "extend"]


def test_materials_after_the_breach_are_refused(api, db_session):
    from workflows.domain.process import Actor
    from workflows.services.casework.cases import take_action

    case_id = api_file(api, db_session).json["id"]
    api("POST", f"/api/v1/cases/{case_id}/actions/accept_with_commitment", "licensing", json={})
    take_action(db_session, case_id, "commitment_breached", Actor.system(), {"items": "平面图"})
    db_session.commit()
    late = api("POST", f"/api/v1/cases/{case_id}/materials/3/submit", "redco",
               data={"files": (io.BytesIO(PDF), "late.pdf")}, content_type="multipart/form-data")
    assert late.status_code == 409 and "commitment_breached" in late.json["error"]["message"]
    upload = api("POST", f"/api/v1/cases/{case_id}/evidence", "redco",
                 data={"files": (io.BytesIO(PDF), "late.pdf")}, content_type="multipart/form-data")
    assert upload.status_code == 422 and "closed" in upload.json["error"]["message"]
    assert count(db_session, EvidenceFile) == 0
