"""The public announcements page, its Atom feed and its API: newest first, paged, no log-in, and never a
key-attention matter, there or anywhere a public visitor (or another subject) can look."""
from datetime import timedelta
from xml.etree import ElementTree as ET

from sqlalchemy import select

from workflows import clock
from workflows.domain.lists import ExitReason
from workflows.services.lists.list_lifecycle import emit, exit_blacklist
from workflows.store.automation import Announcement
from workflows.store.base import utcnow
from workflows.store.models import ListEntry, Subject, User

ATOM = "{http://www.w3.org/2005/Atom}"
KEY_ENTERPRISE = "91440402MA51R2C9XC"
KEY_SECRETS = ("珠海某餐饮管理有限公司", KEY_ENTERPRISE, "珠市监食〔2026〕45号", "一年内两次食品安全抽检不合格",
               "列入重点关注名单", "key_attention", "entry-key-attention")
PASSWORD = "demo-pass-2026"


def add_announcements(db_session, n):
    start = utcnow() - timedelta(days=n)
    for i in range(n):
        db_session.add(Announcement(kind="exit", list_kind="black", channel="信用中国（珠海）网站",
                                    title=f"失信联合惩戒对象移出公告（第{i + 1}号）", body=f"第{i + 1}号公告正文。",
                                    published_at=start + timedelta(days=i)))
    db_session.commit()


def test_announcements_are_public_newest_first_and_paged(seeded, client, db_session):
    assert 'class="panel announcement' not in client.get("/public/announcements").get_data(as_text=True)
    add_announcements(db_session, 25)
    first = client.get("/public/announcements")
    # cacheable by the browser only: the page carries its form token (the language switch); the feed is public
    assert first.status_code == 200 and first.headers["Cache-Control"].startswith("private, max-age")
    text = first.get_data(as_text=True)
    assert text.index("第25号") < text.index("第24号") and "第6号" in text and "第5号" not in text
    second = client.get("/public/announcements?page=2").get_data(as_text=True)
    assert "第5号" in second and "第1号" in second and "第6号" not in second
    assert client.get("/public/announcements?page=abc").status_code == 200  # a bad page number is page 1
    assert client.get("/public/announcements?page=99").status_code == 200


def test_the_atom_feed_lists_the_same_newest_first(seeded, client, db_session):
    add_announcements(db_session, 3)
    response = client.get("/public/announcements.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}updated").text.endswith("Z")
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert titles == [f"失信联合惩戒对象移出公告（第{i}号）" for i in (3, 2, 1)]
    assert all(e.find(f"{ATOM}id").text for e in feed.findall(f"{ATOM}entry"))


def test_the_api_lists_them_without_a_token(seeded, client, db_session):
    add_announcements(db_session, 2)
    response = client.get("/api/v1/announcements?per_page=1")
    assert response.status_code == 200
    assert (response.json["total"], len(response.json["items"])) == (2, 1)
    assert response.json["items"][0]["list"] == "black" and "第2号" in response.json["items"][0]["title"]
    assert client.get("/api/v1/announcements?per_page=1000").status_code == 422
    assert "/api/v1/announcements" in client.get("/api/v1/openapi.json").json["paths"]


def _exit_applicant_by_repair(db_session):
    """The applicant's blacklist entry exits as an approved repair does: announced, key-attention follows."""
    entry = db_session.scalar(select(ListEntry).join(User, User.subject_id == ListEntry.subject_id)
                              .where(User.username == "applicant"))
    event = emit(db_session, "approve", utcnow())
    exit_blacklist(db_session, event, entry, ExitReason.REPAIRED, utcnow().date() + timedelta(days=365), utcnow())
    # a key-attention announcement written by mistake would still not be shown
    db_session.add(Announcement(kind="exit", list_kind="key_attention", title="重点关注名单移出（珠海某餐饮管理有限公司）",
                                body=KEY_ENTERPRISE))
    db_session.commit()


def test_no_key_attention_matter_on_any_public_page_the_feed_the_public_api_or_another_subjects_view(
        seeded, client, auth, db_session, app):
    _exit_applicant_by_repair(db_session)
    applicant_key = db_session.scalar(select(ListEntry).join(Subject).where(
        Subject.code == db_session.scalar(select(Subject.code).join(User, User.subject_id == Subject.id)
                                          .where(User.username == "applicant")),
        ListEntry.list_kind == "key_attention"))
    assert applicant_key is not None and applicant_key.status == "active"
    public_pages = sorted(rule.rule for rule in app.url_map.iter_rules()
                          if rule.rule.startswith("/public") and "GET" in rule.methods and not rule.arguments)
    assert "/public/announcements" in public_pages and "/public/announcements.atom" in public_pages
    responses = {path: client.get(path) for path in public_pages + ["/api/v1/announcements"]}
    responses["/public/lists?q=珠海"] = client.get("/public/lists?q=珠海")
    responses["/public/lists?q=" + KEY_ENTERPRISE] = client.get("/public/lists?q=" + KEY_ENTERPRISE)
    for code in (KEY_ENTERPRISE, applicant_key.subject.code):
        responses[f"api subject {code}"] = client.get(f"/api/v1/subjects/{code}")  # no token
    for path, response in responses.items():
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 401, 404), path
        for secret in KEY_SECRETS:
            if secret == KEY_ENTERPRISE and path.endswith("q=" + KEY_ENTERPRISE):
                continue  # the search box repeats what was searched
            assert secret not in text, (path, secret)
        assert applicant_key.basis not in text, path
    assert "失信联合惩戒对象移出公告（珠海示例科技有限公司）" in responses["/public/announcements"].get_data(as_text=True)

    # another subject's applicant sees neither the demo key-attention entry nor the applicant's new one
    auth.login("redco")
    token = client.post("/api/v1/auth/token", json={"username": "redco", "password": PASSWORD}).json["token"]
    for code in (KEY_ENTERPRISE, applicant_key.subject.code):
        page = client.get(f"/subjects/{code}").get_data(as_text=True)
        api = client.get(f"/api/v1/subjects/{code}", headers={"Authorization": f"Bearer {token}"})
        for text in (page, api.get_data(as_text=True)):
            assert "key_attention" not in text and "entry-key-attention" not in text
            assert applicant_key.basis not in text and "珠市监食〔2026〕45号" not in text
    auth.logout()

    # the subject itself sees its own key-attention entry
    auth.login("applicant")
    own = client.get(f"/subjects/{applicant_key.subject.code}").get_data(as_text=True)
    assert applicant_key.basis in own


