"""Every branch of credit repair, its consequences carried out by the real flow: entries, measures, e-mails
(real SMTP), platform deliveries (real HTTP receiver) and public announcements."""
import pytest
from sqlalchemy import select

from sla.calendar import local_date
from workflows.domain.errors import DomainError, InvalidInput, NotFound, RoleNotAllowed
from workflows.processes.repair_exit import add_months
from workflows.services.casework import evidence
from workflows.store.automation import Announcement, Notification
from workflows.store.base import utcnow
from workflows.store.cases import Case
from workflows.store.models import ListEntry, User

RECTIFICATION = "已于2026年10月补报2023至2025年度年度报告，并缴清全部罚款。"
PDF = b"%PDF-1.4\n% proof of payment\n"
DEPARTMENTS = ("implementer@example.gov.cn", "bank@example.gov.cn", "reform@example.gov.cn",
               "licensing@example.gov.cn")


def statuses(world, entry_id):
    return world.query(lambda s: (lambda e: (e.status, e.exit_reason, sorted(m.status for m in e.measures)))(
        s.get(ListEntry, entry_id)))


def case_state(world, case_id):
    return world.query(lambda s: s.get(Case, case_id).state)


def key_attention_of(world, username):
    def read(session):
        subject_id = session.scalar(select(User.subject_id).where(User.username == username))
        return [(e.status, e.valid_until, e.exit_reason, [(m.catalogue.code, m.status) for m in e.measures])
                for e in session.scalars(select(ListEntry).where(ListEntry.subject_id == subject_id,
                                                                 ListEntry.list_kind == "key_attention"))]
    return world.query(read)


def announcements(world):
    return world.query(lambda s: [(a.kind, a.list_kind, a.channel, a.title)
                                  for a in s.scalars(select(Announcement).order_by(Announcement.id))])


def attach_proof(world, case_id):
    world.query(lambda s: evidence.store(s, s.get(Case, case_id), [evidence.Upload("缴款凭证.pdf", PDF)],
                                         world.actor("applicant"), world.config.upload_dir, 10**6))


def submitted_repair(world):
    entry_id = world.entry_of("applicant")
    case_id = world.file("applicant", "repair_exit", list_entry_id=entry_id, rectification=RECTIFICATION)
    attach_proof(world, case_id)
    world.act(case_id, "submit", "applicant", commitment_signed=True)
    return entry_id, case_id


def under_review(world):
    entry_id, case_id = submitted_repair(world)
    world.act(case_id, "accept", "office")
    world.drain()
    return entry_id, case_id


@pytest.mark.prefect  # the real flows under Prefect's test harness
@pytest.mark.clock  # deadline-sensitive: run again with the clock shifted
def test_approve_exits_entry_stops_measures_announces_and_puts_subject_on_key_attention(world, smtp, platform):
    entry_id, case_id = under_review(world)
    assert "repair.to_decide" in smtp.kinds("provider@example.gov.cn")
    world.act(case_id, "approve", "provider", key_attention_months=12)
    world.drain()
    assert statuses(world, entry_id) == ("exited", "repaired", ["stopped"] * 4)
    for department_user in DEPARTMENTS:
        assert smtp.kinds(department_user).count("measure.stop") == 1, department_user
    until = add_months(local_date(utcnow()), 12)
    assert key_attention_of(world, "applicant") == [("active", until, None, [("P-FIN", "active")])]
    assert ("measure.apply", "融资授信从严审核") in [(kind, params["measure"]["zh"]) for kind, params
                                                 in world.notices_to("bank@example.gov.cn") if kind.startswith("measure.")]
    assert {"key_attention.warning", "repair.approved"} <= set(smtp.kinds("applicant@example.gov.cn"))
    # the warning with its validity, as a Chinese reader gets it
    applicant_mail = [m["subject"] for m in smtp.to("applicant@example.gov.cn")]
    assert f"重点关注名单警示（有效期至 {until.isoformat()}）" in applicant_mail
    assert announcements(world) == [("exit", "black", "信用中国（珠海）网站", "失信联合惩戒对象移出公告（珠海示例科技有限公司）")]
    assert [r["result"] for r in platform.received] == ["approve"]
    assert case_state(world, case_id) == "closed"
    assert world.query(lambda s: s.get(ListEntry, entry_id).basis) != ""  # the record is kept


def test_deny_needs_reasons_which_the_applicant_reads(world, smtp, platform):
    entry_id, case_id = under_review(world)
    with pytest.raises(DomainError) as error:
        world.act(case_id, "deny", "provider", reason="  ")
    assert error.value.field == "reason" and case_state(world, case_id) == "under_review"
    world.act(case_id, "deny", "provider", reason="罚款尚未缴清，不符合修复条件。")
    world.drain()
    assert case_state(world, case_id) == "denied"
    assert statuses(world, entry_id) == ("active", None, ["active"] * 4)
    mails = [m for m in smtp.to("applicant@example.gov.cn") if m["kind"] == "repair.result"]
    assert len(mails) == 1 and mails[0]["subject"].startswith("信用修复结果：不予信用修复")
    assert "罚款尚未缴清" in mails[0]["body"]  # the reasons, as the applicant reads them
    assert [r["result"] for r in platform.received] == ["deny"]
    assert announcements(world) == [] and key_attention_of(world, "applicant") == []


