"""Every fenced code block in README.md and docs/*.md is run, so the guide cannot drift from the code.

What each block's info string means:

- ``python``: run. A file's python blocks run in order in one namespace (a later block uses an earlier one's
  names, as in a notebook), in a fresh temporary working directory that holds a link to the checkout's
  ``examples/`` (so paths read as from the checkout's root), after a preamble that makes the README's
  ``X_train, y_train, X_valid, y_valid`` (two features; see ``PREAMBLE``). The global device and seed stream
  are put back afterwards.
- ``bash``: a command a person types at the checkout's root. Each command line (comments and blank lines
  aside) must appear, as a whole line, in ``.ci/run`` or a script it runs (``CI_SCRIPTS``), which CI runs:
  a renamed script or a changed command breaks this test, and a broken command breaks CI.

Any other info string (or none) fails, so that a block is never skipped by accident.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import keras_lite

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The scripts CI runs (.ci/run runs the others); a README or docs/ command must be a line of one of them.
CI_SCRIPTS = [
    ROOT / ".ci" / "run",
    ROOT / "scripts" / "test.sh",
    ROOT / "scripts" / "build_wheel.sh",
    ROOT / "scripts" / "test_wheel.sh",
]

# The README's opening example trains on X_train/y_train of two features: small, made-up data.
PREAMBLE = """
import numpy as np
_rng = np.random.default_rng(0)
X_train = _rng.normal(size=(512, 2)).astype("float32")
y_train = X_train @ np.array([1.5, -2.0], dtype="float32") + 0.5
X_valid = _rng.normal(size=(128, 2)).astype("float32")
y_valid = X_valid @ np.array([1.5, -2.0], dtype="float32") + 0.5
"""

FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def blocks(page: Path) -> list[tuple[str, int, str]]:
    """``(info string, first line number, code)`` of every fenced block of ``page``."""
    text = page.read_text(encoding="utf-8")
    return [(m[1].strip(), text.count("\n", 0, m.start()) + 2, m[2]) for m in FENCE.finditer(text)]


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def test_every_page_has_blocks_and_every_block_a_known_kind() -> None:
    for page in PAGES:
        for info, line, _ in blocks(page):
            assert info in ("python", "bash"), f"{page_id(page)}:{line}: a block tagged {info!r}"
    assert blocks(ROOT / "README.md")


def test_pages_link_only_inside_the_repository() -> None:
    """Markdown links point at files of the checkout that exist (no web addresses, nothing outside)."""
    for page in PAGES:
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            assert "://" not in target and not target.startswith("mailto:"), f"{page_id(page)}: {target}"
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(ROOT) and path.exists(), f"{page_id(page)} links to {target}"


# Paths a page names that a command writes, not the repository holds.
GENERATED = ("bench/results.json", "dist/", "target/", "target-wheel/")


def test_paths_named_in_code_spans_exist_in_the_repository() -> None:
    """`some/path.py` in a page is a file of the checkout (relative to the root or to the page)."""
    for page in PAGES:
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        for path in set(re.findall(r"`([\w.\-]+(?:/[\w.\-]+)+/?)`", text)):
            if path.startswith(GENERATED):
                continue
            found = [p.resolve() for p in (ROOT / path, page.parent / path) if p.exists()]
            assert any(p.is_relative_to(ROOT) for p in found), f"{page_id(page)} names `{path}`"


def test_tests_named_in_the_pages_exist() -> None:
    # The guarantees cite the tests that back them (`tests/test_x.py::test_name`): a renamed test breaks this.
    missing = []
    for page in PAGES:
        for path, name in re.findall(r"`(tests/[\w/]+\.py)::(\w+)", page.read_text(encoding="utf-8")):
            source = ROOT / path
            if not source.exists() or not re.search(rf"^\s*(def|class) {name}\b", source.read_text(), re.M):
                missing.append(f"{page.name}: {path}::{name}")
    assert not missing, missing


def test_searching_for_adapters_on_a_headless_machine_prints_nothing() -> None:
    """docs/devices-and-threads.md: no "XDG_RUNTIME_DIR is invalid" from Mesa's device-select layer."""
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("NODEVICE_SELECT", None)
    code = "import keras_lite; keras_lite.config.list_devices(); keras_lite.config.resolve_device('auto')"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


@pytest.mark.parametrize(
    "page", [p for p in PAGES if any(i == "python" for i, _, _ in blocks(p))], ids=page_id
)
def test_python_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec(compile(PREAMBLE, "<preamble>", "exec"), namespace)
    device = keras_lite.config.default_device()
    seeds = keras_lite.config._seed_stream
    try:
        for info, line, code in blocks(page):
            if info != "python":
                continue
            # Line numbers in a traceback are the page's own.
            source = "\n" * (line - 1) + code
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, str(page), "exec"), namespace)
    finally:
        keras_lite.config._device = device
        keras_lite.config._seed_stream = seeds


def command_lines(code: str) -> list[str]:
    lines = [ln.split(" #")[0].strip() for ln in code.splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")]


def test_bash_blocks_are_commands_ci_runs() -> None:
    run_lines = set()
    for script in CI_SCRIPTS:
        run_lines |= {ln.strip() for ln in script.read_text(encoding="utf-8").splitlines()}
    run_lines = {ln for ln in run_lines if ln and not ln.startswith("#")}
    for page in PAGES:
        for info, line, code in blocks(page):
            if info == "bash":
                for cmd in command_lines(code):
                    assert cmd in run_lines, (
                        f"{page_id(page)}:{line}: `{cmd}` is not a line of {[page_id(s) for s in CI_SCRIPTS]}"
                    )


def test_docs_index_lists_every_page() -> None:
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        if page.parent.name == "docs" and page.name != "README.md":
            assert f"]({page.name})" in index, f"docs/README.md does not link to {page.name}"
    assert os.path.exists(ROOT / "docs" / "GUARANTEES.md")
