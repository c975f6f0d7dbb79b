"""Urging and escalation carried out by the real flow: the department is told, the supervisor gets the reply,
and a second escalation goes to the head of supervision."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from workflows.store.automation import Notification
from workflows.store.base import utcnow
from workflows.store.models import User

GROUNDS = "该行政处罚已于2026年3月撤销，列入黑名单的依据不存在。"


def accepted(world):
    case_id = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    world.act(case_id, "accept", "office")
    return case_id


@pytest.mark.prefect  # the real flows under Prefect's test harness
def test_urging_reaches_the_department_and_the_reply_the_supervisor(world, smtp):
    from workflows.services.supervision import urging

    case_id = accepted(world)
    urging_id = world.query(lambda s: urging.urge(s, [case_id], world.actor("supervisor"), "请于三个工作日内反馈。")[0].id)
    world.drain()
    assert smtp.kinds("provider@example.gov.cn").count("urging.sent") == 1
    told = [params for kind, params in world.notices_to("provider@example.gov.cn") if kind == "urging.sent"]
    assert len(told) == 1 and told[0]["message"] == "请于三个工作日内反馈。"
    assert "urging.sent" not in smtp.kinds("tax@example.gov.cn")  # another department
    world.query(lambda s: urging.reply(s, urging_id, world.actor("provider"), "已安排核实，周五前反馈。"))
    world.drain()
    assert smtp.kinds("supervisor@example.gov.cn").count("urging.replied") == 1
    replies = [params for kind, params in world.notices_to("supervisor@example.gov.cn") if kind == "urging.replied"]
    assert len(replies) == 1 and replies[0]["reply"] == "已安排核实，周五前反馈。"


def test_second_escalation_goes_to_the_head_of_supervision(world, smtp):
    from workflows.automation.sweep import sweep
    from workflows.domain.process import Actor
    from workflows.services.admin import accounts, settings

    def appoint(session):
        head = accounts.create_user(session, username="chief", password="demo-pass-2026", roles=["supervisor"],
                                    actor=Actor.system("test"), department_code="XYB", display_name="督办负责人",
                                    email="chief@example.gov.cn")
        session.flush()
        settings.change(session, "supervision.head_user_id", head.id, Actor.system("test"))

    world.query(appoint)
    accepted(world)
    later = utcnow() + timedelta(days=60)
    assert world.query(lambda s: sweep(s, now=later)) == 1  # breach
    assert world.query(lambda s: sweep(s, now=later)) == 1  # second escalation
    world.drain()
    assert "deadline.escalated" in smtp.kinds("chief@example.gov.cn")
    assert "deadline.escalated" not in smtp.kinds("supervisor@example.gov.cn")
    keys = world.query(lambda s: s.scalars(select(Notification.dedupe_key).join(User, User.id == Notification.user_id)
                                           .where(User.username == "chief")).all())
    assert any(":head:" in key for key in keys)
