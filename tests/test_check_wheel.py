"""scripts/check_wheel.py, the check CI runs on every release wheel: it refuses a wheel whose extension needs a
newer glibc than its tag promises, or that is not stripped, and reads the tags it is given right."""

from __future__ import annotations

import importlib.util
import shutil
import zipfile
from pathlib import Path

import pytest

import keras_lite

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("check_wheel", ROOT / "scripts" / "check_wheel.py")
assert spec and spec.loader
check_wheel = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_wheel)

pytestmark = pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf (binutils) is not installed")


@pytest.mark.parametrize(
    ("name", "glibc"),
    [
        ("k-0.1.0-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl", (2, 17)),
        ("k-0.1.0-cp39-abi3-manylinux_2_28_aarch64.whl", (2, 28)),
        ("k-0.1.0-cp39-abi3-manylinux_2_35_x86_64.manylinux2010_x86_64.whl", (2, 12)),
        ("k-0.1.0-cp39-abi3-manylinux1_x86_64.whl", (2, 5)),
    ],
)
def test_the_promised_glibc_is_the_oldest_tag(name: str, glibc: tuple[int, int]) -> None:
    assert check_wheel.promised_glibc(name) == glibc


def test_a_wheel_without_a_manylinux_tag_is_refused() -> None:
    with pytest.raises(SystemExit, match="no manylinux platform tag"):
        check_wheel.promised_glibc("k-0.1.0-cp39-abi3-linux_x86_64.whl")


def _wheel(tmp_path: Path, platform: str, so: Path) -> str:
    path = tmp_path / f"keras_lite-0.1.0-cp39-abi3-{platform}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(so, "keras_lite/_core.abi3.so")
    return str(path)


def test_symbols_newer_than_the_tag_and_a_symbol_table_are_refused(tmp_path: Path) -> None:
    """The editable build (linked on this machine) named as a manylinux2014 wheel."""
    so = Path(keras_lite._core.__file__)
    newest = max(check_wheel.glibc_versions(str(so)))
    if newest[:2] <= (2, 17):
        pytest.skip(f"this machine's build needs only GLIBC_{'.'.join(map(str, newest))}")
    unstripped = check_wheel.has_symtab(str(so))
    bad = _wheel(tmp_path, "manylinux2014_x86_64.manylinux_2_17_x86_64", so)
    problems = check_wheel.check(bad, max_bytes=50_000_000, auditwheel=None)
    assert any("newer than the 2.17 its tag promises" in p for p in problems), problems
    assert any("not stripped" in p for p in problems) == unstripped, problems
    # Tagged for the glibc it was linked against, only the size limit (and a symbol table) remain.
    honest = _wheel(tmp_path, f"manylinux_{newest[0]}_{newest[1]}_x86_64", so)
    problems = check_wheel.check(honest, max_bytes=1_000, auditwheel=None)
    assert len(problems) == 1 + unstripped and "not under 1,000" in problems[0], problems
