"""Written decisions (书面决定): which decisions are issued as a numbered document, and how numbers are made.

A document's number follows its department's pattern, set by the administrator, with a sequence that counts
per department and year: `{year}` and `{n}` must appear in it, `{kind}` is the document kind's short mark
(修 for a credit repair decision), e.g. "珠信{kind}〔{year}〕{n}号" gives 珠信修〔2026〕15号.
Pure data and text: no framework, no database.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass

from .errors import N_, InvalidInput


@dataclass(frozen=True)
class DocumentKind:
    id: str
    title: str  # message id; the document's title, in Chinese on the document
    mark: str  # the kind's short mark in a number's `{kind}`


DOCUMENT_KINDS: dict[str, DocumentKind] = {kind.id: kind for kind in (
    DocumentKind("acceptance", N_("Notice of acceptance"), "受"),  # 受理通知书
    DocumentKind("refusal", N_("Decision not to accept"), "不受"),  # 不予受理决定书
    DocumentKind("verification_result", N_("Notice of the result of an objection's verification"), "核"),  # 异议核查结果告知书
    DocumentKind("repair_decision", N_("Credit repair decision"), "修"),  # 信用修复决定书
    DocumentKind("conditional_acceptance", N_("Notice of conditional acceptance"), "容"),  # 容缺受理通知书
    DocumentKind("listing_notice", N_("Notice of a dishonesty record"), "失"),  # 失信记录告知书
)}

# (process, action) -> the written decision the action issues, in the action's own transaction
WRITTEN_DECISIONS: dict[tuple[str, str], str] = {
    ("objection", "accept"): "acceptance",
    ("objection", "refuse"): "refusal",
    ("objection", "confirm"): "verification_result",
    ("objection", "correct"): "verification_result",
    ("objection", "revoke"): "verification_result",
    ("repair_exit", "accept"): "acceptance",
    ("repair_exit", "refuse"): "refusal",
    ("repair_exit", "approve"): "repair_decision",
    ("repair_exit", "deny"): "repair_decision",
    ("conditional_acceptance", "accept_with_commitment"): "conditional_acceptance",
    ("conditional_acceptance", "refuse"): "refusal",
}
# the lists whose listing issues a notice of the dishonesty record (Q V(5)); the red list is an honour
LISTING_NOTICE_LISTS = ("black", "key_attention")

# an adverse decision states the right to administrative review and to litigation (Z VII(3), Q V(6))
ADVERSE_ACTIONS: dict[str, frozenset[str]] = {
    "objection": frozenset({"refuse", "confirm"}),
    "repair_exit": frozenset({"refuse", "deny"}),
    "conditional_acceptance": frozenset({"refuse", "refuse_licence", "commitment_breached"}),
}

DEFAULT_PATTERN = "{department}{kind}〔{year}〕{n}号"
PLACEHOLDERS = {"department", "kind", "year", "n"}
# the placeholders as a reader writes them in its language (stored, and in the API, they have the names above)
READER_PLACEHOLDERS = {"zh": {"department": "部门", "kind": "类别", "year": "年份", "n": "序号"}}
PATTERN_MAX = 60


def is_adverse(process: str, action: str) -> bool:
    return action in ADVERSE_ACTIONS.get(process, frozenset())


def pattern_for_reader(pattern: str, language: str) -> str:
    """A pattern with its placeholders named in the reader's language ({年份} for {year})."""
    for name, shown in READER_PLACEHOLDERS.get(language, {}).items():
        pattern = pattern.replace("{" + name + "}", "{" + shown + "}")
    return pattern


def pattern_from_reader(pattern: str) -> str:
    """A pattern as typed, in any reader's language, with the placeholders' own names."""
    for names in READER_PLACEHOLDERS.values():
        for name, shown in names.items():
            pattern = pattern.replace("{" + shown + "}", "{" + name + "}")
    return pattern


def check_pattern(pattern: str) -> str:
    """A numbering pattern as stored: trimmed, on one line, with `{year}` and `{n}` and no other placeholder (a
    reader's names for them, {年份} and {序号}, are taken too)."""
    pattern = pattern_from_reader((pattern or "").strip())
    if not pattern or len(pattern) > PATTERN_MAX or re.search(r"[\x00-\x1f]", pattern):
        raise InvalidInput(N_("a numbering pattern has 1 to %(max)s characters on one line"), field="pattern",
                           max=PATTERN_MAX)
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(pattern) if name is not None}
        unknown = sorted(names - PLACEHOLDERS)
    except ValueError:
        raise InvalidInput(N_("a brace in the numbering pattern is not closed"), field="pattern") from None
    if unknown:
        raise InvalidInput(N_("the numbering pattern may use {department}, {kind}, {year} and {n}, not {%(name)s}"),
                           field="pattern", name=unknown[0])
    if not {"year", "n"} <= names:
        raise InvalidInput(N_("the numbering pattern must contain {year} and {n}"), field="pattern")
    try:
        pattern.format(department="", kind="", year=2026, n=1)
    except (ValueError, IndexError, KeyError):
        raise InvalidInput(N_("a placeholder of the numbering pattern has a format it cannot take"), field="pattern") from None
    return pattern


def number_of(pattern: str, *, department: str, kind: str, year: int, n: int) -> str:
    """A document's number from its department's pattern (or the default one)."""
    return (pattern or DEFAULT_PATTERN).format(department=department, kind=DOCUMENT_KINDS[kind].mark, year=year, n=n)
