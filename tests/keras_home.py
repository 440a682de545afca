"""The data-set loaders' tests run in an empty Keras home of their own: `cache_fixture(*modules)` makes a
``cache`` fixture that sets ``$KERAS_HOME`` to a new folder, returns its ``datasets`` folder, and points the
modules' ``ORIGIN`` at an address nothing answers on, so a test that would download fails at once instead of
reaching the network. `install` puts a synthetic file in the cache as the one a loader's hash names."""

from __future__ import annotations

import hashlib
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


def install(
    monkeypatch: pytest.MonkeyPatch,
    module: ModuleType,
    path: Path,
    data: bytes | None = None,
    attr: str = "FILE_HASH",
) -> Path:
    """Write ``data`` to ``path`` (or take the file already there) and make it the file that the module's hash
    ``attr`` names: sha256, or md5 for ``WORD_INDEX_HASH`` (as Keras's word-index hashes are)."""
    if data is not None:
        path.write_bytes(data)
    content = path.read_bytes()
    md5 = attr == "WORD_INDEX_HASH"
    digest = hashlib.md5(content).hexdigest() if md5 else hashlib.sha256(content).hexdigest()  # noqa: S324
    monkeypatch.setattr(module, attr, digest)
    return path
