"""Process 4: red-list removal (红名单退出). domain.md, "Process 4"; Quanzhou VI(2).

Every way off the red list opens one case with its trigger recorded. The automatic triggers
(blacklisting, expiry, an objection that revoked the listing, a broken green-channel commitment,
a confirmed re-evaluation) are removed at once by the system; an abuse report waits for the listing
department, which confirms or dismisses it. A removal can be contested through the objection
process (workflows.services.processes.removal_rules.contested_removal): the case itself is closed once
its consequences are carried out.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflows.domain.errors import N_
from workflows.domain.lists import ExitReason
from workflows.domain.process import (
    SYSTEM,
    Action,
    CaseView,
    DeadlineSpec,
    Field,
    ProcessDefinition,
    State,
    Who,
    department,
)
from workflows.domain.roles import Role

# trigger -> the exit reason the entry gets (None: purged, no record kept)
TRIGGERS: dict[str, ExitReason | None] = {
    "objection_revoked": None,  # 经异议处理认定有误：删除
    "blacklisted": ExitReason.BLACKLISTED,  # 被列入黑名单或重点关注名单
    "abuse": ExitReason.ABUSE,  # 不当利用红名单激励
    "broken_commitment": ExitReason.ABUSE,  # 未履行信用承诺 (green channel): a bad act, as abuse
    "expired": ExitReason.EXPIRED,  # 有效期届满自动退出
    "criteria_changed": ExitReason.CRITERIA_CHANGED,  # 认定标准改变
}
#: triggers a department reports and the listing department decides
REPORTED = frozenset({"abuse"})
#: triggers the system removes at once
AUTOMATIC = frozenset(TRIGGERS) - REPORTED
#: removals the subject may contest with an objection: those that rest on a department's finding
CONTESTABLE = frozenset({"abuse", "broken_commitment", "criteria_changed"})

ABUSE_REVIEW = DeadlineSpec("abuse_review", "redlist.abuse_review_days", "department")

lister = department(Role.LISTING_DEPARTMENT)
reporter = Who(frozenset({Role.IMPLEMENTING_DEPARTMENT, Role.LISTING_DEPARTMENT, Role.INFORMATION_PROVIDER}))


def _automatic(case: CaseView, params: Mapping[str, Any]) -> str | None:
    if case.facts.get("trigger") not in AUTOMATIC:
        return N_("only an automatic trigger is removed without the listing department's decision")
    return None


def _reported(case: CaseView, params: Mapping[str, Any]) -> str | None:
    if case.facts.get("trigger") not in REPORTED:
        return N_("only an abuse report waits for the listing department's decision")
    return None


# the incentives stopped, the exit announced, the subject and the platform told, the case closed, and a purged
# entry's personal data erased
REMOVED = ("stop_incentives", "announce", "tell_subject", "case.push_result", "case.close", "erase_personal_data")

REDLIST_REMOVAL = ProcessDefinition(
    name="redlist_removal",
    states=(
        State("opened"),
        State("reported"),
        State("removed"),
        State("dismissed", final=True),
        State("superseded", final=True),
        State("closed", final=True),
    ),
    initial="opened",
    filing=Action("file", (), "opened", reporter,
                  fields=(Field("list_entry_id", kind="int"), Field("trigger", choices=tuple(TRIGGERS)),
                          Field("reason", required=False))),
    actions=(
        Action("remove", ("opened",), "removed", SYSTEM, guard=_automatic, then=REMOVED),
        Action("report", ("opened",), "reported", SYSTEM, guard=_reported, starts=(ABUSE_REVIEW,),
               then=("tell_reporter", "tell_lister")),
        Action("confirm_abuse", ("reported",), "removed", lister, fields=(Field("reason"),), ends=("abuse_review",),
               then=("tell_reporter", *REMOVED)),
        Action("dismiss", ("reported",), "dismissed", lister, fields=(Field("reason"),), ends=("abuse_review",),
               then=("tell_reporter",)),
        # the entry leaves the red list for another trigger (e.g. blacklisting) while the report waits
        Action("supersede", ("reported",), "superseded", SYSTEM, ends=("abuse_review",)),
        Action("close", ("removed",), "closed", SYSTEM),
    ),
)
