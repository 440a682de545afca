"""Check a built Linux wheel against what its name promises; exit 1 naming every broken promise.

Run: python scripts/check_wheel.py dist/keras_lite-*.whl [--max-bytes 4000000] [--auditwheel PATH]

For each wheel:
- its extension modules' GLIBC symbol versions (read with ``readelf --version-info``, which reads any
  architecture's ELF) are no newer than the glibc its platform tag promises (``manylinux2014`` = 2.17,
  ``manylinux_2_28`` = 2.28, ...; for a compressed tag set, the oldest);
- ``auditwheel show`` agrees: the tag it finds the wheel consistent with is at least as old;
- it is an abi3 wheel, its extension modules are stripped (no ``.symtab``) and the file is under
  ``--max-bytes``.

``scripts/build_wheel.sh`` runs it on every wheel it builds, and so does CI.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import zipfile

LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def promised_glibc(wheel: str) -> tuple[int, int]:
    """The oldest glibc any of the wheel's platform tags promises to run on."""
    platforms = os.path.basename(wheel)[: -len(".whl")].split("-")[-1].split(".")
    found = []
    for plat in platforms:
        m = re.match(r"manylinux_(\d+)_(\d+)_", plat)
        if m:
            found.append((int(m[1]), int(m[2])))
        for legacy, version in LEGACY.items():
            if plat.startswith(legacy + "_"):
                found.append(version)
    if not found:
        raise SystemExit(f"{wheel}: no manylinux platform tag in its name ({'.'.join(platforms)})")
    return min(found)


def glibc_versions(so_path: str) -> list[tuple[int, ...]]:
    """Every GLIBC_x.y[.z] version the shared object needs (its .gnu.version_r section)."""
    out = subprocess.run(
        ["readelf", "--version-info", "--wide", so_path], check=True, capture_output=True, text=True
    ).stdout
    return sorted({tuple(int(p) for p in v.split(".")) for v in re.findall(r"Name: GLIBC_([0-9.]+)", out)})


def has_symtab(so_path: str) -> bool:
    out = subprocess.run(
        ["readelf", "--section-headers", "--wide", so_path], check=True, capture_output=True, text=True
    ).stdout
    return bool(re.search(r"\]\s+\.symtab\s", out))


def auditwheel_tag(wheel: str, auditwheel: str) -> tuple[str, tuple[int, int] | None]:
    """The most compatible tag ``auditwheel show`` finds the wheel consistent with."""
    run = subprocess.run([auditwheel, "show", wheel], capture_output=True, text=True)
    print(run.stdout.strip())
    m = re.search(
        r'consistent with the following platform tag:\s+"(manylinux_(\d+)_(\d+)_\w+)"',
        " ".join(run.stdout.split()),
    )
    if run.returncode != 0 or not m:
        last = (run.stderr.strip().splitlines() or ["(no message)"])[-1]
        return f"`auditwheel show` failed or named no manylinux tag: {last}", None
    return m[1], (int(m[2]), int(m[3]))


def check(wheel: str, max_bytes: int, auditwheel: str | None) -> list[str]:
    problems = []
    name = os.path.basename(wheel)
    size = os.path.getsize(wheel)
    promised = promised_glibc(wheel)
    print(f"{name}: {size:,} bytes; tag promises glibc {promised[0]}.{promised[1]}")
    if size >= max_bytes:
        problems.append(f"{name} is {size:,} bytes, not under {max_bytes:,}")
    if "-abi3-" not in name:
        problems.append(f"{name} is not an abi3 wheel")
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(wheel) as zf:
        modules = [n for n in zf.namelist() if n.endswith(".so") or ".so." in n]
        if not modules:
            problems.append(f"{name} holds no extension module")
        for member in modules:
            path = zf.extract(member, tmp)
            versions = glibc_versions(path)
            newest = max(versions, default=(0,))
            shown = ".".join(map(str, newest))
            print(f"  {member}: newest GLIBC symbol version {shown}; stripped: {not has_symtab(path)}")
            if newest[:2] > promised:
                problems.append(
                    f"{member} needs GLIBC_{shown}, newer than the {promised[0]}.{promised[1]} its tag promises"
                )
            if has_symtab(path):
                problems.append(f"{member} is not stripped (it has a .symtab section)")
    if auditwheel:
        tag, constrained = auditwheel_tag(wheel, auditwheel)
        if constrained is None:
            problems.append(f"{name}: {tag}")
        elif constrained > promised:
            problems.append(f"auditwheel says {tag}, newer than the tag's glibc {promised[0]}.{promised[1]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("wheels", nargs="+")
    parser.add_argument("--max-bytes", type=int, default=4_000_000)
    parser.add_argument("--auditwheel", help="path of the auditwheel command (skipped when not given)")
    args = parser.parse_args()
    problems = [p for w in args.wheels for p in check(w, args.max_bytes, args.auditwheel)]
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    if not problems:
        print(f"{len(args.wheels)} wheel(s) keep their tag's promises")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
