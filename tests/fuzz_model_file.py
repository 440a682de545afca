#!/usr/bin/env python
"""Coverage-guided fuzzing of the model-file reader with atheris (libFuzzer for Python).

Feeds mutated files to ``keras_lite.models.load_model`` (``.keras`` archives) and to ``model.load_weights``
(``.weights.h5`` files), or (``--legacy``) legacy HDF5 model files (``.h5``) to both, and requires, for every
input, one of:

- a model that loads and predicts float32 ``(rows, units)`` on zeros, or
- a ``ValueError`` (the reader's ``FormatError``, which names the file) that left the model's weights and
  optimizer state exactly as they were (``load_weights``).

Anything else (a ``MemoryError``, a ``PanicException``, any other exception) is reported by libFuzzer as a crash
with the input that caused it, and an input that takes more than 10 s (``-timeout``) as a hang. The reader is
Python (zipfile, json, and keras_lite's own HDF5 reader ``_h5read``), so this is the equivalent of a cargo-fuzz
target for it; what the reader hands the Rust core (layer plans, weight arrays, optimizer state) is fuzzed on
the Rust side by ``rtests/fuzz_model.rs``.

A custom mutator keeps ``.keras`` inputs valid zip archives most of the time (it mutates one member,
``config.json``, ``metadata.json`` or ``model.weights.h5``, and re-zips it with a correct CRC), so the
fuzzer gets past the zip layer into the JSON and HDF5 parsing; one mutation in eight hits the raw bytes.

Not part of pytest (the name does not start with ``test_``). ``scripts/test.sh`` runs a bounded pass of each
mode (``-runs=5000 -max_total_time=30 -seed=1``, at most a minute together) where atheris is installed. Run::

    pip install atheris h5py   # h5py writes the seeds
    python tests/fuzz_model_file.py -runs=20000              # .keras files through load_model
    python tests/fuzz_model_file.py --weights -runs=20000    # .weights.h5 files through load_weights
    python tests/fuzz_model_file.py --legacy -runs=20000     # .h5 model files through both
    python tests/fuzz_model_file.py -max_total_time=3600 corpus/   # longer, keeping a corpus

With no corpus directory given, seeds (models saved by ``model.save`` / ``save_weights``) are written to a
temporary one. libFuzzer flags (``-runs``, ``-max_total_time``, ``-jobs``, ...) pass through.
"""

from __future__ import annotations

import collections
import io
import os
import random
import sys
import tempfile
import warnings
import zipfile

import atheris
import numpy as np

with atheris.instrument_imports(include=["keras_lite"]):
    import keras_lite as keras
    from keras_lite import layers

WEIGHTS_MODE = "--weights" in sys.argv
LEGACY_MODE = "--legacy" in sys.argv
for _flag in ("--weights", "--legacy"):
    if _flag in sys.argv:
        sys.argv.remove(_flag)
CLEAN_ERRORS = (ValueError,)
_SCRATCH = tempfile.mkdtemp(prefix="keras_lite_fuzz_")
_TARGET = os.path.join(
    _SCRATCH, "input.h5" if LEGACY_MODE else "input.weights.h5" if WEIGHTS_MODE else "input.keras"
)
# Legacy files Keras 3 and tf.keras 2 wrote, seeds beside keras_lite's own.
_LEGACY_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "legacy_h5")
# KERAS_LITE_FUZZ_VERBOSE=1 prints, every 2000 inputs, how many loaded and the most common refusals (libFuzzer
# leaves with _exit, so there is no summary at exit).
_VERBOSE = bool(os.environ.get("KERAS_LITE_FUZZ_VERBOSE"))
_OUTCOMES: collections.Counter[str] = collections.Counter()


def _tally(what: str) -> None:
    if not _VERBOSE:
        return
    _OUTCOMES[what[:110]] += 1
    if sum(_OUTCOMES.values()) % 2000 == 0:
        lines = [f"{n:8d}  {what}" for what, n in _OUTCOMES.most_common(12)]
        print("outcomes so far:", *lines, sep="\n", file=sys.stderr, flush=True)


def _seed_models() -> list[keras.Sequential]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = x.sum(axis=1)
    stacks = [
        [layers.Dense(4, activation="relu"), layers.Dense(1)],
        [
            layers.Dense(5, activation="tanh"),
            layers.BatchNormalization(),
            layers.Dropout(0.2),
            layers.Dense(2),
        ],
        [layers.Dense(2, use_bias=False), layers.Activation("sigmoid")],
    ]
    models = []
    for i, (stack, optimizer) in enumerate(zip(stacks, ["adam", "sgd", "rmsprop"])):
        model = keras.Sequential([keras.Input(shape=(3,)), *stack])
        if i < 2:  # one model saved uncompiled
            model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
            model.fit(x, np.repeat(y[:, None], model.output_shape[1], axis=1), epochs=1, verbose=0)
        models.append(model)
    return models


