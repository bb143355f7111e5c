"""The import rule, read from the source with ``ast``: no circles, and no arrow from the library
to an entry point.

Every import counts, those inside functions and under ``if __name__ == "__main__":`` too (a
lazy import is still a dependency, and a module run as a program imports its importers again as
another module, which is how ``mood.goemotions`` -> ``mood.score_classifier`` -> ``mood.classifier``
-> ``mood.goemotions`` went unseen). Two kinds of node are checked: modules (``moodreel.search.pitch``) and the package's parts
(``moodreel.search``, ``moodreel.profiles``, ``moodreel.services``...), so two sub-packages
that lean on each other through different modules are caught as well.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "moodreel"

# The front ends: they may import the library (and each other); the library never imports them.
ENTRY_POINTS = {"moodreel.cli", "moodreel.server", "moodreel.webapp", "moodreel.ingestion.cli"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        todo.extend(ast.iter_child_nodes(node))


def imported_names(name: str, path: Path) -> set[str]:
    """Every dotted name ``name``'s source imports (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        out.add(base)
        out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def _resolve(dotted: str) -> str | None:
    """The moodreel module a dotted name lives in (``moodreel.x.y.Name`` -> ``moodreel.x.y``)."""
    while dotted:
        if dotted in MODULES:
            return dotted
        dotted = dotted.rpartition(".")[0]
    return None


def module_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        targets = {_resolve(d) for d in imported_names(name, path) if d.startswith("moodreel")}
        # importing a sub-module runs its parents' __init__, which is not a dependency worth a circle
        graph[name] = {t for t in targets if t and t != name and not name.startswith(t + ".")}
    return graph


def part(module: str) -> str:
    """``moodreel.search.pitch`` -> ``moodreel.search``; top-level modules are their own part."""
    return ".".join(module.split(".")[:2])


def part_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The library's parts and their arrows; the entry points sit above all of them (the test
    below keeps the library from importing one), so ``ingestion.cli`` -> ``services`` ->
    ``ingestion.pipeline`` is no circle."""
    parts: dict[str, set[str]] = {}
    for source, targets in graph.items():
        if source in ENTRY_POINTS:
            continue
        parts.setdefault(part(source), set()).update(part(t) for t in targets if part(t) != part(source))
    return parts


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
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
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text(
        "import json\n"
        "from .sibling import thing\n"
        "def f():\n"
        "    from moodreel.store import MilvusStore\n"
        "if __name__ == '__main__':\n"
        "    from moodreel.mood.score_classifier import main\n"
    )
    names = imported_names("moodreel.search.mod", source)
    assert {"json", "moodreel.search.sibling.thing", "moodreel.store.MilvusStore"} <= names
    assert "moodreel.mood.score_classifier.main" in names  # a main block imports like any other code


def test_the_checker_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules():
    assert cycles(module_graph()) == []


def test_no_import_cycle_between_the_package_parts():
    assert cycles(part_graph(module_graph())) == []


@pytest.mark.parametrize("name", sorted(set(MODULES) - ENTRY_POINTS))
def test_the_library_never_imports_an_entry_point(name):
    wrong = sorted(d for d in imported_names(name, MODULES[name]) if _resolve(d) in ENTRY_POINTS)
    assert wrong == [], f"{name} imports the entry point(s) {wrong}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_nothing_in_the_package_imports_the_top_level_ingest(name):
    """``ingest/`` is only the ``python -m ingest`` door: the package must work without it."""
    wrong = sorted(d for d in imported_names(name, MODULES[name]) if d.split(".")[0] == "ingest")
    assert wrong == [], f"{name} imports {wrong}"
