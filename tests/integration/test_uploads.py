"""Uploads under attack: oversize, a type disguised by its name, path-traversal names, zip bombs.

Each is refused with a message that names the file and the problem, and nothing is stored: no row,
no file on disk.
"""
from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD
from workflows.services.lists import bulk_import
from workflows.store.cases import Case, EvidenceFile
from workflows.store.models import ListEntry, User

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def open_case(client, db_session):
    """The applicant's open objection, and its bearer token."""
    token = client.post("/api/v1/auth/token", json={"username": "applicant", "password": DEMO_PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    entry = db_session.scalar(select(ListEntry.id).join(User, User.subject_id == ListEntry.subject_id)
                              .where(User.username == "applicant"))
    created = client.post("/api/v1/cases", headers=headers,
                          json={"process": "objection", "list_entry_id": entry, "grounds": "原处罚决定已被撤销。"})
    assert created.status_code == 201, created.json
    return created.json["id"], headers


@pytest.fixture
def case_api(seeded, client, db_session):
    return open_case(client, db_session)


def stored_state(seeded, db_session):
    upload_dir = seeded.config["CREDIT_CASES"].upload_dir
    db_session.expire_all()
    files = sorted(p.name for p in upload_dir.rglob("*")) if upload_dir.exists() else []
    return db_session.scalar(select(func.count()).select_from(EvidenceFile)), files


def upload(client, case_id, headers, name, content):
    return client.post(f"/api/v1/cases/{case_id}/evidence", headers=headers,
                       data={"files": (io.BytesIO(content), name)}, content_type="multipart/form-data")


@pytest.fixture(scope="module")
def one_case(tmp_path_factory, sqlite_template):
    """SQLite only: what is refused never reaches the database."""
    import shutil

    from tests.conftest import make_app
    from webapp.extensions import db
    from workflows.demo import seed

    tmp = tmp_path_factory.mktemp("uploads")
    shutil.copy(sqlite_template, tmp / "app.sqlite")
    app = make_app(f"sqlite:///{tmp / 'app.sqlite'}", tmp / "instance")
    with app.app_context():
        seed(db.session)
        db.session.commit()
        client = app.test_client()
        case_id, headers = open_case(client, db.session)
        yield app, client, db.session, case_id, headers
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("name, content, words", [
    ("decision.pdf", EXE, "not a PDF, PNG or JPEG file (checked by its content; its content is EXE"),
    ("decision.pdf", zip_of({"a.txt": b"x"}), "its content is ZIP"),
    ("scan.png", HTML, "'scan.png' is not a PDF, PNG or JPEG file"),
    ("decision.pdf", PNG, "named as a .pdf file but its content is a PNG image"),
    ("photo.jpg", PDF, "named as a .jpg file but its content is a PDF"),
    ("../../../etc/cron.d/evil.pdf", PDF, "was sent with a path"),
    ("/var/www/static/evil.pdf", PDF, "was sent with a path"),
    ("evil\x00.pdf", PDF, "control characters"),
    ("empty.pdf", b"", "'empty.pdf' is empty"),
])
def test_a_bad_file_is_refused_by_name_and_reason_and_nothing_is_stored(one_case, name, content, words):
    seeded, client, db_session, case_id, headers = one_case
    before = stored_state(seeded, db_session)
    response = upload(client, case_id, headers, name, content)
    assert response.status_code == 422, response.json
    assert words in response.json["error"]["message"]
    assert stored_state(seeded, db_session) == before


def test_a_windows_path_is_refused_where_a_client_sends_it():
    from workflows.domain.errors import InvalidInput
    from workflows.services.casework.evidence import Upload, check

    with pytest.raises(InvalidInput, match="was sent with a path"):
        check(Upload("..\\..\\windows\\system32\\evil.pdf", PDF), 2**20)


def test_a_good_file_beside_a_bad_one_is_not_stored_either(seeded, client, db_session, case_api):
    case_id, headers = case_api
    before = stored_state(seeded, db_session)
    response = client.post(f"/api/v1/cases/{case_id}/evidence", headers=headers, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(PDF), "good.pdf"), (io.BytesIO(EXE), "bad.pdf")]})
    assert response.status_code == 422 and "bad.pdf" in response.json["error"]["message"]
    assert stored_state(seeded, db_session) == before


def test_oversize_files_are_refused_before_and_after_the_request_is_read(seeded, client, db_session, case_api):
    case_id, headers = case_api
    limit = seeded.config["CREDIT_CASES"].max_upload_bytes
    before = stored_state(seeded, db_session)
    just_over = upload(client, case_id, headers, "big.pdf", PDF + b"0" * (limit - len(PDF) + 1))
    assert just_over.status_code == 422
    assert f"'big.pdf' is larger than {limit // 2**20} MB" in just_over.json["error"]["message"]
    far_over = upload(client, case_id, headers, "huge.pdf", PDF + b"0" * (limit + 2 * 2**20))
    assert far_over.status_code == 413  # refused by the request size limit: the body is not even read
    assert stored_state(seeded, db_session) == before


