"""List entries (红名单 / 黑名单 / 重点关注名单) and the joint measures attached to them.

Statuses change only through the transition tables below, so a status can never be
assigned to a value its current status does not lead to.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from .errors import N_, ActionNotAllowed, InvalidInput


class ListKind(enum.StrEnum):
    RED = "red"  # 守信联合激励对象
    BLACK = "black"  # 失信联合惩戒对象
    KEY_ATTENTION = "key_attention"  # 重点关注名单, never public

    @property
    def is_public(self) -> bool:
        return self is not ListKind.KEY_ATTENTION

    @property
    def measure_effect(self) -> "MeasureEffect":
        return MeasureEffect.INCENTIVE if self is ListKind.RED else MeasureEffect.PUNISHMENT


class EntryStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # an objection is being verified
    EXITED = "exited"
    PURGED = "purged"  # listed in error: personal data deleted, a tombstone remains


class ExitReason(enum.StrEnum):
    EXPIRED = "expired"
    REPAIRED = "repaired"
    OBJECTION_UPHELD = "objection_upheld"
    CRITERIA_CHANGED = "criteria_changed"
    BLACKLISTED = "blacklisted"
    ABUSE = "abuse"


class MeasureEffect(enum.StrEnum):
    INCENTIVE = "incentive"
    PUNISHMENT = "punishment"


class MeasureObligation(enum.StrEnum):
    MANDATORY = "mandatory"  # 强制性
    RECOMMENDED = "recommended"  # 推荐性


class MeasureStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    STOPPED = "stopped"


# (from status, verb) -> to status
_ENTRY_TRANSITIONS: dict[tuple[EntryStatus, str], EntryStatus] = {
    (EntryStatus.ACTIVE, "suspend"): EntryStatus.SUSPENDED,
    (EntryStatus.SUSPENDED, "resume"): EntryStatus.ACTIVE,
    (EntryStatus.ACTIVE, "exit"): EntryStatus.EXITED,
    (EntryStatus.SUSPENDED, "exit"): EntryStatus.EXITED,
    (EntryStatus.ACTIVE, "purge"): EntryStatus.PURGED,
    (EntryStatus.SUSPENDED, "purge"): EntryStatus.PURGED,
    (EntryStatus.EXITED, "purge"): EntryStatus.PURGED,
    # an objection against an exit (e.g. a red-list removal) that is upheld restores the entry
    (EntryStatus.EXITED, "restore"): EntryStatus.ACTIVE,
}

_MEASURE_TRANSITIONS: dict[tuple[MeasureStatus, str], MeasureStatus] = {
    (MeasureStatus.ACTIVE, "suspend"): MeasureStatus.SUSPENDED,
    (MeasureStatus.SUSPENDED, "resume"): MeasureStatus.ACTIVE,
    (MeasureStatus.ACTIVE, "stop"): MeasureStatus.STOPPED,
    (MeasureStatus.SUSPENDED, "stop"): MeasureStatus.STOPPED,
    (MeasureStatus.STOPPED, "restore"): MeasureStatus.ACTIVE,
}

ENTRY_VERBS = frozenset(verb for _, verb in _ENTRY_TRANSITIONS)
MEASURE_VERBS = frozenset(verb for _, verb in _MEASURE_TRANSITIONS)


def next_entry_status(current: EntryStatus | str, verb: str) -> EntryStatus:
    current = EntryStatus(current)
    try:
        return _ENTRY_TRANSITIONS[(current, verb)]
    except KeyError:
        raise ActionNotAllowed(N_("a list entry that is %(status)s cannot %(verb)s"), field="status",
                               labels={"status": "state"}, status=current.value, verb=verb) from None


def next_measure_status(current: MeasureStatus | str, verb: str) -> MeasureStatus:
    current = MeasureStatus(current)
    try:
        return _MEASURE_TRANSITIONS[(current, verb)]
    except KeyError:
        raise ActionNotAllowed(N_("a measure that is %(status)s cannot %(verb)s"), field="status",
                               labels={"status": "state"}, status=current.value, verb=verb) from None


def parse_list_kind(raw: str, *, field: str = "list") -> ListKind:
    try:
        return ListKind(raw)
    except ValueError:
        allowed = ", ".join(k.value for k in ListKind)
        raise InvalidInput(N_("unknown list '%(value)s'; one of: %(allowed)s"), field=field, value=raw,
                           allowed=allowed) from None


#: a listing's validity ends by this day at the latest: a later date is a typing error, not a decision
LAST_VALID_DAY = date(2999, 12, 31)


def check_record_day(day: date, field: str, earliest_year: int) -> None:
    """A record's date within the range the product keeps (from the administrator's earliest year to
    LAST_VALID_DAY): 0001-01-01 or 1900-01-01 is a placeholder or a typing error, not a decision."""
    first = date(earliest_year, 1, 1)
    if not first <= day <= LAST_VALID_DAY:
        raise InvalidInput(N_("%(day)s is outside the dates a record may have, %(first)s to %(last)s"), field=field,
                           day=day.isoformat(), first=first.isoformat(), last=LAST_VALID_DAY.isoformat())


@dataclass(frozen=True)
class Validity:
    listed_on: date
    valid_until: date

    def __post_init__(self):
        if self.valid_until <= self.listed_on:
            raise InvalidInput(N_("validity ends (%(end)s) on or before it starts (%(start)s)"), field="valid_until",
                               end=self.valid_until.isoformat(), start=self.listed_on.isoformat())
        if self.valid_until > LAST_VALID_DAY:
            raise InvalidInput(N_("validity ends %(end)s: no listing runs past %(last)s (a typing error?)"),
                               field="valid_until", end=self.valid_until.isoformat(), last=LAST_VALID_DAY.isoformat())

    def has_expired(self, today: date) -> bool:
        return today > self.valid_until


def check_measure_fits_list(effect: MeasureEffect | str, kind: ListKind) -> None:
    """Incentives belong to the red list, punishments to the blacklist and key-attention list."""
    if MeasureEffect(effect) is not kind.measure_effect:
        raise InvalidInput(N_("a %(effect)s measure cannot be attached to the %(list)s list"), field="measures",
                           labels={"effect": "effect", "list": "list"}, effect=MeasureEffect(effect).value,
                           list=kind.value)
