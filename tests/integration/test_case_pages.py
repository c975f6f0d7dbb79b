"""The case pages: an applicant files an objection with evidence from the form, staff act on it from the
case page, every refusal is shown where it belongs with nothing written, and each role opens only its pages."""
from __future__ import annotations

import io
import re
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from sla import calendar
from sla.calendar import ZONE
from workflows import clock
from workflows.demo import enterprise_code
from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.services.casework import cases as case_service
from workflows.services.deliveries import notify
from workflows.services.lists import listings
from workflows.store.automation import Notification
from workflows.store.cases import Case, EvidenceFile
from workflows.store.models import ListEntry, User

# the pages and what each role may do with them: their subject is no database (the flow, persistence and
# end-to-end tests run on both)
pytestmark = pytest.mark.one_database

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GROUNDS = "原处罚决定已被复议机关撤销，请核实并撤销该黑名单记录。"

APPLICANTS = ["applicant", "redco", "person"]
STAFF = ["admin", "office", "supervisor", "provider", "tax", "court", "implementer", "bank", "licensing", "reform",
         "housing"]


@pytest.fixture
def english(client, seeded):
    client.post("/lang/en")
    return client


def field_error(html: str, field_id: str) -> str:
    """The text of the error shown beside a field ('' if there is none)."""
    match = re.search(rf'<div class="field-error" id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip() if match else ""


def page_alert(html: str) -> str:
    match = re.search(r'<div class="alert alert-error" role="alert">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip() if match else ""


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def entry_of(db_session, username: str) -> int:
    return db_session.scalar(select(ListEntry.id).join(User, User.subject_id == ListEntry.subject_id)
                             .where(User.username == username).order_by(ListEntry.id))


def count(db_session, model=Case) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def file_objection(client, db_session, *, files=(("evidence.pdf", PDF),), key: str | None = None, **fields):
    data = {"list_entry_id": str(entry_of(db_session, "applicant")), "grounds": GROUNDS, "contact_name": "王经理",
            "contact_phone": "13800138000", "submission_key": key or str(uuid.uuid4()), **fields,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/cases/new/objection", data=data, content_type="multipart/form-data")


def filed_case(client, auth, db_session) -> Case:
    auth.login("applicant")
    response = file_objection(client, db_session)
    assert response.status_code == 302, response.get_data(as_text=True)
    auth.logout()
    db_session.expire_all()
    return db_session.scalar(select(Case).order_by(Case.id.desc()))


def act(client, case: Case, action: str, version: int | None = None, **fields):
    data = {"version": str(case.version if version is None else version), **fields}
    return client.post(f"/cases/{case.id}/actions/{action}", data=data, content_type="multipart/form-data")


# --- filing ---------------------------------------------------------------------------------------

def test_applicant_files_with_evidence_and_only_viewers_of_the_case_download_it(english, auth, db_session):
    auth.login("applicant")
    form = english.get("/cases/new/objection").get_data(as_text=True)
    assert re.search(r'name="submission_key" type="hidden" value="[0-9a-f-]{36}"', form)
    response = file_objection(english, db_session)
    assert response.status_code == 302
    case = db_session.scalar(select(Case))
    assert response.headers["Location"] == f"/cases/{case.id}"
    assert (case.process, case.state, case.data["contact_phone"]) == ("objection", "submitted", "13800138000")

    page = english.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Submitted" in page and GROUNDS in page and "王经理" in page
    assert 'class="state current" data-state="submitted"' in page  # the diagram marks where the case is
    evidence = db_session.scalar(select(EvidenceFile))
    url = f"/cases/{case.id}/files/{evidence.id}"
    assert f'href="{url}"' in page and "evidence.pdf" in page

    for username in ("applicant", "office"):
        auth.logout()
        auth.login(username)
        download = english.get(url)
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Disposition"].startswith("attachment") and "evidence.pdf" in \
            download.headers["Content-Disposition"]
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    auth.logout()
    auth.login("redco")
    assert english.get(url).status_code == 404
    assert english.get(f"/cases/{case.id}").status_code == 404
    assert english.get(f"/cases/{case.id}/files/{evidence.id + 1}").status_code == 404


def test_the_same_form_sent_twice_files_one_case(english, auth, db_session):
    auth.login("applicant")
    key = str(uuid.uuid4())
    first = file_objection(english, db_session, key=key)
    second = file_objection(english, db_session, key=key)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(db_session) == 1 and count(db_session, EvidenceFile) == 1


def test_a_file_that_is_not_pdf_png_or_jpeg_is_refused_beside_the_field(english, auth, db_session, seeded):
    auth.login("applicant")
    response = file_objection(english, db_session, files=[("ok.pdf", PDF), ("x.pdf", b"MZ\x90\x00 not a pdf")])
    assert response.status_code == 422
    error = field_error(response.get_data(as_text=True), "files")
    assert "x.pdf" in error and "content" in error  # names the file and says its content is not what it claims
    assert count(db_session) == 0 and count(db_session, EvidenceFile) == 0
    upload_dir = seeded.config["CREDIT_CASES"].upload_dir
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_an_oversize_file_is_refused_beside_the_field(english, auth, db_session, seeded):
    seeded.config["CREDIT_CASES"].max_upload_bytes = 1000
    auth.login("applicant")
    response = file_objection(english, db_session, files=[("big.pdf", PDF + b"0" * 2000)])
    assert response.status_code == 422
    assert "“big.pdf” is larger than" in field_error(response.get_data(as_text=True), "files")
    assert count(db_session) == 0


def test_bad_fields_are_shown_beside_them(english, auth, db_session):
    auth.login("applicant")
    response = file_objection(english, db_session, grounds="太短", contact_phone="call me")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at least 10" in field_error(html, "grounds")
    assert "Digits only" in field_error(html, "contact_phone")
    other = file_objection(english, db_session, list_entry_id=str(entry_of(db_session, "redco")))
    assert other.status_code == 422
    assert "no such list entry of your subject" in field_error(other.get_data(as_text=True), "list_entry_id")
    assert count(db_session) == 0


def test_second_objection_on_the_same_entry_is_refused_beside_the_entry(english, auth, db_session):
    auth.login("applicant")
    assert file_objection(english, db_session).status_code == 302
    again = file_objection(english, db_session)
    assert again.status_code == 422
    assert "already open" in field_error(again.get_data(as_text=True), "list_entry_id")
    assert count(db_session) == 1


def test_an_unconfirmed_applicant_is_told_why_it_cannot_file(english, seeded, db_session):
    response = english.post("/signup", data={
        "code": "11010519491231002X", "name": "张三", "username": "zhangsan", "password": "long-enough-1",
        "confirm": "long-enough-1"})
    assert response.status_code == 302
    page = english.get("/cases/new/objection")
    assert page.status_code == 200 and "has not yet confirmed that you act for" in page.get_data(as_text=True)
    assert 'name="grounds"' not in page.get_data(as_text=True)
    assert english.post("/cases/new/objection", data={"grounds": GROUNDS}).status_code == 403
    assert count(db_session) == 0


# --- acting on a case -----------------------------------------------------------------------------

@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_office_accepts_from_the_page_and_the_verification_deadline_shows(english, auth, db_session, travel):
    travel(clock.today())  # 10:00 on the day the suite runs as: the limit counts from the day after it
    case = filed_case(english, auth, db_session)
    auth.login("office")
    page = english.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'action="/cases/{case.id}/actions/accept"' in page and f'value="{case.version}"' in page
    assert act(english, case, "accept").status_code == 302
    page = english.get(f"/cases/{case.id}").get_data(as_text=True)
    text = text_of(page)
    assert "Being verified" in text and 'data-state="verifying"' in page
    assert "Verification by the information provider" in text
    assert f"Due on {calendar.add_working_days(clock.today(), 20).isoformat()} 20 working days left" in text
    assert "Accept" in text and "Submitted → Being verified" in text  # the history
    listed = english.get("/cases?state=verifying").get_data(as_text=True)
    assert f"Case #{case.id}" in listed
    assert f"Case #{case.id}" not in english.get("/cases?state=submitted").get_data(as_text=True)


@pytest.mark.parametrize("username, action, fields, status, message", [
    ("applicant", "accept", {}, 403, "Your role may not take the action “Accept” on this case."),
    ("provider", "confirm", {"reason": "信息无误"}, 409, "“Confirm” is not possible while the case is submitted."),
    ("office", "approve", {}, 409, "“Approve” is not an action of this case."),
])
def test_wrong_role_or_state_is_refused_with_a_clear_message(english, auth, db_session, username, action, fields,
                                                             status, message):
    case = filed_case(english, auth, db_session)
    auth.login(username)
    response = act(english, case, action, **fields)
    assert response.status_code == status
    assert message in page_alert(response.get_data(as_text=True))
    db_session.expire_all()
    assert db_session.get(Case, case.id).state == "submitted"


def test_a_decision_on_a_stale_page_is_refused(english, auth, db_session):
    case = filed_case(english, auth, db_session)
    seen = case.version
    auth.login("office")
    assert act(english, case, "request_supplement", reason="请补充复议决定书").status_code == 302
    auth.logout()
    auth.login("applicant")
    assert act(english, case, "supplement", note="已补充").status_code == 302
    auth.logout()
    auth.login("office")
    response = act(english, case, "refuse", version=seen, reason="材料不全")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "The case changed since you opened it" in page_alert(html)
    assert "材料不全" in html  # what was typed is kept for a second try
    db_session.expire_all()
    assert db_session.get(Case, case.id).state == "submitted"


def test_a_missing_reason_is_shown_beside_the_field(english, auth, db_session):
    case = filed_case(english, auth, db_session)
    auth.login("office")
    response = act(english, case, "refuse", reason="")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "refuse-reason")


def test_applicant_supplements_with_a_file(english, auth, db_session):
    case = filed_case(english, auth, db_session)
    auth.login("office")
    act(english, case, "request_supplement", reason="请补充复议决定书")
    auth.logout()
    auth.login("applicant")
    page = english.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "What the applicant must supply" not in page and "请补充复议决定书" in page
    assert 'id="supplement-files"' in page and 'enctype="multipart/form-data"' in page
    db_session.expire_all()
    response = act(english, db_session.get(Case, case.id), "supplement", note="附复议决定书",
                   files=[(io.BytesIO(PNG), "决定书.png")])
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Case, case.id).state == "submitted"
    files = db_session.scalars(select(EvidenceFile).where(EvidenceFile.case_id == case.id)
                               .order_by(EvidenceFile.id)).all()
    assert [f.original_name for f in files] == ["evidence.pdf", "决定书.png"]
    # the case's page lists both, in the order uploaded, each with its link, and the history with the request
    page = english.get(f"/cases/{case.id}").get_data(as_text=True)
    links = [page.index(f'/cases/{case.id}/files/{f.id}"') for f in files]
    assert links == sorted(links) and page.index("evidence.pdf") < page.index("决定书.png"), links
    assert "请补充复议决定书" in page and "附复议决定书" in page


# --- lists ----------------------------------------------------------------------------------------

def test_inbox_lists_what_waits_on_each_reviewer(english, auth, db_session, travel):
    travel(datetime(2026, 11, 2, 10, tzinfo=ZONE))  # a Monday: 3 working days to review, due Thursday
    case = filed_case(english, auth, db_session)
    auth.login("office")
    inbox = text_of(english.get("/inbox").get_data(as_text=True))
    assert f"Case #{case.id}" in inbox and "Objection" in inbox and "3 working days left" in inbox
    assert "On track" in inbox and "Due soon" not in inbox  # a new case is not due soon at filing
    travel(datetime(2026, 11, 5, 9, tzinfo=ZONE))  # its last working day: no longer than the warning window
    assert "Due soon" in text_of(english.get("/inbox").get_data(as_text=True))
    auth.logout()
    auth.login("provider")
    assert f"Case #{case.id}" not in english.get("/inbox").get_data(as_text=True)
    auth.logout()
    auth.login("office")
    db_session.expire_all()
    act(english, db_session.get(Case, case.id), "accept")
    assert f"Case #{case.id}" not in english.get("/inbox").get_data(as_text=True)
    auth.logout()
    auth.login("provider")
    assert f"Case #{case.id}" in english.get("/inbox").get_data(as_text=True)


def test_inbox_pages_through_many_cases(english, auth, db_session):
    applicant = db_session.scalar(select(User).where(User.username == "applicant"))
    today = clock.today()
    for number in range(45):
        code = enterprise_code(f"9144040000000{number:04d}")
        entry = listings.record_listing(db_session, listings.ListingRequest(
            code, f"企业{number}", "black", "SCJGJ", "依据", f"文号{number}", today - timedelta(days=30),
            today + timedelta(days=300)), Actor.system("test"))
        actor = Actor(user_id=applicant.id, roles=frozenset({Role.APPLICANT}), subject_id=entry.subject_id)
        case_service.file_case(db_session, "objection", actor, {"list_entry_id": entry.id, "grounds": GROUNDS})
    db_session.commit()
    auth.login("office")
    first = english.get("/inbox").get_data(as_text=True)
    assert "Page 1 of 3" in first and first.count('<th scope="row"') == 20
    last = english.get("/inbox?page=3").get_data(as_text=True)
    assert last.count('<th scope="row"') == 5 and 'rel="prev"' in last


def test_applicant_sees_only_its_own_cases(english, auth, db_session):
    case = filed_case(english, auth, db_session)
    auth.login("applicant")
    assert f"Case #{case.id}" in english.get("/cases").get_data(as_text=True)
    auth.logout()
    auth.login("redco")
    assert f"Case #{case.id}" not in english.get("/cases").get_data(as_text=True)


# --- notifications --------------------------------------------------------------------------------

def test_notifications_are_listed_counted_and_marked_read(english, auth, db_session):
    user = db_session.scalar(select(User).where(User.username == "applicant"))
    for number in range(2):
        notify.notice(db_session, "urging.sent", [user], key={"event": f"test-{number}"}, case=1, by="test",
                      due="2027-01-04", message=f"通知{number}")
    db_session.commit()
    auth.login("applicant")
    page = english.get("/notifications").get_data(as_text=True)
    assert "通知0" in page and "通知1" in page
    assert re.search(r'class="nav-count">2<', page)
    first = db_session.scalar(select(func.min(Notification.id)))
    assert english.post("/notifications/read", data={"notification_id": str(first)}).status_code == 302
    assert notify.unread_count(db_session, user.id) == 1
    english.post("/notifications/read", data={})
    assert notify.unread_count(db_session, user.id) == 0
    assert "nav-count" not in english.get("/notifications").get_data(as_text=True)


# --- who opens which page -------------------------------------------------------------------------

def expected_status(username: str | None, path: str) -> int:
    if username is None:
        return 302
    if path == "/inbox":
        return 403 if username in APPLICANTS else 200
    if path == "/cases/new/objection":
        return 200 if username in APPLICANTS else 403
    return 200


@pytest.mark.parametrize("username", [*APPLICANTS, *STAFF, None])
def test_who_opens_which_case_page(client, auth, seeded, username):
    if username:
        auth.login(username)
    for path in ("/cases", "/inbox", "/cases/new/objection", "/notifications"):
        response = client.get(path)
        assert response.status_code == expected_status(username, path), (username, path)
        if username is None:
            assert response.headers["Location"].startswith("/login")


def test_api_clients_download_evidence_with_their_token(english, auth, db_session):
    case = filed_case(english, auth, db_session)

    def bearer(username):
        token = english.post("/api/v1/auth/token", json={"username": username, "password": "demo-pass-2026"})
        return {"Authorization": f"Bearer {token.json['token']}"}

    url = english.get(f"/api/v1/cases/{case.id}", headers=bearer("office")).json["evidence"][0]["url"]
    assert english.get(url, headers=bearer("office")).data == PDF
    assert english.get(url, headers=bearer("redco")).status_code == 404


def test_the_systems_own_steps_are_named_in_the_readers_language(app):
    from webapp import labels

    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "zh_CN"
        assert labels.actor_label("automation") == "系统自动处理"
        assert labels.actor_label("scheduler") == "期限监控"
        assert labels.actor_label("王经理") == "王经理"  # a person's name stays as it is
