import pytest

from workflows.domain.errors import InvalidInput
from workflows.domain.subjects import SubjectKind, parse_subject_code


@pytest.mark.parametrize(
    "code, kind",
    [
        ("91110000600037341L", SubjectKind.ENTERPRISE),
        ("91350500MA2XN3KP04", SubjectKind.ENTERPRISE),
        ("11010519491231002X", SubjectKind.PERSON),
        (" 91110000600037341l ", SubjectKind.ENTERPRISE),  # spaces and lower case are tolerated
    ],
)
def test_valid_codes(code, kind):
    parsed = parse_subject_code(code)
    assert parsed.kind is kind
    assert parsed.value == code.strip().upper()


@pytest.mark.parametrize(
    "code, words",
    [
        ("91110000600037341A", ["wrong check character 'A'", "Unified Social Credit Code", "expected 'L'"]),
        ("110105194912310021", ["wrong check character '1'", "resident ID number", "expected 'X'"]),
        ("9111000060003734", ["must be 18 characters", "got 16"]),
        ("", ["required"]),
        ("91110000600037341!", ["characters not allowed"]),
        ("110105194913310021", ["impossible birth date"]),
    ],
)
def test_invalid_codes_say_what_is_wrong(code, words):
    with pytest.raises(InvalidInput) as caught:
        parse_subject_code(code)
    assert caught.value.field == "code"
    for word in words:
        assert word in caught.value.message


def test_person_code_is_masked():
    assert parse_subject_code("11010519491231002X").masked() == "110105********002X"
