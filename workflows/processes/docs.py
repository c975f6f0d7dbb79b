"""Writes docs/processes/<process>.md and .svg from the definitions: `python -m workflows.processes.docs`.

A test checks that the files in docs/ are what this produces, so the docs cannot drift from the code.
"""
from __future__ import annotations

import sys
from pathlib import Path

from workflows.domain.process import ProcessDefinition
from workflows.domain.settings import SETTINGS

from . import DEFINITIONS
from .diagram import mermaid, svg

DOCS = Path(__file__).resolve().parents[2] / "docs" / "processes"

INTRO = {
    "objection": (
        "Objection verification, measures suspended (异议处理)",
        "A subject disputes a credit record, usually a list entry that punishes it. While the information "
        "provider verifies it, the entry and every measure attached to it are suspended: measures are not "
        "executed while the information is being verified (Quanzhou V(6); Zhuhai VII(3)).",
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
        lines.append(f"| `{action.name}` | {sources} | {action.target} | {action.who.describe()} | {fields} | {timers} |")
    specs = {d.kind: d for a in actions for d in a.starts}
    lines += ["", "## Time limits", "", "| deadline | whose step | setting | default |", "|---|---|---|---|"]
    for spec in specs.values():
        setting = SETTINGS[spec.limit_setting]
        lines.append(f"| {spec.kind} | {spec.owner} | `{spec.limit_setting}` | {setting.default} {setting.unit} |")
    lines += _consequences(definition.name)
    lines += ["", "Limits are working days in Asia/Shanghai, the start day not counted; an administrator changes "
              "them on the settings page. A warning fires `sla.warning_days` working days before the end; at the "
              "end the deadline is breached, the case shows as overdue and supervisors are told.", ""]
    return "\n".join(lines)


def _consequences(process: str) -> list[str]:
    """What the process's Prefect flow does after each event, from its plan and the steps' docstrings."""
    import importlib

    from workflows.flows.steps import STEPS

    try:
        plan = importlib.import_module(f"workflows.flows.{process}").PLAN
    except ModuleNotFoundError:
        return []
    lines = ["", "## What the flow does after each event", "", "| event | steps |", "|---|---|"]
    for kind, steps in plan.items():
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
