"""An import of a holiday year takes effect in every running process at its next computation, without a restart.

Two processes of the product: this one, which imports the year as an administrator would, and the web app
under gunicorn with two workers (`credit-cases web`), which answer case reads. Before the import the
verification deadline waits for the year; the very next reads after the import commits, from whichever
worker, give its due day, its working days left and its status. Years 2098/2099 stand in for "this year"
and "next year, not yet published": no packaged data has them, and both processes' clocks are set to
2098-12-24 (CREDIT_CASES_TODAY for the web app).
"""
import json
import os
import subprocess
import sys
import time
from datetime import date

import holidays
import httpx
import pytest

from tests.conftest import DEMO_PASSWORD
from tests.receivers import free_port
from workflows.domain.process import Actor
from workflows.services.admin import calendar as calendar_service
from workflows.services.admin import calendar_imports
from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases as case_service
from workflows.services.casework.actors import actor_for
from workflows.store.models import ListEntry

TODAY = date(2098, 12, 24)
GROUNDS = "原处罚决定已被复议机关撤销，请核实。"


def arrangement(year: int) -> str:
    days_off = sorted(d.isoformat() for d in holidays.China(years=year) if d.weekday() < 5)
    return json.dumps({"year": year, "days_off": days_off, "working_days": []})


@pytest.fixture
def accepted_case(app, travel):
    """Demo data and an accepted objection on 2098-12-24, whose 20 working days run into 2099."""
    from sqlalchemy import select

    from webapp.extensions import db
    from workflows.demo import seed

    travel(TODAY)
    with app.app_context():
        session = db.session
        calendar_imports.import_arrangement(session, arrangement(2098), "2098.json", Actor.system("test"))
        seed(session)
        applicant = actor_for(find_user(session, "applicant"))
        entry_id = session.scalars(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id)).first()
        case = case_service.file_case(session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS})
        case_service.take_action(session, case.id, "accept", actor_for(find_user(session, "office")))
        session.commit()
        return case.id


@pytest.fixture
def web(app, tmp_path):
    """`credit-cases web --workers 2` on this test's database, its clock on 2098-12-24."""
    config = app.config["CREDIT_CASES"]
    port = free_port()
    env = {**os.environ, "CREDIT_CASES_DATABASE_URL": config.database_url, "CREDIT_CASES_PORT": str(port),
           "CREDIT_CASES_INSTANCE_PATH": str(config.instance_path), "CREDIT_CASES_TESTING": "true",
           "CREDIT_CASES_TODAY": TODAY.isoformat(), "CREDIT_CASES_SECRET_KEY": "test-secret"}
    proc = subprocess.Popen([sys.executable, "-m", "webapp.cli", "web", "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the web app did not start"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def verification(base: str, token: str, case_id: int) -> dict:
    # a new connection per read, so that both workers answer in turn
    response = httpx.get(f"{base}/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    return next(d for d in response.json()["deadlines"] if d["kind"] == "verification")


def test_an_import_reaches_every_web_worker_at_its_next_read(app, accepted_case, web):
    token = httpx.post(f"{web}/api/v1/auth/token", json={"username": "office", "password": DEMO_PASSWORD},
                       timeout=10).json()["token"]
    before = [verification(web, token, accepted_case) for _ in range(8)]  # both workers have read the calendar
    assert {(d["status"], d["due_on"], d["working_days_left"]) for d in before} == {("unscheduled", None, 20)}

    from webapp.extensions import db

    with app.app_context():
        calendar_imports.import_arrangement(db.session, arrangement(2099), "2099.json", Actor.system("test"))
        db.session.commit()

    after = [verification(web, token, accepted_case) for _ in range(8)]
    due_on = calendar_service.calendar.add_working_days(TODAY, 20).isoformat()  # this process has 2099 now
    assert due_on.startswith("2099-01")
    assert {(d["status"], d["due_on"], d["working_days_left"]) for d in after} == {("on_track", due_on, 20)}
