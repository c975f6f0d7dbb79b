"""What is owed outside is never lost: a platform result or a department's webhook message that cannot be
delivered is retried with growing delays for days, shown to administrators and supervisors with its attempts,
redelivered by hand through the worker, and reported to the administrators when it still fails after a day.
A slow or silent endpoint holds up neither other events nor web requests."""
from datetime import timedelta

from sqlalchemy import select

from tests.receivers import SilentEndpoint
from workflows import clock
from workflows.automation import sweep, worker
from workflows.services.admin import settings
from workflows.store.automation import Notification, PlatformDelivery
from workflows.store.hub import WebhookAttempt, WebhookDelivery

GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "demo-pass-2026"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def refused_case(world):
    """A refused objection: its result is owed to the platform."""
    case_id = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    world.act(case_id, "refuse", "office", reason="申请材料不符合受理条件。")
    return case_id


def platform_delivery(world):
    return world.query(lambda s: s.scalars(select(PlatformDelivery)).one())


def run_sweep(world):
    return world.query(lambda s: sweep.sweep(s))


def test_a_platform_result_that_keeps_failing_is_retried_for_days_and_never_lost(world, platform, travel):
    platform.fail_first = 10**6  # the platform is down
    start = clock.now()
    travel(start)
    refused_case(world)
    world.drain()
    delivery = platform_delivery(world)
    assert delivery.status == "pending", "a result the platform did not take is still owed"
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > clock.now()
    tried = platform.attempts

    travel(start + timedelta(hours=3))  # still down: tried again by the sweep and the worker, still owed
    run_sweep(world)
    world.drain()
    assert platform.attempts > tried
    assert platform_delivery(world).status == "pending"

    platform.fail_first = platform.attempts  # the platform is back
    travel(start + timedelta(hours=30))
    run_sweep(world)
    world.drain()
    delivery = platform_delivery(world)
    assert delivery.status == "delivered" and len(platform.received) == 1
    # the administrators were told once it had failed for a day
    told = world.query(lambda s: s.scalars(select(Notification.kind).where(Notification.kind == "delivery.failing")).all())
    assert told and set(told) == {"delivery.failing"}


def test_a_delivery_gives_up_only_after_the_retry_window(world, platform, travel):
    platform.fail_first = 10**6
    start = clock.now()
    travel(start)
    refused_case(world)
    world.drain()
    days = world.query(lambda s: settings.get(s, "deliveries.retry_days"))
    for hours in range(6, 24 * days + 24, 6):
        travel(start + timedelta(hours=hours))
        run_sweep(world)
        world.drain()
    delivery = platform_delivery(world)
    assert delivery.status == "failed" and delivery.attempts > 10
    told = world.query(lambda s: s.scalars(select(Notification.dedupe_key).where(
        Notification.kind == "delivery.failing")).all())
    assert len(told) == len(set(told)) >= 1  # told once per administrator, not at every attempt


def test_deliveries_are_listed_for_administrators_and_redelivered_by_the_worker(world, platform):
    platform.fail_first = 10**6
    refused_case(world)
    world.drain()
    client = world.app.test_client()
    for username in ("admin", "supervisor"):
        listed = client.get("/api/v1/deliveries", headers=token(client, username))
        assert listed.status_code == 200
        [item] = listed.get_json()
        assert item["target"] == "platform" and item["status"] == "pending"
        assert item["attempts"] == len(item["log"]) >= 1
        assert {a["status_code"] for a in item["log"]} == {503} and all(a["at"] for a in item["log"])
    assert client.get("/api/v1/deliveries", headers=token(client, "implementer")).status_code == 403

    platform.fail_first = platform.attempts  # back: a manual redelivery is queued, not sent in the request
    tried = platform.attempts
    queued = client.post(f"/api/v1/deliveries/platform/{item['id']}/redeliver", headers=token(client, "admin"))
    assert queued.status_code == 202 and platform.attempts == tried
    world.drain()
    [item] = client.get("/api/v1/deliveries", headers=token(client, "admin")).get_json()
    assert item["status"] == "delivered" and item["log"][-1]["manual"] is True


def attempts(world):
    return len(world.query(lambda s: s.scalars(select(WebhookAttempt.id)).all()))


def test_a_silent_endpoint_holds_up_neither_other_events_nor_web_requests(world, smtp):
    with SilentEndpoint() as silent:
        # a local endpoint, allowed by the administrator's setting as a department's internal one would be
        world.app.config["CREDIT_CASES"].webhook_allowed_hosts = world.config.webhook_allowed_hosts = "127.0.0.1"
        client = world.app.test_client()
        headers = token(client, "implementer")
        for _ in range(2):
            assert client.post("/api/v1/webhooks", json={"url": silent.url}, headers=headers).status_code == 201
        first = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
        world.act(first, "accept", "office")  # suspends a measure of the implementer's department: its webhooks
        world.drain()
        smtp.messages.clear()
        world.act(first, "confirm", "provider", reason="经核实，处罚决定仍然有效。")  # resumes it: webhooks again
        world.file("person", list_entry_id=world.entry_of("person"), grounds=GROUNDS)  # unrelated
        tried = attempts(world)
        worker.run_once(world.config, in_process=True)
        assert smtp.kinds("office@example.gov.cn"), "the unrelated filing's notice was sent"
        # no endpoint was called on the events' path (it took 101 s before: five attempts of 10 s per endpoint)
        assert attempts(world) == tried

        world.drain()  # the deliveries: each attempt gives up at its time-out, tried again later
        rows = world.query(lambda s: [(d.status, d.log[-1].error) for d in s.scalars(select(WebhookDelivery))])
        assert rows and all(status == "pending" and error == "the endpoint did not answer in time" for status, error in rows)

        delivery_id = world.query(lambda s: s.scalars(select(WebhookDelivery.id)).first())
        before = attempts(world)
        queued = client.post(f"/api/v1/webhooks/deliveries/{delivery_id}/redeliver", headers=headers)
        assert queued.status_code == 202 and attempts(world) == before  # queued: the request calls no endpoint


def test_every_post_shares_the_process_s_one_tls_context(monkeypatch):
    """Making TLS settings loads the certificate store, which cost more CPU than a POST to a near endpoint: the
    lane makes them once per process, not once per POST."""
    import ssl

    from tests.receivers import HttpReceiver
    from workflows.services.deliveries import delivery_queue, outbound

    made = []
    create = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: made.append(1) or create(*a, **k))
    outbound.tls.cache_clear()
    with HttpReceiver() as receiver:
        for number in range(3):
            request = delivery_queue.Request(url=receiver.url, content=b'{"n": %d}' % number,
                                             headers={"Content-Type": "application/json"})
            assert outbound.post(request).delivered
    assert len(receiver.received) == 3 and len(made) == 1
