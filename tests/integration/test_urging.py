"""Urging (督办): recorded, timed, shown on the case and in the department's inbox, answered; bad input refused."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sla.calendar import local_date
from tests.integration.supervision_fixture import act, actor, file
from workflows.domain.errors import ActionNotAllowed, Conflict, InvalidInput, RoleNotAllowed
from workflows.services.supervision import urging as urging_service
from workflows.store.automation import OutboxEvent
from workflows.store.base import utcnow
from workflows.store.models import HistoryEntry
from workflows.store.supervision import Urging


@pytest.fixture
def verifying(seeded, db_session):
    """An objection being verified by the market regulator (SCJGJ), filed and accepted now."""
    case_id = file(db_session, "applicant", utcnow())
    act(db_session, case_id, "accept", "office", utcnow())
    db_session.commit()
    return case_id


def test_an_urging_is_recorded_timed_and_answered(db_session, verifying):
    supervisor, provider = actor(db_session, "supervisor"), actor(db_session, "provider")
    [urging] = urging_service.urge(db_session, [verifying], supervisor, "请于三个工作日内反馈核实进度。")
    db_session.commit()
    assert urging.department.code == "SCJGJ" and urging.status == "open"
    assert urging.timer.kind == "urging_reply" and urging.timer.status == "pending"
    assert urging.timer.due_on == urging.reply_by or urging.timer.due_on < urging.reply_by
    urged = db_session.scalar(select(HistoryEntry).where(HistoryEntry.case_id == verifying, HistoryEntry.action == "urge"))
    assert urged.reason == "请于三个工作日内反馈核实进度。" and urged.actor_label == supervisor.label
    assert db_session.scalar(select(OutboxEvent.payload).where(OutboxEvent.kind == "urge")) == {"urging_id": urging.id}

    with pytest.raises(RoleNotAllowed):
        urging_service.reply(db_session, urging.id, actor(db_session, "tax"), "不是我们的案件")
    urging_service.reply(db_session, urging.id, provider, "已安排专人核实，预计下周反馈。")
    db_session.commit()
    assert urging.status == "replied" and urging.timer.status == "met" and urging.timer.next_fire_at is None
    assert db_session.scalar(select(HistoryEntry.action).where(HistoryEntry.action == "reply_urging")) == "reply_urging"
    with pytest.raises(Conflict):
        urging_service.reply(db_session, urging.id, provider, "again")


def test_bad_urgings_are_refused(db_session, verifying):
    supervisor = actor(db_session, "supervisor")
    today = local_date(utcnow())
    with pytest.raises(InvalidInput) as past:
        urging_service.urge(db_session, [verifying], supervisor, "请尽快办理", today)
    assert past.value.field == "reply_by"
    with pytest.raises(RoleNotAllowed):
        urging_service.urge(db_session, [verifying], actor(db_session, "office"), "请尽快办理")
    with pytest.raises(InvalidInput) as short:
        urging_service.urge(db_session, [verifying], supervisor, "快")
    assert short.value.field == "message"
    act(db_session, verifying, "withdraw", "applicant", utcnow())
    db_session.commit()
    with pytest.raises(ActionNotAllowed, match="is closed"):
        urging_service.urge(db_session, [verifying], supervisor, "请尽快办理")
    assert db_session.scalar(select(Urging.id)) is None


def test_pages_urge_show_and_reply(client, auth, db_session, verifying):
    auth.login("supervisor")
    page = client.get(f"/cases/{verifying}").get_data(as_text=True)
    assert 'action="/supervision/urge"' in page
    response = client.post("/supervision/urge", data={"case_ids": [verifying], "message": "请加快核实进度并回复。",
                                                      "next": f"/cases/{verifying}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{verifying}")
    closed = file(db_session, "redco", utcnow())
    act(db_session, closed, "withdraw", "redco", utcnow())
    db_session.commit()
    refused = client.post("/supervision/urge", data={"case_ids": [closed], "message": "请加快核实进度并回复。"})
    assert refused.status_code == 409 and f"#{closed}" in refused.get_data(as_text=True)
    tomorrow_past = (local_date(utcnow()) - timedelta(days=1)).isoformat()
    bad_day = client.post("/supervision/urge", data={"case_ids": [verifying], "message": "请加快核实进度并回复。",
                                                     "reply_by": tomorrow_past})
    assert bad_day.status_code == 422 and 'id="reply_by-error"' in bad_day.get_data(as_text=True)
    auth.logout()

    auth.login("provider")
    inbox = client.get("/inbox").get_data(as_text=True)
    assert f"/cases/{verifying}" in inbox
    mine = client.get("/supervision/department").get_data(as_text=True)
    assert "请加快核实进度并回复。" in mine
    urging_id = db_session.scalar(select(Urging.id))
    assert client.post(f"/supervision/urgings/{urging_id}/reply", data={f"u{urging_id}-reply": ""}).status_code == 422
    answered = client.post(f"/supervision/urgings/{urging_id}/reply", data={f"u{urging_id}-reply": "已核实，本周办结。"})
    assert answered.status_code == 302
    shown = client.get(f"/cases/{verifying}").get_data(as_text=True)
    assert "已核实，本周办结。" in shown and "请加快核实进度并回复。" in shown
    assert client.post("/supervision/urge", data={"case_ids": [verifying], "message": "x" * 10}).status_code == 403
    auth.logout()
    auth.login("tax")  # another department may not answer it
    assert client.post(f"/supervision/urgings/{urging_id}/reply",
                       data={f"u{urging_id}-reply": "代答"}).status_code in (403, 409)


def test_dashboard_figures_link_to_as_many_cases(client, auth, db_session, seeded):
    from tests.integration.supervision_fixture import build

    build(db_session)
    auth.login("supervisor")
    page = client.get("/supervision/?start=2026-10-01&end=2026-10-31").get_data(as_text=True)
    figures = re.findall(r'<a (?:class="sv-kpi-value" )?data-figure="([\w-]+)" href="([^"]+)">(\d+)</a>', page)
    assert {name for name, *_ in figures} >= {"overdue", "due_soon", "on_track", "paused", "late-SWJ"}
    for name, link, count in figures:
        listed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
        total = re.search(r'data-total="(\d+)"', listed)
        assert total and int(total.group(1)) == int(count), (name, link)
