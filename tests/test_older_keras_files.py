"""``.keras`` and ``.weights.h5`` files written by older Keras 3 releases (3.0.5, 3.3.3, 3.5.0, 3.8.0, 3.11.3
and 3.13.2, JAX backend on CPU) load here and training resumes from them.

The files and the cases they hold are in ``tests/fixtures/older_keras`` (made by
``make_older_keras_fixtures.py`` there with each release; ``versions.json`` in each folder names the Keras and
JAX versions). ``goldens.json`` holds what the release that wrote a file computed after loading it again
(``written_by``) and what Keras 3.15.1 computed from the same file (``keras315``), written by
``make_goldens.py``: the predictions, the optimizer's config and step count as loaded, ``evaluate``'s results
and, after one more epoch of ``fit`` (``shuffle=False``), the history and the weights.
"""

from __future__ import annotations

import importlib.util
import io
import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import keras_lite as keras

FIXTURES = Path(__file__).parent / "fixtures" / "older_keras"
_spec = importlib.util.spec_from_file_location("older_keras_cases", FIXTURES / "cases.py")
assert _spec is not None and _spec.loader is not None
cases: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)

GOLDENS: dict[str, Any] = json.loads((FIXTURES / "goldens.json").read_text())
KEPT = [pytest.param(version, name, id=f"k{version}-{name}") for version, name, _ in cases.KEPT]
COMPILED = [p for p in KEPT if cases.CASES[p.values[1]]["opt"] is not None]
# Training in two libraries (float32): 1e-5 relative with an absolute floor for values near zero.
RTOL, ATOL = 1e-5, 1e-6


def _load(version: str, name: str) -> Any:
    with warnings.catch_warnings():
        # An optimizer that never stepped is saved without its slots: Keras and keras_lite both warn.
        warnings.simplefilter("ignore", UserWarning)
        return keras.models.load_model(FIXTURES / f"k{version}" / f"{name}.keras")


def _x(name: str) -> Any:
    return cases.inputs(name, cases.data()[0])


def _flat(values: list[Any]) -> np.ndarray:
    return np.concatenate([np.asarray(v, "float64").ravel() for v in values])


def _want(version: str, name: str) -> dict[str, Any]:
    """Keras 3.15.1's values for the file; where Keras 3.15.1 refuses the file, those of the release that wrote
    it (after loading its own file)."""
    golden = GOLDENS[f"k{version}/{name}"]
    return golden["written_by"] if "error" in golden["keras315"] else golden["keras315"]


def test_the_files_come_from_each_release() -> None:
    # What the fixture folders say: one JAX-backend file set per Keras release.
    found = {json.loads(p.read_text())["keras"] for p in FIXTURES.glob("k3.*/versions.json")}
    assert found == {"3.0.5", "3.3.3", "3.5.0", "3.8.0", "3.11.3", "3.13.2"}
    assert GOLDENS["keras"] == "3.15.1"


