"""examples/stream_csv.py and examples/stream_dask.py (the dask one only with the optional dask extra) run,
learn, and the CSV one streams a file larger than the memory its fit grows by."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{name}_example", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stream_csv_learns_with_bounded_memory(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    # A file large enough that the fixed costs of streaming it (pandas' chunk, the queued batches, a thread's
    # malloc arena: 6 to 16 MB seen) stay well under its size (about 33 MB).
    out = _load("stream_csv").main(rows=400_000, epochs=1, workdir=str(tmp_path))
    assert len(out["history"]["loss"]) == 1
    # The target is linear in the features with noise variance 0.01: the fit gets far below its variance.
    assert out["loss"] < 0.2
    # The fit and evaluation hold a chunk and a few batches, not the file.
    assert out["file_mb"] > 30
    assert out["rss_growth_mb"] < out["file_mb"]


def test_stream_dask_learns() -> None:
    pytest.importorskip("dask.dataframe", reason="the optional dask extra is missing")
    out = _load("stream_dask").main(partitions=3, epochs=2)
    losses = out["history"]["loss"]
    assert losses[-1] < losses[0] and out["loss"] < 0.5
    assert out["pred_rows"] == 20_000
