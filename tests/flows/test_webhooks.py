"""Department webhooks, end to end: a real local receiver that checks each signature and timestamp, refuses
unsigned and replayed (stale) messages, fails some attempts and applies each idempotency key once, so a
fresh copy of a message it already applied changes nothing."""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import select

from tests.receivers import serve_in_thread
from workflows.store.hub import WebhookDelivery

GROUNDS = "该行政处罚已于2026年3月撤销，列入黑名单的依据不存在。"


class DepartmentReceiver:
    """What a department runs: verify, refuse replays, apply once per key; the first `fail_first` fail."""

    def __init__(self, fail_first: int = 0):
        self.secret = ""
        self.fail_first, self.calls = fail_first, 0
        self.effects: dict[str, dict] = {}  # idempotency key -> message, applied once
        self.refused: list[str] = []
        self.last: tuple[dict, bytes] | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.handle(dict(self.headers), body)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/measures"
        self.lock = threading.Lock()

    def handle(self, headers: dict, body: bytes) -> int:
        with self.lock:
            self.calls += 1
            timestamp = headers.get("X-Credit-Cases-Timestamp", "")
            signature = headers.get("X-Credit-Cases-Signature", "")
            expected = "sha256=" + hmac.new(self.secret.encode(), timestamp.encode() + b"." + body,
                                            hashlib.sha256).hexdigest()
            if not signature or not hmac.compare_digest(signature, expected):
                self.refused.append("bad signature")
                return 401
            if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
                self.refused.append("replayed")
                return 401
            self.last = (headers, body)
            if self.calls <= self.fail_first:
                return 503
            key = headers["Idempotency-Key"]
            self.effects.setdefault(key, json.loads(body))
            return 200

    def __enter__(self):
        serve_in_thread(self.server)
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with DepartmentReceiver(fail_first=2) as receiver:
        yield receiver


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "demo-pass-2026"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def register(world, receiver, username="implementer"):
    # the receiver listens on loopback: allowed by the administrator's setting, for the app and for the worker
    world.app.config["CREDIT_CASES"].webhook_allowed_hosts = world.config.webhook_allowed_hosts = "127.0.0.1"
    client = world.app.test_client()
    headers = token(client, username)
    response = client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=headers)
    assert response.status_code == 201, response.get_json()
    receiver.secret = response.get_json()["secret"]
    return client, headers


@pytest.mark.prefect  # the real flows under Prefect's test harness
def test_measure_suspension_is_signed_retried_logged_and_applied_once(world, receiver):
    client, headers = register(world, receiver)
    entry_id = world.entry_of("applicant")
    case_id = world.file("applicant", list_entry_id=entry_id, grounds=GROUNDS)
    world.act(case_id, "accept", "office")
    world.drain()
    assert receiver.calls == 3  # two failures, then delivered by the retries
    [message] = receiver.effects.values()
    assert message["department"] == "CZJ" and message["type"] == "measures.changed"
    assert [(c["measure"], c["action"], c["from"], c["to"]) for c in message["changes"]] == [
        ("P-PROC", "suspend", "active", "suspended")]  # only this department's measure
    log = client.get("/api/v1/webhooks/deliveries", headers=headers).get_json()
    assert [(d["status"], d["attempts"], len(d["log"])) for d in log] == [("delivered", 3, 3)]
    assert [a["status_code"] for a in log[0]["log"]] == [503, 503, 200]

    # a manual redelivery is queued for the worker; it carries the same key with a fresh signature: accepted,
    # no second effect
    again = client.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/redeliver", headers=headers)
    assert again.status_code == 202 and receiver.calls == 3
    world.drain()
    [again] = client.get("/api/v1/webhooks/deliveries", headers=headers).get_json()
    assert again["log"][-1]["manual"] is True and again["status"] == "delivered"
    assert receiver.calls == 4 and len(receiver.effects) == 1
    # another department may neither see nor redeliver it
    bank = token(client, "bank")
    assert client.get("/api/v1/webhooks/deliveries", headers=bank).get_json() == []
    assert client.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/redeliver", headers=bank).status_code == 404


def test_unsigned_and_replayed_messages_are_refused_by_the_receiver(world, receiver):
    receiver.fail_first = 0
    register(world, receiver)
    case_id = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    world.act(case_id, "accept", "office")
    world.drain()
    delivery = world.query(lambda s: s.scalars(select(WebhookDelivery)).one())
    from workflows.services.deliveries.webhooks import body_of, signature

    body = world.query(lambda s: body_of(s.get(WebhookDelivery, delivery.id)))
    assert httpx.post(receiver.url, content=body, headers={"Idempotency-Key": "forged"}).status_code == 401
    stale = str(int(time.time()) - 3600)
    old = {"Idempotency-Key": "old", "X-Credit-Cases-Timestamp": stale,
           "X-Credit-Cases-Signature": signature(receiver.secret, stale, body)}
    assert httpx.post(receiver.url, content=body, headers=old).status_code == 401
    assert receiver.refused == ["bad signature", "replayed"] and len(receiver.effects) == 1
    headers, body = receiver.last  # the very message again, at once: accepted, applied no second time
    assert httpx.post(receiver.url, content=body, headers=headers).status_code == 200
    assert len(receiver.effects) == 1


