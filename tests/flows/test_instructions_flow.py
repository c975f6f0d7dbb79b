"""Execution feedback (执行反馈, Z V(1), Q V(3)): a measure's suspension is an instruction to its department that
waits for the confirmation that it was carried out: on the instructions page, through the API, linked from the
webhook message; unconfirmed past its limit it is counted on the supervision dashboard and can be urged; the
monthly statistics count the measures carried out."""
from datetime import date

from sqlalchemy import select

from tests.receivers import HttpReceiver
from workflows.domain.supervision import Period
from workflows.services.supervision import monthly
from workflows.store.instructions import Instruction
from workflows.store.models import Department

GROUNDS = "该行政处罚已于2026年3月撤销，列入黑名单的依据不存在。"
MONDAY = date(2026, 11, 2)  # the confirmation is due five working days later, on 2026-11-09


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "demo-pass-2026"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def suspended(world):
    """An objection accepted: the applicant's blacklist entry and its measures are suspended."""
    case_id = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    world.act(case_id, "accept", "office")
    world.drain()
    return case_id


def suspensions(world):
    return world.query(lambda s: [(i.department.code, i.kind, i.measure.catalogue.code, i.due_on)
                                  for i in s.scalars(select(Instruction).where(Instruction.kind == "suspend")
                                                     .order_by(Instruction.id))])


def test_a_suspension_is_confirmed_through_the_api_from_the_webhook_link_and_counted_as_carried_out(world, travel):
    travel(MONDAY)
    world.app.config["CREDIT_CASES"].webhook_allowed_hosts = world.config.webhook_allowed_hosts = "127.0.0.1"
    client = world.app.test_client()
    implementer = token(client, "implementer")
    with HttpReceiver() as hooks:
        assert client.post("/api/v1/webhooks", json={"url": hooks.url}, headers=implementer).status_code == 201
        suspended(world)
    assert ("CZJ", "suspend", "P-PROC", date(2026, 11, 9)) in suspensions(world)
    [message] = hooks.received
    [change] = message["changes"]
    assert change["action"] == "suspend" and change["instruction"] == "suspend"
    assert change["confirm_by"] == "2026-11-09"
    assert change["confirm_url"] == f"/api/v1/instructions/{change['instruction_id']}/confirm"

    [open_one] = client.get("/api/v1/instructions", headers=implementer).get_json()
    assert (open_one["id"], open_one["status"], open_one["measure"]) == (change["instruction_id"], "open", "P-PROC")
    # another implementing department neither sees nor confirms it
    bank = token(client, "bank")
    assert {i["department"] for i in client.get("/api/v1/instructions", headers=bank).get_json()} == {"RMYH"}
    assert client.post(change["confirm_url"], json={"carried_out_on": "2026-11-02"}, headers=bank).status_code == 404
    # a day after today, or before it was issued, is refused and changes nothing
    later = client.post(change["confirm_url"], json={"carried_out_on": "2026-11-03"}, headers=implementer)
    before = client.post(change["confirm_url"], json={"carried_out_on": "2026-10-30"}, headers=implementer)
    assert (later.status_code, before.status_code) == (422, 422)

    done = client.post(change["confirm_url"], json={"carried_out_on": "2026-11-02", "note": "已暂停该企业投标资格"},
                       headers=implementer)
    assert done.status_code == 200, done.get_json()
    confirmed = done.get_json()
    assert (confirmed["status"], confirmed["carried_out_on"], confirmed["note"]) == (
        "confirmed", "2026-11-02", "已暂停该企业投标资格")
    again = client.post(change["confirm_url"], json={"carried_out_on": "2026-11-02"}, headers=implementer)
    assert again.status_code == 409
    assert client.get("/api/v1/instructions", headers=implementer).get_json() == []

    figures = world.query(lambda s: monthly.figures(s, Period(date(2026, 11, 1), date(2026, 11, 30))))
    czj = next(row for row in figures["departments"] if row["code"] == "CZJ")
    assert czj["measures"]["black"]["suspended"] == 1  # the instruction sent
    assert czj["carried_out"]["black"]["suspended"] == 1  # and carried out
    others = [row for row in figures["departments"] if row["code"] != "CZJ"]
    assert sum(row["carried_out"]["black"]["suspended"] for row in others) == 0  # sent, not carried out yet
    assert sum(row["unconfirmed"] for row in others) == sum(row["measures"]["black"]["suspended"] for row in others)
    assert figures["total"]["carried_out"]["black"]["suspended"] == 1


