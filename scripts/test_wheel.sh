#!/usr/bin/env bash
# The x86_64 wheel in dist/ as a user gets it: installed into a fresh virtual environment with no Rust on PATH,
# from a folder outside the checkout, then the quickstart and a short smoke test (scripts/smoke_wheel.py) run
# against it. Its tag is checked first (scripts/check_wheel.py: GLIBC symbol versions, auditwheel, size).
#
# Run: bash scripts/test_wheel.sh [WHEEL]   (default: the one manylinux x86_64 wheel in dist/)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

if [ $# -gt 0 ]; then
    wheel="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
    shopt -s nullglob
    wheels=("$repo"/dist/keras_lite-*-manylinux*_x86_64*.whl)
    if [ ${#wheels[@]} -ne 1 ]; then
        echo "scripts/test_wheel.sh: want one manylinux x86_64 wheel in dist/, found ${#wheels[@]}" \
            "(build it with: bash scripts/build_wheel.sh x86_64)" >&2
        exit 1
    fi
    wheel="${wheels[0]}"
fi

# The checks need readelf (binutils) and auditwheel: the build's tool environment has auditwheel.
tools="${CARGO_TARGET_DIR:-$repo/target-wheel}/tools"
if [ ! -x "$tools/bin/auditwheel" ]; then
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install --quiet "auditwheel==6.8.2"
fi
python3 "$repo/scripts/check_wheel.py" --auditwheel "$tools/bin/auditwheel" "$wheel"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
# A user's machine without Rust: PATH holds the environment and the system's folders only, no ~/.cargo/bin.
export PATH="$work/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
unset CARGO_HOME RUSTUP_HOME CARGO_TARGET_DIR PYTHONPATH VIRTUAL_ENV
for tool in cargo rustc rustup; do
    if command -v "$tool" > /dev/null; then
        echo "scripts/test_wheel.sh: $tool is still on PATH ($(command -v "$tool")); the test needs a machine without Rust" >&2
        exit 1
    fi
done

cd "$work"
start=$SECONDS
python -m pip install --quiet --only-binary=:all: "$wheel"
echo "installed $(basename "$wheel") and its dependencies into a fresh environment in $((SECONDS - start)) s"
python "$repo/examples/quickstart.py"
python "$repo/scripts/smoke_wheel.py" "$repo"