def test_a_listing_through_the_api_tells_departments_and_their_endpoints(world, receiver, smtp):
    receiver.fail_first = 0
    register(world, receiver)
    client = world.app.test_client()
    from workflows.demo import enterprise_code

    code = enterprise_code("91440400000000777")
    response = client.post("/api/v1/list-entries", headers=token(client, "provider"), json={
        "subject_code": code, "subject_name": "珠海新列入有限公司", "list": "black", "basis": "某条例第十条",
        "document_no": "珠市监〔2026〕99号", "listed_on": "2026-11-01", "valid_until": "2029-11-01",
        "measures": ["P-PROC", "P-FIN"], "published_channel": "信用中国（珠海）网站"})
    assert response.status_code == 201, response.get_json()
    world.drain()
    [message] = receiver.effects.values()
    assert [(c["subject_code"], c["measure"], c["action"]) for c in message["changes"]] == [(code, "P-PROC", "apply")]
    assert "listing.apply" in smtp.kinds("bank@example.gov.cn")
    assert any(item["name"] == "珠海新列入有限公司" for kind, params in world.notices_to("implementer@example.gov.cn")
               if kind == "listing.apply" for item in params["items"])


def test_endpoint_must_be_https_outside_testing(world):
    from workflows.domain.errors import DomainError
    from workflows.services.deliveries import webhooks

    def attempt(session):
        actor = world.actor("implementer")
        with pytest.raises(DomainError, match="HTTPS"):
            webhooks.register_endpoint(session, actor, "http://dept.example.gov.cn/hooks", allow_http=False)
        with pytest.raises(DomainError, match="absolute URL"):
            webhooks.register_endpoint(session, actor, "ftp://dept.example.gov.cn/hooks", allow_http=True)
        with pytest.raises(DomainError, match="implementing department"):
            webhooks.register_endpoint(session, world.actor("office"), "https://x.example.gov.cn/", allow_http=False)
        return webhooks.register_endpoint(session, actor, "https://dept.example.gov.cn/hooks").url

    assert world.query(attempt) == "https://dept.example.gov.cn/hooks"


def test_a_bulk_import_is_one_event_fanned_out_per_department(world, receiver, smtp):
    import io

    receiver.fail_first = 0
    register(world, receiver)
    client = world.app.test_client()
    from workflows.demo import enterprise_code

    rows = "".join(f"{enterprise_code(f'91440400000{i:06d}')},批量企业{i},black,某条例第十条,文号{i},2026-11-01,"
                   f"2029-11-01,P-PROC;P-FIN\n" for i in range(30))
    csv = "subject_code,subject_name,list,basis,document_no,listed_on,valid_until,measures\n" + rows
    response = client.post("/api/v1/list-entries/import", headers=token(client, "provider"),
                           content_type="multipart/form-data", data={"file": (io.BytesIO(csv.encode()), "x.csv")})
    assert response.status_code == 201, response.get_json()
    world.drain()
    [message] = receiver.effects.values()  # the procurement office's endpoint: one message, 30 changes
    assert len(message["changes"]) == 30 and {c["action"] for c in message["changes"]} == {"apply"}
    assert smtp.kinds("bank@example.gov.cn").count("listing.apply") == 1
    to_bank = [params for kind, params in world.notices_to("bank@example.gov.cn") if kind == "listing.apply"]
    assert len(to_bank) == 1 and to_bank[0]["count"] == 30


INTERNAL = ("http://127.0.0.1:6379/", "http://localhost:5432/", "http://[::1]/hooks", "http://169.254.169.254/latest/",
            "http://10.0.0.5/hooks", "http://192.168.1.1/", "http://172.16.0.9/", "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0:8080/", "http://100.64.0.1/")


def test_internal_addresses_are_refused_alike_unless_the_administrator_allows_the_host(world, receiver):
    """Loopback, link-local and private targets: the same refusal whether anything answers there (a receiver
    listens on one of them) or not; the administrator's setting allows a host; a department keeps at most a few."""
    client = world.app.test_client()
    headers = token(client, "implementer")
    answers = set()
    for url in (*INTERNAL, receiver.url):
        response = client.post("/api/v1/webhooks", json={"url": url}, headers=headers)
        assert response.status_code == 422, (url, response.status_code)
        answers.add((response.json["error"]["message"], response.json["error"]["details"]["field"]))
    assert len(answers) == 1  # what listens on an internal port is not told
    page_client = world.app.test_client()
    page_client.post("/login", data={"username": "implementer", "password": "demo-pass-2026"})
    assert page_client.post("/webhooks", data={"url": "http://169.254.169.254/"}).status_code == 422
    register(world, receiver)  # allowed now
    from workflows.services.deliveries import webhooks

    for number in range(2, webhooks.MAX_ENDPOINTS_PER_DEPARTMENT + 1):
        assert client.post("/api/v1/webhooks", json={"url": f"{receiver.url}?n={number}"},
                           headers=headers).status_code == 201
    over = client.post("/api/v1/webhooks", json={"url": f"{receiver.url}?n=over"}, headers=headers)
    assert over.status_code == 409 and over.json["error"]["details"]["field"] == "url"


def test_a_delivery_to_an_address_no_longer_allowed_is_refused_and_logs_no_network_detail(world, receiver):
    from workflows.services.deliveries import webhooks
    from workflows.store.hub import WebhookAttempt

    register(world, receiver)
    world.app.config["CREDIT_CASES"].webhook_allowed_hosts = world.config.webhook_allowed_hosts = ""
    entry_id = world.entry_of("applicant")
    case_id = world.file("applicant", list_entry_id=entry_id, grounds=GROUNDS)
    world.act(case_id, "accept", "office")
    world.drain()
    assert not receiver.effects
    errors = world.query(lambda s: {a.error for a in s.query(WebhookAttempt).all()})
    assert errors == {webhooks.NOT_ALLOWED}
    assert all("Errno" not in e and "Connect" not in e for e in errors)