def test_a_good_file_is_stored_under_a_random_name_inside_the_upload_folder(seeded, client, db_session, case_api):
    case_id, headers = case_api
    response = upload(client, case_id, headers, "复议决定书.pdf", PDF)
    assert response.status_code == 200
    row = db_session.scalar(select(EvidenceFile).where(EvidenceFile.case_id == case_id))
    upload_dir = seeded.config["CREDIT_CASES"].upload_dir
    assert row.original_name == "复议决定书.pdf" and (upload_dir / row.stored_name).read_bytes() == PDF
    assert len(row.stored_name) == 32 and row.stored_name.isalnum()


def test_the_objection_form_refuses_a_disguised_file_and_files_nothing(seeded, client, db_session):
    client.post("/login", data={"username": "applicant", "password": DEMO_PASSWORD})
    client.post("/lang/en")
    entry = db_session.scalar(select(ListEntry.id).join(User, User.subject_id == ListEntry.subject_id)
                              .where(User.username == "applicant"))
    before = db_session.scalar(select(func.count()).select_from(Case)), stored_state(seeded, db_session)
    response = client.post("/cases/new/objection", content_type="multipart/form-data", data={
        "list_entry_id": str(entry), "grounds": "原处罚决定已被复议机关撤销，请核实。", "submission_key": str(uuid.uuid4()),
        "contact_name": "王经理", "contact_phone": "13800000000", "files": (io.BytesIO(EXE), "decision.pdf")})
    assert response.status_code == 422
    assert "decision.pdf" in response.get_data(as_text=True)
    db_session.expire_all()
    assert (db_session.scalar(select(func.count()).select_from(Case)), stored_state(seeded, db_session)) == before


# --- the bulk import's XLSX: a ZIP archive, measured before openpyxl opens it ---

def xlsx(rows: int = 3) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(bulk_import.COLUMNS))
    for n in range(rows):
        sheet.append(["91440400MA4UH8XQ7X", f"name {n}", "black", "basis", "doc", "2026-01-01", "2027-01-01", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_genuine_workbook_is_read():
    rows = bulk_import.read_rows("listings.xlsx", xlsx(200))
    assert len(rows) == 200 and rows[0]["subject_name"] == "name 0"


def test_a_zip_bomb_disguised_as_a_workbook_is_refused_unopened():
    bomb = zip_of({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\x00" * (50 * 2**20)})
    assert len(bomb) < 100_000  # 50 MB of zeros in well under 100 kB
    with pytest.raises(bulk_import.ImportRejected) as refused:
        bulk_import.read_rows("listings.xlsx", bomb)
    assert "compressed more than 200 to 1: refused as a zip bomb" in refused.value.problems[0].message


def test_a_workbook_that_unpacks_too_large_is_refused(monkeypatch):
    import os

    monkeypatch.setattr(bulk_import, "XLSX_MAX_UNPACKED", 4 * 2**20)  # the limit, scaled down to keep the test fast
    big = zip_of({f"xl/media/image{n}.bin": os.urandom(2**20) for n in range(5)})
    with pytest.raises(bulk_import.ImportRejected) as refused:
        bulk_import.read_rows("listings.xlsx", big)
    assert "would unpack to 5 MB; at most 4 MB" in refused.value.problems[0].message


def test_a_workbook_of_too_many_parts_and_a_broken_one_are_refused():
    many = zip_of({f"xl/part{n}.xml": b"<x/>" for n in range(bulk_import.XLSX_MAX_MEMBERS + 1)})
    with pytest.raises(bulk_import.ImportRejected, match="problem"):
        bulk_import.read_rows("listings.xlsx", many)
    with pytest.raises(bulk_import.ImportRejected) as broken:
        bulk_import.read_rows("listings.xlsx", b"PK\x03\x04 not really a zip")
    assert broken.value.problems[0].message == "not a readable XLSX workbook"


def test_only_the_parties_acting_on_the_case_now_add_files(seeded, client, db_session):
    """Those who only see a case (supervision, the listing department's licensing window, the administrator, the
    listing department before its step) may not add files to it; the parties whose action is open may."""
    case_id, applicant = open_case(client, db_session)

    def headers_of(username):
        token = client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD}).json["token"]
        return {"Authorization": f"Bearer {token}"}

    before = stored_state(seeded, db_session)
    for username in ("licensing", "supervisor", "admin", "provider"):
        refused = upload(client, case_id, headers_of(username), "planted.pdf", PDF)
        assert refused.status_code == 403, (username, refused.status_code)
    assert stored_state(seeded, db_session) == before
    assert upload(client, case_id, applicant, "decision.pdf", PDF).status_code == 200
    assert upload(client, case_id, headers_of("office"), "review.pdf", PDF).status_code == 200
    version = client.get(f"/api/v1/cases/{case_id}", headers=applicant).json["version"]
    accepted = client.post(f"/api/v1/cases/{case_id}/actions/accept", headers=headers_of("office"),
                           json={"version": version})
    assert accepted.status_code == 200, accepted.json
    assert upload(client, case_id, headers_of("provider"), "verification.pdf", PDF).status_code == 200
    assert upload(client, case_id, headers_of("licensing"), "planted.pdf", PDF).status_code == 403
