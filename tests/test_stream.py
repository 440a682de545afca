"""Streamed data in fit, evaluate and predict (KERAS_COMPAT_2.md §22, checklist D1-D3): Python generators,
keras.utils.PyDataset and iterables of batch tuples, fed to the core through a bounded queue by a producer
thread. A streamed fit equals the in-memory fit over the same batches in the same order on each device."""

from __future__ import annotations

import random
import threading
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

RNG = np.random.default_rng(7)
X = RNG.normal(size=(100, 4)).astype(np.float32)
Y = (X @ np.array([1.0, -2.0, 0.5, 3.0], np.float32)).reshape(-1, 1)
W = RNG.uniform(0.5, 2.0, size=100).astype(np.float32)


def _model(device: str = "cpu", metrics: Any = ("mae",)) -> keras.Sequential:
    keras.utils.set_random_seed(3)
    m = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)],
        device=device,
    )
    m.compile(keras.optimizers.Adam(0.01), "mse", metrics=list(metrics))
    return m


def _batches(n: int = 5, bs: int = 20, weights: bool = False) -> list[tuple[Any, ...]]:
    out = []
    for i in range(n):
        s = slice(i * bs, (i + 1) * bs)
        out.append((X[s], Y[s], W[s]) if weights else (X[s], Y[s]))
    return out