def test_an_overdue_instruction_is_on_the_dashboard_urged_and_confirmed_on_its_page(world, travel, smtp):
    travel(MONDAY)
    suspended(world)
    travel(date(2026, 11, 10))  # the day after the confirmation was due
    client = world.app.test_client()
    supervisor = token(client, "supervisor")
    board = client.get("/api/v1/supervision/dashboard", headers=supervisor).get_json()
    czj = next(b for b in board["instructions"] if b["department"] == "CZJ")
    assert (czj["unconfirmed"], czj["overdue"], czj["oldest_due"]) == (1, 1, "2026-11-09")
    overdue = client.get(czj["instructions"], headers=supervisor).get_json()
    assert [(i["department"], i["status"]) for i in overdue] == [("CZJ", "overdue")]

    # the dashboard page shows it, and the instructions page offers the urging
    pages = world.app.test_client()
    pages.post("/login", data={"username": "supervisor", "password": "demo-pass-2026"})
    assert 'data-backlog="CZJ"' in pages.get("/supervision/").get_data(as_text=True)
    assert "urge-instructions-message" in pages.get("/instructions/?status=overdue&department=CZJ").get_data(
        as_text=True)
    urged = pages.post("/instructions/urge", data={"department": "CZJ", "message": "请于两个工作日内确认执行情况。"})
    assert urged.status_code == 302
    world.drain()
    told = [params for kind, params in world.notices_to("implementer@example.gov.cn") if kind == "instruction.urged"]
    assert len(told) == 1 and told[0]["count"] == 1 and told[0]["message"] == "请于两个工作日内确认执行情况。"
    assert "instruction.urged" in smtp.kinds("implementer@example.gov.cn")
    assert "instruction.urged" not in smtp.kinds("bank@example.gov.cn")
    # nothing more is overdue for the bank: urging it is refused
    bad = client.post("/api/v1/instructions/urge", json={"department": "RMYH", "message": "请确认"},
                      headers=supervisor)
    assert bad.status_code in (409, 422)

    # the department confirms on the page
    department = world.app.test_client()
    department.post("/login", data={"username": "implementer", "password": "demo-pass-2026"})
    inbox = department.get("/instructions/").get_data(as_text=True)
    [instruction_id] = world.query(lambda s: list(s.scalars(
        select(Instruction.id).join(Department).where(Department.code == "CZJ", Instruction.kind == "suspend"))))
    assert f'data-instruction="{instruction_id}"' in inbox
    early = department.post(f"/instructions/{instruction_id}/confirm",
                            data={f"i{instruction_id}-carried_out_on": "2026-11-11"})  # tomorrow: refused
    assert early.status_code == 422
    assert world.query(lambda s: s.get(Instruction, instruction_id).confirmed_at) is None
    done = department.post(f"/instructions/{instruction_id}/confirm",
                           data={f"i{instruction_id}-carried_out_on": "2026-11-10",
                                 f"i{instruction_id}-note": "已于今日暂停"})
    assert done.status_code == 302
    state = world.query(lambda s: (lambda i: (i.carried_out_on, i.note, i.urge_count, i.confirmed_by_label))(
        s.get(Instruction, instruction_id)))
    assert state[:3] == (date(2026, 11, 10), "已于今日暂停", 1)
    board = client.get("/api/v1/supervision/dashboard", headers=supervisor).get_json()
    assert "CZJ" not in [b["department"] for b in board["instructions"]]


def test_a_later_instruction_replaces_one_not_confirmed(world, travel):
    travel(MONDAY)
    case_id = suspended(world)
    world.act(case_id, "withdraw", "applicant")  # the measures resume
    world.drain()
    rows = world.query(lambda s: [(i.kind, i.superseded_at is not None, i.status(date(2026, 11, 2)))
                                  for i in s.scalars(select(Instruction).join(Department)
                                                     .where(Department.code == "CZJ").order_by(Instruction.id))])
    assert [kind for kind, *_ in rows][-2:] == ["suspend", "resume"]
    assert rows[-2][1:] == (True, "superseded") and rows[-1][1:] == (False, "open")
