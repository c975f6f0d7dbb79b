"""Written decisions: each decision the law makes a written one is issued as a numbered document in the decision's
own transaction, with its text in Chinese and, for an adverse one, the statement of rights."""
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from workflows.services.casework import evidence
from workflows.services.documents import numbering, pdf
from workflows.store.cases import Case
from workflows.store.documents import DecisionDocument
from workflows.store.green import LicenceMatter
from workflows.store.models import Department, ListEntry

GROUNDS = "该行政处罚已于2026年3月撤销，列入黑名单的依据不存在。"


def documents(world, **where):
    def read(session):
        query = select(DecisionDocument).order_by(DecisionDocument.id)
        for name, value in where.items():
            query = query.where(getattr(DecisionDocument, name) == value)
        return [(d.kind, d.action, d.number, d.fields) for d in session.scalars(query)]

    return world.query(read)


def pdf_text(world, number):
    document = world.query(lambda s: s.scalars(select(DecisionDocument).where(DecisionDocument.number == number)).one())
    return "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.render(document))).pages).replace("\n", "")


def test_an_objection_gets_a_notice_of_acceptance_and_a_result_with_the_rights(world):
    world.query(lambda s: numbering.set_pattern(s, "XYB", "珠信受{kind}〔{year}〕{n}号", world.actor("admin")))
    world.query(lambda s: numbering.set_pattern(s, "SCJGJ", "珠市监{kind}〔{year}〕{n}号", world.actor("admin")))
    case_id = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    world.act(case_id, "accept", "office")
    world.act(case_id, "confirm", "provider", reason="经核实，原处罚决定有效。")
    year = world.query(lambda s: s.scalars(select(DecisionDocument.year)).first())
    issued = documents(world, case_id=case_id)
    assert [(kind, action, number) for kind, action, number, _ in issued] == [
        ("acceptance", "accept", f"珠信受受〔{year}〕1号"),
        ("verification_result", "confirm", f"珠市监核〔{year}〕3号")]  # after its two listings' notices
    acceptance, result = issued[0][3], issued[1][3]
    assert acceptance["title"] == "受理通知书" and acceptance["issuer"] == "市信用办"
    assert f"#{case_id}" in acceptance["paragraphs"][0] and len(acceptance["paragraphs"]) == 1
    assert result["title"] == "异议核查结果告知书"
    assert "经核实，原处罚决定有效。" in result["paragraphs"][0]
    assert "行政复议" in result["paragraphs"][-1] and "市人民政府" in result["paragraphs"][-1]
    text = pdf_text(world, f"珠市监核〔{year}〕3号")
    assert "异议核查结果告知书" in text and f"珠市监核〔{year}〕3号" in text and "行政诉讼" in text


def test_a_refusal_is_a_decision_not_to_accept_stating_the_rights_with_the_bodies_set(world):
    from workflows.services.admin import settings

    world.query(lambda s: settings.change(s, "rights.review_body", "珠海市人民政府", world.actor("admin")))
    world.query(lambda s: settings.change(s, "rights.court", "珠海市香洲区人民法院", world.actor("admin")))
    case_id = world.file("applicant", list_entry_id=world.entry_of("applicant"), grounds=GROUNDS)
    world.act(case_id, "refuse", "office", reason="异议材料与所涉信用记录无关。")
    [(kind, action, number, fields)] = documents(world, case_id=case_id)
    assert (kind, action, fields["title"]) == ("refusal", "refuse", "不予受理决定书")
    assert "异议材料与所涉信用记录无关。" in fields["paragraphs"][0]
    rights = fields["paragraphs"][1]
    assert "珠海市人民政府" in rights and "珠海市香洲区人民法院" in rights and "60日" in rights and "6个月" in rights
    assert "珠海市香洲区人民法院" in pdf_text(world, number)


def test_a_listing_issues_the_notice_of_the_dishonesty_record(world):
    entry_id = world.entry_of("applicant")
    [(kind, action, number, fields)] = documents(world, list_entry_id=entry_id)
    entry = world.query(lambda s: (lambda e: (e.basis, e.subject.name))(s.get(ListEntry, entry_id)))
    assert (kind, action, fields["title"]) == ("listing_notice", "list", "失信记录告知书")
    assert entry[0] in fields["paragraphs"][0] and entry[1] in fields["recipient"]
    assert "信用修复" in fields["paragraphs"][1] and "行政复议" in fields["paragraphs"][2]
    assert "失信记录告知书" in pdf_text(world, number)


def test_numbers_count_per_department_and_year_from_one(world):
    department = world.query(lambda s: s.scalar(select(Department.id).where(Department.code == "CZJ")))
    taken = [world.query(lambda s: numbering.next_sequence(s, department, 2031)) for _ in range(3)]
    assert taken == [1, 2, 3]
    assert world.query(lambda s: numbering.next_sequence(s, department, 2032)) == 1