@pytest.mark.parametrize(("version", "name"), KEPT)
def test_load_model_predicts_what_the_writing_release_predicted(version: str, name: str) -> None:
    pred = cases.flat_pred(_load(version, name).predict(_x(name), verbose=0)).ravel()
    golden = GOLDENS[f"k{version}/{name}"]
    np.testing.assert_allclose(pred, golden["written_by"]["pred"], rtol=1e-6, atol=1e-6)
    if "pred" in golden["keras315"]:
        np.testing.assert_allclose(pred, golden["keras315"]["pred"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("version", "name"), COMPILED)
def test_compile_state_is_read_as_keras_reads_it(version: str, name: str) -> None:
    model = _load(version, name)
    want = _want(version, name)
    golden = GOLDENS[f"k{version}/{name}"]["keras315"]
    if "optimizer" in golden:
        assert type(model.optimizer).__name__ == golden["optimizer"]["class"]
        assert model.optimizer.get_config() == golden["optimizer"]["config"]
        assert int(np.asarray(model.optimizer.iterations)) == golden["iterations_loaded"]
    got = model.evaluate(_x(name), cases.target(name), batch_size=cases.BATCH, verbose=0, return_dict=True)
    assert list(got) == list(want["evaluate"])
    np.testing.assert_allclose(list(got.values()), list(want["evaluate"].values()), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("version", "name"), [p for p in COMPILED if "drop" not in p.values[1]])
def test_training_resumes_where_the_file_left_it(version: str, name: str) -> None:
    model = _load(version, name)
    want = _want(version, name)
    hist = model.fit(_x(name), cases.target(name), batch_size=cases.BATCH, epochs=1, shuffle=False, verbose=0)
    assert list(hist.history) == list(want["history"])
    for key, values in want["history"].items():
        np.testing.assert_allclose(hist.history[key], values, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_flat(model.get_weights()), want["weights"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(
    ("version", "name"), [pytest.param(v, n, id=f"k{v}-{n}") for v, n, weights in cases.KEPT if weights]
)
def test_load_weights_into_an_equivalent_model(version: str, name: str) -> None:
    x = cases.data()[0]
    model = cases.build(keras, name, x)
    model.predict(_x(name), verbose=0)  # builds a Sequential made without an Input
    model.load_weights(FIXTURES / f"k{version}" / f"{name}.weights.h5")
    pred = cases.flat_pred(model.predict(_x(name), verbose=0)).ravel()
    np.testing.assert_allclose(
        pred, GOLDENS[f"k{version}/{name}"]["written_by"]["pred_weights"], rtol=1e-6, atol=1e-6
    )


def test_a_regularized_model_from_keras_3_0_trains_as_keras_3_15_trains_it() -> None:
    # Keras 3.0.5 reported loss 1.1563352346420288 for this file's model in evaluate(); Keras 3.15.1 reading
    # the same file reports 0.9143338799476624 (its penalties counted once), and keras_lite follows 3.15.1.
    golden = GOLDENS["k3.0.5/seq_reg_adamw_cosine_bce"]
    assert golden["written_by"]["evaluate"]["loss"] == pytest.approx(1.1563352346420288)
    assert golden["keras315"]["evaluate"]["loss"] == pytest.approx(0.9143338799476624)
    model = _load("3.0.5", "seq_reg_adamw_cosine_bce")
    name = "seq_reg_adamw_cosine_bce"
    got = model.evaluate(_x(name), cases.target(name), batch_size=cases.BATCH, verbose=0, return_dict=True)
    assert got["loss"] == pytest.approx(0.9143338799476624, rel=RTOL)


@pytest.mark.parametrize("version", ["3.0.5", "3.8.0"])
def test_nadam_state_in_the_layout_of_releases_before_3_10_is_read(version: str) -> None:
    # Keras before 3.10 saved Nadam's u_product before the slots; Keras 3.15.1 refuses such a file (what it
    # raised: ValueError "A total of 1 objects could not be loaded."). keras_lite reads it, and training goes on
    # as in the release that wrote it (the resume test compares the weights with that release's).
    golden = GOLDENS[f"k{version}/seq_deferred_nadam"]
    assert golden["keras315"] == {
        "error": "ValueError",
        "message": "A total of 1 objects could not be loaded.",
    }
    model = _load(version, "seq_deferred_nadam")
    assert type(model.optimizer).__name__ == "Nadam"
    assert int(np.asarray(model.optimizer.iterations)) == 3
    assert model.optimizer.get_config()["beta_2"] == 0.99


def test_nadam_state_written_by_keras_lite_keeps_the_present_layout(tmp_path: Path) -> None:
    # A file keras_lite writes has u_product last (Keras 3.10 onwards), and reads back to the same training.
    model = _load("3.8.0", "seq_deferred_nadam")
    model.save(tmp_path / "again.keras")
    with (
        zipfile.ZipFile(tmp_path / "again.keras") as z,
        h5py.File(io.BytesIO(z.read("model.weights.h5"))) as f,
    ):
        shapes = [f["optimizer/vars"][str(i)].shape for i in range(len(f["optimizer/vars"]))]
    # iterations, learning rate, (momentum, velocity) of each of the four weights, u_product
    assert shapes == [(), (), (4, 3), (4, 3), (3,), (3,), (3, 1), (3, 1), (1,), (1,), ()]
    again = keras.models.load_model(tmp_path / "again.keras")
    x, y = _x("seq_deferred_nadam"), cases.target("seq_deferred_nadam")
    for m in (model, again):
        m.fit(x, y, batch_size=cases.BATCH, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(_flat(again.get_weights()), _flat(model.get_weights()), rtol=1e-6, atol=1e-7)


def test_nadam_state_of_a_keras_3_0_weights_file_loads_into_a_compiled_model() -> None:
    # The .weights.h5 file was saved beside the .keras one, so it holds the same optimizer state: training
    # from it reaches the weights Keras 3.0.5 reached from its own .keras file.
    name = "seq_deferred_nadam"
    model = cases.build(keras, name, cases.data()[0])
    model.compile(**cases.compile_args(keras, name))
    model.predict(_x(name), verbose=0)
    model.load_weights(FIXTURES / "k3.0.5" / f"{name}.weights.h5")
    assert int(np.asarray(model.optimizer.iterations)) == 3
    model.fit(_x(name), cases.target(name), batch_size=cases.BATCH, epochs=1, shuffle=False, verbose=0)
    want = GOLDENS[f"k3.0.5/{name}"]["written_by"]["weights"]
    np.testing.assert_allclose(_flat(model.get_weights()), want, rtol=RTOL, atol=ATOL)
