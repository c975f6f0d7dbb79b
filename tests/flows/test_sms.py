"""Notices by SMS: an applicant and a department contact with a mobile number receive each notice also as a signed
POST to the SMS gateway (a template code per notice kind, the notice's short values as parameters), delivered by
the worker's delivery lane: retried when the gateway refuses or is down, redelivered by hand, sent once at the
gateway whatever the retries, and never holding up the e-mails or the departments' webhooks. E-mail stays."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.receivers import HttpReceiver, SilentEndpoint, SmsGateway
from workflows import clock
from workflows.automation import sweep, worker
from workflows.domain.errors import InvalidInput
from workflows.services.deliveries import sms
from workflows.store.hub import WebhookDelivery
from workflows.store.models import User
from workflows.store.sms import SmsDelivery

GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"
APPLICANT_MOBILE = "13800138000"
OFFICE_MOBILE = "13900139000"
IMPLEMENTER_MOBILE = "15000150000"


@pytest.fixture
def gateway():
    with SmsGateway() as receiver:
        yield receiver


def connect(world, url, *, secret="gateway-secret", sign_name="信用珠海"):
    world.config.sms_url, world.config.sms_key_id, world.config.sms_secret = url, "cc-demo", secret
    world.config.sms_sign_name = sign_name


def give_mobiles(world, **mobiles):
    def update(session):
        for username, phone in mobiles.items():
            session.scalars(select(User).where(User.username == username)).one().phone = phone
    world.query(update)


@pytest.fixture
def texting(world, gateway):
    """The demo with an SMS gateway configured and mobiles for the applicant and two department contacts."""
    connect(world, gateway.url)
    give_mobiles(world, applicant=APPLICANT_MOBILE, office=OFFICE_MOBILE, implementer=IMPLEMENTER_MOBILE)
    return world


def objection(world):
    return world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)


def deliveries(world):
    return world.query(lambda s: [(d.phone, d.template_code, d.status, d.attempts, [a.manual for a in d.log])
                                  for d in s.scalars(select(SmsDelivery).order_by(SmsDelivery.id))])


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "demo-pass-2026"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_the_applicant_and_the_office_receive_their_notices_by_sms_and_by_email(texting, gateway, smtp):
    case_id = objection(texting)
    texting.drain()
    [to_applicant] = gateway.to(APPLICANT_MOBILE)
    assert to_applicant["template_code"] == "CC_OBJECTION_RECEIVED" and to_applicant["sign_name"] == "信用珠海"
    assert to_applicant["params"] == {"case": str(case_id)}
    [to_office] = gateway.to(OFFICE_MOBILE)
    assert to_office["template_code"] == "CC_OBJECTION_TO_REVIEW"
    assert "objection.received" in smtp.kinds("applicant@example.gov.cn"), "e-mail stays"
    assert "objection.to_review" in smtp.kinds("office@example.gov.cn")

    texting.act(case_id, "refuse", "office", reason="申请材料不符合受理条件，所附决定书与被异议记录不一致。")
    texting.drain()
    result = [m for m in gateway.to(APPLICANT_MOBILE) if m["template_code"] == "CC_OBJECTION_RESULT"]
    # the short values, as the applicant reads them: the result by its Chinese label; the long reason is left out
    assert result and result[0]["params"] == {"case": str(case_id), "result": "不予受理"}
    assert all(status == "delivered" for _, _, status, _, _ in deliveries(texting))
    assert gateway.refused_signatures == 0, "every request was signed with the gateway's key"


def test_a_user_without_a_mobile_or_who_switched_sms_off_gets_none(texting, gateway, smtp):
    def switch_off(session):
        session.scalars(select(User).where(User.username == "office")).one().sms_opt_in = False
    texting.query(switch_off)
    give_mobiles(texting, applicant="")
    objection(texting)
    texting.drain()
    assert gateway.sent == {} and deliveries(texting) == []
    assert smtp.kinds("applicant@example.gov.cn") and smtp.kinds("office@example.gov.cn"), "e-mail stays"


def test_no_sms_is_owed_while_no_gateway_is_configured(world, smtp):
    give_mobiles(world, applicant=APPLICANT_MOBILE)
    objection(world)
    world.drain()
    assert deliveries(world) == [] and smtp.kinds("applicant@example.gov.cn")


def test_a_refusing_gateway_is_tried_again_later_and_sends_each_message_once(texting, gateway, travel):
    gateway.fail_first = 6  # busy for the first round of both messages, and then some
    start = clock.now()
    travel(start)
    objection(texting)
    texting.drain()
    assert {status for _, _, status, _, _ in deliveries(texting)} == {"pending"}, "owed, not lost"
    travel(start + timedelta(minutes=5))
    texting.query(lambda s: sweep.sweep(s))
    texting.drain()
    rows = deliveries(texting)
    assert {status for _, _, status, _, _ in rows} == {"delivered"} and all(attempts > 1 for *_, attempts, _ in rows)
    assert len(gateway.sent) == 2 and len(gateway.request_ids) == 2


def test_an_answer_lost_after_the_gateway_took_the_message_is_retried_without_a_second_sms(texting, gateway):
    gateway.lose_answers = 1
    objection(texting)
    texting.drain()
    assert len(gateway.request_ids) == 3, "the lost answer made the product try again"
    assert len(gateway.sent) == 2, "the same request id: the gateway sent it once"
    assert {status for _, _, status, _, _ in deliveries(texting)} == {"delivered"}


def test_a_gateway_that_is_down_is_redelivered_by_hand_through_the_worker(texting, gateway):
    gateway.fail_first = 10**6  # down
    objection(texting)
    texting.drain()
    client = texting.app.test_client()
    listed = client.get("/api/v1/deliveries?status=owed", headers=token(client, "admin")).get_json()
    owed = [d for d in listed if d["target"] == "sms"]
    assert len(owed) == 2 and all({a["status_code"] for a in d["log"]} == {503} for d in owed)
    assert all(APPLICANT_MOBILE not in d["destination"] for d in owed), "the number is shown masked"
    assert any(d["destination"] == "138****8000" for d in owed)
    client.post("/login", data={"username": "admin", "password": "demo-pass-2026"})
    page = client.get("/deliveries?status=owed").get_data(as_text=True)
    assert f"短信 #{owed[0]['id']}" in page and "138****8000" in page and APPLICANT_MOBILE not in page

    gateway.fail_first = gateway.attempts  # back
    for d in owed:
        assert client.post(f"/api/v1/deliveries/sms/{d['id']}/redeliver", headers=token(client, "admin")).status_code == 202
    assert gateway.sent == {}, "queued for the worker, not sent in the request"
    texting.drain()
    assert len(gateway.sent) == 2
    assert all(status == "delivered" and manual[-1] for _, _, status, _, manual in deliveries(texting))


def test_the_gateway_refuses_a_request_signed_with_another_secret(texting, gateway):
    connect(texting, gateway.url, secret="not-the-gateway-secret")
    objection(texting)
    texting.drain()
    assert gateway.sent == {} and gateway.refused_signatures >= 2
    assert {status for _, _, status, _, _ in deliveries(texting)} == {"pending"}, "still owed"


def test_a_silent_gateway_holds_up_neither_the_emails_nor_the_webhooks(texting, smtp):
    with SilentEndpoint() as silent, HttpReceiver() as hooks:
        connect(texting, silent.url)
        texting.app.config["CREDIT_CASES"].webhook_allowed_hosts = texting.config.webhook_allowed_hosts = "127.0.0.1"
        client = texting.app.test_client()
        assert client.post("/api/v1/webhooks", json={"url": hooks.url},
                           headers=token(client, "implementer")).status_code == 201
        case_id = objection(texting)
        texting.act(case_id, "accept", "office")  # suspends a measure of the implementer's department
        worker.run_once(texting.config, in_process=True)
        worker.run_once(texting.config, in_process=True)
        assert "objection.accepted" in smtp.kinds("applicant@example.gov.cn"), "e-mailed on the events' path"
        assert texting.query(lambda s: s.scalars(select(SmsDelivery)).all()), "the SMS are owed"

        texting.drain()  # the SMS rounds wait on the silent gateway; the webhook's round beside them does not
        assert hooks.received and texting.query(
            lambda s: {d.status for d in s.scalars(select(WebhookDelivery))}) == {"delivered"}
        rows = texting.query(lambda s: [(d.status, d.log[-1].error) for d in s.scalars(select(SmsDelivery))])
        assert rows and all(r == ("pending", "the endpoint did not answer in time") for r in rows)
        assert any(phone == IMPLEMENTER_MOBILE for phone, *_ in deliveries(texting)), "a department contact too"


@pytest.mark.parametrize("given, kept", [("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"),
                                         ("8613800138000", "13800138000"), ("", "")])
def test_a_chinese_mobile_number_is_kept_in_one_form(given, kept):
    assert sms.check_mobile(given) == kept


@pytest.mark.parametrize("given", ["12800138000", "1380013800", "138001380001", "010-12345678", "phone"])
def test_anything_but_a_chinese_mobile_number_is_refused(given):
    with pytest.raises(InvalidInput):
        sms.check_mobile(given)


def test_the_template_codes_are_derived_from_the_kinds_unless_the_operator_names_others():
    codes = sms.template_codes("objection.result=SMS_1001, no.such.kind=SMS_9, repair.result=")
    assert codes["objection.result"] == "SMS_1001" and codes["repair.result"] == "CC_REPAIR_RESULT"
    assert codes["redlist.removed.contestable"] == "CC_REDLIST_REMOVED_CONTESTABLE" and "no.such.kind" not in codes
