"""A listing made in error, purged by an upheld objection: afterwards a scan of every text column of every
table (the schema reflected, not a list kept by hand), of the upload folder and of the SQLite database file
itself (its write-ahead log included) finds none of the subject's personal data from that entry: not in the
case, its history and notices, and not in what the listing itself sent (the departments' "apply measure"
notices and webhook messages), nor in the credit-status queries made while it was listed. Staff no longer
see the subject on the closed case, and the history's hash chain still verifies."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import JSON, MetaData, String, Text, select

from tests.receivers import SmsGateway
from workflows.demo import DEMO_PASSWORD, PERSON_BLACK
from workflows.services.deliveries import webhooks
from workflows.services.hub import credit_queries
from workflows.services.lists import listings
from workflows.services.admin import audit
from workflows.services.casework import evidence
from workflows.store.automation import Notification
from workflows.store.cases import Case
from workflows.store.hub import WebhookDelivery
from workflows.store.models import ListEntry, Subject, User

NAME, DOCUMENT_NO = "李明", "（2025）粤04执1234号"
BASIS = "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条"
PHONE = "13912345678"
FILE_NAME = f"{NAME}身份证{PERSON_BLACK}.pdf"
PDF = b"%PDF-1.4\n" + f"{NAME} {PERSON_BLACK}".encode() + b"\n%%EOF\n"
GROUNDS = f"本人{NAME}（身份证号 {PERSON_BLACK}）从未涉及{DOCUMENT_NO}案件，系他人冒用身份信息。"
PURPOSE = f"为{NAME}（{PERSON_BLACK}）办理招投标资格审查"
PERSONAL = [NAME, PERSON_BLACK, DOCUMENT_NO, BASIS, PHONE, FILE_NAME, GROUNDS, PURPOSE]
# the subject's own registration keeps its name and code, and the filing kept for the applicant its own contact
# and its files' names (the grounds kept with the listing's texts masked): the database file is scanned for the rest
IN_THE_FILE = [DOCUMENT_NO, BASIS, GROUNDS, PURPOSE]
LISTING = [DOCUMENT_NO, BASIS]  # what even the applicant's kept filing must not hold


def scan(session, subject_id: int) -> list[str]:
    """Every text and JSON value of every table, except the subject's own registration and accounts, and of the
    filing kept for the subject's own account only the listing's texts."""
    found = []
    own_users = {row[0] for row in session.execute(select(User.id).where(User.subject_id == subject_id))}
    metadata = MetaData()
    metadata.reflect(bind=session.connection())
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in session.execute(select(table)).mappings():
            if table.name == "subjects" and row["id"] == subject_id:
                continue
            if table.name == "users" and row.get("subject_id") == subject_id:
                continue
            needles = LISTING if table.name == "kept_filings" and row["user_id"] in own_users else PERSONAL
            for column in columns:
                value = row[column.name]
                text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
                found += [f"{table.name}.{column.name} (row {dict(row).get('id')}): {needle[:30]}"
                          for needle in needles if needle in (text or "")]
    return found


def in_database_file(url: str) -> list[str]:
    """The bytes of the SQLite file and its write-ahead log: an erased text must not linger in a page."""
    if not url.startswith("sqlite"):
        return []
    path = Path(url.removeprefix("sqlite:///"))
    found = []
    for file in (path, path.with_name(path.name + "-wal")):
        if not file.exists():
            continue
        data = file.read_bytes()
        for needle in IN_THE_FILE:
            forms = {needle.encode(), json.dumps(needle)[1:-1].encode()}  # as text, and as JSON stores it
            found += [f"{file.name}: {needle[:30]}" for form in forms if form in data]
    return found


def on_disk(folder) -> list[str]:
    if not folder.exists():
        return []
    return [f"{path.name}: {needle[:30]}" for path in folder.rglob("*") if path.is_file()
            for needle in PERSONAL if needle.encode() in path.read_bytes() or needle in path.name]


@pytest.fixture
def gateway():
    with SmsGateway() as receiver:
        yield receiver


@pytest.fixture
def revoked(world, smtp, platform, gateway):
    """The listing was sent to the departments (notices, their SMS, a webhook); a department queried the person's
    credit status; the person objects to the court's listing, with a file; the office accepts; the court revokes
    it."""
    world.config.sms_url, world.config.sms_key_id, world.config.sms_secret = gateway.url, "cc-demo", "gateway-secret"
    entry_id = world.entry_of("person")

    def listed_and_queried(session):
        webhooks.register_endpoint(session, world.actor("implementer"), "http://127.0.0.1:9/hooks", allow_http=True,
                                   allowed_hosts="127.0.0.1")
        listings.emit_listed(session, [entry_id], session.get(ListEntry, entry_id).created_at)
        credit_queries.query_status(session, PERSON_BLACK, world.actor("implementer"), PURPOSE)

    world.query(listed_and_queried)
    world.drain()
    kinds = world.query(lambda s: {n.kind for n in s.scalars(select(Notification))})
    assert "listing.apply" in kinds
    assert world.query(lambda s: s.scalar(select(WebhookDelivery.id).limit(1))) is not None
    assert gateway.sent, "the departments' notices went by SMS too (their rows are scanned with the rest)"
    case_id = world.file("person", list_entry_id=entry_id, grounds=GROUNDS, contact_name=NAME, contact_phone=PHONE)

    def upload(session):
        case = session.get(Case, case_id)
        evidence.store(session, case, [evidence.Upload(FILE_NAME, PDF)], world.actor("person"),
                       world.config.upload_dir, world.config.max_upload_bytes)

    world.query(upload)
    world.drain()
    world.act(case_id, "accept", "office")
    world.drain()
    world.act(case_id, "revoke", "court", reason=f"经核实，{NAME}（{PERSON_BLACK}）系被他人冒用身份，{DOCUMENT_NO}与其无关。")
    world.drain()
    return entry_id, case_id


def test_nothing_of_the_purged_entry_is_left_anywhere(world, revoked, platform):
    entry_id, case_id = revoked
    subject_id = world.query(lambda s: s.scalar(select(Subject.id).where(Subject.code == PERSON_BLACK)))
    before_scan = world.query(lambda s: (s.get(ListEntry, entry_id).status, s.get(Case, case_id).state))
    assert before_scan == ("purged", "closed")
    # the platform was told of the listing and of the revocation before the erasure
    assert [r["result"] for r in platform.received] == ["listed", "revoke"]
    leftovers = world.query(lambda s: scan(s, subject_id))
    assert not leftovers, "personal data left after the purge:\n" + "\n".join(leftovers)
    assert not on_disk(world.config.upload_dir)
    left_in_file = in_database_file(world.config.database_url)
    assert not left_in_file, "personal data left in the database file:\n" + "\n".join(left_in_file)
    # staff reading the closed case no longer see whom it concerned
    client = world.app.test_client()
    client.post("/login", data={"username": "office", "password": DEMO_PASSWORD})
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert PERSON_BLACK not in page.get_data(as_text=True) and NAME not in page.get_data(as_text=True)
    verdict = world.query(audit.verify)
    assert verdict.ok, verdict.describe()
    # the subject's own account and registration are not data from the entry: they stay
    assert world.query(lambda s: s.scalar(select(User.username).where(User.subject_id == subject_id))) == "person"
    # and the scan is no formality: a trace planted in a row linked to nothing is found
    world.query(lambda s: s.add(Notification(user_id=s.scalar(select(User.id).where(User.username == "office")),
                                             kind="test", subject="x", body=f"about {NAME}", dedupe_key="plant")))
    assert any("notifications.body" in hit for hit in world.query(lambda s: scan(s, subject_id)))
