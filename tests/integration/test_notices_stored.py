"""A notice is stored per recipient in the recipient's language, with its kind and parameters, once per key."""
from sqlalchemy import select

from workflows.services.admin.accounts import find_user
from workflows.services.deliveries import notify
from workflows.store.automation import Notification


def test_each_recipient_reads_the_notice_in_the_language_of_the_account(seeded, db_session):
    english, chinese = find_user(db_session, "office"), find_user(db_session, "supervisor")
    english.locale, chinese.locale = "en", ""
    db_session.flush()
    params = {"due": "2027-01-04", "case": 42}
    ids = notify.notice(db_session, "deadline.breached.supervise", [english, chinese], key={"event": 9, "to": "test"},
                        **params)
    db_session.commit()
    notes = {n.user_id: n for n in db_session.scalars(select(Notification).where(Notification.id.in_(ids)))}
    assert notes[english.id].subject == "Overdue case to supervise (case #42)"
    assert notes[english.id].body == "Case #42 passed its time limit (2027-01-04): it is overdue and reported for supervision."
    assert notes[chinese.id].subject == "逾期案件待督办（案件 #42）"
    assert notes[chinese.id].body == "案件 #42 已超过办理期限（2027-01-04），已列为逾期并报督办。"
    for note in notes.values():
        assert (note.kind, note.params) == ("deadline.breached.supervise", params)
        assert note.dedupe_key == f"e9:test:u{note.user_id}"
    # the same key again adds nothing
    assert notify.notice(db_session, "deadline.breached.supervise", [english, chinese], key={"event": 9, "to": "test"},
                         **params) == []


def test_a_name_held_in_both_languages_is_shown_in_the_readers(seeded, db_session):
    english, chinese = find_user(db_session, "office"), find_user(db_session, "supervisor")
    english.locale = "en"
    ids = notify.notice(db_session, "urging.replied", [english, chinese], key={"event": 10}, case=3, by="王某",
                        reply="已办理。", department=notify.bilingual("市财政局", "Finance Bureau"))
    subjects = dict(db_session.execute(select(Notification.user_id, Notification.subject)
                                       .where(Notification.id.in_(ids))).all())
    assert subjects == {english.id: "Reply to your urging: Finance Bureau (case #3)",
                        chinese.id: "督办回复：市财政局（案件 #3）"}
