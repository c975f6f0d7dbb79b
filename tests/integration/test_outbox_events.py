"""What an action owes its process's flow: an event when the flow has steps to carry out for it, none otherwise."""
from sqlalchemy import select

from workflows.domain.process import Actor
from workflows.services.admin.accounts import find_user
from workflows.services.casework import cases as case_service
from workflows.services.casework.actors import actor_for
from workflows.steps import plans
from workflows.store.automation import OutboxEvent
from workflows.store.models import ListEntry

GROUNDS = "原处罚决定已被复议机关撤销，请核实。"


def test_an_action_its_flow_has_no_steps_for_owes_no_event(seeded, db_session):
    applicant = actor_for(find_user(db_session, "applicant"))
    entry_id = db_session.scalar(select(ListEntry.id).where(ListEntry.subject_id == applicant.subject_id))
    case = case_service.file_case(db_session, "objection", applicant, {"list_entry_id": entry_id, "grounds": GROUNDS})
    case_service.take_action(db_session, case.id, "accept", actor_for(find_user(db_session, "office")))
    case_service.take_action(db_session, case.id, "confirm", actor_for(find_user(db_session, "provider")),
                             {"reason": "经核实，原处罚决定有效。"})
    case_service.take_action(db_session, case.id, "close", Actor.system())
    db_session.commit()
    assert case.state == "closed"
    kinds = db_session.scalars(select(OutboxEvent.kind).where(OutboxEvent.case_id == case.id)
                               .order_by(OutboxEvent.id)).all()
    assert kinds == ["file", "accept", "confirm"]  # the closing: no step follows it, no event a worker claims
    assert "close" not in plans()["objection"]
