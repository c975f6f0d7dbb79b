"""The demo's story (`credit-cases demo seed`, `make run`): a month of cases in every state of the four processes,
some overdue, one urged, a breached commitment, a revoked listing; every demo role's first page shows its work."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sla.calendar import local_date
from workflows import clock
from workflows.demo import DEMO_PASSWORD
from workflows.demo_story import FIRMS, seed_story
from workflows.processes import DEFINITIONS
from workflows.store.cases import Case
from workflows.store.green import BrokenCommitment
from workflows.store.models import ListEntry
from workflows.store.supervision import Urging

# states a case passes through in the step that reaches them (a concluded objection is closed at once, a granted
# licence published): they are shown by the states after them
PASSING = {"objection": {"concluded"}, "repair_exit": {"approved"}, "conditional_acceptance": {"granted"},
           "redlist_removal": {"opened", "removed"}}
CASE_LINK = re.compile(r'href="/cases/(\d+)"')


@pytest.fixture
def story(seeded):
    from webapp.extensions import db

    with seeded.app_context():
        cases = seed_story(db.session, seeded.config["CREDIT_CASES"])
        db.session.commit()
    return cases


def logged_in(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == 302
    return client


def linked_cases(client, path) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return set(CASE_LINK.findall(response.get_data(as_text=True)))


def every_state_of_every_process_over_the_last_month(story, db_session):
    states = {(process, state) for process, state in db_session.execute(select(Case.process, Case.state).distinct())}
    for process, definition in DEFINITIONS.items():
        missing = {s.name for s in definition.states} - PASSING.get(process, set()) - {s for p, s in states if p == process}
        assert not missing, f"{process}: no case in {sorted(missing)}"
    first, last = db_session.execute(select(func.min(Case.filed_at), func.max(Case.filed_at))).one()
    today = clock.today()
    assert local_date(first) <= today - timedelta(days=25) and local_date(last) >= today - timedelta(days=3)


def overdue_and_urged_cases_a_breached_commitment_and_a_revoked_listing(story, db_session):
    assert db_session.scalar(select(func.count()).select_from(Urging)) == 1
    assert db_session.scalar(select(func.count()).select_from(BrokenCommitment)) == 1
    assert db_session.get(Case, story["conditional_acceptance.commitment_breached"][0]).state == "commitment_breached"
    revoked = db_session.get(Case, story["objection.revoked"][0])
    assert db_session.get(ListEntry, revoked.list_entry_id).status in ("revoked", "purged")


def every_roles_first_page_shows_its_work(story, seeded):
    for username in ("office", "provider", "tax", "court", "licensing"):  # their inbox, counted on the home page
        client = logged_in(seeded, username)
        assert linked_cases(client, "/inbox"), f"{username}'s inbox is empty"
        home = client.get("/").get_data(as_text=True)
        assert re.search(r'card-count">[1-9]\d* 件待办理', home), f"{username}'s home page shows no work"
    for username in ("supervisor", "admin"):
        client = logged_in(seeded, username)
        assert re.search(r'card-count">[1-9]\d* 件已超期', client.get("/").get_data(as_text=True))
        assert linked_cases(client, "/cases?overdue=yes")
    admin = logged_in(seeded, "admin").get("/").get_data(as_text=True)
    assert re.search(r'card-count">1 件待确认', admin), "a sign-up waits for its claim to be confirmed"
    for username in ("applicant", "person", "redco", *(f.username for f in FIRMS)):
        client = logged_in(seeded, username)
        assert linked_cases(client, "/cases"), f"{username} has no case"
        assert re.search(r"我的案件 \(\d+\)", client.get("/").get_data(as_text=True))
    # the implementing department's work is the measures to suspend or stop as the cases decide: its notices
    notices = logged_in(seeded, "implementer").get("/notifications").get_data(as_text=True)
    assert "请停止执行联合奖惩措施：限制参与政府采购活动（珠海吉大酒店管理有限公司）" in notices
    assert "请暂停执行联合奖惩措施：限制参与政府采购活动（珠海示例科技有限公司）" in notices


def the_supervisors_dashboard_shows_the_overdue_cases_and_the_urging(story, seeded):
    supervisor = logged_in(seeded, "supervisor")
    dashboard = supervisor.get("/supervision/").get_data(as_text=True)
    late = re.findall(r'data-figure="late-[^"]*"[^>]*>(\d+)<', dashboard)
    assert late and sum(int(n) for n in late) >= 2, "overdue cases by department"
    urged = str(story["repair_exit.under_review"][0])
    assert urged in linked_cases(supervisor, "/supervision/urgings")
    assert urged in linked_cases(supervisor, "/cases?overdue=yes"), "the urged case is overdue"


def test_the_story_of_the_demo(story, seeded, db_session):
    """One month's story, loaded once (it takes seconds), read by each check in turn."""
    every_state_of_every_process_over_the_last_month(story, db_session)
    overdue_and_urged_cases_a_breached_commitment_and_a_revoked_listing(story, db_session)
    every_roles_first_page_shows_its_work(story, seeded)
    the_supervisors_dashboard_shows_the_overdue_cases_and_the_urging(story, seeded)
