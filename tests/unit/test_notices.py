"""The notice catalogue: every kind renders in Chinese and English, and no code writes a notice's text inline."""
import ast
import re
from pathlib import Path

import pytest

from workflows.labels import mask_name
from workflows.notices import KINDS, labels_of
from workflows.services.deliveries.notify import locale_of, render

ROOT = Path(__file__).resolve().parents[2]
ZH, EN = "zh_Hans_CN", "en"

SAMPLES = {
    "case": 12, "entry": 34, "year": 2027, "listed": "2026-06-30", "count": 3, "more": 2, "until": "2027-06-30", "due": "2027-01-04",
    "deadline": "2027-01-04", "name": "泉州守信制造有限公司", "department": {"zh": "市财政局", "en": "Finance Bureau"},
    "measure": {"zh": "限制参加政府采购", "en": "Barred from public procurement"},
    "matter": {"zh": "食品经营许可", "en": "Food business licence"}, "material": "营业执照复印件",
    "reason": "材料不全", "message": "请尽快办理", "reply": "已办理", "by": "督办科 张某", "licence": "JY-2027-001",
    "basis": "某条例第十条", "document": "泉信〔2026〕1号", "items": "营业执照复印件",
    "client": "203.0.113.7", "failures": 5, "username": "wang",
    "id": 56, "destination": "https://xy.example.gov.cn/results", "since": "2027-01-04 10:00", "attempts": 14,
    "error": "HTTP 503",
}
PARAM = re.compile(r"%\((\w+)\)s")
# what must never reach a Chinese reader: an identifier (snake_case) or a bare state, list or process name
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(active|suspended|stopped|exited|purged|red|black|apply|suspend|"
                        r"resume|stop|restore|refuse|approve|deny|withdraw|revoke|correct|confirm|None)\b")


def sample_params(kind) -> dict:
    params = {}
    for message in (kind.subject, kind.body):
        for name in PARAM.findall(message):
            table = labels_of(kind).get(name)
            if name in kind.lines:
                params[name] = [{n: SAMPLES.get(n, "值") if labels_of(kind).get(n) is None else next(iter(labels_of(kind)[n]))
                                 for n in PARAM.findall(kind.lines[name])}] * 2
            elif table is not None and name != "document":
                params[name] = next(iter(table))
            else:
                params[name] = SAMPLES[name]
    return params


@pytest.mark.parametrize("kind_id", sorted(KINDS))
def test_every_kind_renders_in_chinese_and_english(kind_id):
    kind = KINDS[kind_id]
    params = sample_params(kind)
    zh_subject, zh_body = render(kind_id, params, ZH)
    en_subject, en_body = render(kind_id, params, EN)
    assert zh_subject and zh_body and en_subject and en_body
    assert not IDENTIFIER.search(zh_subject + zh_body), (zh_subject, zh_body)
    assert re.search(r"[\u4e00-\u9fff]", zh_subject) and (zh_subject, zh_body) != (en_subject, en_body)
    assert "%(" not in zh_subject + zh_body + en_subject + en_body
    assert kind.public or kind.to, f"{kind_id}: a notice names who receives it"
    assert len(kind_id) <= 48  # notifications.kind


def test_every_labelled_value_renders_by_its_label():
    for kind in KINDS.values():
        for name, table in kind.labels.items():
            for value in table:
                params = {**sample_params(kind), name: value}
                text = "".join(render(kind.id, params, ZH))
                assert value not in text, (kind.id, value)


def test_a_measure_notice_in_each_language():
    params = {"measure": SAMPLES["measure"], "list": "black", "entry": 34, "name": "泉**", "until": "2027-06-30",
              "case": 12}
    assert render("measure.suspend", params, ZH) == (
        "请暂停执行联合奖惩措施：限制参加政府采购（泉**）", "措施“限制参加政府采购”（黑名单条目 #34，泉**）自即日起暂停执行。")
    assert render("measure.suspend", params, EN) == (
        "Suspend the joint measure: Barred from public procurement (泉**)",
        "The measure “Barred from public procurement” (Blacklist entry #34, 泉**) is suspended from today.")


def test_an_objection_result_in_each_language():
    params = {"case": 7, "result": "revoke", "reason": "认定依据有误。"}
    assert render("objection.result", params, ZH) == (
        "异议处理结果：经核实信息有误，已撤销（案件 #7）", "处理结果：经核实信息有误，已撤销。认定依据有误。")
    assert render("objection.result", params, EN)[0] == (
        "Result of your objection: the information was wrong and has been revoked (case #7)")


RIGHTS_SET = {"review_body": "珠海市人民政府", "review_place": "珠海市司法局行政复议窗口", "court": "珠海市香洲区人民法院",
              "review_days": 60, "litigation_months": 6}


@pytest.mark.parametrize("kind_id,adverse,favourable", [
    ("objection.result", ("refuse", "confirm"), ("correct", "revoke", "withdraw")),
    ("repair.result", ("refuse", "deny"), ("withdraw",)),
    ("green.result", ("refuse", "refuse_licence", "commitment_breached"), ("publish", "withdraw")),
])
def test_an_adverse_result_states_the_rights_with_the_bodies_it_was_sent_with(kind_id, adverse, favourable):
    for result in adverse:
        _, body = render(kind_id, {"case": 7, "result": result, "reason": "理由。", **RIGHTS_SET}, ZH)
        assert body.endswith("如不服本决定，可以自收到之日起60日内向珠海市人民政府申请行政复议（申请递交地点：珠海市司法局行政复议"
                             "窗口），或者自收到之日起6个月内向珠海市香洲区人民法院提起行政诉讼。"), (result, body)
        assert "administrative review" in render(kind_id, {"case": 7, "result": result, "reason": ""}, EN)[1]
    for result in favourable:
        assert "行政复议" not in render(kind_id, {"case": 7, "result": result, "reason": "", **RIGHTS_SET}, ZH)[1]


