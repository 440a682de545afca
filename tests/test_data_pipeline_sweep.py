"""Differences a randomized sweep of the data pipelines (what fit, evaluate, predict and the one-batch calls
accept and do) found against Keras 3.15.1 (TensorFlow backend), each pinned with the values that Keras run gave.

The sweep built random cases (Sequential and Functional models of one and two inputs; arrays of many dtypes,
pandas, lists, dicts, PyDatasets and generators; sample and class weights, validation, steps, shuffle), ran
each in keras_lite and in Keras from the same initial weights, and compared histories, results, step counts,
optimizer iterations and warnings.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

X = np.random.default_rng(0).normal(size=(12, 2)).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0]], np.float32) + 0.5).astype(np.float32)
RAN_OUT = "Your input ran out of data"
SHUFFLE_IGNORED = "`shuffle=True` was passed, but will be ignored since the data `x` was provided as "


def _model(optimizer: Any, device: str = "cpu") -> keras.Sequential:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], device=device)
    model.compile(optimizer, "mse")
    model.set_weights([np.array([[0.5], [-0.5]], np.float32), np.zeros(1, np.float32)])
    return model


def _batches(rows: int = 12) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for i in range(0, rows, 4):
        yield X[i : i + 4], Y[i : i + 4]


def _fit(model: keras.Sequential, *args: Any, **kwargs: Any) -> tuple[list[float], int, list[str]]:
    """The History's losses, optimizer.iterations, and the warnings' messages."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(*args, verbose=0, **kwargs)
    return history.history["loss"], int(model.optimizer.iterations), [str(w.message) for w in caught]


def _count(messages: list[str], start: str) -> int:
    return sum(m.startswith(start) for m in messages)


# Keras 3.15.1: fit(X, Y, batch_size=5, epochs=2, shuffle="batch"), SGD(0.1). "batch" reorders rows within each
# batch only, so the batches, their mean losses and the weights are those of shuffle=False.
def test_shuffle_batch_is_accepted_and_trains_as_keras() -> None:
    loss, iterations, _ = _fit(
        _model(keras.optimizers.SGD(0.1)), X, Y, batch_size=5, epochs=2, shuffle="batch"
    )
    np.testing.assert_allclose(loss, [0.799653947353363, 0.4981330931186676], rtol=1e-6)
    assert iterations == 6
    with pytest.raises(ValueError, match="shuffle"):
        _model(keras.optimizers.SGD(0.1)).fit(X, Y, shuffle="yes", verbose=0)


# Keras 3.15.1: one input's array in a tuple or list, read in steps_per_epoch=2 batches of 4 (SGD(0.1), 2 epochs;
# the second epoch reads the last batch, then runs out with the warning).
@pytest.mark.parametrize("wrap", [tuple, list])
@pytest.mark.parametrize("shuffle", [False, "batch"])
def test_one_input_in_a_tuple_or_list_is_read_in_steps(wrap: Any, shuffle: Any) -> None:
    model = _model(keras.optimizers.SGD(0.1))
    loss, iterations, messages = _fit(
        model, wrap([X]), Y, batch_size=4, steps_per_epoch=2, epochs=2, shuffle=shuffle
    )
    np.testing.assert_allclose(loss, [0.7698161602020264, 0.8904996514320374], rtol=1e-6)
    assert iterations == 3
    assert _count(messages, RAN_OUT) == 1


# Keras 3.15.1, a generator of 3 batches of 4, fit(epochs=3), Adam(0.1): fit's default shuffle=True warns; every
# epoch ends by running out of data (epoch 1 after 3 batches, later ones after the 2 peeked batches replayed),
# warns, and counts one more optimizer step that changes no weight - so Adam's later steps differ.
@pytest.mark.parametrize("device", DEVICES)
def test_a_finite_generator_warns_and_counts_a_step_at_each_epoch_end(device: str) -> None:
    loss, iterations, messages = _fit(_model(keras.optimizers.Adam(0.1), device), _batches(), epochs=3)
    np.testing.assert_allclose(loss, [0.773684024810791, 0.41651350259780884, 0.341129332780838], rtol=2e-6)
    assert iterations == 10  # 3 + 2 + 2 batches, and one step more per epoch
    assert _count(messages, SHUFFLE_IGNORED + "a generator. The generator is expected to yield") == 1
    assert _count(messages, RAN_OUT) == 3