class Batches(keras.utils.PyDataset):
    """A PyDataset over fixed batches that records its calls."""

    def __init__(self, batches: list[tuple[Any, ...]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batches = batches
        self.calls: list[Any] = []

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, i: int) -> tuple[Any, ...]:
        self.calls.append(i)
        return self.batches[i]

    def on_epoch_begin(self) -> None:
        self.calls.append("begin")

    def on_epoch_end(self) -> None:
        self.calls.append("end")


class StepCounter(keras.callbacks.Callback):
    """Counts the training batches of each epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[int] = []

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self.steps.append(0)

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        self.steps[-1] += 1


def _no_feeder_left() -> bool:
    return not any(t.name == "keras_lite-feeder" for t in threading.enumerate())


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", ["pydataset", "generator", "iterable"])
def test_streamed_fit_equals_the_in_memory_fit(device: str, kind: str) -> None:
    ref = _model(device)
    h_ref = ref.fit(
        X,
        Y,
        sample_weight=W,
        batch_size=20,
        epochs=3,
        shuffle=False,
        verbose=0,
        validation_data=(X[:40], Y[:40]),
        validation_batch_size=20,
    )
    batches = _batches(weights=True)
    if kind == "pydataset":
        data: Any = Batches(batches)
        val: Any = Batches(_batches(2))
    elif kind == "generator":
        # A generator replays only its 2 peeked batches after the first epoch: give it every epoch's.
        data = (b for _ in range(3) for b in batches)
        val = (b for _ in range(3) for b in _batches(2))
    else:
        data, val = list(batches), list(_batches(2))
        data, val = _Iterable(data), _Iterable(val)
    m = _model(device)
    steps = 5 if kind == "generator" else None
    h = m.fit(
        data,
        epochs=3,
        shuffle=False,
        verbose=0,
        steps_per_epoch=steps,
        validation_data=val,
        validation_steps=2 if kind == "generator" else None,
    )
    for a, b in zip(ref.get_weights(), m.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert h.history.keys() == h_ref.history.keys()
    for k in h_ref.history:
        np.testing.assert_allclose(h.history[k], h_ref.history[k], rtol=1e-5)
    assert h.params["steps"] == 5
    assert _no_feeder_left()


class _Iterable:
    """An iterable of batch tuples that can be iterated again (as a DataLoader)."""

    def __init__(self, batches: list[tuple[Any, ...]]) -> None:
        self.batches = batches

    def __iter__(self) -> Any:
        return iter(self.batches)

    def __len__(self) -> int:
        return len(self.batches)


def test_a_dataloader_like_iterable_of_lists_is_accepted() -> None:
    # torch's default collation makes each batch a list [x, y]; Keras's DataLoader adapter takes it (D3).
    a, b = _model(), _model()
    ha = a.fit(X, Y, batch_size=20, epochs=2, shuffle=False, verbose=0)
    hb = b.fit(_Iterable([[bx, by] for bx, by in _batches()]), epochs=2, verbose=0)
    np.testing.assert_allclose(hb.history["loss"], ha.history["loss"], rtol=1e-5)
    with pytest.raises(ValueError, match="must return a tuple"):  # a generator's list is refused (D1)
        b.fit(iter([[X[:10], Y[:10]]]), verbose=0)


def test_a_dataloader_like_iterable_of_bare_inputs_predicts() -> None:
    # A tf.data dataset of inputs only (or a DataLoader of tensors) yields bare x batches: Keras's adapters for
    # those read each as (x,), so predict takes them; fit and evaluate say they need targets.
    m = _model()
    m.fit(X, Y, epochs=1, verbose=0)
    bare = _Iterable([bx for bx, _ in _batches()])
    np.testing.assert_allclose(m.predict(bare, verbose=0), m.predict(X, verbose=0), rtol=1e-6)
    for call in (lambda: m.fit(bare, verbose=0), lambda: m.evaluate(bare, verbose=0)):
        with pytest.raises(ValueError, match="need targets"):
            call()
    with pytest.raises(ValueError, match="must return a tuple"):  # a generator's must still be tuples (D1)
        m.predict(iter([X[:10]]), verbose=0)
    assert _no_feeder_left()


@pytest.mark.parametrize("device", DEVICES)
def test_evaluate_and_predict_of_a_stream_equal_the_arrays(device: str) -> None:
    m = _model(device, metrics=["mae", "mse"])
    m.fit(X, Y, epochs=1, verbose=0)
    want = m.evaluate(X, Y, sample_weight=W, batch_size=20, verbose=0)
    got = m.evaluate(iter(_batches(weights=True)), verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert m.evaluate(Batches(_batches(weights=True)), verbose=0, return_dict=True).keys() == {
        "loss",
        "mae",
        "mse",
    }
    np.testing.assert_allclose(
        m.predict(iter((b[0],) for b in _batches()), verbose=0), m.predict(X, verbose=0), rtol=1e-6
    )
    assert _no_feeder_left()


def test_d1_generator_items_must_be_tuples() -> None:
    m = _model()
    with pytest.raises(ValueError, match="must return a tuple"):
        m.fit(iter([[X[:10], Y[:10]]]), verbose=0)
    with pytest.raises(ValueError, match="empty"):
        m.fit(iter([]), verbose=0)
    with pytest.raises(ValueError, match="must return a tuple"):
        m.fit(iter([(X[:10], Y[:10]), [X[:10], Y[:10]]]), epochs=1, verbose=0)
    assert _no_feeder_left()


def test_d1_two_batches_are_peeked_and_a_finite_generator_replays_them() -> None:
    taken = []

    def gen() -> Any:
        for i, b in enumerate(_batches()):
            taken.append(i)
            yield b

    class Peek(keras.callbacks.Callback):
        def on_train_begin(self, logs: Any = None) -> None:
            self.before = list(taken)

    peek, count = Peek(), StepCounter()
    _model().fit(gen(), epochs=3, verbose=0, callbacks=[peek, count])
    assert peek.before == [0, 1]  # Keras's NUM_BATCHES_FOR_TENSOR_SPEC
    assert count.steps == [5, 2, 2]  # K3-run: epochs 2 and 3 replay the 2 peeked batches
    assert count.params["steps"] is None  # unknown for a generator


def test_d1_steps_per_epoch_runs_out_with_a_warning() -> None:
    count = StepCounter()
    with pytest.warns(UserWarning, match="ran out of data"):
        _model().fit(iter(_batches()), epochs=4, steps_per_epoch=2, verbose=0, callbacks=[count])
    assert count.steps == [2, 2, 1, 2]


def test_d2_pydataset_epoch_hooks_and_shuffle() -> None:
    ds = Batches(_batches(3))
    _model().fit(ds, epochs=2, shuffle=False, verbose=0)
    # K3-run: getitem 0,1 for the spec, on_epoch_end once before training, then each epoch's pass.
    assert ds.calls == [0, 1, "end", "begin", 0, 1, 2, "end", "begin", 0, 1, 2, "end"]
    assert ds.calls.count("end") == 2 + 1
    random.seed(0)
    ds = Batches(_batches(5))
    _model().fit(ds, epochs=4, verbose=0)  # shuffle=True permutes the batch order each epoch
    orders = [ds.calls[i + 1 : i + 6] for i, c in enumerate(ds.calls) if c == "begin"]
    assert all(sorted(o) == [0, 1, 2, 3, 4] for o in orders)
    assert any(o != [0, 1, 2, 3, 4] for o in orders)


def test_d2_fit_has_no_workers_argument() -> None:
    with pytest.raises(TypeError):
        _model().fit(Batches(_batches()), workers=2, verbose=0)  # type: ignore[call-arg]


def test_d3_steps_per_epoch_continues_the_iterator() -> None:
    ds = Batches(_batches(3))
    with pytest.warns(UserWarning, match="ran out of data"):
        _model().fit(ds, epochs=3, steps_per_epoch=2, shuffle=False, verbose=0)
    got = [c for c in ds.calls[3:] if c not in ("begin", "end")]
    assert got == [0, 1, 2, 0, 1]  # K3-run: 0,1 | 2 + warning | 0,1


def test_class_weight_with_a_pydataset_equals_the_arrays() -> None:
    yc = (Y > 0).astype(np.float32)
    cw = {0: 1.0, 1: 3.0}

    def model() -> keras.Sequential:
        m = _model()
        m.compile("sgd", "binary_crossentropy")
        return m

    a, b = model(), model()
    ha = a.fit(X, yc, class_weight=cw, batch_size=20, shuffle=False, epochs=2, verbose=0)
    hb = b.fit(
        Batches([(X[i : i + 20], yc[i : i + 20]) for i in range(0, 100, 20)]),
        class_weight=cw,
        shuffle=False,
        epochs=2,
        verbose=0,
    )
    np.testing.assert_allclose(hb.history["loss"], ha.history["loss"], rtol=1e-5)
    with pytest.raises(ValueError, match="class_weight"):
        model().fit(iter(_batches()), class_weight=cw, verbose=0)


def test_validation_freq() -> None:
    h = _model().fit(X, Y, epochs=4, validation_data=(X, Y), validation_freq=2, verbose=0)
    assert len(h.history["loss"]) == 4 and len(h.history["val_loss"]) == 2
    h = _model().fit(Batches(_batches()), epochs=4, validation_data=(X, Y), validation_freq=[1, 4], verbose=0)
    assert len(h.history["val_loss"]) == 2
    with pytest.raises(ValueError, match="validation_freq"):
        _model().fit(X, Y, validation_freq=0, verbose=0)


class Boom(Exception):
    pass


class Raises(Batches):
    def __getitem__(self, i: int) -> tuple[Any, ...]:
        if i == 3:
            raise Boom("batch 3")
        return super().__getitem__(i)


@pytest.mark.parametrize("device", DEVICES)
def test_errors_propagate_and_leave_no_thread(device: str) -> None:
    m = _model(device)
    with pytest.raises(Boom, match="batch 3"):
        m.fit(Raises(_batches()), epochs=2, shuffle=False, verbose=0)
    assert _no_feeder_left()
    ragged = [(X[:10], Y[:10]), (X[:10], Y[:10]), (X[:10], Y[:9])]
    with pytest.raises(ValueError, match="same number of samples"):
        m.fit(iter(ragged), verbose=0)
    with pytest.raises(TypeError, match="numeric"):  # as for arrays
        m.fit(iter([(np.array([["a"] * 4] * 3), Y[:3])]), verbose=0)
    with pytest.raises(ValueError, match="4 columns"):
        m.fit(iter([(X[:10], Y[:10]), (X[:10, :3], Y[:10])]), verbose=0)
    with pytest.raises(ValueError, match="y"):
        m.fit(iter(_batches()), Y, verbose=0)
    with pytest.raises(ValueError, match="sample_weight"):
        m.fit(iter(_batches()), sample_weight=W, verbose=0)
    with pytest.raises(Boom):
        m.evaluate(Raises(_batches()), verbose=0)
    assert _no_feeder_left()
    fresh = _model(device)
    fresh.fit(Raises(_batches()[:3]), epochs=1, verbose=0)  # the model still trains afterwards


def test_a_callback_interrupt_stops_the_producer() -> None:
    class Stop(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if batch == 1:
                raise KeyboardInterrupt

    def endless() -> Any:
        while True:
            yield X[:10], Y[:10]

    with pytest.raises(KeyboardInterrupt):
        _model().fit(endless(), steps_per_epoch=1000, epochs=2, verbose=0, callbacks=[Stop()])
    assert _no_feeder_left()


def test_memory_is_bounded_by_the_queue() -> None:
    made = []

    class Big(keras.utils.PyDataset):
        def __len__(self) -> int:
            return 50

        def __getitem__(self, i: int) -> tuple[Any, ...]:
            made.append(i)
            return X[:20], Y[:20]

    class Slow(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if batch == 0:
                self.ahead = len(made)

    slow = Slow()
    _model().fit(Big(max_queue_size=3), epochs=1, shuffle=False, verbose=0, callbacks=[slow])
    # The producer runs at most the queue's bound (and the batch it is converting) ahead of training.
    assert slow.ahead <= 2 + 1 + 3 + 1


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals go to the main thread"
)
def test_ctrl_c_during_a_streamed_fit() -> None:
    import os
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)

    def endless() -> Any:
        while True:
            yield X[:20], Y[:20]

    m = _model()
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            m.fit(endless(), steps_per_epoch=10**8, epochs=1, verbose=0)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert _no_feeder_left()
    assert m.predict(X[:3], verbose=0).shape == (3, 1)  # the model is usable afterwards


def test_a_batch_of_several_inputs_for_a_one_input_model_is_refused() -> None:
    with pytest.raises(ValueError, match="takes one input"):
        _model().fit(iter([([X[:10], X[:10]], Y[:10])]), verbose=0)
    assert _no_feeder_left()


def _two_inputs(device: str) -> keras.Model:
    keras.utils.set_random_seed(5)
    a, b = keras.Input(shape=(2,), name="a"), keras.Input(shape=(X.shape[1] - 2,), name="b")
    h = keras.layers.Concatenate()([keras.layers.Dense(4, activation="tanh")(a), b])
    model = keras.Model([a, b], keras.layers.Dense(1)(h), device=device)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return model


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("as_dict", [False, True])
def test_a_functional_model_of_two_inputs_streams_as_it_fits_arrays(device: str, as_dict: bool) -> None:
    parts = lambda x: {"a": x[:, :2], "b": x[:, 2:]} if as_dict else [x[:, :2], x[:, 2:]]  # noqa: E731
    ref = _two_inputs(device)
    h_ref = ref.fit(parts(X), Y, batch_size=20, epochs=2, shuffle=False, verbose=0)
    m = _two_inputs(device)
    batches = [(parts(X[i : i + 20]), Y[i : i + 20]) for i in range(0, len(X), 20)]
    h = m.fit(Batches(batches), epochs=2, shuffle=False, verbose=0)
    for k in h_ref.history:
        np.testing.assert_allclose(h.history[k], h_ref.history[k], rtol=1e-5)
    for w_ref, w in zip(ref.get_weights(), m.get_weights()):
        np.testing.assert_allclose(w, w_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        m.evaluate(Batches(batches), verbose=0), ref.evaluate(parts(X), Y, 20, verbose=0), rtol=1e-5
    )
    np.testing.assert_allclose(
        m.predict(Batches(batches), verbose=0), ref.predict(parts(X), verbose=0), rtol=1e-5
    )
    assert _no_feeder_left()


def test_later_batches_of_another_kind_are_still_converted_and_checked() -> None:
    # After a first float32 C-contiguous batch, the conversion is skipped for batches of that kind only:
    # float64, Fortran-ordered and 1-D-target batches must train exactly as their float32 copies do.
    plain = _batches()
    mixed: list[tuple[Any, ...]] = [
        plain[0],
        (plain[1][0].astype(np.float64), plain[1][1]),
        (np.asfortranarray(plain[2][0]), plain[2][1]),
        (plain[3][0], plain[3][1][:, 0]),
        (plain[4][0], plain[4][1].astype(np.float64)),
    ]
    ref, m = _model(), _model()
    ref.fit(Batches(plain), epochs=2, shuffle=False, verbose=0)
    m.fit(Batches(mixed), epochs=2, shuffle=False, verbose=0)
    for a, b in zip(ref.get_weights(), m.get_weights()):
        np.testing.assert_array_equal(a, b)
    wide = [plain[0], plain[1], (RNG.normal(size=(20, 5)).astype(np.float32), Y[:20])]
    with pytest.raises(ValueError, match="5"):
        _model().fit(Batches(wide), epochs=1, verbose=0)
    assert _no_feeder_left()
