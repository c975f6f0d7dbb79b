"""Credit subjects (信用主体): enterprises by Unified Social Credit Code, persons by resident ID."""
from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from .errors import N_, InvalidInput


class SubjectKind(enum.StrEnum):
    ENTERPRISE = "enterprise"  # 法人和其他组织, 统一社会信用代码 (GB 32100-2015)
    PERSON = "person"  # 自然人, 居民身份证号码 (GB 11643-1999)


@dataclass(frozen=True)
class SubjectCode:
    kind: SubjectKind
    value: str

    def masked(self) -> str:
        """What a viewer without the right to see personal data is shown."""
        if self.kind is SubjectKind.PERSON:
            return self.value[:6] + "********" + self.value[-4:]
        return self.value


def parse_subject_code(raw: str, *, field: str = "code") -> SubjectCode:
    """Validate a credit code or resident ID and say exactly what is wrong with a bad one."""
    value = (raw or "").strip().replace(" ", "").upper()
    if not value:
        raise InvalidInput("a credit code or resident ID number is required", field=field)
    if len(value) != 18:
        raise InvalidInput(
            N_("must be 18 characters (a Unified Social Credit Code or a resident ID number), got %(count)s"),
            field=field, count=len(value),
        )
    if ric.is_valid(value):
        return SubjectCode(SubjectKind.PERSON, value)
    if uscc.is_valid(value):
        return SubjectCode(SubjectKind.ENTERPRISE, value)
    # invalid either way: explain it in the terms of what it most looks like
    looks_like_person = value[:17].isdigit() and (
        ric.calc_check_digit(value) == value[-1] or (value[0] != "9" and _plausible_birth_date(value))
    )
    module, kind = (ric, SubjectKind.PERSON) if looks_like_person else (uscc, SubjectKind.ENTERPRISE)
    try:
        module.validate(value)
    except stdnum_errors.InvalidChecksum:
        expected = _expected_check_character(module, value)
        message = (N_("wrong check character '%(got)s' for a resident ID number: expected '%(expected)s'")
                   if kind is SubjectKind.PERSON else
                   N_("wrong check character '%(got)s' for a Unified Social Credit Code: expected '%(expected)s'"))
        raise InvalidInput(message, field=field, details={"expected_check_character": expected}, got=value[-1],
                           expected=expected) from None
    except stdnum_errors.InvalidComponent:
        if kind is SubjectKind.PERSON:
            raise InvalidInput("resident ID number has an impossible birth date or area code", field=field) from None
        raise InvalidInput("Unified Social Credit Code has an invalid registration department or type", field=field) from None
    except stdnum_errors.ValidationError:
        raise InvalidInput(
            "contains characters not allowed in a Unified Social Credit Code or resident ID number", field=field
        ) from None
    raise InvalidInput("is not a valid Unified Social Credit Code or resident ID number", field=field)


def _plausible_birth_date(value: str) -> bool:
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    return 1880 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def _expected_check_character(module, value: str) -> str:
    calc = getattr(module, "calc_check_digit")
    return calc(value)  # stdnum computes from the first 17 characters of the full number


NAME_REFUSED = N_("a name is a single line of text: no line breaks, tabs or other control characters")


def single_line_name(raw: str | None, *, field: str = "name", required: bool = True) -> str:
    """A name (a subject's, a department's, a measure's) as one line of text, trimmed; a name with a line break
    or another control character is refused, wherever it is entered (it would break e-mail headers, files and
    pages that show it on one line)."""
    value = (raw or "").strip()
    if required and not value:
        raise InvalidInput("a name is required", field=field)
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in "\u200d\u200c" for c in value):
        raise InvalidInput(NAME_REFUSED, field=field)
    return value
