"""With the worker or the Prefect server down, people keep filing and deciding; nothing is lost or doubled."""
import pytest
from sqlalchemy import func, select, update

from workflows.store.automation import Notification, OutboxEvent
from workflows.store.base import utcnow
from workflows.store.models import ListEntry

pytestmark = pytest.mark.prefect  # the real flows under Prefect's test harness

GROUNDS = "该记录所依据的判决已被再审撤销，请核实。"


def pending(world):
    return world.query(lambda s: s.scalar(select(func.count()).select_from(OutboxEvent)
                                          .where(OutboxEvent.status != "done")))


def file_and_decide(world):
    entries = {name: world.entry_of(name) for name in ("applicant", "person")}
    first = world.file("applicant", list_entry_id=entries["applicant"], grounds=GROUNDS)
    second = world.file("person", list_entry_id=entries["person"], grounds=GROUNDS)
    world.act(first, "accept", "office")
    world.act(second, "accept", "office")
    world.act(second, "confirm", "court", reason="经核实，判决仍然有效。")
    return entries


def reconcile(world, smtp, entries):
    assert pending(world) == 0
    statuses = world.query(lambda s: {name: (s.get(ListEntry, e).status, sorted({m.status for m in s.get(ListEntry, e).measures}))
                                      for name, e in entries.items()})
    assert statuses == {"applicant": ("suspended", ["suspended"]), "person": ("active", ["active"])}
    keys = world.query(lambda s: s.scalars(select(Notification.dedupe_key)).all())
    assert len(keys) == len(set(keys))
    sent_ids = [m["message_id"] for m in smtp.messages]
    assert len(sent_ids) == len(set(sent_ids))
    emailed = world.query(lambda s: s.scalar(select(func.count()).select_from(Notification)
                                             .where(Notification.emailed_at.is_not(None))))
    assert emailed == len(smtp.messages)


def test_worker_down_then_back_processes_every_event_once(world, smtp):
    entries = file_and_decide(world)  # no worker runs meanwhile
    assert pending(world) == 5
    assert smtp.messages == []
    world.drain()
    reconcile(world, smtp, entries)
    assert len(smtp.to("court@example.gov.cn")) == 1  # told to verify once


def test_prefect_down_keeps_events_and_processes_them_once_it_is_back(world, smtp):
    from prefect.settings import PREFECT_API_URL, PREFECT_CLIENT_MAX_RETRIES, temporary_settings

    from workflows.automation.worker import run_once

    entries = file_and_decide(world)
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api", PREFECT_CLIENT_MAX_RETRIES: 0}):
        assert run_once(world.config) == 0
    assert pending(world) == 5
    errors = world.query(lambda s: s.scalars(select(OutboxEvent.last_error).where(OutboxEvent.last_error != "")).all())
    assert errors, "the failed attempt is recorded"
    world.query(lambda s: s.execute(update(OutboxEvent).values(available_at=utcnow())))  # skip the back-off wait
    world.drain()
    reconcile(world, smtp, entries)
