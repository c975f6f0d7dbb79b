"""Notices by SMS: each notice a step sends to a user with a mobile number (who has not switched SMS off) is also
owed to the operator's SMS gateway, as one signed POST with the gateway's template code for the notice's kind and
the notice's short values as the template's parameters; the delivery lane (outbound.py) attempts it, retries it
for days and logs each attempt, like the platform's results and the departments' webhook messages.

The request (docs/guide/deliveries.md): a JSON body `{"phone", "sign_name", "template_code", "params",
"request_id"}` and the headers `X-Key-Id` (CREDIT_CASES_SMS_KEY_ID), `X-Timestamp` (Unix seconds of this attempt)
and `X-Signature`: hex HMAC-SHA256, keyed with CREDIT_CASES_SMS_SECRET, over the timestamp followed by the body's
bytes. `request_id` is the same on every attempt of one notice to one number: a gateway sends it once. A 2xx
answer means the gateway took the message; any other answer, or none, is retried.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from workflows.config import Config
from workflows.domain.errors import N_, InvalidInput
from workflows.notices import KINDS
from workflows.services.deliveries import delivery_queue, notify
from workflows.services.deliveries.delivery_queue import Request
from workflows.store.automation import Notification
from workflows.store.base import insert_for, utcnow
from workflows.store.models import User
from workflows.store.sms import SmsDelivery

KEY_ID_HEADER = "X-Key-Id"
TIMESTAMP_HEADER = "X-Timestamp"
SIGNATURE_HEADER = "X-Signature"
TOLERANCE_SECONDS = 300
MOBILE = re.compile(r"1[3-9]\d{9}")
MAX_PARAM = 35  # gateways refuse longer template parameters: a notice's full texts stay in the inbox and e-mail
# a person's own words or a long explanation, however short this one is: read in the inbox and the e-mail
TEXTS = frozenset({"reason", "basis", "reply", "message", "error", "items", "measures", "more", "destination"})
NOT_A_MOBILE = N_("a mobile number has 11 digits and starts with 13 to 19, such as 13800138000")


# --- mobile numbers ---

def check_mobile(value: str | None, *, field: str = "phone") -> str:
    """A Chinese mobile number as kept ("" when none is given): spaces and dashes dropped, +86 or 86 before it
    allowed; anything else is refused."""
    number = re.sub(r"[\s-]", "", value or "")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    if not number:
        return ""
    if not MOBILE.fullmatch(number):
        raise InvalidInput(NOT_A_MOBILE, field=field)
    return number


def is_mobile(value: str | None) -> bool:
    return bool(value) and MOBILE.fullmatch(value) is not None


def masked(phone: str) -> str:
    """A mobile number as the deliveries page shows it: 138****8000."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "****"


# --- what is sent ---

def template_codes(overrides: str = "") -> dict[str, str]:
    """The gateway's template code of every notice kind: derived from the kind (objection.result:
    CC_OBJECTION_RESULT) unless CREDIT_CASES_SMS_TEMPLATES names another (objection.result=SMS_1001,...)."""
    codes = {kind_id: "CC_" + re.sub(r"[^A-Z0-9]+", "_", kind_id.upper()) for kind_id in KINDS}
    for pair in (overrides or "").split(","):
        kind_id, _, code = pair.partition("=")
        if kind_id.strip() in codes and code.strip():
            codes[kind_id.strip()] = code.strip()
    return codes


def short_params(kind_id: str, params: Mapping[str, object], locale: str) -> dict[str, str]:
    """The notice's short values as the reader sees them (the case number, a result's label, a date): lists and
    long texts (reasons, grounds) are left to the inbox and the e-mail."""
    spec = KINDS[kind_id]
    short = {}
    for name, value in params.items():
        if name in TEXTS or name in spec.lines or isinstance(value, list) or value is None:
            continue
        shown = notify.shown_value(kind_id, name, value, locale)
        if shown and len(shown) <= MAX_PARAM:
            short[name] = shown
    return short


def record(session: Session, notification_ids: Iterable[int], config: Config) -> list[int]:
    """The SMS owed for these notices, in the caller's transaction (the step's own, so a notice never goes
    without its SMS): one per notice to a user with a mobile number who receives SMS; none while no gateway is
    configured. A repeated call adds none twice."""
    if not config.sms_url:
        return []
    codes = template_codes(config.sms_templates)
    insert = insert_for(session.get_bind().dialect.name)
    created = []
    for notification_id in notification_ids:
        note = session.get(Notification, notification_id)
        user = session.get(User, note.user_id) if note is not None else None
        if user is None or not user.active or not user.sms_opt_in or not is_mobile(user.phone):
            continue
        statement = insert(SmsDelivery).values(
            notification_id=note.id, case_id=note.case_id, url=config.sms_url, phone=user.phone, template_code=codes[note.kind],
            params=short_params(note.kind, note.params or {}, notify.locale_of(user)),
            request_id=f"credit-cases-n{note.id}-{user.phone}", status="pending", attempts=0, last_error="",
            created_at=utcnow(),
        ).on_conflict_do_nothing(index_elements=["request_id"]).returning(SmsDelivery.id)
        new_id = session.execute(statement).scalar()
        if new_id is not None:
            created.append(new_id)
            delivery_queue.queue(session, "sms", new_id)
    return created


def body_of(delivery: SmsDelivery, sign_name: str) -> bytes:
    message = {"phone": delivery.phone, "sign_name": sign_name, "template_code": delivery.template_code,
               "params": delivery.params, "request_id": delivery.request_id}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).hexdigest()


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> bool:
    """What a gateway checks: a fresh timestamp and a matching signature (for integrators' reference)."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), headers.get(SIGNATURE_HEADER, ""))


def request_of(delivery: SmsDelivery, config: Config) -> Request:
    """The signed POST of an attempt: a fresh timestamp and signature, the same request id every time."""
    body, timestamp = body_of(delivery, config.sms_sign_name), str(int(time.time()))
    return Request(delivery.url, body, {
        "Content-Type": "application/json; charset=utf-8", KEY_ID_HEADER: config.sms_key_id,
        TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(config.sms_secret, timestamp, body),
        "User-Agent": "credit-cases-sms/1"})
