"""Chinese first: every message the product can show has its Chinese translation, none left fuzzy.

The messages are extracted as a release would extract them (webapp/babel.cfg), so a page, form,
label or domain error added in English without its translation fails here, not in front of a citizen.
"""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "webapp" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def extracted() -> set[str]:
    """The message ids of the product's own folders, with the keywords of webapp/babel.cfg and `_l`."""
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.extract import DEFAULT_KEYWORDS

    with (ROOT / "webapp" / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    ids = set()
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        if filename.startswith((".venv", "node_modules", "tests")):
            continue
        ids.add(message[0] if isinstance(message, tuple) else message)
    return {i for i in ids if i}


def test_every_message_has_its_chinese_translation():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message_id in sorted(extracted()):
        message = catalog.get(message_id)
        strings = (message.string if isinstance(message.string, tuple) else (message.string,)) if message else ()
        if message is None or message.fuzzy or not all(strings):
            missing.append(message_id)
    assert not missing, (f"{len(missing)} message(s) without a Chinese translation (pybabel extract/update, then "
                         "translate in messages.po):\n" + "\n".join(missing[:40]))
