"""Errors carry a message id and its values: English from `str()`, the reader's language on the pages.

And no one builds an error's message by interpolation again (an f-string, `%` or `.format`): a message
whose text has values names them as placeholders of its id, so the catalogue can translate it.
"""
import ast
from pathlib import Path

import pytest

from workflows.domain.errors import N_, ActionNotAllowed, Conflict, DomainError, InvalidInput, NotFound
from workflows.domain.lists import ListKind, check_measure_fits_list

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("workflows", "sla", "forms", "webapp")
# errors that are not DomainErrors but whose messages people read (and a bulk import's problems), and where
# their message is among the arguments
READ_ERRORS = {"CalendarFileError": 1, "LoginRefused": 0, "Problem": 2}


def _sources() -> dict[Path, ast.AST]:
    return {path: ast.parse(path.read_text(encoding="utf-8"))
            for folder in FOLDERS for path in sorted((ROOT / folder).rglob("*.py"))}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def error_classes(trees) -> dict[str, int]:
    """The domain errors' class names (DomainError and its subclasses, by name) -> the message's position."""
    bases = {node.name: {_name(b) for b in node.bases}
             for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    found = {"DomainError"}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return {**{name: 0 for name in found}, **READ_ERRORS}
        found |= more


def interpolated(node: ast.AST) -> bool:
    """A message built from values anywhere in its expression: an f-string with values, `%`, `.format`, `.join`,
    or text joined to a value with `+`."""
    for part in ast.walk(node):
        if isinstance(part, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in part.values):
            return True
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Mod):
            return True
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Add) and not (
                isinstance(part.left, ast.Constant) and isinstance(part.right, ast.Constant)):
            return True
        if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute) and part.func.attr in ("format", "join"):
            return True
    return False


def interpolated_messages() -> list[str]:
    trees = _sources()
    classes = error_classes(trees.values())
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node.func) not in classes:
                continue
            position = classes[_name(node.func)]
            message = node.args[position] if len(node.args) > position else next(
                (k.value for k in node.keywords if k.arg == "message"), None)
            if message is not None and interpolated(message):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {_name(node.func)}: {ast.unparse(message)[:80]}")
    return found


def test_no_error_message_is_built_by_interpolation():
    found = interpolated_messages()
    assert not found, ("an error's message is a message id with %(name)s placeholders and its values as "
                       "keyword arguments, e.g. NotFound(N_('no case #%(id)s'), id=case_id):\n" + "\n".join(found))


def test_the_scan_sees_an_interpolated_message():
    tree = ast.parse('raise NotFound(f"no case #{case_id}")\nraise Conflict("is %s" % state)\n'
                     'raise InvalidInput("at most {} files".format(n), field="files")\n'
                     'raise InvalidInput(N_("no case #%(id)s"), id=case_id)\nraise Conflict("fixed")\n')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _name(n.func) in
             ("NotFound", "Conflict", "InvalidInput")]
    assert [interpolated(c.args[0]) for c in calls] == [True, True, True, False, False]
    assert {"DomainError", "NotFound", "CalendarYearMissing", "ImportRejected"} <= set(error_classes(
        _sources().values()))


def test_an_error_carries_its_message_id_and_values():
    error = InvalidInput(N_("'%(action)s' is not possible while the case is %(state)s"), field="action",
                         labels={"action": "action", "state": "state"}, action="withdraw", state="concluded")
    assert error.message == "'withdraw' is not possible while the case is concluded"
    assert str(error) == "action: 'withdraw' is not possible while the case is concluded"
    assert error.msgid == "'%(action)s' is not possible while the case is %(state)s"
    assert error.params == {"action": "withdraw", "state": "concluded"}
    assert error.labels == {"action": "action", "state": "state"}
    fixed = Conflict("the case changed meanwhile", field="version")
    assert (fixed.message, fixed.msgid, fixed.params) == ("the case changed meanwhile",) * 2 + ({},)
    assert DomainError("100% sure").message == "100% sure"  # no values: the text is taken as it is


@pytest.fixture
def zh():
    """A request in Chinese, with the product's catalogue (no database needed)."""
    from flask import Flask
    from flask_babel import Babel, force_locale

    app = Flask("webapp", root_path=str(ROOT / "webapp"))
    Babel(app)
    with app.test_request_context("/"), force_locale("zh_CN"):
        yield


def test_the_pages_say_an_error_in_chinese_with_its_values_by_their_labels(zh):
    from webapp import messages

    error = ActionNotAllowed(N_("'%(action)s' is not possible while the case is %(state)s"),
                             labels={"action": "action", "state": "state"}, action="withdraw", state="concluded")
    assert str(error) == "'withdraw' is not possible while the case is concluded"
    assert messages.translate(error) == "案件当前状态为“已作出核查结论”，不能办理“撤回”"
    assert messages.translate(NotFound(N_("no case #%(id)s"), field="case", id=42)) == "案件 #42 不存在"
    with pytest.raises(InvalidInput) as refused:
        check_measure_fits_list("incentive", ListKind.BLACK)
    assert str(refused.value) == "measures: a incentive measure cannot be attached to the black list"
    assert messages.translate(refused.value) == "激励措施不能适用于黑名单"
    assert messages.translate(Conflict(N_("the subject already has an open %(list)s list entry (#%(id)s)"),
                                       labels={"list": "list"}, list="black", id=7)) == "该信用主体已有有效的黑名单记录（#7）"


def test_a_message_without_a_translation_is_shown_in_english(zh):
    from webapp import messages

    assert messages.translate(InvalidInput("no such message in the catalogue: %(n)s", n=3)) == \
        "no such message in the catalogue: 3"


def test_an_import_file_error_says_where_and_what(zh):
    from webapp import messages
    from workflows.services.admin.calendar_imports import import_arrangement

    with pytest.raises(InvalidInput) as refused:
        import_arrangement(None, '{"year": 2027, "days_off": ["2027-02-30"], "working_days": []}', "x.json", None)
    assert refused.value.message == "not a valid date (expected YYYY-MM-DD): '2027-02-30'"
    assert messages.file_error(refused.value) == "days_off 第 1 项：不是有效日期（格式应为 YYYY-MM-DD）：'2027-02-30'"


def _literal_messages():
    """Every N_("...") in the code, and every fixed message a domain error is raised with outside the API
    (webapp/api/, which answers in English)."""
    trees = _sources()
    classes = error_classes(trees.values())
    for path, tree in trees.items():
        api = ROOT / "webapp" / "api" in path.parents
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if _name(node.func) == "N_":
                yield path, node.lineno, node.args[0].value
            elif _name(node.func) in classes and not api and len(node.args) > classes[_name(node.func)]:
                message = node.args[classes[_name(node.func)]]
                if isinstance(message, ast.Constant) and isinstance(message.value, str):
                    yield path, node.lineno, message.value


def test_every_message_id_is_extracted_into_the_catalogue():
    """Extraction misses a message id nested in another call inside an error's call: it must not hide there."""
    from test_translations import extracted

    ids = extracted()
    missed = [f"{path.relative_to(ROOT)}:{line} {message}" for path, line, message in _literal_messages()
              if message not in ids]
    assert not missed, "not extracted (see webapp/babel.cfg):\n" + "\n".join(missed)
