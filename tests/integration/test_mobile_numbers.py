"""A mobile number for notices by SMS: given at sign-up, changed on one's own account page (or through the API) with
the choice to receive SMS, given by the administrator to a department's staff; only a Chinese mobile number is
kept, anything else is refused and changes nothing."""
import pytest
from sqlalchemy import select

from workflows.store.models import User

# the pages and what each role may do with them: their subject is no database (the flow, persistence and
# end-to-end tests run on both)
pytestmark = pytest.mark.one_database

SIGN_UP = {"code": "11010519491231002X", "name": "张三", "username": "zhangsan", "password": "long-enough-1",
           "confirm": "long-enough-1"}


def user(db_session, username):
    db_session.expire_all()
    return db_session.scalar(select(User).where(User.username == username))


def test_sign_up_keeps_a_mobile_number_and_receives_sms_by_default(seeded, client, db_session):
    assert client.post("/signup", data={**SIGN_UP, "phone": "+86 138 0013 8000"}).status_code == 302
    signed_up = user(db_session, "zhangsan")
    assert signed_up.phone == "13800138000" and signed_up.sms_opt_in is True


def test_sign_up_refuses_what_is_not_a_mobile_number(seeded, client, db_session):
    response = client.post("/signup", data={**SIGN_UP, "phone": "010-12345678"})
    assert response.status_code == 422 and "手机号码应为 11 位数字" in response.get_data(as_text=True)
    assert user(db_session, "zhangsan") is None


def test_an_applicant_sets_its_mobile_number_and_switches_sms_off(seeded, client, auth, db_session):
    auth.login("applicant")
    page = client.get("/account/contact")
    assert page.status_code == 200 and "同时以短信接收通知" in page.get_data(as_text=True)
    assert "/account/contact" in client.get("/notifications").get_data(as_text=True)
    assert client.post("/account/contact", data={"phone": "139 0013 9000"}).status_code == 302
    saved = user(db_session, "applicant")
    assert saved.phone == "13900139000" and saved.sms_opt_in is False

    refused = client.post("/account/contact", data={"phone": "1390013900", "sms": "y"})
    assert refused.status_code == 422 and "手机号码应为 11 位数字" in refused.get_data(as_text=True)
    unchanged = user(db_session, "applicant")
    assert unchanged.phone == "13900139000" and unchanged.sms_opt_in is False


def test_the_api_sets_the_callers_mobile_number(api, db_session):
    answer = api("PUT", "/api/v1/accounts/me/contact", "person", json={"phone": "15000150000", "sms": True})
    assert answer.status_code == 200 and answer.get_json()["phone"] == "15000150000" and answer.get_json()["sms"]
    refused = api("PUT", "/api/v1/accounts/me/contact", "person", json={"phone": "12345", "sms": True})
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["error"]["details"]["field"] == "phone"
    assert user(db_session, "person").phone == "15000150000"


def test_the_administrator_gives_a_department_contact_a_mobile_number(seeded, client, auth, db_session):
    auth.login("admin")
    form = {"username": "czj-contact", "password": "long-enough-1", "roles": ["implementing_department"],
            "department": "CZJ", "phone": "1860018600"}
    assert client.post("/admin/users/new", data=form).status_code == 422
    assert user(db_session, "czj-contact") is None
    assert client.post("/admin/users/new", data={**form, "phone": "18600186000"}).status_code == 302
    assert user(db_session, "czj-contact").phone == "18600186000"
