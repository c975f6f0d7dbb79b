"""The process diagrams lay their arrows' labels out so that none covers another, nor a state's box, in Chinese
(the labels the case page draws) as in the identifiers the docs draw."""
import re
from pathlib import Path

import pytest
from babel.support import Translations

from forms.labels import ACTIONS, STATES
from workflows.processes import DEFINITIONS
from workflows.processes.diagram import BOX_H, BOX_W, Box, label_boxes, positions, svg, text_width



ROOT = Path(__file__).resolve().parents[2]
CHINESE = Translations.load(str(ROOT / "webapp" / "translations"), ["zh_Hans_CN"])


def chinese_labels(definition) -> dict[str, str]:
    names = {name: CHINESE.gettext(str(label._args[0] if hasattr(label, "_args") else label))
             for name, label in {**STATES, **ACTIONS}.items()}
    return {k: v for k, v in names.items() if k in {s.name for s in definition.states} | {a.name for a in definition.actions}}


@pytest.mark.parametrize("process", sorted(DEFINITIONS))
@pytest.mark.parametrize("language", ["identifiers", "zh"])
def test_no_two_edge_labels_overlap(process, language):
    definition = DEFINITIONS[process]
    labels = chinese_labels(definition) if language == "zh" else {}
    boxes = label_boxes(definition, labels)
    states = [Box(x, y, BOX_W, BOX_H) for x, y in positions(definition).values()]
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert overlapping == []
    assert [b for b in boxes if any(b.overlaps(s) for s in states)] == []
    drawn = svg(definition, labels=labels)
    width, height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', drawn).groups())
    assert all(b.x >= 0 and b.y >= 0 and b.x + b.w <= width and b.y + b.h <= height for b in boxes)


def test_boxes_overlap_only_when_they_share_area():
    assert Box(0, 0, 10, 10).overlaps(Box(5, 5, 10, 10))
    assert not Box(0, 0, 10, 10).overlaps(Box(10, 0, 10, 10))
    assert text_width("提交材料") == 4 * 10.5 and text_width("ab") < 2 * 10.5
