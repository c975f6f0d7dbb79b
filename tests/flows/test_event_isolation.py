"""One bad event stalls nothing else: a name with a line break is e-mailed on one line, and an event that fails
is retried alone, without failing or delaying the other events of its batch (in-process and under Prefect)."""
import pytest
from sqlalchemy import select

from workflows.automation import worker
from workflows.steps import STEPS
from workflows.store.automation import OutboxEvent
from workflows.store.models import ListEntry

GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"


def statuses(world):
    return world.query(lambda s: {e.id: (e.case_id, e.kind, e.status) for e in s.scalars(select(OutboxEvent))})


def run_once(world):
    if world.prefect:
        world._request.getfixturevalue("prefect_harness")
    return worker.run_once(world.config, in_process=not world.prefect)


def test_a_subject_name_with_a_line_break_is_emailed_on_one_line(world, smtp):
    entry = world.entry_of("applicant")
    world.query(lambda s: setattr(s.get(ListEntry, entry).subject, "name", "某某贸易有限公司\r\nBcc: someone@example.com"))
    first = world.file("applicant", list_entry_id=entry, grounds=GROUNDS)
    world.act(first, "accept", "office")
    world.file("person", list_entry_id=world.entry_of("person"), grounds=GROUNDS)
    world.drain()  # the first case's acceptance after its filing, in the next batch
    assert {status for _, _, status in statuses(world).values()} == {"done"}
    [suspend] = [m for m in smtp.to("implementer@example.gov.cn") if m["kind"] == "measure.suspend"]
    assert "某某贸易有限公司 Bcc: someone@example.com" in suspend["subject"]
    assert all("someone@example.com" not in m["to"] for m in smtp.messages)


@pytest.mark.parametrize("under", ["in_process", pytest.param("prefect", marks=pytest.mark.prefect)])
def test_an_event_that_fails_neither_fails_nor_delays_the_others_of_its_batch(world, smtp, monkeypatch, under):
    bad = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    good = world.file("person", list_entry_id=world.entry_of("person"), grounds=GROUNDS)
    acknowledge = STEPS["objection.acknowledge"]

    def broken(session, event, case):
        if case.id == bad:
            raise RuntimeError("a fault of this event alone")
        return acknowledge(session, event, case)

    monkeypatch.setitem(STEPS, "objection.acknowledge", broken)
    run_once(world)
    by_case = {case_id: (status, kind) for case_id, kind, status in statuses(world).values()}
    assert by_case[good] == ("done", "file")
    assert by_case[bad] == ("pending", "file")
    error = world.query(lambda s: s.scalar(select(OutboxEvent.last_error).where(OutboxEvent.case_id == bad)))
    assert "a fault of this event alone" in error
    assert "objection.received" in smtp.kinds("person@example.gov.cn")  # its notice went out in the same run