def test_every_listing_and_breach_states_the_rights():
    for kind_id in ("listing.blacklist", "listing.key_attention", "green.breach"):
        _, body = render(kind_id, sample_params(KINDS[kind_id]), ZH)
        assert "市人民政府申请行政复议" in body and "提起行政诉讼" in body, kind_id  # the settings' defaults


def test_the_listing_notice_says_what_the_basis_the_measures_the_validity_and_how_to_object():
    params = {"department": {"zh": "市市场监督管理局", "en": "Market Regulation Bureau"}, "name": "珠海示例科技有限公司",
              "listed": "2026-06-30", "until": "2028-06-30", "basis": "某条例第十条", "document": "",
              "measures": [{"measure": SAMPLES["measure"]}], "entry": 34}
    subject, body = render("listing.blacklist", params, ZH)
    assert subject == "失信记录告知：列入失信联合惩戒对象名单（黑名单）至2028-06-30"
    for part in ("市市场监督管理局", "2026-06-30", "某条例第十条", "文号：无", "- 限制参加政府采购", "异议", "信用修复"):
        assert part in body, part
    subject, body = render("listing.key_attention", params, ZH)
    assert "2028-06-30" in subject and "不对外公开" in body and "转入黑名单" in body and "信用修复" not in body


def test_an_announcement_is_in_chinese_only():
    title, body = render("announce.redlist_exit", {"name": "某公司", "why": "expired"}, ZH)
    assert (title, body) == ("红名单退出公告（某公司）", "某公司因有效期届满，自即日起退出红名单，停止享受相关激励措施。")
    assert not re.search(r"[A-Za-z]", title + body)
    assert render("announce.redlist_exit", {"name": "某公司", "why": "expired"}, "zh_CN") == (title, body)


class Account:
    def __init__(self, locale):
        self.locale = locale


@pytest.mark.parametrize("chosen,expected", [("", ZH), ("zh_CN", ZH), ("en", EN), ("xx", ZH), ("not a locale", ZH)])
def test_the_recipient_chooses_the_language(chosen, expected):
    assert locale_of(Account(chosen)) == expected


def test_a_person_is_named_by_surname_an_enterprise_in_full():
    assert mask_name("张三丰", "person") == "张**"
    assert mask_name("泉州守信制造有限公司", "enterprise") == "泉州守信制造有限公司"


SENDERS = {"notice", "tell_applicant", "tell_role", "tell_subject", "tell_measures", "announce", "_owners",
           "tell_parties", "opened_notices"}  # the objection steps: each party told by its own kind


def _inline_texts(path: Path) -> list[str]:
    """Calls that write a notice's text themselves: the old notify(subject=..., body=...), a subject, body or
    title passed to a sender, or a sender given a string that is no catalogue kind."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        where = f"{path.relative_to(ROOT)}:{node.lineno} {name}(...)"
        words = {k.arg for k in node.keywords}
        if name == "notify" and words & {"subject", "body"}:
            found.append(where)
        elif name in SENDERS and (words & {"subject", "body", "title"} or any(
                isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value not in KINDS
                or isinstance(a, ast.JoinedStr) and not _a_measure_kind(a) for a in node.args)):
            found.append(where)
    return found


def _a_measure_kind(text: ast.JoinedStr) -> bool:
    return isinstance(text.values[0], ast.Constant) and text.values[0].value == "measure."


def test_no_notice_text_is_written_outside_the_catalogue():
    """Notices and announcements are sent by their kind; no code passes a text of its own."""
    files = [p for p in sorted((ROOT / "workflows").rglob("*.py")) + sorted((ROOT / "sla").rglob("*.py"))
             if p.name != "notices.py"]
    assert [hit for path in files for hit in _inline_texts(path)] == []


def test_the_check_sees_an_inline_text(tmp_path):
    sample = ROOT / "workflows" / "_sample_inline_notice.py"
    sample.write_text('notify.notify(session, users, kind="x", subject=f"异议 {n}", body="...", key="k")\n'
                      'tell_applicant(session, event, case, f"请补正（案件 #{case.id}）")\n', encoding="utf-8")
    try:
        assert len(_inline_texts(sample)) == 2
    finally:
        sample.unlink()


def test_every_kind_is_sent_somewhere():
    named = set()
    for path in sorted((ROOT / "workflows").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None) and (node.func.attr if isinstance(node.func, ast.Attribute)
                                                    else getattr(node.func, "id", ""))
            if name in SENDERS:
                named |= {c.value for a in node.args for c in ast.walk(a)
                          if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    # the measures' kinds are named by their verb (f"measure.{verb}"), the verbs of change_measures
    assert {k for k in KINDS if not k.startswith("measure.") or k == "measure.apply"} - named == set()


@pytest.mark.parametrize("kind_id", sorted(k for k, kind in KINDS.items() if kind.public))
def test_every_announcement_is_in_chinese_only_with_each_of_its_values(kind_id):
    """A public announcement is written in Chinese whatever its values: no Latin word, for every value of each
    labelled parameter (a reason, a list, an outcome), in the locale announcements are published in."""
    from workflows.services.deliveries.notify import PUBLIC_LOCALE

    kind = KINDS[kind_id]
    variants = [sample_params(kind)] + [{**sample_params(kind), name: value}
                                        for name, table in labels_of(kind).items() for value in table]
    for params in variants:
        title, body = render(kind_id, params, PUBLIC_LOCALE)
        assert title and body and not re.search(r"[A-Za-z]{2,}", title + body), (kind_id, params, title, body)
