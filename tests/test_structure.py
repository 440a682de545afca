"""The package's shape: no import cycle among keras_lite's own modules, and no module over 450 lines.

A cycle (a module importing one that imports it back, at module level or inside a function) makes the order of
imports matter and hides a layering mistake. The graph is read from the source with ``ast``: every ``import``
and ``from ... import`` of a keras_lite module, wherever it stands, except under ``if TYPE_CHECKING:`` (those
never run). Importing ``keras_lite.a.b`` runs the package ``keras_lite.a`` first, so it counts as importing
``keras_lite.a`` too, unless that package contains the importing module (it is then already being imported).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import keras_lite

PACKAGE = Path(keras_lite.__file__).resolve().parent
MAX_LINES = 450


def module_files(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__.py``); stubs of extensions too."""
    out: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py*")):
        if path.suffix not in (".py", ".pyi"):
            continue
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out.setdefault(".".join(parts), path)  # a .py wins over its .pyi (sorted: .py comes first)
    return out


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in ``tree`` (functions and classes included) outside ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        if isinstance(node, ast.If) and _type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def imports_of(name: str, modules: dict[str, Path]) -> set[str]:
    """The keras_lite modules that module ``name`` imports (see the module docstring for the rules)."""
    path = modules[name]
    package = name if path.name.startswith("__init__.") else name.rpartition(".")[0]
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
    targets: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = ".".join(package.split(".")[: package.count(".") + 2 - node.level])
            base = f"{base}.{node.module}" if node.module else base
        else:
            base = node.module or ""
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            # `from pkg import sub` imports the module pkg.sub; `from pkg import name` reads pkg's namespace,
            # which is only complete once pkg has run, even when pkg contains this module.
            targets.add(sub if sub in modules else base)
            if sub not in modules and base in ancestors:
                targets.add(f"{base}.__namespace__")
    out: set[str] = set()
    for target in targets:
        if target.endswith(".__namespace__"):
            out.add(target.rpartition(".")[0])
            continue
        parts = target.split(".")
        for i in range(1, len(parts) + 1):  # the module and the packages above it
            candidate = ".".join(parts[:i])
            if candidate in modules and candidate not in ancestors:
                out.add(candidate)
    out.discard(name)
    return out


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    modules = module_files(root)
    return {name: imports_of(name, modules) for name in modules if modules[name].suffix == ".py"}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as ``[a, b, ..., a]``, or None (depth-first search, iterative)."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = [start]
        on_path = {start}
        pending = [iter(sorted(graph.get(start, ())))]
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                pending.pop()
                done.add(path[-1])
                on_path.discard(path.pop())
            elif nxt in on_path:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                pending.append(iter(sorted(graph.get(nxt, ()))))
    return None


def test_graph_reader_sees_relative_lazy_and_package_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "keras_lite"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import a, sub\n")
    (pkg / "_core.pyi").write_text("")
    (pkg / "a.py").write_text(
        "from typing import TYPE_CHECKING\nfrom . import _core\n"
        "if TYPE_CHECKING:\n    from .b import X\n\ndef f():\n    from .sub.c import Y\n"
    )
    (pkg / "b.py").write_text("import keras_lite.a\n")
    (pkg / "sub" / "__init__.py").write_text("from .c import Y\n")
    (pkg / "sub" / "c.py").write_text("from .. import b\nfrom . import d\n")
    (pkg / "sub" / "d.py").write_text("from ..sub import c\n")
    graph = import_graph(pkg)
    assert graph["keras_lite"] == {"keras_lite.a", "keras_lite.sub"}
    assert graph["keras_lite.a"] == {"keras_lite._core", "keras_lite.sub", "keras_lite.sub.c"}  # not .b
    assert graph["keras_lite.b"] == {"keras_lite.a"}
    assert graph["keras_lite.sub"] == {"keras_lite.sub.c"}
    assert graph["keras_lite.sub.c"] == {"keras_lite.b", "keras_lite.sub.d"}
    assert graph["keras_lite.sub.d"] == {"keras_lite.sub.c"}
    assert find_cycle(graph) == [
        "keras_lite.a",
        "keras_lite.sub",
        "keras_lite.sub.c",
        "keras_lite.b",
        "keras_lite.a",
    ]
    del graph["keras_lite.b"]
    assert find_cycle(graph) == ["keras_lite.sub.c", "keras_lite.sub.d", "keras_lite.sub.c"]
    graph["keras_lite.sub.d"] = set()
    assert find_cycle(graph) is None


def test_no_import_cycle() -> None:
    graph = import_graph()
    assert "keras_lite.models" in graph and graph["keras_lite.utils"]  # the reader found the package
    cycle = find_cycle(graph)
    assert cycle is None, f"import cycle: {' -> '.join(cycle)}"


@pytest.mark.parametrize("name", sorted(n for n, p in module_files().items() if p.suffix == ".py"))
def test_module_is_at_most_450_lines(name: str) -> None:
    lines = module_files()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines (split it by concept; the budget is {MAX_LINES})"