# Keras 3.15.1: shuffle=False, SGD(0.1): no shuffle warning; the run-out warnings and the extra steps remain.
def test_a_finite_generator_with_shuffle_false() -> None:
    loss, iterations, messages = _fit(_model(keras.optimizers.SGD(0.1)), _batches(), epochs=2, shuffle=False)
    np.testing.assert_allclose(loss, [0.81004399061203, 0.48610085248947144], rtol=1e-6)
    assert (iterations, _count(messages, RAN_OUT), len(messages)) == (7, 2, 2)


# Keras 3.15.1: steps_per_epoch=2 over a generator of 3 batches, epochs=3, Adam(0.1): epoch 2 runs 1 batch and
# runs out (one warning, one extra step); epoch 3 replays the 2 peeked batches.
def test_a_generator_running_out_mid_epoch_counts_a_step() -> None:
    loss, iterations, messages = _fit(
        _model(keras.optimizers.Adam(0.1)), _batches(), epochs=3, steps_per_epoch=2, shuffle=False
    )
    np.testing.assert_allclose(loss, [0.7096313238143921, 0.9017893671989441, 0.41651350259780884], rtol=2e-6)
    assert (iterations, _count(messages, RAN_OUT)) == (6, 1)


class _InverseTime(keras.optimizers.schedules.LearningRateSchedule):
    def __call__(self, step: Any) -> float:
        return 0.1 / (1.0 + float(step))

    def get_config(self) -> dict[str, Any]:
        return {}


# Keras 3.15.1: the same schedule (0.1 / (1 + step)) with SGD over the generator: the extra steps move the
# schedule on, so epochs 2 and 3 train at the rates of steps 4-5 and 7-8.
def test_the_extra_step_moves_a_python_schedule_on() -> None:
    loss, iterations, _ = _fit(
        _model(keras.optimizers.SGD(_InverseTime())), _batches(), epochs=3, shuffle=False
    )
    np.testing.assert_allclose(loss, [0.8273655772209167, 0.609075129032135, 0.5756086111068726], rtol=1e-6)
    assert iterations == 10


