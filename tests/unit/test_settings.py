import pytest

from workflows.domain.errors import InvalidInput
from workflows.domain.settings import SETTINGS, spec


def test_defaults_follow_the_domain():
    assert spec("objection.verification_days").default == 20
    assert spec("repair.acceptance_days").default == 3
    assert spec("repair.review_days").default == 10
    assert spec("green.materials_days").default == 10
    assert spec("green.publication_days").default == 7
    assert spec("sla.warning_days").default == 3


def test_values_are_parsed_and_bounded():
    assert spec("objection.verification_days").parse("15") == 15
    assert spec("accounts.confirm_applicants").parse("off") is False
    with pytest.raises(InvalidInput) as caught:
        spec("objection.verification_days").parse("0")
    assert caught.value.field == "objection.verification_days"
    with pytest.raises(InvalidInput):
        spec("objection.verification_days").parse("twenty")
    with pytest.raises(InvalidInput):
        spec("no.such.setting")
    assert all(s.minimum <= s.default <= s.maximum for s in SETTINGS.values() if not isinstance(s.default, bool | str))


def test_a_name_is_a_setting_on_one_line():
    assert spec("rights.review_body").default == "市人民政府"
    assert spec("rights.court").parse("  珠海市香洲区\n人民法院 ") == "珠海市香洲区 人民法院"
    with pytest.raises(InvalidInput) as caught:
        spec("rights.review_body").parse("  ")
    assert caught.value.field == "rights.review_body"
    assert all(s.minimum <= len(s.default) <= s.maximum for s in SETTINGS.values() if isinstance(s.default, str))
