"""Real local peers for the tests: an SMTP server, an HTTP receiver and an SMS gateway that can fail on purpose."""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


class _Mailbox:
    def __init__(self):
        self.messages = []
        self.refuse = 0  # refuse this many messages more (a temporary failure, 451)
        self.connections = 0

    def _connection(self, session) -> int:
        """The number of the SMTP connection (aiosmtpd's session) a message came over, counted from 1."""
        if not hasattr(session, "credit_cases_number"):
            self.connections += 1
            session.credit_cases_number = self.connections
        return session.credit_cases_number

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 Requested action aborted: try again later"
        message = message_from_bytes(envelope.content)
        self.messages.append({
            "connection": self._connection(session),  # messages sent over one SMTP connection share it
            "to": envelope.rcpt_tos,
            "subject": str(make_header(decode_header(message["Subject"]))),
            "message_id": message["Message-ID"],
            "kind": message["X-Notice-Kind"] or "",
            "body": message.get_payload(decode=True).decode("utf-8") if not message.is_multipart() else "",
        })
        return "250 OK"


# how often a test's server looks for its shutdown: the default half second is a wait at the end of every test
POLL_SECONDS = 0.02


def serve_in_thread(server) -> threading.Thread:
    """Run a socketserver-style server (http.server, werkzeug) in a daemon thread; its `shutdown()` returns within
    POLL_SECONDS."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
    thread.start()
    return thread


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.mailbox = _Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self) -> list[dict]:
        return self.mailbox.messages

    def to(self, address: str) -> list[dict]:
        return [m for m in self.messages if address in m["to"]]

    def kinds(self, address: str) -> list[str]:
        """The notice kinds e-mailed to an address (workflows/notices.py), in the order sent."""
        return [m["kind"] for m in self.to(address)]


class HttpReceiver:
    """Records POSTed JSON bodies; answers 503 to the first `fail_first` requests."""

    def __init__(self, fail_first: int = 0):
        self.fail_first = fail_first
        self.attempts = 0
        self.received: list[dict] = []
        self.headers: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.attempts += 1
                if receiver.attempts <= receiver.fail_first:
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.received.append(json.loads(body))
                receiver.headers.append(dict(self.headers))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def __enter__(self):
        self.thread = serve_in_thread(self.server)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/results"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class SilentEndpoint:
    """An endpoint that accepts connections and never answers (a hung receiver)."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/hooks"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.socket.close()


class SmsGateway:
    """An SMS gateway as the common ones answer: checks each request's key id and HMAC signature (401 when wrong),
    sends each request id once however often it comes (`sent`), answers 503 to the first `fail_first` requests,
    or takes the first `lose_answers` ones and then fails to answer them (the product must retry; nobody is sent
    a message twice)."""

    def __init__(self, key_id: str = "cc-demo", secret: str = "gateway-secret", fail_first: int = 0,
                 lose_answers: int = 0):
        self.key_id, self.secret = key_id, secret
        self.fail_first, self.lose_answers = fail_first, lose_answers
        self.attempts = 0
        self.refused_signatures = 0
        self.request_ids: list[str] = []  # of every request it took, repeated ones too
        self.sent: dict[str, dict] = {}  # request id -> the message, sent once
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.attempts += 1
                timestamp = self.headers.get("X-Timestamp", "")
                expected = hmac.new(gateway.secret.encode(), timestamp.encode() + body, hashlib.sha256).hexdigest()
                if (self.headers.get("X-Key-Id") != gateway.key_id
                        or not hmac.compare_digest(expected, self.headers.get("X-Signature", ""))):
                    gateway.refused_signatures += 1
                    return self._answer(401, {"code": "InvalidSignature"})
                if gateway.attempts <= gateway.fail_first:
                    return self._answer(503, {"code": "Busy"})
                message = json.loads(body)
                gateway.request_ids.append(message["request_id"])
                gateway.sent.setdefault(message["request_id"], message)
                if len(gateway.request_ids) <= gateway.lose_answers:
                    return self._answer(502, {"code": "AnswerLost"})  # taken, but the product does not know it
                self._answer(200, {"code": "OK", "request_id": message["request_id"]})

            def _answer(self, status: int, payload: dict) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(payload).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def __enter__(self):
        self.thread = serve_in_thread(self.server)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def to(self, phone: str) -> list[dict]:
        return [m for m in self.sent.values() if m["phone"] == phone]
