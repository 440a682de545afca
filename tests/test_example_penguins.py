"""examples/penguins.py: the multi-class example (class weights, a schedule, a checkpoint) runs and learns."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "penguins.py"


def test_the_example_learns_and_its_checkpoint_scores_the_best_epoch(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("penguins_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path / "best.keras"
    got = module.main(epochs=15, checkpoint=str(path))
    assert path.is_file()
    # The penguins separate well: a small classifier gets nearly all of the held-out birds right, and the
    # checkpoint (the best epoch by val_accuracy) scores exactly what that epoch did.
    assert got["val_accuracy"] >= 0.9
    assert got["restored_accuracy"] == pytest.approx(got["val_accuracy"], abs=1e-6)


def test_the_example_runs_as_a_script(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "--epochs", "3", "--checkpoint", str(tmp_path / "m.keras")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "the checkpoint scores" in out.stdout
