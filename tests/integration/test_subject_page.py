"""A subject's page and API view show the key-attention list only to those entitled to it."""
import pytest

from workflows.demo import ENTERPRISE_KEY, PERSON_BLACK

# the pages and what each role may do with them: their subject is no database (the flow, persistence and
# end-to-end tests run on both)
pytestmark = pytest.mark.one_database

PASSWORD = "demo-pass-2026"


@pytest.mark.parametrize(
    "viewer, shown",
    [("office", True), ("provider", True), ("implementer", True), ("supervisor", True), ("admin", True),
     ("redco", False), ("applicant", False)],
)
def test_key_attention_entry_only_for_entitled_viewers(client, auth, seeded, viewer, shown):
    auth.login(viewer)
    page = client.get(f"/subjects/{ENTERPRISE_KEY}").get_data(as_text=True)
    assert ("entry-key-attention" in page) is shown
    token = client.post("/api/v1/auth/token", json={"username": viewer, "password": PASSWORD}).json["token"]
    data = client.get(f"/api/v1/subjects/{ENTERPRISE_KEY}", headers={"Authorization": f"Bearer {token}"}).json
    assert any(e["list"] == "key_attention" for e in data["entries"]) is shown


def test_anonymous_is_sent_to_log_in(client, seeded):
    response = client.get(f"/subjects/{ENTERPRISE_KEY}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_person_id_is_masked_for_other_applicants(client, auth, seeded):
    auth.login("redco")
    page = client.get(f"/subjects/{PERSON_BLACK}").get_data(as_text=True)
    # the viewer typed the full number into the address; the page itself shows it masked
    assert f"<code>{PERSON_BLACK[:6]}********{PERSON_BLACK[-4:]}</code>" in page
    assert f"<code>{PERSON_BLACK}</code>" not in page
    auth.logout()
    auth.login("person")
    assert f"<code>{PERSON_BLACK}</code>" in client.get(f"/subjects/{PERSON_BLACK}").get_data(as_text=True)


@pytest.mark.parametrize("code, status", [("91110000600037341A", 422), ("123", 422), ("91110000600037341L", 404)])
def test_bad_codes_are_clear_errors(client, auth, seeded, code, status):
    auth.login("office")
    response = client.get(f"/subjects/{code}")
    assert response.status_code == status


@pytest.mark.parametrize("viewer, escalate, report, reevaluate", [
    ("provider", True, True, True),  # SCJGJ listed the key-attention entry and the second red entry
    ("tax", False, True, False),  # another listing department: may report abuse, not escalate SCJGJ's entry
    ("applicant", False, False, False),
])
def test_the_entry_actions_on_a_subject_page_are_offered_to_those_who_may_take_them(client, auth, seeded, db_session, viewer,
                                                                                    escalate, report, reevaluate):
    from sqlalchemy import select

    from workflows.demo import ENTERPRISE_BLACK, ENTERPRISE_RED_2
    from workflows.store.models import ListEntry

    auth.login(viewer)
    key_page = client.get(f"/subjects/{ENTERPRISE_KEY}").text
    red_page = client.get(f"/subjects/{ENTERPRISE_RED_2}").text
    key_entry = db_session.scalar(select(ListEntry.id).where(ListEntry.list_kind == "key_attention"))
    assert (f'href="/lists/{key_entry}/escalate"' in key_page) is escalate
    assert (f'href="/red-list/abuse-report?subject_code={ENTERPRISE_RED_2}"' in red_page) is report
    assert ('href="/red-list/re-evaluation"' in red_page) is reevaluate
    black_page = client.get(f"/subjects/{ENTERPRISE_BLACK}").text  # SCJGJ's blacklist entry: its own to re-evaluate
    assert ('href="/blacklist/re-evaluation"' in black_page) is reevaluate
    if escalate:
        assert client.get(f"/lists/{key_entry}/escalate").status_code == 200  # the link leads to a page it may use
