"""The Rust core's shape: no import cycle among its modules, small files, the backend chosen in one place, and a
finite-difference test in every layer file.

A module is a file: ``rust/a.rs`` or ``rust/a/mod.rs`` is ``a``, ``rust/a/b.rs`` is ``a::b``. Module ``m`` imports
module ``t`` when its source (comments aside) names a path ``crate::...`` or ``super::...`` that resolves to ``t``
(the longest path that is a module); declaring a child (``mod t;``) is not an import. The checks read the source
tree next to this file, so they run wherever the repository is checked out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

RUST = Path(__file__).resolve().parent.parent / "rust"
# Core files, binding files (rust/py/), and the most `#[cfg(feature = "gpu")]` lines outside rust/gpu/.
MAX_CORE_LINES = 400
MAX_BINDING_LINES = 300
MAX_GPU_CFG_OUTSIDE = 3

pytestmark = pytest.mark.skipif(not RUST.is_dir(), reason="the Rust sources are not next to the tests")


def modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in sorted(RUST.rglob("*.rs")):
        parts = list(path.relative_to(RUST).with_suffix("").parts)
        if parts[-1] in ("mod", "lib"):
            parts.pop()
        out["::".join(parts)] = path
    return out


def _expand(path: str) -> list[str]:
    """``a::{b, c::d}`` as ``[a::b, a::c::d]`` (one level of braces; ``self`` is the prefix itself)."""
    brace = path.find("{")
    if brace < 0:
        return [path]
    head = path[:brace].rstrip(":")
    items = re.split(r",(?![^{]*\})", path[brace + 1 : path.rfind("}")])
    out = []
    for item in (i.strip() for i in items):
        if item == "self":
            out.append(head)
        elif item:
            out.append(f"{head}::{item}" if head else item)
    return out


def imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        source = re.sub(r"//[^\n]*", "", path.read_text(encoding="utf-8"))
        here = name.split("::") if name else []
        targets: set[str] = set()
        for m in re.finditer(r"\b(crate|super)((?:::\{[^}]*\}|::\w+)+)", source):
            base = [] if m.group(1) == "crate" else here[:-1]
            for tail in _expand(m.group(2).strip(":")):
                parts = base + [p for p in tail.split("::") if p]
                for i in range(len(parts), 0, -1):
                    candidate = "::".join(parts[:i])
                    if candidate in mods:
                        if candidate != name:
                            targets.add(candidate)
                        break
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checker_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert _expand("x::{y, z::w, self}") == ["x::y", "x::z::w", "x"]


def test_no_import_cycle_among_core_modules() -> None:
    mods = modules()
    graph = imports(mods)
    assert {"backend", "model"} <= graph["trainer"], "the checker reads imports"
    assert cycles(graph) == []


def test_files_stay_small() -> None:
    too_long = []
    for path in sorted(RUST.rglob("*.rs")):
        limit = MAX_BINDING_LINES if path.parent.name == "py" else MAX_CORE_LINES
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            too_long.append(f"{path.relative_to(RUST)}: {lines} lines (limit {limit})")
    assert too_long == []


def test_the_backend_is_chosen_in_one_place() -> None:
    outside = []
    for path in sorted(RUST.rglob("*.rs")):
        if "gpu" in path.relative_to(RUST).parts[:1]:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r'feature\s*=\s*"gpu"', line):
                outside.append(f"{path.relative_to(RUST)}:{n}")
    assert len(outside) <= MAX_GPU_CFG_OUTSIDE, outside


def test_every_layer_file_checks_its_backward_pass() -> None:
    layer_files = [p for p in sorted((RUST / "layers").glob("*.rs")) if p.stem not in ("mod", "gradcheck")]
    assert len(layer_files) >= 6
    for path in layer_files:
        source = path.read_text(encoding="utf-8")
        assert "#[cfg(test)]" in source and "numeric(" in source and "assert_close(" in source, path.name
