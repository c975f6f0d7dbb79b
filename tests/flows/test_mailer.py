"""The batch thread's mailer (workflows/steps/carry.py): each e-mail handed to the SMTP server is recorded at once,
on a database connection the mailer keeps, and a connection that broke is not kept."""
import dataclasses
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from sqlalchemy import event, select

from workflows.services.admin.accounts import find_user
from workflows.services.deliveries import notify
from workflows.steps import carry, runtime
from workflows.store.automation import Notification


def _owed(rt, count: int, key: str) -> list:
    """`count` notices to the applicant, with their e-mails composed: [(notification id, message)]."""
    with rt.sessions() as session:
        applicant = find_user(session, "applicant")
        ids = [notify.notice(session, "urging.sent", [applicant], key={"event": f"{key}-{n}"}, case=1, by="test",
                             due="2027-01-04", message=f"e-mail {key} {n}")[0] for n in range(count)]
        session.commit()
        notes = {n.id: n for n in session.scalars(select(Notification).where(Notification.id.in_(ids)))}
        return [(i, notify.compose(notes[i], rt.config)) for i in ids]


def _emailed(rt, ids: list[int]) -> int:
    with rt.sessions() as session:
        return sum(n.emailed_at is not None for n in session.scalars(select(Notification).where(Notification.id.in_(ids))))


def test_each_email_is_recorded_at_once_on_the_one_connection_the_mailer_keeps(world, smtp):
    rt = runtime.configure(world.config)
    owed = _owed(rt, 5, "kept")
    checkouts = []
    event.listen(rt.sessions.kw["bind"], "checkout", lambda *_: checkouts.append(1))
    with carry.Mailer(rt.config) as mailer:
        sent, error = mailer.send(owed)
        assert error is None and sent == [i for i, _ in owed]
        assert _emailed(rt, sent) == 5  # recorded and committed before the batch ends
    assert len(smtp.messages) == 5
    assert len(checkouts) == 1 + 1  # the mailer's connection for five records, and the reading session above


def test_a_connection_that_broke_is_dropped_and_the_next_email_records_on_a_new_one(world, smtp):
    rt = runtime.configure(world.config)
    first, second = _owed(rt, 1, "before"), _owed(rt, 1, "after")
    with carry.Mailer(rt.config) as mailer:
        assert mailer.send(first)[1] is None
        mailer._records.connection.dbapi_connection.close()  # the database dropped it (a restart)
        with pytest.raises(Exception):  # handed to the SMTP server, not recorded: the event's failure, tried again
            mailer.send(second)
        assert mailer.send(second)[1] is None  # the event's next attempt: sent again, recorded this time
    assert _emailed(rt, [first[0][0], second[0][0]]) == 2
    assert [m["message_id"] for m in smtp.messages][1] == [m["message_id"] for m in smtp.messages][2]


def test_the_records_commit_without_waiting_for_the_disk_and_the_pool_gets_its_connection_back_as_it_was(world, smtp):
    """On PostgreSQL the records' connection has `synchronous_commit` off while the mailer keeps it (ADR 0013), and
    the pool gets it back with the server's setting; SQLite has no such setting and nothing changes there."""
    rt = runtime.configure(world.config)
    engine = rt.sessions.kw["bind"]
    owed = _owed(rt, 2, "durable")
    with carry.Mailer(rt.config) as mailer:
        assert mailer.send(owed)[1] is None
        if engine.dialect.name == "postgresql":
            assert mailer._records.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:  # the pool's one idle connection: the mailer's, given back
            assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
    assert _emailed(rt, [i for i, _ in owed]) == 2


def test_a_notice_reaches_the_smtp_server_whole_from_a_sender_named_in_chinese(world, smtp):
    """The e-mail `compose` makes (a classic MIME message) arrives with its subject, body, Message-ID and kind as
    the notice holds them, the sender's name in Chinese, the envelope's addresses those of the headers."""
    rt = runtime.configure(dataclasses.replace(world.config, smtp_sender="信用办 <notices@credit.example.org>"))
    (notification_id, envelope), = _owed(rt, 1, "whole")
    assert envelope.sender == "notices@credit.example.org" and not envelope.international
    with rt.sessions() as session:
        note = session.get(Notification, notification_id)
    with carry.Mailer(rt.config) as mailer:
        assert mailer.send([(notification_id, envelope)])[1] is None
    received, = smtp.messages
    assert received["to"] == list(envelope.recipients) == [note.email_to]
    assert received["subject"] == note.subject and received["kind"] == note.kind
    assert received["message_id"] == f"<n{note.id}.{note.dedupe_key.replace(':', '.')}@credit-cases>"
    assert received["body"] == note.body
    parsed = message_from_bytes(envelope.data)
    assert str(make_header(decode_header(parsed["From"]))) == "信用办 <notices@credit.example.org>"


