"""Process 1: objection verification, measures suspended (异议处理). domain.md, "Process 1"."""
from __future__ import annotations

from workflows.domain.process import (
    SYSTEM, Action, DeadlineSpec, Field, ProcessDefinition, State, accepting_office, applicant, department,
)
from workflows.domain.roles import Role

ACCEPTANCE = DeadlineSpec("acceptance", "objection.acceptance_days", "accepting_office")
VERIFICATION = DeadlineSpec("verification", "objection.verification_days", "department")

provider = department(Role.INFORMATION_PROVIDER)
DECISION = ("tell_result", "case.push_result", "case.close")  # told, pushed to the platform, closed

OBJECTION = ProcessDefinition(
    name="objection",
    states=(
        State("submitted"),
        State("awaiting_supplement"),
        State("verifying"),
        State("concluded"),
        State("refused", final=True),
        State("withdrawn", final=True),
        State("closed", final=True),
    ),
    initial="submitted",
    # the record disputed: a list entry, or a broken commitment in the credit file (one of the two)
    filing=Action("file", (), "submitted", applicant(),
                  fields=(Field("list_entry_id", required=False, kind="int"),
                          Field("broken_commitment_id", required=False, kind="int"), Field("grounds")),
                  starts=(ACCEPTANCE,), then=("acknowledge", "tell_office")),
    actions=(
        Action("accept", ("submitted",), "verifying", accepting_office(), starts=(VERIFICATION,), ends=("acceptance",),
               then=("suspend_listing", "tell_provider")),
        Action("request_supplement", ("submitted",), "awaiting_supplement", accepting_office(),
               fields=(Field("reason"),), pauses=("acceptance",), then=("request_supplement",)),
        Action("supplement", ("awaiting_supplement",), "submitted", applicant(),
               fields=(Field("note"),), resumes=("acceptance",), then=("tell_office",)),
        Action("refuse", ("submitted",), "refused", accepting_office(), fields=(Field("reason"),), ends=("acceptance",),
               then=("tell_result", "case.push_result")),
        Action("confirm", ("verifying",), "concluded", provider, fields=(Field("reason"),), ends=("verification",),
               then=("resume_listing", *DECISION)),
        Action("correct", ("verifying",), "concluded", provider,
               fields=(Field("correction"), Field("measures", choices=("resume", "stop"))), ends=("verification",),
               then=("apply_correction", *DECISION)),
        Action("revoke", ("verifying",), "concluded", provider, fields=(Field("reason"),), ends=("verification",),
               then=("revoke_listing", *DECISION, "erase_personal_data")),
        Action("withdraw", ("submitted", "awaiting_supplement", "verifying"), "withdrawn", applicant(),
               fields=(Field("reason", required=False),), ends=("acceptance", "verification"),
               then=("resume_listing", "tell_result")),
        Action("close", ("concluded",), "closed", SYSTEM),
    ),
)
