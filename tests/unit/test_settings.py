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
    assert all(s.minimum <= s.default <= s.maximum for s in SETTINGS.values() if not isinstance(s.default, bool))