KEY_DOCUMENT, KEY_BASIS = "珠市监〔2026〕77号", "一年内两次产品质量抽检不合格（重点关注）"
# what would give a key-attention listing away: its name in any language, its data, or the fact that some reason
# is being withheld
KEY_TRACES = ("重点关注", "key_attention", "key-attention", "Key-attention", KEY_DOCUMENT, KEY_BASIS, "not public",
              "不公开", "restricted")


def test_a_red_list_subject_put_on_the_key_attention_list_leaves_no_trace_in_public(world, client, api, app):
    """The red-list exit a key-attention listing causes is announced like any exit for misconduct, in words a
    blacklisting, a confirmed abuse or a broken commitment share (no elimination); and nobody but the subject
    and entitled departments learns its green-channel eligibility, not even that a reason is withheld."""
    from workflows.demo import ENTERPRISE_RED
    from workflows.services.deliveries.notify import PUBLIC_LOCALE, render

    listed = api("POST", "/api/v1/list-entries", "provider", json={
        "subject_code": ENTERPRISE_RED, "subject_name": "泉州守信制造有限公司", "list": "key_attention",
        "basis": KEY_BASIS, "document_no": KEY_DOCUMENT, "listed_on": clock.today().isoformat(),
        "valid_until": (clock.today() + timedelta(days=365)).isoformat(), "measures": ["P-INSPECT"]})
    assert listed.status_code == 201, listed.json
    world.drain()
    # an account signed up a moment ago, its claim not confirmed, and another confirmed subject's account
    signed_up = api("POST", "/api/v1/accounts", json={"code": ENTERPRISE_RED, "name": "泉州守信制造有限公司",
                                                     "username": "curious", "password": "curious-pass-2026",
                                                     "email": "curious@example.com"})
    assert signed_up.status_code == 201, signed_up.json

    responses = {}
    public_pages = sorted(rule.rule for rule in app.url_map.iter_rules()
                          if rule.rule.startswith(("/public", "/api/v1/public", "/api/v1/announcements"))
                          and "GET" in rule.methods and not rule.arguments)
    for path in public_pages + ["/public/lists?q=泉州", "/public/lists?q=" + ENTERPRISE_RED,
                                "/api/v1/public/list-entries?q=" + ENTERPRISE_RED]:
        responses[f"anonymous {path}"] = client.get(path)
    curious = client.post("/api/v1/auth/token", json={"username": "curious", "password": "curious-pass-2026"}).json
    for username in ("curious", "applicant", "person"):
        for path in (f"/api/v1/subjects/{ENTERPRISE_RED}",
                     f"/api/v1/subjects/{ENTERPRISE_RED}/credit-status?purpose=建设工程施工许可审批",
                     "/api/v1/licence-matters"):
            responses[f"{username} {path}"] = (
                api("GET", path, headers={"Authorization": f"Bearer {curious['token']}"}) if username == "curious"
                else api("GET", path, username))
    for username, password in (("curious", "curious-pass-2026"), ("person", PASSWORD)):
        client.post("/login", data={"username": username, "password": password})
        for path in (f"/subjects/{ENTERPRISE_RED}", "/green", "/cases", "/notifications"):
            responses[f"{username} {path}"] = client.get(path)
        client.post("/logout")
    for where, response in responses.items():
        assert response.status_code == 200, where
        text = response.get_data(as_text=True)
        for trace in KEY_TRACES:
            assert trace not in text, (where, trace)
        if "credit-status" in where:
            assert "green_channel" not in response.json and response.json["red"] == [], where

    # the red entry's exit reads as one any finding would give, on the subject's page and in the API alike
    red = [e for e in responses[f"person /api/v1/subjects/{ENTERPRISE_RED}"].json["entries"] if e["list"] == "red"]
    assert [(e["status"], e["exit_reason"]) for e in red] == [("exited", "misconduct")]
    assert "存在失信或其他不良行为" in responses[f"person /subjects/{ENTERPRISE_RED}"].get_data(as_text=True)

    # the exit is announced, in the very words another, non-public reason would give
    exits = [a for a in client.get("/api/v1/announcements").json["items"] if "泉州" in a["title"]]
    assert [a["list"] for a in exits] == ["red"]
    for trigger in ("blacklisted", "abuse", "broken_commitment"):
        assert render("announce.redlist_exit", {"name": "泉州守信制造有限公司", "why": trigger},
                      PUBLIC_LOCALE)[1] == exits[0]["body"], trigger

    # the subject itself and an entitled department still learn why it is not eligible
    for username in ("redco", "licensing"):
        own = api("GET", f"/api/v1/subjects/{ENTERPRISE_RED}/credit-status?purpose=建设工程施工许可审批", username)
        assert own.json["green_channel"]["eligible"] is False
        assert "key_attention" in [r["code"] for r in own.json["green_channel"]["reasons"]]
