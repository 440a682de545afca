"""The data-set loaders' tests run in an empty Keras home of their own: `cache_fixture(*modules)` makes a
``cache`` fixture that sets ``$KERAS_HOME`` to a new folder, returns its ``datasets`` folder, and points the
modules' ``ORIGIN`` at an address nothing answers on, so a test that would download fails at once instead of
reaching the network."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

UNREACHABLE = "http://127.0.0.1:9/"


def cache_fixture(*modules: ModuleType, file: str = "") -> Any:
    @pytest.fixture
    def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
        folder = tmp_path / "keras_home" / "datasets"
        folder.mkdir(parents=True)
        for module in modules:
            monkeypatch.setattr(module, "ORIGIN", UNREACHABLE + file)
        return folder

    return cache
