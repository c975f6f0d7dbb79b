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
import time
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


REFERENCE_LOOP = 5_000_000  # additions


def reference_cpu() -> float:
    """The machine's speed as it is now: the CPU seconds of a fixed loop of Python arithmetic, the best of three.
    The same code's figures follow the machine's speed as much as the code (docs/performance.md), so a row that
    gives it can be weighed against one measured on another day."""
    best = float("inf")
    for _ in range(3):
        started, total = time.process_time(), 0
        for number in range(REFERENCE_LOOP):
            total += number
        best = min(best, time.process_time() - started)
    return best


def machine() -> str:
    load = os.getloadavg()[0]
    return (f"{os.cpu_count()} cores (load average {load:.1f} from other work; the reference loop "
            f"{reference_cpu() * 1000:.0f} ms of CPU), Python {platform.python_version()}")


def _render(rows: dict[str, dict]) -> str:
    lines = [BEGIN, "", "Each row says the load average of the machine when it was measured: other work shared its 2 cores, "
             "so an idle machine does better; a target marked NO was missed on the machine as it was. Rows measured "
             "since 2026-12-07 also give the machine's speed then: the CPU time of a fixed loop of Python arithmetic "
             f"({REFERENCE_LOOP:,} additions, the best of three; `perfdoc.reference_cpu`): the longer it took, the "
             "slower the machine was, and a CPU-bound figure measured at twice the loop's time is about half of "
             "what the same code gives on the faster machine.", "",
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
    for key, row in _measured.items():  # a row's note is kept in the document once written there (the analysis
        rows[key] = {**row, "note": rows.get(key, {}).get("note") or row["note"]}  # of what holds it back)
    DOC.write_text(head + _render(rows) + tail, encoding="utf-8")
