"""A service's concurrency, attacked: weights replaced while threads predict, calls from another thread in the
middle of a fit, a fit's callback calling the model again, and processes forked while other threads fit or
change a model. Every wait has a timeout, so that a regression fails instead of stalling CI.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing as mp
import pickle
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

TIMEOUT = 60  # seconds any thread or child process may take before the test calls it hung

fork_only = pytest.mark.skipif(sys.platform != "linux", reason="the fork start method is the Linux default")


def _run_threads(targets: list[Callable[[], Any]]) -> None:
    """Run each target on its own thread; re-raise the first exception; fail if one does not end."""
    errors: list[BaseException] = []

    def wrapped(target: Callable[[], Any]) -> None:
        try:
            target()
        except BaseException as e:  # reported by the test, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=(t,), daemon=True) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


# Weights whose output reveals which set made it: at x = 0 the output is width * v (the first layer's bias,
# through a kernel of ones) + 1000 * v (the last bias). A prediction that mixed set v's first layer with set
# w's second (w != v) gives width * v + 1000 * w, which no single set gives.
def _versioned(v: int, width: int) -> list[np.ndarray]:
    return [
        np.zeros((1, width), np.float32),
        np.full((width,), v, np.float32),
        np.ones((width, 1), np.float32),
        np.array([1000.0 * v], np.float32),
    ]


def _version_of(out: np.ndarray, width: int) -> set[float]:
    return {float(value) / (width + 1000) for value in np.unique(out)}


@pytest.mark.parametrize("device", DEVICES)
def test_predictions_while_another_thread_replaces_the_weights_come_from_one_set(device, tmp_path):
    width, versions = 64, (60 if device == "cpu" else 12)
    model = keras.Sequential([keras.Input((1,)), layers.Dense(width), layers.Dense(1)], device=device)
    files = []
    for v in (1, 2):  # load_weights reads whole files too
        model.set_weights(_versioned(v, width))
        files.append(tmp_path / f"v{v}.weights.h5")
        model.save_weights(files[-1])
    model.set_weights(_versioned(0, width))
    rows = [np.zeros((n, 1), np.float32) for n in (1, 5, 3000)]
    calls = (lambda x: model.predict(x, verbose=0), lambda x: np.asarray(model(x)), model.predict_on_batch)
    done = threading.Event()
    seen: list[float] = []

    def predict(i: int) -> None:
        k = 0
        while not done.is_set() or k < 3:
            seen.extend(_version_of(calls[k % 3](rows[(i + k) % 3]), width))
            k += 1

    def replace() -> None:
        try:
            for v in range(3, 3 + versions):
                model.set_weights(_versioned(v, width))
                model.load_weights(files[v % 2])
        finally:
            done.set()

    _run_threads([replace] + [lambda i=i: predict(i) for i in range(3)])
    assert seen and all(v == round(v) for v in seen), sorted(set(seen))[:10]
    # The check has teeth: one layer's weights from one set and the other's from another would show.
    model.layers[0].set_weights(_versioned(1, width)[:2])
    model.layers[1].set_weights(_versioned(2, width)[2:])
    assert all(v != round(v) for v in _version_of(model.predict(rows[0], verbose=0), width))


def _model(device: str = "cpu") -> keras.Sequential:
    model = keras.Sequential(
        [keras.Input((8,)), layers.Dense(16, activation="tanh"), layers.Dense(1)], device=device
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


X = np.random.default_rng(0).standard_normal((256, 8)).astype(np.float32)
Y = X[:, :1] * 0.3


def _summary(model: keras.Model) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        model.summary()


@pytest.mark.parametrize("device", DEVICES)
def test_calls_from_another_thread_in_the_middle_of_a_fit_work_or_are_refused_clearly(device, tmp_path):
    model = _model(device)
    model.save_weights(tmp_path / "start.weights.h5")
    allowed: dict[str, Callable[[], Any]] = {
        "predict": lambda: model.predict(X, verbose=0),
        "call": lambda: model(X[:3]),
        "evaluate": lambda: model.evaluate(X, Y, verbose=0),
        "test_on_batch": lambda: model.test_on_batch(X[:8], Y[:8]),
        "get_weights": model.get_weights,
        "set_weights": lambda: model.set_weights(model.get_weights()),
        "load_weights": lambda: model.load_weights(tmp_path / "start.weights.h5"),
        "save": lambda: model.save(tmp_path / "during.keras"),
        "pickle": lambda: pickle.loads(pickle.dumps(model)).predict(X[:2], verbose=0),
        "clone_model": lambda: keras.models.clone_model(model).predict(X[:2], verbose=0),
        "summary": lambda: _summary(model),
        "metrics": lambda: [m.name for m in model.metrics],
        "reset_metrics": model.reset_metrics,
        "trainable": lambda: setattr(model.layers[0], "trainable", True),
    }
    refused: dict[str, Callable[[], Any]] = {
        "compile": lambda: model.compile(optimizer="sgd", loss="mse"),
        "pop": model.pop,
        "add": lambda: model.add(layers.Dense(1)),
        "to": lambda: model.to("cpu"),
    }
    failures: dict[str, str] = {}

    def attack() -> None:
        for name, call in allowed.items():
            try:
                call()
            except Exception as e:
                failures[name] = f"{type(e).__name__}: {e}"
        for name, call in refused.items():
            try:
                call()
                failures[name] = "not refused"
            except RuntimeError as e:
                if "is training: fit() or train_on_batch() is running on it" not in str(e):
                    failures[name] = str(e)

    class AttackAtTheSecondBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:  # the fit waits here, with no lock held, while another thread calls the model
                _run_threads([attack])

    history = model.fit(X, Y, epochs=2, batch_size=32, verbose=0, callbacks=[AttackAtTheSecondBatch()])
    assert failures == {}
    assert np.isfinite(history.history["loss"]).all() and len(model.layers) == 2
    # Still fully usable, structure changes included.
    model.compile(optimizer="adam", loss="mse")
    assert np.isfinite(model.fit(X, Y, epochs=1, verbose=0).history["loss"]).all()
    assert model.predict(X, verbose=0).shape == (256, 1)


@pytest.mark.parametrize("device", DEVICES)
def test_fits_from_three_threads_run_one_after_another_each_returning_its_own_history(device):
    model = _model(device)
    histories: list[keras.callbacks.History] = []
    fit = lambda: histories.append(model.fit(X, Y, epochs=2, batch_size=32, verbose=0))  # noqa: E731
    _run_threads([fit, fit, fit])
    assert len({id(h) for h in histories}) == 3
    for h in histories:  # (each fit used to return whichever History another thread's fit had set last)
        assert h.epoch == [0, 1] and sorted(h.history) == ["loss", "mae"] and len(h.history["loss"]) == 2
    assert int(model.optimizer.iterations) == 3 * 2 * 8  # every step of every fit, none lost or doubled


def test_a_fit_queued_behind_one_a_callback_stops_trains_all_its_epochs():
    """Fit B, from another thread, starts (its callbacks' on_train_begin run) while fit A trains, and waits for
    A; A's callback stops A. B then trains its own epochs, not stopped by A's ``stop_training``, and each fit
    returns its own History."""
    model = _model()
    a_training, b_began = threading.Event(), threading.Event()
    got: dict[str, keras.callbacks.History] = {}

    class WaitForB(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            a_training.set()
            assert b_began.wait(TIMEOUT)

        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    class Began(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            b_began.set()

    fit_a = lambda: got.setdefault("a", model.fit(X, Y, epochs=5, verbose=0, callbacks=[WaitForB()]))  # noqa: E731
    fit_b = lambda: got.setdefault("b", model.fit(X, Y, epochs=3, verbose=0, callbacks=[Began()]))  # noqa: E731
    _run_threads([fit_a, lambda: a_training.wait(TIMEOUT) and fit_b()])
    assert got["a"].epoch == [0] and len(got["a"].history["loss"]) == 1
    assert got["b"].epoch == [0, 1, 2] and len(got["b"].history["loss"]) == 3
    assert int(model.optimizer.iterations) == 8 + 3 * 8
    assert model.history is got["b"]  # the last fit's, as after fits one after another


# A child forked from the test process: these run in it (multiprocessing's 'fork' start method).
_PARENT: dict[str, keras.Sequential] = {}


def _change_the_model_in_the_child(_: int) -> dict[str, Any]:
    model = _PARENT["model"]
    model.compile(optimizer="sgd", loss="mse")
    model.pop()
    model.add(layers.Dense(1))
    loss = model.fit(X, Y, epochs=1, verbose=0).history["loss"][0]
    return {"loss": loss, "shape": model.predict(X[:4], verbose=0).shape}


@fork_only
def test_a_child_forked_while_another_thread_fits_may_change_the_model():
    """The child does not have the fitting thread: its fit is not running there, so the child may compile,
    pop and add (they were refused for ever, as if the fit still ran)."""
    model = _PARENT["model"] = _model()
    inside, release = threading.Event(), threading.Event()

    class Hold(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            inside.set()
            release.wait(TIMEOUT)

    fitting = threading.Thread(target=lambda: model.fit(X, Y, epochs=1, verbose=0, callbacks=[Hold()]))
    fitting.start()
    try:
        assert inside.wait(TIMEOUT)
        with pytest.raises(
            RuntimeError, match="is training: fit\\(\\) or train_on_batch\\(\\) is running on it"
        ):
            model.compile(optimizer="sgd", loss="mse")  # in the parent the fit does run
        with mp.get_context("fork").Pool(1) as pool:
            got = pool.map_async(_change_the_model_in_the_child, [0]).get(timeout=TIMEOUT)[0]
    finally:
        release.set()
        fitting.join(TIMEOUT)
    assert np.isfinite(got["loss"]) and got["shape"] == (4, 1)
    assert not fitting.is_alive()
    model.compile(optimizer="sgd", loss="mse")  # and in the parent once it has returned


def _compile_in_the_child(_: int) -> str:
    _PARENT["other"].compile(optimizer="adam", loss="mse")
    return "compiled"


@fork_only
def test_a_child_forked_during_another_threads_structure_change_does_not_hang():
    """A thread in the middle of a compile, add, pop or move to a device when the process forks: the child
    (which does not have that thread) compiles its models instead of waiting for ever."""
    from keras_lite._structure_lock import _STRUCTURE_LOCK  # what those calls hold; none holds it long enough

    _PARENT["other"] = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    holding, release = threading.Event(), threading.Event()

    def change() -> None:
        with _STRUCTURE_LOCK:
            holding.set()
            release.wait(TIMEOUT)

    changer = threading.Thread(target=change)
    changer.start()
    try:
        assert holding.wait(TIMEOUT)
        with mp.get_context("fork").Pool(1) as pool:
            got = pool.map_async(_compile_in_the_child, [0]).get(timeout=TIMEOUT)[0]
    finally:
        release.set()
        changer.join(TIMEOUT)
    assert got == "compiled"
    _PARENT["other"].compile(optimizer="adam", loss="mse")


def test_train_on_batch_from_its_own_fit_s_callback_is_refused_naming_it_and_changes_nothing():
    """Keras 3.15.1 runs the step there (its iterations went from 2 to 6 for two train_on_batch calls in each of
    a 2-batch fit's batch hooks); keras_lite's fit holds the model until it returns, so the call is refused, as
    a nested fit is, with a message that names train_on_batch (it used to name fit())."""
    model, twin = _model(), _model()
    twin.set_weights(model.get_weights())
    refused: list[str] = []

    class StepAgain(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            try:
                self.model.train_on_batch(X[:8], Y[:8])
            except RuntimeError as e:
                refused.append(str(e))

    got = model.fit(X, Y, epochs=2, batch_size=64, shuffle=False, verbose=0, callbacks=[StepAgain()])
    want = twin.fit(X, Y, epochs=2, batch_size=64, shuffle=False, verbose=0)
    assert len(refused) == 8
    assert refused[0].startswith(f"train_on_batch() cannot run while model {model.name!r} is training")
    assert got.history == want.history and int(model.optimizer.iterations) == 8
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.train_on_batch(X[:8], Y[:8])  # after the fit, as usual
    assert int(model.optimizer.iterations) == 9


@pytest.mark.parametrize("device", DEVICES)
def test_saving_and_pickling_while_another_thread_pops_and_adds_layers_write_whole_models(device, tmp_path):
    """Each file and pickle holds one structure with its own weights (they used to mix the layers of one with
    the weights of the next: an IndexError, or a pickle that would not load) and a compiled model (a network
    rebuilt for the new layers was the model's before it was compiled: "You must call `compile()`")."""
    model = _model(device)
    model.fit(X, Y, epochs=1, verbose=0)
    done = threading.Event()
    written: list[int] = []

    def read(i: int) -> None:
        k = 0
        while not done.is_set() or k < 3:
            if k % 3 == 0:
                model.save(tmp_path / f"{i}.keras")
                written.append(len(keras.models.load_model(tmp_path / f"{i}.keras").layers))
            elif k % 3 == 1:
                model.save_weights(tmp_path / f"{i}.weights.h5")
            else:
                written.append(len(pickle.loads(pickle.dumps(model)).layers))
            k += 1

    def change() -> None:
        try:
            for _ in range(40 if device == "cpu" else 15):
                model.pop()
                model.add(layers.Dense(1))
        finally:
            done.set()

    _run_threads([change, lambda: read(0), lambda: read(1)])
    assert written and set(written) <= {1, 2}
    assert model.evaluate(X, Y, verbose=0)[0] >= 0 and len(model.layers) == 2


def test_evaluations_while_another_thread_recompiles_are_keyed_by_their_own_compile():
    """Each result is one compile's, whole: its values under that compile's names. They were keyed by the names
    read after the pass, so a compile landing between the two gave an IndexError, or one metric's value under
    another's name; now such a call raises the documented RuntimeError."""
    model = _model()
    compiles = {"mae": lambda: model.compile(optimizer="adam", loss="mse", metrics=["mae"])}
    compiles["mse"] = lambda: model.compile(optimizer="adam", loss="mse", metrics=["mse", "msle"])
    x, y = np.tile(X, (8, 1)), np.tile(Y, (8, 1)) + 1.0  # (mae, mse and msle differ here)

    class Halves(keras.utils.PyDataset):
        def __len__(self) -> int:
            return 2

        def __getitem__(self, i: int) -> Any:
            return x[i * 1024 : (i + 1) * 1024], y[i * 1024 : (i + 1) * 1024]

    calls = (
        lambda: model.evaluate(x, y, batch_size=2048, verbose=0, return_dict=True),
        lambda: model.test_on_batch(x, y, return_dict=True),
        lambda: model.evaluate(Halves(), verbose=0, return_dict=True),
    )
    expected = []
    for compile_ in compiles.values():
        compile_()
        expected.append(calls[1]())
        assert all(call() == expected[-1] for call in calls)
    done = threading.Event()
    results: list[dict[str, float]] = []

    def evaluate(i: int) -> None:
        k = i
        while not done.is_set():
            try:
                results.append(calls[k % 3]())
            except RuntimeError as e:
                assert "recompiled during evaluation" in str(e)
            k += 1

    def recompile() -> None:
        # 300 compiles, and on until the evaluating threads have finished some calls between them (each compile
        # waits a little, so that calls both straddle compiles and fall between them, whatever the machine's load).
        deadline = time.monotonic() + 20
        try:
            k = 0
            while k < 300 or (len(results) < 20 and time.monotonic() < deadline):
                compiles["mae" if k % 2 else "mse"]()
                time.sleep(0.0005 if k % 4 else 0.002)
                k += 1
        finally:
            done.set()

    _run_threads([recompile, lambda: evaluate(0), lambda: evaluate(1)])
    assert results and all(r in expected for r in results), [r for r in results if r not in expected][:3]