def test_a_rolled_back_decision_gives_its_number_back(world):
    department = world.query(lambda s: s.scalar(select(Department.id).where(Department.code == "CZJ")))

    def taken_then_rolled_back(session):
        assert numbering.next_sequence(session, department, 2031) == 1
        session.rollback()

    world.query(taken_then_rolled_back)
    assert world.query(lambda s: numbering.next_sequence(s, department, 2031)) == 1



RECTIFICATION = "已于2026年10月补报2023至2025年度年度报告，并缴清全部罚款。"


def repair_under_review(world):
    case_id = world.file("applicant", "repair_exit", list_entry_id=world.entry_of("applicant"),
                         rectification=RECTIFICATION)
    world.query(lambda s: evidence.store(s, s.get(Case, case_id), [evidence.Upload("缴款凭证.pdf", b"%PDF-1.4\n")],
                                         world.actor("applicant"), world.config.upload_dir, 10**6))
    world.act(case_id, "submit", "applicant", commitment_signed=True)
    world.act(case_id, "accept", "office")
    return case_id


def test_a_granted_credit_repair_decision_states_the_key_attention_validity(world):
    case_id = repair_under_review(world)
    world.act(case_id, "approve", "provider", key_attention_until="2031-06-30")
    [(_, _, _, acceptance), (kind, action, _, decision)] = documents(world, case_id=case_id)
    assert acceptance["title"] == "受理通知书" and "信用修复申请" in acceptance["paragraphs"][0]
    assert (kind, action, decision["title"]) == ("repair_decision", "approve", "信用修复决定书")
    assert "2031年6月30日" in decision["paragraphs"][0] and len(decision["paragraphs"]) == 1  # granted: no rights


def test_a_denied_credit_repair_decision_states_its_reasons_and_the_rights(world):
    case_id = repair_under_review(world)
    world.act(case_id, "deny", "provider", reason="罚款尚未缴清，不符合修复条件。")
    [_, (kind, action, _, decision)] = documents(world, case_id=case_id)
    assert (kind, action, decision["title"]) == ("repair_decision", "deny", "信用修复决定书")
    assert "罚款尚未缴清" in decision["paragraphs"][0] and "行政诉讼" in decision["paragraphs"][1]


def test_a_conditional_acceptance_notice_names_each_missing_material_and_its_date(world):
    matter = world.query(lambda s: s.scalar(select(LicenceMatter).where(LicenceMatter.code == "FOOD-BIZ")))
    deferrable = world.query(lambda s: [m.id for m in s.scalar(select(LicenceMatter).where(
        LicenceMatter.code == "FOOD-BIZ")).materials if not m.core])
    case_id = world.file("redco", "conditional_acceptance", matter="FOOD-BIZ", missing=deferrable[:1], signed=True,
                         signatory="王守信")
    world.act(case_id, "accept_with_commitment", "licensing")
    [(kind, action, number, notice)] = documents(world, case_id=case_id)
    assert (kind, action, notice["title"]) == ("conditional_acceptance", "accept_with_commitment", "容缺受理通知书")
    assert matter.name in notice["paragraphs"][0] and "年" in notice["paragraphs"][0].split("\n")[1]
    assert "容缺受理通知书" in pdf_text(world, number)


def test_a_complaint_is_answered_without_naming_the_complainant_and_its_result_goes_to_the_subject(world):
    from workflows.demo import ENTERPRISE_BLACK

    case_id = world.file("redco", origin="complaint", subject_code=ENTERPRISE_BLACK,
                         list_entry_id=world.entry_of("applicant"), grounds="该企业已于上月补报年度报告，黑名单公示信息与实际不符。")
    world.act(case_id, "accept", "office")
    world.act(case_id, "confirm", "provider", reason="经核实，原处罚决定有效。")
    [(kind, _, _, acceptance), (_, _, _, result)] = documents(world, case_id=case_id)
    assert kind == "acceptance" and acceptance["recipient"] == "投诉人："
    assert "投诉" in acceptance["paragraphs"][0] and "泉州守信" not in str(acceptance)  # the complainant is not named
    assert "珠海示例科技有限公司" in result["recipient"] and "根据" in result["paragraphs"][0]
    assert "投诉" in result["paragraphs"][0] and "行政复议" in result["paragraphs"][-1]


def test_a_department_finding_is_verified_without_a_notice_of_acceptance(world):
    case_id = world.file("implementer", origin="department", list_entry_id=world.entry_of("applicant"),
                         grounds="执行联合惩戒时发现该企业的处罚信息与原决定书不符，请核实。")
    world.act(case_id, "revoke", "provider", reason="经核实，信息归集有误，予以撤销。")
    [(kind, action, _, result)] = documents(world, case_id=case_id)
    assert (kind, action) == ("verification_result", "revoke")
    assert "主动发现" in result["paragraphs"][0] and len(result["paragraphs"]) == 1  # revoked: nothing adverse
