"""Every setting of the product declared once, with its default (domain.md: limits are configuration).

Time limits are in working days. Defaults follow domain.md; an administrator changes them on the
settings page, and each change is recorded with who made it and when.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import N_, InvalidInput


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: int | bool | str
    label: str
    minimum: int = 0  # a text's: its least length
    maximum: int = 365  # a text's: its greatest length
    unit: str = "working days"

    def parse(self, raw: object) -> int | bool | str:
        if isinstance(self.default, str):
            text = " ".join(str(raw).split())  # a name, on one line
            if not self.minimum <= len(text) <= self.maximum:
                raise InvalidInput(N_("must have %(min)s to %(max)s characters"), field=self.key, min=self.minimum,
                                   max=self.maximum)
            return text
        if isinstance(self.default, bool):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise InvalidInput("must be true or false", field=self.key)
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise InvalidInput(N_("must be a whole number, got '%(value)s'"), field=self.key, value=raw) from None
        if not self.minimum <= value <= self.maximum:
            raise InvalidInput(N_("must be between %(min)s and %(max)s"), field=self.key, min=self.minimum,
                               max=self.maximum)
        return value


# Credit repair per blacklist category: may it be repaired, how long must the listing have run, is proof
# required. A category without its own settings takes the plain `repair.*` ones.
REPAIR_CATEGORIES = ("market_regulation", "tax", "food_safety", "environment", "court_enforcement")
_NOT_REPAIRABLE = {"court_enforcement"}  # a court's list of dishonest judgment debtors exits by the court's rules
_MIN_MONTHS = {"market_regulation": 6, "tax": 12, "food_safety": 12, "environment": 12, "court_enforcement": 12}
REPAIR_CATEGORY_SETTINGS = (
    SettingSpec("repair.repairable", True, "Credit repair: a blacklist category without its own setting is repairable",
                unit=""),
    SettingSpec("repair.min_listing_months", 6, "Credit repair: minimum listing period before repair", 0, 120, "months"),
    SettingSpec("repair.proof_required", True, "Credit repair: proof files required", unit=""),
    *(spec for category in REPAIR_CATEGORIES for spec in (
        SettingSpec(f"repair.repairable.{category}", category not in _NOT_REPAIRABLE,
                    f"Credit repair: category '{category}' is repairable", unit=""),
        SettingSpec(f"repair.min_listing_months.{category}", _MIN_MONTHS[category],
                    f"Credit repair: minimum listing period, category '{category}'", 0, 120, "months"),
        SettingSpec(f"repair.proof_required.{category}", True,
                    f"Credit repair: proof files required, category '{category}'", unit=""),
    )),
)

SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("objection.acceptance_days", 3, "Objection: formal review by the accepting office", 1),
        SettingSpec("objection.verification_days", 20, "Objection: verification by the information provider", 1),
        SettingSpec("repair.acceptance_days", 3, "Credit repair: formal review by the accepting office", 1),
        SettingSpec("repair.review_days", 10, "Credit repair: decision by the listing department", 1),
        *REPAIR_CATEGORY_SETTINGS,
        SettingSpec("lists.key_attention_months", 12, "Key-attention list after a blacklist exit: validity", 1, 60,
                    "months"),
        SettingSpec("green.materials_days", 10, "Green channel: default deadline for missing materials", 1),
        SettingSpec("green.resubmission_days", 5, "Green channel: period to hand a rejected material in again, "
                    "from the rejection (never before the material's own deadline)", 1, 60),
        SettingSpec("green.acceptance_days", 3, "Green channel: window's decision on acceptance", 1),
        SettingSpec("green.publication_days", 7, "Green channel: publication of a granted licence", 1),
        SettingSpec("green.clean_record_years", 3, "Green channel: years without a bad record", 1, 10, "years"),
        SettingSpec("green.broken_commitment_years", 3, "Green channel: window for broken commitments", 1, 10, "years"),
        SettingSpec("redlist.abuse_review_days", 10, "Red-list removal: decision on an abuse report", 1),
        SettingSpec("sla.warning_days", 3, "Warning when this many working days of a limit are left (a limit no longer "
                    "than this warns on its last working day)", 0, 30),
        SettingSpec("sla.second_escalation_days", 5, "Second escalation after a deadline is overdue by", 1, 60),
        SettingSpec("supervision.reply_days", 3, "Department's reply to an urging", 1, 60),
        SettingSpec("measures.confirmation_days", 5, "Implementing department's confirmation that an instruction on a "
                    "measure was carried out", 1, 60),
        SettingSpec("supervision.head_user_id", 0, "Head of supervision: the person told of second escalations "
                    "(none chosen: every supervisor)", 0, 10**9, ""),
        SettingSpec("records.earliest_year", 1990, "Dates of records (a listing's start): the earliest year accepted",
                    1900, 2100, ""),
        SettingSpec("deliveries.retry_days", 3, "Deliveries to the platform and to departments' webhooks: retried "
                    "with growing delays for", 1, 30, "days"),
        SettingSpec("accounts.confirm_applicants", True, "Applicants' claims must be confirmed before filing", unit=""),
        # the statement of rights an adverse decision carries (Z VII(3), Q V(6)); limits of the national laws
        SettingSpec("rights.review_body", "市人民政府", "Statement of rights: the body that hears an administrative "
                    "review", 1, 100, ""),
        SettingSpec("rights.review_place", "市人民政府行政复议办公室", "Statement of rights: where an application "
                    "for administrative review is filed", 1, 150, ""),
        SettingSpec("rights.court", "有管辖权的人民法院", "Statement of rights: the court that hears an "
                    "administrative lawsuit", 1, 100, ""),
        SettingSpec("rights.review_days", 60, "Statement of rights: time limit for applying for administrative "
                    "review", 1, 365, "days"),
        SettingSpec("documents.office_department", "", "Written decisions: the code of the department whose numbers "
                    "the accepting office's decisions take (none: the department the case concerns)", 0, 32, ""),
        SettingSpec("rights.litigation_months", 6, "Statement of rights: time limit for bringing an administrative "
                    "lawsuit", 1, 60, "months"),
    )
}


def spec(key: str) -> SettingSpec:
    try:
        return SETTINGS[key]
    except KeyError:
        raise InvalidInput(N_("unknown setting '%(key)s'"), field="key", key=key) from None