# Keras 3.15.1: a finite validation generator (2 batches) warns at each validation pass as well (2 epochs: 2
# training and 2 validation warnings), and evaluate and predict of a generator warn once each.
def test_validation_evaluate_and_predict_of_a_generator_warn_when_it_runs_out() -> None:
    model = _model(keras.optimizers.SGD(0.1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(_batches(), validation_data=_batches(8), epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(
        history.history["val_loss"], [0.5050841569900513, 0.3753950893878937], rtol=1e-6
    )
    assert _count([str(w.message) for w in caught], RAN_OUT) == 4
    model = _model(keras.optimizers.SGD(0.1))
    with pytest.warns(UserWarning, match=RAN_OUT):
        assert model.evaluate(_batches(), verbose=0) == pytest.approx(0.8680911064147949, rel=1e-6)
    with pytest.warns(UserWarning, match=RAN_OUT):
        assert model.predict(_batches(), verbose=0).shape == (12, 1)


class _Endless(keras.utils.PyDataset):
    @property
    def num_batches(self) -> int | None:
        return None

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        i %= 3
        return X[i * 4 : (i + 1) * 4], Y[i * 4 : (i + 1) * 4]


# Keras 3.15.1: an infinite PyDataset with fit's default shuffle=True warns that it cannot be shuffled.
def test_an_infinite_pydataset_warns_that_shuffle_is_ignored() -> None:
    loss, iterations, messages = _fit(
        _model(keras.optimizers.SGD(0.1)), _Endless(), epochs=2, steps_per_epoch=2
    )
    np.testing.assert_allclose(loss, [0.7698161602020264, 0.5732409358024597], rtol=1e-6)
    assert iterations == 4
    want = SHUFFLE_IGNORED + "an infinite PyDataset. The PyDataset is expected to already be shuffled."
    assert messages == [want]


class _WithAnEmptyBatch(keras.utils.PyDataset):
    """Two batches of four rows and, at ``empty_at``, a batch of none (a ``__len__`` that counts one too many)."""

    XS = np.arange(16, dtype=np.float32).reshape(8, 2) / 10

    def __init__(self, empty_at: int) -> None:
        super().__init__()
        self.empty_at = empty_at

    def __len__(self) -> int:
        return 3

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        if i == self.empty_at:
            return self.XS[:0], np.ones((0, 1), np.float32)
        j = i if i < self.empty_at else i - 1
        return self.XS[j * 4 : (j + 1) * 4], np.ones((4, 1), np.float32)


# Keras 3.15.1, Adam(0.1), mse and mae, kernel [[0.5], [0.5]], fit(ds, epochs=2, shuffle=False,
# validation_data=ds), then evaluate(ds) and predict(ds): the batch of no rows is a step (6 optimizer steps; Adam's
# moments move the weights with a zero gradient) that adds nothing to the means, and predicts no row.
EMPTY_BATCH_RUNS = {
    0: ([0.3474792, 0.231501], [0.2505471, 0.1945678], [0.43237773, 0.46039683], [0.21016966, 1.4600539]),
    1: ([0.5265176, 0.2491818], [0.3233512, 0.2131662], [0.4867584, 0.5033761], [0.22152857, 1.6077169]),
    2: ([0.3874476, 0.2252659], [0.2303308, 0.1813333], [0.39149958, 0.4228993], [0.22485544, 1.3650138]),
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("empty_at", sorted(EMPTY_BATCH_RUNS))
def test_a_pydataset_batch_of_no_rows_is_a_step_that_adds_nothing(device: str, empty_at: int) -> None:
    loss, val_loss, kernel, ends = EMPTY_BATCH_RUNS[empty_at]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], device=device)
    model.compile(keras.optimizers.Adam(0.1), "mse", metrics=["mae"])
    model.set_weights([np.full((2, 1), 0.5, np.float32), np.zeros(1, np.float32)])
    ds = _WithAnEmptyBatch(empty_at)
    history = model.fit(ds, epochs=2, verbose=0, shuffle=False, validation_data=ds).history
    np.testing.assert_allclose(history["loss"], loss, rtol=1e-5)
    np.testing.assert_allclose(history["val_loss"], val_loss, rtol=1e-5)
    assert int(model.optimizer.iterations) == 6
    np.testing.assert_allclose(model.get_weights()[0].ravel(), kernel, rtol=1e-5)
    np.testing.assert_allclose(model.evaluate(ds, verbose=0)[0], val_loss[1], rtol=1e-5)
    predicted = model.predict(ds, verbose=0)
    assert predicted.shape == (8, 1)
    np.testing.assert_allclose(predicted[[0, -1], 0], ends, rtol=1e-5)


class _Batches(keras.utils.PyDataset):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def __len__(self) -> int:
        return 3

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return X[i * 4 : (i + 1) * 4], Y[i * 4 : (i + 1) * 4]


def test_a_pydataset_for_worker_processes_trains_as_any_other() -> None:
    # Keras 3.15.1 reads PyDataset(workers=2, use_multiprocessing=True) in worker processes: the same batches.
    runs = []
    for kwargs in ({}, {"workers": 2, "use_multiprocessing": True}):
        data = _Batches(**kwargs)
        assert data.use_multiprocessing == bool(kwargs)
        runs.append(_fit(_model(keras.optimizers.SGD(0.1)), data, epochs=2, shuffle=False)[:2])
    assert runs[0] == runs[1]
