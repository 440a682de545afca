#!/usr/bin/env bash
# Release build: the source distribution and abi3 wheels (CPython 3.9+, GPU backend included) tagged
# manylinux2014 (glibc 2.17 or newer) for Linux x86_64 and aarch64, written to dist/, from any Linux x86_64
# machine with Rust and Python, without Docker: maturin cross-links with zig (the `ziglang` package from PyPI),
# which links against glibc 2.17's symbol versions. Each wheel is stripped and checked by
# scripts/check_wheel.py (GLIBC symbol versions within its tag, `auditwheel show` agrees, under 4 MB).
#
# Run: bash scripts/build_wheel.sh [x86_64] [aarch64]   (default: both)
#
# Needs: cargo and rustup (for the aarch64 target's standard library, added on first use), python3 with venv,
# readelf (binutils). maturin, ziglang and auditwheel are installed, pinned, into a tool environment under the
# build folder. The build folder is $CARGO_TARGET_DIR, default target-wheel/ (not target/, so that a release
# build never invalidates the editable install's). Each architecture is a full release compile of the Rust
# core: set CARGO_BUILD_JOBS to share the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(x86_64 aarch64)
for arch in "${arches[@]}"; do
    case "$arch" in
        x86_64 | aarch64) ;;
        *) echo "scripts/build_wheel.sh: unknown architecture '$arch' (x86_64 or aarch64)" >&2 && exit 2 ;;
    esac
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target-wheel}"
export CARGO_TERM_COLOR=never
tools="$CARGO_TARGET_DIR/tools"
if [ ! -x "$tools/bin/maturin" ] || [ ! -x "$tools/bin/auditwheel" ]; then
    echo "== tools: maturin, ziglang and auditwheel into $tools"
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install --quiet "maturin[zig]==1.16.0" "ziglang==0.17.1" "auditwheel==6.8.2"
fi
export PATH="$tools/bin:$PATH"

if [ -n "$(git status --porcelain --untracked-files=normal -- python rust Cargo.toml Cargo.lock pyproject.toml 2> /dev/null)" ]; then
    echo "note: python/, rust/ or the manifests have uncommitted changes or untracked files: they go into dist/ too"
fi

mkdir -p dist
rm -f dist/keras_lite-*.whl dist/keras_lite-*.tar.gz
echo "== sdist"
maturin sdist --out dist

for arch in "${arches[@]}"; do
    target="$arch-unknown-linux-gnu"
    if ! rustc --print sysroot > /dev/null || [ ! -d "$(rustc --print sysroot)/lib/rustlib/$target/lib" ]; then
        echo "== rustup target add $target (the standard library for $arch)"
        rustup target add "$target"
    fi
    echo "== wheel for $arch (a release build of the Rust core; several minutes)"
    start=$SECONDS
    maturin build --release --strip --zig --target "$target" --compatibility manylinux2014 --out dist
    echo "== $arch wheel built in $((SECONDS - start)) s"
done

python3 scripts/check_wheel.py --auditwheel "$tools/bin/auditwheel" dist/keras_lite-*.whl
ls -l dist
