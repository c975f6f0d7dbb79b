"""Process diagrams generated from the definitions, so the docs and the case page cannot drift.

`svg(definition, current=None)` lays the states out in columns by their distance from the initial
state and draws each action as an arrow; `mermaid(definition)` gives the same graph for Markdown.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from html import escape

from workflows.domain.process import ProcessDefinition

BOX_W, BOX_H, COL_GAP, ROW_GAP, MARGIN = 150, 40, 110, 34, 24


def ranks(definition: ProcessDefinition) -> dict[str, int]:
    """Breadth-first distance of each state from the initial one (unreachable states go last)."""
    rank = {definition.initial: 0}
    queue = deque([definition.initial])
    while queue:
        state = queue.popleft()
        for source, _action, target in definition.edges():
            if source == state and target not in rank:
                rank[target] = rank[state] + 1
                queue.append(target)
    last = max(rank.values(), default=0) + 1
    return {s.name: rank.get(s.name, last) for s in definition.states}


def positions(definition: ProcessDefinition) -> dict[str, tuple[int, int]]:
    by_rank: dict[int, list[str]] = {}
    for state in definition.states:
        by_rank.setdefault(ranks(definition)[state.name], []).append(state.name)
    tallest = max(len(names) for names in by_rank.values())
    placed = {}
    for column, names in sorted(by_rank.items()):
        offset = (tallest - len(names)) * (BOX_H + ROW_GAP) // 2
        for row, name in enumerate(names):
            placed[name] = (MARGIN + column * (BOX_W + COL_GAP), MARGIN + offset + row * (BOX_H + ROW_GAP))
    return placed


LABEL_SIZE, LABEL_H = 10.5, 14  # an edge label's font size and the height of its box


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """About how wide a label is drawn: a Chinese character is as wide as the font size, a Latin one half that."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.58 for ch in text)


@dataclass(frozen=True)
class Box:
    x: float  # left
    y: float  # top
    w: float
    h: float

    def overlaps(self, other: "Box") -> bool:
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)


def _curves(definition: ProcessDefinition, labels: dict[str, str]) -> list[tuple[tuple, str]]:
    """Each arrow (its points) and its label: the actions between the same two states share one arrow."""
    place = positions(definition)
    merged: dict[tuple[str, str], list[str]] = {}
    for source, action, target in definition.edges():
        merged.setdefault((source, target), []).append(labels.get(action, action))
    return [(_points(place[source], place[target], index), " / ".join(actions))
            for index, ((source, target), actions) in enumerate(merged.items())]


def label_boxes(definition: ProcessDefinition, labels: dict[str, str] | None = None) -> list[Box]:
    """Where each arrow's label is drawn: at the middle of its arrow, moved down (then up) a line at a time until
    it overlaps no label placed before it nor a state's box."""
    labels = labels or {}
    states = [Box(x, y, BOX_W, BOX_H) for x, y in positions(definition).values()]
    placed: list[Box] = []
    for points, label in _curves(definition, labels):
        mx, my = _middle(points)
        width = text_width(label) + 6
        for step in (0, *(k * sign for k in range(1, 40) for sign in (1, -1))):
            box = Box(mx - width / 2, my - 4 - LABEL_H + 3 + step * (LABEL_H + 1), width, LABEL_H)
            if box.y >= 0 and not any(box.overlaps(other) for other in placed + states):
                break
        placed.append(box)
    return placed


def svg(definition: ProcessDefinition, current: str | None = None, labels: dict[str, str] | None = None,
        alt: str | None = None) -> str:
    """The diagram; `alt` is its text alternative for those who cannot see it (the process's name by default)."""
    labels = labels or {}
    place = positions(definition)
    boxes = label_boxes(definition, labels)
    width = max([x for x, _ in place.values()] + [b.x + b.w - BOX_W for b in boxes]) + BOX_W + MARGIN
    height = max([y + BOX_H + 40 for _, y in place.values()] + [b.y + b.h for b in boxes]) + MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="process-diagram" '
        f'role="img" aria-label="{escape(alt or labels.get(definition.name, definition.name))}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for (points, label), box in zip(_curves(definition, labels), boxes):
        parts.append(_edge(points, label, box))
    finals = set(definition.final_states())
    for state in definition.states:
        x, y = place[state.name]
        css = "state current" if state.name == current else ("state final" if state.name in finals else "state")
        fill = "#c0392b" if state.name == current else ("#eef1f4" if state.name in finals else "#ffffff")
        text = "#ffffff" if state.name == current else "#1d2733"
        parts.append(
            f'<g class="{css}" data-state="{escape(state.name)}"><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" '
            f'rx="8" fill="{fill}" stroke="#34495e" stroke-width="{3 if state.name == current else 1.5}"/>'
            f'<text x="{x + BOX_W / 2}" y="{y + BOX_H / 2 + 5}" text-anchor="middle" font-size="13" fill="{text}">'
            f'{escape(labels.get(state.name, state.name))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _points(source: tuple[int, int], target: tuple[int, int], index: int) -> tuple:
    (sx, sy), (tx, ty) = source, target
    if tx > sx:  # forward: right side to left side
        x1, y1, x2, y2 = sx + BOX_W, sy + BOX_H / 2, tx, ty + BOX_H / 2
        c1, c2 = (x1 + COL_GAP / 2, y1), (x2 - COL_GAP / 2, y2)
    elif tx == sx and ty != sy:  # same column: along the right side
        x1, y1, x2, y2 = sx + BOX_W, sy + BOX_H / 2, tx + BOX_W, ty + BOX_H / 2
        c1, c2 = (x1 + 45, y1), (x2 + 45, y2)
    else:  # backward or to itself: a loop below the boxes
        drop = 30 + 12 * (index % 3)
        x1, y1, x2, y2 = sx + BOX_W / 3, sy + BOX_H, tx + 2 * BOX_W / 3, ty + BOX_H
        c1, c2 = (x1, max(y1, y2) + drop), (x2, max(y1, y2) + drop)
    return (x1, y1), c1, c2, (x2, y2)


def _middle(points: tuple) -> tuple[float, float]:
    (x1, y1), c1, c2, (x2, y2) = points
    return (x1 + 3 * c1[0] + 3 * c2[0] + x2) / 8, (y1 + 3 * c1[1] + 3 * c2[1] + y2) / 8


def _edge(points: tuple, label: str, box: Box) -> str:
    (x1, y1), c1, c2, (x2, y2) = points
    return (
        f'<g class="transition"><path d="M{x1},{y1} C{c1[0]},{c1[1]} {c2[0]},{c2[1]} {x2},{y2}" fill="none" '
        f'stroke="#555" stroke-width="1.2" marker-end="url(#arrow)"/>'
        f'<text x="{box.x + box.w / 2}" y="{box.y + box.h - 3}" text-anchor="middle" font-size="{LABEL_SIZE}" '
        f'fill="#2c3e50" paint-order="stroke" stroke="#ffffff" stroke-width="3">{escape(label)}</text></g>'
    )


def mermaid(definition: ProcessDefinition) -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {definition.initial}"]
    lines += [f"    {source} --> {target}: {action}" for source, action, target in definition.edges()]
    lines += [f"    {state} --> [*]" for state in definition.final_states()]
    return "\n".join(lines)