def test_an_address_beyond_ascii_is_sent_as_smtputf8_asks(world, smtp):
    """An address with Chinese in it (e-mail forms accept them) needs SMTPUTF8: the message is made in UTF-8 and
    sent with that option, which the test's SMTP server offers."""
    rt = runtime.configure(world.config)
    with rt.sessions() as session:
        applicant = find_user(session, "applicant")
        applicant.email = "张三@例子.中国"
        session.commit()
    (notification_id, envelope), = _owed(rt, 1, "utf8")
    assert envelope.international and "张三@例子.中国".encode() in envelope.data
    with carry.Mailer(rt.config) as mailer:
        assert mailer.send([(notification_id, envelope)])[1] is None
    received, = smtp.messages
    assert received["to"] == ["张三@例子.中国"]
    assert received["body"].replace("\r\n", "\n").rstrip("\n") == _body(rt, notification_id)  # 8-bit, as sent


def _body(rt, notification_id: int) -> str:
    with rt.sessions() as session:
        return session.get(Notification, notification_id).body


def test_the_notices_a_transaction_wrote_are_kept_for_its_emails_and_forgotten_with_it(world):
    """`notify.made_in` gives the e-mails of this transaction's notices without reading them again; once the
    transaction ends, committed or rolled back, nothing of it is kept in the session."""
    rt = runtime.configure(world.config)
    with rt.sessions() as session:
        applicant = find_user(session, "applicant")
        made = notify.notice(session, "urging.sent", [applicant], key={"event": "kept"}, case=1, by="test",
                             due="2027-01-04", message="kept")
        assert list(notify.made_in(session)) == made
        assert notify.made_in(session)[made[0]].email_to == applicant.email
        session.rollback()
        assert notify.made_in(session) == {}
        notify.notice(session, "urging.sent", [applicant], key={"event": "kept"}, case=1, by="test",
                      due="2027-01-04", message="kept")
        session.commit()
        assert notify.made_in(session) == {}


def test_a_long_subject_and_name_are_folded_and_read_back_whole():
    """What a mail client shows of `compose`'s message: a subject far longer than a header line, folded into RFC
    2047 words of at most 78 characters a line, and a long sender's name too, both read back whole; the body, in
    base64 lines of 76, read back whole."""
    from types import SimpleNamespace

    config = SimpleNamespace(smtp_host="mail.example.org",
                             smtp_sender="珠海市社会信用体系建设工作领导小组办公室（异议与信用修复受理窗口） <notices@credit.example.org>")
    subject = "您对列入严重失信主体名单的异议申请已受理：案件 #1234，请在五个工作日内补充证明材料，逾期视为放弃"
    body = "您好：\n" + "您的异议申请已受理，核查期间相关联合惩戒措施暂停执行。" * 12 + "\n\n珠海市信用办"
    note = notify.Made(id=1234, kind="objection.accepted", subject=subject, body=body,
                       dedupe_key="e:99:to:applicant:u7", email_to="张三 <zhang@example.com>")
    envelope = notify.compose(note, config)
    assert not envelope.international and envelope.recipients == ("zhang@example.com",)
    head, _, encoded = envelope.data.partition(b"\r\n\r\n")
    assert all(len(line) <= 78 for line in head.split(b"\r\n")), head  # every header, folded
    assert head.count(b"\r\n ") >= 3  # the subject and the sender's name took several lines each
    assert all(len(line) <= 76 for line in encoded.split(b"\r\n"))
    parsed = message_from_bytes(envelope.data)
    assert str(make_header(decode_header(parsed["Subject"]))) == subject
    assert str(make_header(decode_header(parsed["From"]))) == config.smtp_sender
    assert parsed.get_content_type() == "text/plain" and parsed.get_content_charset() == "utf-8"
    assert parsed.get_payload(decode=True).decode("utf-8") == body
    assert parsed["Message-ID"] == "<n1234.e.99.to.applicant.u7@credit-cases>"
