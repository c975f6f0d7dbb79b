"""Green-channel eligibility (绿色通道 / 容缺受理), domain.md "Process 3", step 1; Zhuhai III(2), Quanzhou II(2).

Eligible: on the red list OR no bad credit record for the last `clean_record_years` years, AND not on
the blacklist, AND not on the key-attention list, AND no written commitment broken within the last
`broken_commitment_years` years. A bad credit record is a blacklist or key-attention listing in force
at any time within the window (an entry that was purged, or ended because an objection was upheld,
was wrong and does not count) or a broken commitment.

Pure: the caller gathers the facts and passes `today`. Every reason has a stable code, an English
message and its values, so the API can quote it and the pages can translate it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .errors import N_, DomainError

BLACK, KEY_ATTENTION, RED, BROKEN_COMMITMENT = "black", "key_attention", "red", "broken_commitment"
ORDINARY_ROUTE = ("apply through the ordinary procedure at the licensing department's window, "
                  "with all the required materials")


class NotEligible(DomainError):
    """The subject may not use the green channel; `details["reasons"]` says why."""

    code = "not_eligible"
    http_status = 403


@dataclass(frozen=True)
class Record:
    """A bad credit record: a listing in force from `start` to `end` (None: still in force), or a broken commitment."""

    source: str  # black | key_attention | broken_commitment
    start: date
    end: date | None = None

    @property
    def public(self) -> bool:
        # the key-attention list is never public; a broken commitment sits in the credit file, not on a public list
        return self.source == BLACK

    def in_force_since(self, day: date, today: date) -> bool:
        """Was the record in force at any time from `day` to `today`?"""
        return self.start <= today and (self.end is None or self.end >= day)


@dataclass(frozen=True)
class CreditFacts:
    on_lists: frozenset[str] = frozenset()  # the lists the subject is on now (open entries)
    records: tuple[Record, ...] = ()


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    supports: bool  # True: a reason for eligibility; False: a reason against
    public: bool = True  # False: it rests on facts only entitled viewers may see
    params: Mapping[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "supports": self.supports, "params": dict(self.params)}


@dataclass(frozen=True)
class Eligibility:
    """A subject's green-channel eligibility: told only to the subject itself and to the departments entitled to
    its non-public records (a reason resting on them, or its absence, would give them away)."""

    eligible: bool
    reasons: tuple[Reason, ...]

    def refusal_at_acceptance(self) -> NotEligible:
        """The window may not accept: the subject lost its eligibility after it filed (应查必查, Q V(3))."""
        against = [r for r in self.reasons if not r.supports]
        return NotEligible(N_("the subject is no longer eligible for the green channel: %(reasons)s; refuse the "
                              "application with this reason"), field="subject",
                           details={"reasons": [r.as_dict() for r in self.reasons]},
                           reasons="; ".join(r.message for r in against))

    def refusal(self) -> NotEligible:
        against = [r for r in self.reasons if not r.supports]
        text = "; ".join(r.message for r in against)
        return NotEligible(N_("not eligible for the green channel: %(reasons)s; %(route)s"),
                           field="subject", details={"reasons": [r.as_dict() for r in self.reasons],
                                                     "ordinary_route": ORDINARY_ROUTE},
                           reasons=text, route=ORDINARY_ROUTE)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def check(facts: CreditFacts, today: date, *, clean_record_years: int, broken_commitment_years: int) -> Eligibility:
    against: list[Reason] = []
    if BLACK in facts.on_lists:
        against.append(Reason("blacklisted", "on the blacklist (a subject of joint punishment)", False))
    if KEY_ATTENTION in facts.on_lists:
        against.append(Reason("key_attention", "on the key-attention list", False, public=False))
    commitment_since = years_before(today, broken_commitment_years)
    broken = sorted(r.start for r in facts.records
                    if r.source == BROKEN_COMMITMENT and commitment_since <= r.start <= today)
    if broken:
        against.append(Reason(
            "broken_commitment",
            f"broke a written commitment on {broken[-1].isoformat()}, within the last {broken_commitment_years} years",
            False, public=False, params={"date": broken[-1].isoformat(), "years": broken_commitment_years}))
    supports: list[Reason] = []
    clean_since = years_before(today, clean_record_years)
    bad = [r for r in facts.records if r.in_force_since(clean_since, today)]
    if RED in facts.on_lists:
        supports.append(Reason("red_list", "on the red list (a subject of joint incentives)", True))
    elif bad:
        latest = max(min(r.end or today, today) for r in bad)
        against.append(Reason(
            "bad_record",
            f"not on the red list, and a bad credit record was in force within the last {clean_record_years} years "
            f"(last on {latest.isoformat()})",
            False, public=all(r.public for r in bad),
            params={"years": clean_record_years, "date": latest.isoformat()}))
    else:
        supports.append(Reason("clean_record", f"no bad credit record in the last {clean_record_years} years", True,
                               params={"years": clean_record_years}))
    return Eligibility(eligible=not against, reasons=tuple(supports + against))
