"""Writes docs/processes/<process>.md and .svg from the definitions: `python -m workflows.docs`.

A test checks that the files in docs/ are what this produces, so the docs cannot drift from the code.
"""
from __future__ import annotations

import sys
from pathlib import Path

from workflows.domain.process import ProcessDefinition
from workflows.domain.settings import SETTINGS
from workflows.processes import DEFINITIONS
from workflows.processes.diagram import mermaid, svg
from workflows.steps import STEPS, plan_of

DOCS = Path(__file__).resolve().parents[1] / "docs" / "processes"

INTRO = {
    "objection": (
        "Objection verification, measures suspended (异议处理)",
        "A subject disputes a credit record, usually a list entry that punishes it. While the information "
        "provider verifies it, the entry and every measure attached to it are suspended: measures are not "
        "executed while the information is being verified (Quanzhou V(6); Zhuhai VII(3)). The same verification "
        "opens without the subject (`origin`): a department's own finding (主动发现) on a record it supplied or whose "
        "measure it applies goes to verification at once (`begin_verification`, no formal review), and anyone's "
        "complaint (投诉) about an entry on the public lists, named by the subject's credit code, is reviewed like an "
        "objection; the complainant is told the outcome, the subject is told the verification and its result. Any "
        "record that is kept can be disputed: an entry in force, an exited entry kept in the back end (it stays "
        "exited; what followed from it, such as the key-attention entry after a blacklist exit, is suspended while "
        "it is verified, ends with a correction that stops the measures and is purged with a revocation), and a "
        "broken commitment (revoked on objection, it restores the red-list entry it removed). A complaint may be "
        "withdrawn until it is accepted, a department's finding not at all.",
    ),
    "conditional_acceptance": (
        "Conditional acceptance against a written commitment (容缺受理, green channel)",
        "An eligible subject (on the red list, or without a bad credit record for three years, and on neither the "
        "blacklist nor the key-attention list, and without a recently broken commitment) files a licence "
        "application with deferrable materials missing and signs a commitment naming each item, its deadline and "
        "the consequence (Zhuhai III(2); Quanzhou II(2)). Besides the deadlines below, acceptance starts a "
        "`materials` deadline (each missing item has its date: `green.materials_days` or the matter's own, never beyond its "
        "processing time; one extension; the timer follows the earliest outstanding item) and a `processing` deadline of the matter's promised time; a missed "
        "`materials` deadline ends the case as `commitment_breached`. A grant is published within 7 working days "
        "(Zhuhai VI(3)).",
    ),
    "repair_exit": (
        "Early exit from the blacklist through credit repair (信用修复)",
        "\"Whoever listed it, repairs it\" (Quanzhou V(5), VI(1), VI(3); Zhuhai VII(2)). The applicant names an active "
        "blacklist entry and what it has put right; an entry of a category that is not repairable, whose minimum "
        "listing period (`repair.min_listing_months.<category>`) has not run, or under an open objection or repair "
        "case is refused at filing with the reason. The case starts as a `draft` so proof files can be attached "
        "(`POST /api/v1/cases/{id}/evidence`); `submit` signs the generated repair commitment and checks the proof "
        "(`repair.proof_required.<category>`). On `approve` the flow exits the entry (`repaired`), stops every "
        "measure and tells each implementing department, announces the exit where the listing was published, puts "
        "the subject on the key-attention list (not public) for the validity the department set and warns it, and "
        "sends the result to the applicant and the platform. The same happens when a blacklist entry's validity "
        "ends (the `lists` flow).",
    ),
    "redlist_removal": (
        "Red-list removal (红名单退出)",
        "Every way off the red list opens one case with its trigger (Quanzhou VI(2); Zhuhai VI(1)): `objection_revoked` "
        "(an objection found the listing wrong: the entry is purged, no record kept), `blacklisted` (a blacklist or "
        "key-attention listing of the subject, removed in the listing's own transaction, so the subject is never on "
        "both lists), `abuse` (a department's report with evidence, which the listing department confirms or "
        "dismisses), `broken_commitment` (a green-channel commitment broken), `expired` (the validity timer) and "
        "`criteria_changed` (the listing department's re-evaluation against a stated rule, previewed and confirmed in "
        "bulk). The decision that removes the entry also exits it and stops every incentive in its transaction; the "
        "flow then tells each implementing department, announces the exit through the original channel, tells the "
        "subject and pushes the result to the platform. The subject may contest a removal for `abuse`, "
        "`broken_commitment` or `criteria_changed` with the objection process: once accepted, the entry and its "
        "incentives are in force again while it is verified; `confirm` (or a withdrawal) completes the removal, "
        "`revoke` restores the entry for good and announces the correction.",
    ),
}


def render(definition: ProcessDefinition) -> str:
    title, intro = INTRO.get(definition.name, (definition.name, ""))
    lines = [f"# {title}", "", intro, "", f"Process name in the API: `{definition.name}`.", "",
             f"![diagram]({definition.name}.svg)", "", "```mermaid", mermaid(definition), "```", "",
             "## Actions", "", "| action | from | to | who | fields | deadlines |", "|---|---|---|---|---|---|"]
    actions = ([definition.filing] if definition.filing else []) + list(definition.actions)
    for action in actions:
        fields = ", ".join(f"`{f.name}`" + ("" if f.required else " (optional)") for f in action.fields) or "—"
        timers = "; ".join([f"starts {d.kind}" for d in action.starts] + [f"ends {k}" for k in action.ends]
                           + [f"pauses {k}" for k in action.pauses] + [f"resumes {k}" for k in action.resumes]) or "—"
        sources = ", ".join(action.sources) or "(new case)"
        who = action.who.describe() + (f" ({action.applies.__doc__.splitlines()[0].rstrip('.')})"
                                       if action.applies is not None and action.applies.__doc__ else "")
        lines.append(f"| `{action.name}` | {sources} | {action.target} | {who} | {fields} | {timers} |")
    specs = {d.kind: d for a in actions for d in a.starts}
    lines += ["", "## Time limits", "", "| deadline | whose step | setting | default |", "|---|---|---|---|"]
    for spec in specs.values():
        setting = SETTINGS[spec.limit_setting]
        lines.append(f"| {spec.kind} | {spec.owner} | `{spec.limit_setting}` | {setting.default} {setting.unit} |")
    lines += _consequences(definition)
    lines += ["", "Limits are working days in Asia/Shanghai, the start day not counted; an administrator changes "
              "them on the settings page. A warning fires `sla.warning_days` working days before the end; at the "
              "end the deadline is breached, the case shows as overdue and supervisors are told.", ""]
    return "\n".join(lines)


def _consequences(definition: ProcessDefinition) -> list[str]:
    """What the process's flow does after each event: the actions' `then`, described by the steps' docstrings."""
    lines = ["", "## What the flow does after each event", "", "| event | steps |", "|---|---|"]
    for kind, steps in plan_of(definition).items():
        described = [f"`{name.split('.', 1)[1]}`" + (f": {STEPS[name].__doc__.splitlines()[0]}" if STEPS[name].__doc__ else "")
                     for name in steps]
        lines.append(f"| `{kind}` | {'<br>'.join(described) or '—'} |")
    return lines


def outputs() -> dict[Path, str]:
    files = {}
    for definition in DEFINITIONS.values():
        files[DOCS / f"{definition.name}.md"] = render(definition)
        files[DOCS / f"{definition.name}.svg"] = svg(definition) + "\n"
    return files


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    for path, text in outputs().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(DOCS.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