def test_refuse_is_final_and_changes_nothing_on_the_list(world, smtp, platform):
    entry_id, case_id = submitted_repair(world)
    world.act(case_id, "refuse", "office", reason="申请材料与列入事由无关。")
    world.drain()
    assert case_state(world, case_id) == "refused"
    assert statuses(world, entry_id) == ("active", None, ["active"] * 4)
    assert ("repair.result", "refuse") in [
        (kind, params.get("result")) for kind, params in world.notices_to("applicant@example.gov.cn")]
    assert "repair.to_review" in smtp.kinds("office@example.gov.cn")
    assert [r["result"] for r in platform.received] == ["refuse"]


def test_supplement_pauses_then_resumes_the_acceptance_clock(world, smtp):
    _, case_id = submitted_repair(world)
    world.act(case_id, "request_supplement", "office", reason="请提供罚款缴纳凭证原件扫描件。")
    assert world.query(lambda s: [(t.kind, t.status) for t in s.get(Case, case_id).timers]) == [("acceptance", "paused")]
    world.act(case_id, "supplement", "applicant", note="已上传缴款凭证。")
    assert world.query(lambda s: [(t.kind, t.status) for t in s.get(Case, case_id).timers]) == [("acceptance", "pending")]
    world.drain()
    assert "repair.supplement" in smtp.kinds("applicant@example.gov.cn")
    assert case_state(world, case_id) == "submitted"


def test_bad_decisions_are_refused_and_change_nothing(world):
    entry_id, case_id = under_review(world)
    version = world.query(lambda s: s.get(Case, case_id).version)
    for username, params, error_type in (
        ("provider", {}, InvalidInput),                                   # no key-attention validity
        ("provider", {"key_attention_until": "2020-01-01"}, InvalidInput),  # in the past
        ("provider", {"key_attention_until": "2030-01-01", "key_attention_months": 6}, InvalidInput),
        ("office", {"key_attention_months": 12}, RoleNotAllowed),         # not the listing department
        ("tax", {"key_attention_months": 12}, NotFound),                  # another department: not even its case
        ("court", {"key_attention_months": 12}, NotFound),
    ):
        with pytest.raises(error_type) as error:
            world.act(case_id, "approve", username, **params)
        assert error.value.message
    assert world.query(lambda s: s.get(Case, case_id).version) == version
    assert statuses(world, entry_id) == ("active", None, ["active"] * 4)


@pytest.mark.prefect  # the real flows under Prefect's test harness
def test_every_notice_is_sent_once_even_when_events_are_delivered_twice(world, smtp):
    from sqlalchemy import func, update

    from workflows.store.automation import OutboxEvent

    _, case_id = under_review(world)
    world.act(case_id, "approve", "provider", key_attention_until=add_months(local_date(utcnow()), 6).isoformat())
    world.drain()
    before = len(smtp.messages)
    world.query(lambda s: s.execute(update(OutboxEvent).values(status="pending")))
    world.drain()
    assert len(smtp.messages) == before
    assert len(announcements(world)) == 1 and len(key_attention_of(world, "applicant")) == 1
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(Notification))) == world.query(
        lambda s: s.scalar(select(func.count(func.distinct(Notification.dedupe_key)))))


def test_an_objection_is_refused_while_a_repair_of_the_same_entry_is_open(world):
    """The two would decide the same entry two ways: the objection waits until the repair is decided or withdrawn
    (a repair is refused while an objection is open, the same rule the other way round)."""
    from workflows.domain.errors import Conflict

    entry_id, case_id = under_review(world)
    with pytest.raises(Conflict, match="credit repair"):
        world.file("applicant", list_entry_id=entry_id, grounds="该行政处罚已于2026年3月撤销，列入依据不存在。")
    world.act(case_id, "withdraw", "applicant")
    objection = world.file("applicant", list_entry_id=entry_id, grounds="该行政处罚已于2026年3月撤销，列入依据不存在。")
    assert case_state(world, objection) == "submitted"


def test_a_repair_approval_never_exits_a_suspended_entry(world):
    """Were an entry suspended while its repair is reviewed (filed before this rule), the approval is refused."""
    from workflows.domain.errors import DomainError
    from workflows.services.lists.consequences import change_entry, change_measures
    from workflows.services.lists.list_lifecycle import emit

    entry_id, case_id = under_review(world)

    def suspend(session):
        event = emit(session, "test_suspend", session.get(Case, case_id).filed_at)  # an instant of the case's own
        entry = session.get(ListEntry, entry_id)
        change_entry(session, event, entry, "suspend")
        change_measures(session, event, entry, "suspend")
        event.status = "done"

    world.query(suspend)
    with pytest.raises(DomainError, match="objection"):
        world.act(case_id, "approve", "provider", key_attention_months=6)
    assert statuses(world, entry_id)[0] == "suspended"
    assert key_attention_of(world, "applicant") == []
