"""The benchmark table in docs/performance.md, regenerated between two marker comments.

Each figure is a row keyed by its item ("1a", "2b", ...). A run replaces the rows it measured and keeps
the others (a rerun of one benchmark does not erase the rest); everything outside the markers (other
sections of the file) is left as it is.
"""
from __future__ import annotations

import json
import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
DATA = re.compile(r"<!-- bench:data (.*?) -->", re.S)
HEADER = """# Performance

Measured by `make bench` on the machine named in each row's conditions, against PostgreSQL, with the app
under gunicorn, the real automation worker and a real Prefect server. A rerun replaces the table.
"""

_measured: dict[str, dict] = {}


def record(key: str, measure: str, figure: str, target: str, met: bool, conditions: str, note: str = "") -> None:
    """Remember one figure; written to the document when the session ends."""
    _measured[key] = dict(measure=measure, figure=figure, target=target, met=met, conditions=conditions, note=note,
                          at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    print(f"\n[{key}] {measure}: {figure} (target {target}; {'met' if met else 'MISSED'}) -- {conditions}")


def machine() -> str:
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores (load average {load:.1f} from other work), Python {platform.python_version()}"


def _render(rows: dict[str, dict]) -> str:
    lines = [BEGIN, "", "Each row says the load average of the machine when it was measured: other work shared its 2 cores, "
             "so an idle machine does better; a target marked NO was missed on the machine as it was.", "",
             "| # | measure | figure | target | met | conditions |", "|---|---|---|---|---|---|"]
    for key in sorted(rows, key=lambda k: (int(re.match(r"\d+", k).group()), k)):
        r = rows[key]
        lines.append(f"| {key} | {r['measure']} | **{r['figure']}** | {r['target']} | {'yes' if r['met'] else 'NO'} "
                     f"| {r['conditions']}; {r['at']} |")
    notes = [(k, rows[k]["note"]) for k in sorted(rows) if rows[k].get("note")]
    if notes:
        lines += ["", "Notes (what holds a figure back, and what was changed):", ""]
        lines += [f"- **{k}**: {n}" for k, n in notes]
    lines += ["", f"<!-- bench:data {json.dumps(rows, ensure_ascii=False)} -->", "", END]
    return "\n".join(lines)


def write() -> None:
    if not _measured:
        return
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    rows: dict[str, dict] = {}
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        block, tail = rest.split(END, 1)
        found = DATA.search(block)
        if found:
            rows = json.loads(found.group(1))
    else:
        head, tail = text.rstrip("\n") + "\n\n## Benchmarks (`make bench`)\n\n", "\n"
    rows.update(_measured)
    DOC.write_text(head + _render(rows) + tail, encoding="utf-8")