SEED_MODELS = _seed_models()


def _write_seeds(folder: str) -> None:
    for i, model in enumerate(SEED_MODELS):
        if LEGACY_MODE:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Keras's notice that the format is legacy
                model.save(os.path.join(folder, f"seed{i}.h5"))
            for name in sorted(os.listdir(_LEGACY_FIXTURES)) if i == 0 else []:
                if name.endswith(".h5"):
                    with open(os.path.join(_LEGACY_FIXTURES, name), "rb") as src:
                        data = src.read()
                    with open(os.path.join(folder, name), "wb") as dst:
                        dst.write(data)
        elif WEIGHTS_MODE:
            model.save_weights(os.path.join(folder, f"seed{i}.weights.h5"))
        else:
            model.save(os.path.join(folder, f"seed{i}.keras"))


def _check_loaded(model: keras.Model) -> None:
    if not model.built:
        return
    shape = model.input_shape  # a list of shapes for a model with several inputs (legacy seeds)
    shapes = shape if isinstance(shape, list) else [shape]
    zeros = [np.zeros((2, *s[1:]), np.float32) for s in shapes]
    out = model.predict(zeros if isinstance(shape, list) else zeros[0], verbose=0)
    assert out.dtype == np.float32 and out.shape == (2, model.output_shape[1]), out.shape


def _state(model: keras.Sequential) -> list[np.ndarray]:
    """Every weight, then the optimizer's step count and slots (compiled models)."""
    out = model.get_weights()
    if model.compiled:
        iterations, rows = model._net.optimizer_state()
        out += [np.array(iterations), *(v for _, _, v in rows)]
    return out


def _restore(model: keras.Sequential, state: list[np.ndarray]) -> None:
    n = len(model.weights)
    model.set_weights(state[:n])
    if model.compiled:
        model._net.set_optimizer_state(int(state[n]), list(state[n + 1 :]))


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris's name
    with open(_TARGET, "wb") as f:
        f.write(data)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            # Legacy files go to load_weights and load_model in turn.
            if WEIGHTS_MODE or (LEGACY_MODE and len(data) % 2):
                model = SEED_MODELS[len(data) % len(SEED_MODELS)]
                before = _state(model)
                try:
                    model.load_weights(_TARGET)
                except CLEAN_ERRORS as err:
                    _tally(f"{type(err).__name__}: {err}")
                    assert _TARGET in str(err), err
                    for a, b in zip(_state(model), before):  # a refused file changes nothing
                        np.testing.assert_array_equal(a, b)
                    return
                _check_loaded(model)
                _tally("loaded")
                _restore(model, before)
            else:
                try:
                    model = keras.models.load_model(_TARGET)
                except CLEAN_ERRORS as err:
                    _tally(f"{type(err).__name__}: {str(err).replace(_TARGET, '<file>')}")
                    assert _TARGET in str(err), err
                    return
                _check_loaded(model)
                _tally("loaded")
    except BaseException as exc:  # noqa: B036 - a PanicException is a BaseException
        if isinstance(exc, KeyboardInterrupt):
            raise
        # Anything else is a finding: re-raise so that libFuzzer saves the input.
        raise AssertionError(f"unclean outcome {type(exc).__module__}.{type(exc).__name__}: {exc}") from exc


def CustomMutator(data: bytes, max_size: int, seed: int) -> bytes:  # noqa: N802 - atheris's name
    """Mutate one member of a zip and re-zip it (valid CRCs); otherwise, or 1 time in 8, the raw bytes."""
    rng = random.Random(seed)
    if data[:4] == b"PK\x03\x04" and rng.randrange(8):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                members = [(info.filename, zf.read(info)) for info in zf.infolist()]
        except Exception:
            members = []
        if members:
            index = rng.randrange(len(members))
            name, content = members[index]
            members[index] = (name, atheris.Mutate(content, max(2 * len(content), 64)))
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
                for member_name, member in members:
                    zf.writestr(member_name, member)
            if len(out.getvalue()) <= max_size:
                return out.getvalue()
    return atheris.Mutate(data, max_size)


def main() -> None:
    args = list(sys.argv)
    if not any(not a.startswith("-") for a in args[1:]):  # no corpus directory: seed a temporary one
        corpus = tempfile.mkdtemp(prefix="keras_lite_corpus_")
        _write_seeds(corpus)
        args.append(corpus)
    if not any(a.startswith("-max_len=") for a in args):
        args.append("-max_len=262144")
    if not any(a.startswith("-timeout=") for a in args):
        args.append("-timeout=10")  # seconds: an input that takes longer is reported as a hang
    atheris.Setup(args, TestOneInput, custom_mutator=CustomMutator)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
