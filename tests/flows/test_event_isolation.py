"""One bad event stalls nothing else: a name with a line break is e-mailed on one line, and an event that fails
is retried alone, without failing or delaying the other events of its batch (in-process and under Prefect)."""
import uuid

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
    from prefect import tags as prefect_tags  # here: importing Prefect costs each test process a second to collect

    with prefect_tags(this_test := f"test:{uuid.uuid4().hex}"):  # the test processes share one Prefect server
        run_once(world)
    by_case = {case_id: (status, kind) for case_id, kind, status in statuses(world).values()}
    assert by_case[good] == ("done", "file")
    assert by_case[bad] == ("pending", "file")
    error = world.query(lambda s: s.scalar(select(OutboxEvent.last_error).where(OutboxEvent.case_id == bad)))
    assert "a fault of this event alone" in error
    assert "objection.received" in smtp.kinds("person@example.gov.cn")  # its notice went out in the same run
    if world.prefect:
        run = the_flow_run_of(bad, this_test)
        assert run.name.startswith("objection event")  # one named run for the batch: its process and events
        assert {f"case:{bad}", f"case:{good}"} <= set(run.tags)
        assert run.state.is_failed()  # a batch with an event still failing ends Failed, not Completed
        assert sorted(t.name for t in task_runs_of(run)) == [f"file-event-{event_of(world, bad)}"]  # the slow path


def event_of(world, case_id):
    return world.query(lambda s: s.scalar(select(OutboxEvent.id).where(OutboxEvent.case_id == case_id)))


def the_flow_run_of(case_id, test_tag):
    """The flow run tagged with this case, as a person finds it in the Prefect UI (and with this test's own tag:
    the tests share the server, and the cases of each test's database are numbered alike)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    tagged = FlowRunFilter(tags=FlowRunFilterTags(all_=[f"case:{case_id}", test_tag]))
    with get_client(sync_client=True) as client:
        [run] = client.read_flow_runs(flow_run_filter=tagged)
    return run


def task_runs_of(run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        return client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))


def test_a_batch_sends_its_emails_over_one_smtp_connection(world, smtp):
    world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    world.file("person", list_entry_id=world.entry_of("person"), grounds=GROUNDS)
    assert run_once(world) == 2
    assert len(smtp.messages) >= 4  # each filing: the applicant and the office told
    postgresql = world.config.database_url.startswith("postgresql")
    # one connection for the batch; on PostgreSQL one per thread carrying events out side by side (here two at most)
    assert len({m["connection"] for m in smtp.messages}) <= (2 if postgresql else 1)


def test_an_email_refused_once_is_sent_once_on_the_slow_path(world, smtp):
    from workflows.store.automation import Notification

    smtp.mailbox.refuse = 1
    world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    world.file("person", list_entry_id=world.entry_of("person"), grounds=GROUNDS)
    assert run_once(world) == 2  # both done in the same run
    ids = [m["message_id"] for m in smtp.messages]
    assert len(ids) == len(set(ids))
    owed = world.query(lambda s: s.execute(select(Notification.id, Notification.emailed_at).where(
        Notification.email_to != "")).all())
    assert all(emailed is not None for _, emailed in owed)  # the refused one went on its second try
    assert len(owed) == len(smtp.messages)  # and none twice
    assert {status for _, _, status in statuses(world).values()} == {"done"}


@pytest.mark.prefect  # the real flows under Prefect's test harness
def test_a_full_batch_is_one_flow_run_the_prefect_server_takes(world):
    """A batch of as many events as a claim takes (50 cases) names them within what Prefect accepts (its flow
    run's event may relate at most 100 resources, tags included): the run completes."""
    from workflows.automation.worker import run_coroutine
    from workflows.flows import steps as flow_steps
    from workflows.flows.registry import FLOWS
    from workflows.steps import runtime

    world._request.getfixturevalue("prefect_harness")
    runtime.configure(world.config)
    batch = [(10_000 + n, "file", 5_000 + n) for n in range(50)]  # no such events: nothing to carry out
    state = run_coroutine(flow_steps.start(FLOWS["objection"], "objection", batch))
    assert state.is_completed(), state.message
    assert len(flow_steps.labels(batch)) == flow_steps.MAX_TAGS and "case:5049" in flow_steps.labels(batch)


@pytest.mark.prefect
def test_a_worker_thread_keeps_its_prefect_clients_from_batch_to_batch(world, monkeypatch):
    """Each Prefect client made loads the TLS certificate store: a thread's batches share one pair of clients,
    made again when Prefect's settings in force change (another API address)."""
    import contextvars
    import threading

    from prefect.client.orchestration import PrefectClient, SyncPrefectClient
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from workflows.automation import prefect_clients
    from workflows.flows import steps as flow_steps
    from workflows.flows.registry import FLOWS
    from workflows.steps import runtime

    url = world._request.getfixturevalue("prefect_harness")
    runtime.configure(world.config)
    made = []  # the clients made on this thread (Prefect's log and event services make their own, once)
    for client in (PrefectClient, SyncPrefectClient):
        monkeypatch.setattr(client, "__init__", lambda self, *a, _init=client.__init__, **k: (
            made.append(threading.current_thread()), _init(self, *a, **k))[-1])

    def batch(n):
        events = [(20_000 + n, "file", 9_000 + n)]  # no such event: nothing to carry out
        state = worker.run_in_prefect(flow_steps.start(FLOWS["objection"], "objection", events))
        assert state.is_completed(), state.message

    counts, errors = [], []

    def worker_thread():  # as the worker's: no event loop running in it (this test process may have one: Playwright)
        try:
            for n in range(3):
                batch(n)
            counts.append(made.count(threading.current_thread()))
            with temporary_settings(updates={PREFECT_API_URL: url}):  # settings of its own, as a test's outage has
                batch(3)
            counts.append(made.count(threading.current_thread()))
        except Exception as error:  # noqa: BLE001 - reported below, on the test's thread
            errors.append(error)
        finally:
            prefect_clients.forget()

    thread = threading.Thread(target=contextvars.copy_context().run, args=(worker_thread,))  # the harness's settings
    thread.start()
    thread.join()
    assert not errors, errors
    assert counts == [2, 4]  # one synchronous and one asynchronous for three batches; two more for new settings
