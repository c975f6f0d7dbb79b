"""The layers' directions, read from the code's own imports: domain <- services <- steps <- flows and web.

A lower layer never imports a higher one, at the top of a module or inside a function; the forms never import the
web layer that shows them. And within every layer: no module borrows another's private names (`_x`), and no module
of the web layer grows past what a reader takes in at once.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package (as a path prefix) -> modules it must never import (by dotted prefix)
RULES = {
    "workflows/domain": ("workflows.services", "workflows.store", "workflows.steps", "workflows.flows",
                         "workflows.processes", "workflows.automation", "webapp", "forms"),
    "workflows/processes": ("workflows.services", "workflows.store", "workflows.steps", "workflows.flows",
                            "workflows.automation", "webapp", "forms"),
    "workflows/services": ("workflows.steps", "workflows.flows", "workflows.automation", "webapp", "forms"),
    "workflows/steps": ("workflows.flows", "workflows.automation", "webapp", "forms"),
    "workflows/flows": ("workflows.automation", "webapp", "forms"),
    "forms": ("webapp",),
    "sla": ("workflows", "webapp", "forms"),  # the pure clock: calendar and deadline arithmetic
}
ALLOWED: set[tuple[str, str]] = set()  # (module path, import) exceptions: none


def imports_of(path: Path) -> set[str]:
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def violations(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    target = ROOT / layer
    files = [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))
    found = []
    for path in files:
        relative = str(path.relative_to(ROOT))
        for name in sorted(imports_of(path)):
            for prefix in forbidden:
                if (name == prefix or name.startswith(prefix + ".")) and (relative, prefix) not in ALLOWED:
                    found.append(f"{relative} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(RULES))
def test_a_layer_does_not_import_the_ones_above_it(layer):
    assert violations(layer, RULES[layer]) == []


def test_the_reading_of_imports_sees_a_violation():
    assert imports_of(ROOT / "workflows" / "flows" / "registry.py") >= {"workflows.steps", "workflows.steps.plans"}
    assert violations("workflows/flows", ("workflows.steps",))  # the flows do import the steps


PACKAGES = ("webapp", "forms", "workflows", "sla", "tests")  # the project's own, whose private names stay private
WEB_MODULE_MAX_LINES = 320


def private_imports(path: Path, root: Path = ROOT) -> list[str]:
    """`from <project module> import _name` (dunder names aside), relative imports included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] in PACKAGES):
            source = "." * node.level + (node.module or "")
            found += [f"{path.relative_to(root)}:{node.lineno} imports {alias.name} from {source}"
                      for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]
    return found


def test_no_module_imports_a_private_name_from_another():
    files = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    assert [found for path in files for found in private_imports(path)] == []


def test_the_reading_of_private_imports_sees_one(tmp_path):
    module = tmp_path / "borrower.py"
    module.write_text("from webapp.pages.cases import _rows, case_rows\nfrom . import _private\nfrom os import _exit\n")
    assert private_imports(module, tmp_path) == ["borrower.py:1 imports _rows from webapp.pages.cases",
                                                 "borrower.py:2 imports _private from ."]


def test_no_module_of_the_web_layer_is_too_long_to_read():
    lengths = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
               for path in sorted((ROOT / "webapp").rglob("*.py"))}
    assert {name: n for name, n in lengths.items() if n > WEB_MODULE_MAX_LINES} == {}


# --- the import graph: no cycle, and no import hidden inside a function ----------------------------------

# modules that load a part only when it runs, for a reason other than a cycle
LATE_LOADERS = {
    "webapp/cli.py": "each command loads what it runs, so `credit-cases --help` answers at once",
    "webapp/up.py": "loads the demo data and migrations only when it starts the product",
    "workflows/automation/worker.py": "loads Prefect's flows only when it runs them (the in-process path never does)",
}
GRAPH_PACKAGES = ("webapp", "forms", "workflows", "sla")


def module_of(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """module -> the project modules it imports, at the top or inside a function (`from a import b` names the
    module a.b when b is one, else a)."""
    files = {module_of(path, root): path for package in GRAPH_PACKAGES
             for path in sorted((root / package).rglob("*.py"))}
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in files else module
                           for alias in node.names]
            else:
                continue
            edges.update(t for t in targets if t in files and t != name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_sees_one(tmp_path):
    for name, text in {"workflows/a.py": "from workflows import b\n",
                       "workflows/b.py": "def late():\n    from .a import x\n", "workflows/c.py": ""}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cycles(import_graph(tmp_path)) == [["workflows.a", "workflows.b"]]


def test_no_project_module_is_imported_inside_a_function_but_by_the_late_loaders():
    found = []
    for package in GRAPH_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or relative in LATE_LOADERS:
                    continue
                found += [f"{relative}:{node.lineno} {ast.unparse(node)}" for node in ast.walk(function)
                          if isinstance(node, ast.ImportFrom)
                          and (node.level or (node.module or "").split(".")[0] in GRAPH_PACKAGES)]
    assert found == []



def test_no_two_test_modules_share_a_name():
    """The test folders are not packages: pytest imports each test module by its file name."""
    names = [path.name for path in sorted((ROOT / "tests").rglob("test_*.py"))]
    assert sorted({name for name in names if names.count(name) > 1}) == []
