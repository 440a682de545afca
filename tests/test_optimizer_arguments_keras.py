"""Optimizer, regularizer and PiecewiseConstantDecay arguments as Keras 3.15.1 takes them: whole numbers for
float hyper-parameters, ``ema_momentum`` kept, ``get_config``'s key order, ``decay=`` warned about and ignored,
``name`` checked, ``optimizers.get(None)``, ``None`` regularizer factors, OrthogonalRegularizer refused by name,
and PiecewiseConstantDecay's boundaries checked (Keras 3.15.1 goldens)."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers, regularizers
from keras_lite._unsupported import NotSupportedError
from keras_lite.optimizers import schedules

OPT = keras.optimizers

# Keras 3.15.1: list(keras.optimizers.X().get_config()), the keys every optimizer shares, then its own.
COMMON_KEYS = [
    "name",
    "learning_rate",
    "weight_decay",
    "clipnorm",
    "global_clipnorm",
    "clipvalue",
    "use_ema",
    "ema_momentum",
    "ema_overwrite_frequency",
    "loss_scale_factor",
    "gradient_accumulation_steps",
]
OWN_DEFAULTS: dict[str, dict[str, Any]] = {  # Keras 3.15.1's defaults, in its order
    "SGD": {"momentum": 0.0, "nesterov": False},
    "RMSprop": {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-07, "centered": False},
    "Adam": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False},
    "AdamW": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False},
    "Adagrad": {"initial_accumulator_value": 0.1, "epsilon": 1e-07},
    "Adadelta": {"rho": 0.95, "epsilon": 1e-07},
    "Adamax": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07},
    "Nadam": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07},
    "Lion": {"beta_1": 0.9, "beta_2": 0.99},
}

X = np.linspace(-1, 1, 16, dtype="float32").reshape(8, 2)
Y = (X[:, :1] * 2 - X[:, 1:]).astype("float32")


def _fit(opt: Any) -> tuple[list[float], list[np.ndarray]]:
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(X, Y, epochs=3, batch_size=4, verbose=0, shuffle=False).history["loss"]
    return history, model.get_weights()


@pytest.mark.parametrize("cls", sorted(OWN_DEFAULTS))
def test_get_config_has_keras_keys_in_keras_order(cls: str) -> None:
    cfg = getattr(OPT, cls)(name="x").get_config()
    assert list(cfg) == COMMON_KEYS + list(OWN_DEFAULTS[cls])
    assert {k: cfg[k] for k in OWN_DEFAULTS[cls]} == OWN_DEFAULTS[cls]
    assert cfg["ema_momentum"] == 0.99 and cfg["weight_decay"] == (0.004 if cls == "AdamW" else None)
    # Set arguments and a schedule keep their places.
    lr = schedules.ExponentialDecay(0.1, 10, 0.5)
    cfg = getattr(OPT, cls)(lr, clipnorm=0.5, ema_momentum=0.9, weight_decay=0.1).get_config()
    assert list(cfg) == COMMON_KEYS + list(OWN_DEFAULTS[cls])
    assert (cfg["clipnorm"], cfg["ema_momentum"], cfg["weight_decay"]) == (0.5, 0.9, 0.1)
    assert cfg["learning_rate"]["class_name"] == "ExponentialDecay"


def test_keras_config_text_is_written_as_keras_writes_it() -> None:
    # Keras 3.15.1: json.dumps(keras.optimizers.Adam(name="x", clipnorm=1.0, ema_momentum=0.5).get_config())
    keras_json = (
        '{"name": "x", "learning_rate": 0.0010000000474974513, "weight_decay": null, "clipnorm": 1.0, '
        '"global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.5, '
        '"ema_overwrite_frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": null, '
        '"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}'
    )
    assert json.dumps(OPT.Adam(name="x", clipnorm=1.0, ema_momentum=0.5).get_config()) == keras_json
    assert json.dumps(OPT.Adam.from_config(json.loads(keras_json)).get_config()) == keras_json


@pytest.mark.parametrize(
    ("make", "arg", "value"),
    [
        (lambda: OPT.Adam(beta_1=0), "beta_1", 0.0),
        (lambda: OPT.Adam(beta_2=0), "beta_2", 0.0),
        (lambda: OPT.Adam(epsilon=1), "epsilon", 1.0),
        (lambda: OPT.AdamW(epsilon=0), "epsilon", 0.0),
        (lambda: OPT.AdamW(beta_1=1), "beta_1", 1.0),
        (lambda: OPT.Adamax(epsilon=0), "epsilon", 0.0),
        (lambda: OPT.Adamax(beta_1=1), "beta_1", 1.0),
        (lambda: OPT.RMSprop(rho=0), "rho", 0.0),
        (lambda: OPT.RMSprop(rho=1), "rho", 1.0),
        (lambda: OPT.RMSprop(epsilon=1), "epsilon", 1.0),
        (lambda: OPT.RMSprop(momentum=0), "momentum", 0.0),
        (lambda: OPT.Adagrad(epsilon=1), "epsilon", 1.0),
        (lambda: OPT.Adagrad(initial_accumulator_value=np.int64(1)), "initial_accumulator_value", 1.0),
        (lambda: OPT.Adadelta(rho=1), "rho", 1.0),
        (lambda: OPT.Nadam(epsilon=1), "epsilon", 1.0),
        (lambda: OPT.Lion(beta_2=0), "beta_2", 0.0),
        (lambda: OPT.SGD(momentum=0), "momentum", 0.0),
    ],
)
def test_whole_numbers_are_taken_for_float_hyper_parameters(make: Any, arg: str, value: float) -> None:
    # Keras 3.15.1 takes them all (it keeps the int; keras_lite holds a float of the same value).
    cfg = make().get_config()
    assert cfg[arg] == value and isinstance(cfg[arg], float)


@pytest.mark.parametrize("arg", ["beta_1", "beta_2", "epsilon"])
def test_a_bool_or_none_is_still_no_number(arg: str) -> None:
    for cls in (OPT.Adam, OPT.Adamax, OPT.Nadam):
        for value in (True, None, "0.9"):
            with pytest.raises(ValueError, match=rf"`{arg}`.*Received: {arg}={value!r}"):
                cls(**{arg: value})


# Keras 3.15.1: 3 epochs of 2 batches of X, Y from a Dense(1, kernel_initializer="ones"): losses, then weights.
FITS = [
    (
        lambda: OPT.Adam(0.1, beta_1=0, epsilon=1),
        [0.41326919198036194, 0.40291714668273926, 0.38846489787101746],
        [[0.9764009118080139, 0.9744479060173035], [-0.015064019709825516]],
    ),
    (
        lambda: OPT.RMSprop(0.1, rho=0, epsilon=1),
        [0.409623384475708, 0.24841295182704926, 0.1423414796590805],
        [[0.7157633304595947, 0.7075821161270142], [-0.0955461636185646]],
    ),
    (
        lambda: OPT.Adagrad(0.1, epsilon=1),
        [0.40990614891052246, 0.256095826625824, 0.1751217097043991],
        [[0.7731488347053528, 0.7696236371994019], [-0.0718621015548706]],
    ),
    (
        lambda: OPT.Adamax(0.1, beta_2=1, epsilon=0),
        [0.3924666941165924, 0.1744631826877594, 0.07465492188930511],
        [[0.5833086967468262, 0.6181093454360962], [-0.034546587616205215]],
    ),
]


@pytest.mark.parametrize(("make", "losses", "weights"), FITS)
def test_whole_number_hyper_parameters_train_as_in_keras(
    make: Any, losses: list[float], weights: list[list[float]]
) -> None:
    history, final = _fit(make())
    np.testing.assert_allclose(history, losses, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(final[0].ravel(), weights[0], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(final[1], weights[1], rtol=1e-5, atol=1e-7)


def test_ema_momentum_is_kept_and_read_back() -> None:
    # Keras 3.15.1: Adam(ema_momentum=0.9).get_config()["ema_momentum"] == 0.9; a from_config round trip of
    # 0.5 gives 0.5.
    assert OPT.Adam(ema_momentum=0.9).get_config()["ema_momentum"] == 0.9
    again = OPT.Adam.from_config(OPT.Adam(ema_momentum=0.5).get_config())
    assert again.ema_momentum == 0.5 and again.get_config()["ema_momentum"] == 0.5
    assert OPT.Lion(ema_momentum=1).get_config()["ema_momentum"] == 1.0
    assert OPT.SGD().ema_momentum == 0.99
    with pytest.raises(ValueError, match=r"`ema_momentum`.*Received: ema_momentum='x'"):
        OPT.SGD(ema_momentum="x")
    with pytest.raises(NotSupportedError, match="use_ema"):  # still keras_lite runs without EMA
        OPT.Adam(use_ema=True, ema_momentum=0.9)


# Keras 3.15.1's warning, word for word (keras/src/optimizers/base_optimizer.py).
DECAY_WARNING = "Argument `decay` is no longer supported and will be ignored."


@pytest.mark.parametrize("cls", sorted(OWN_DEFAULTS))
def test_decay_is_warned_about_and_ignored(cls: str) -> None:
    with pytest.warns(UserWarning) as record:
        opt = getattr(OPT, cls)(decay=0.1)
    assert [str(w.message) for w in record] == [DECAY_WARNING]
    assert opt.get_config() == {**getattr(OPT, cls)().get_config(), "name": opt.name}
    assert "decay" not in opt.get_config()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(OPT, cls)(decay=None)  # Keras 3.15.1 warns only for a value that is not None


def test_decay_trains_as_without_it() -> None:
    # Keras 3.15.1: SGD(0.1, decay=0.5) and SGD(0.1) give the same fit.
    with pytest.warns(UserWarning, match="decay"):
        opt = OPT.SGD(0.1, decay=0.5)
    history, final = _fit(opt)
    np.testing.assert_allclose(
        history, [0.41201624274253845, 0.19812555611133575, 0.09584888070821762], rtol=1e-5
    )
    np.testing.assert_allclose(final[0].ravel(), [0.6840260624885559, 0.6627469062805176], rtol=1e-5)


def test_lr_and_unknown_arguments_stay_errors() -> None:
    # Keras 3.15.1: ValueError "Argument(s) not recognized: {'lr': 0.1}".
    with pytest.raises(ValueError, match=r"`lr`.*Received: lr=0.1"):
        OPT.SGD(lr=0.1)
    with pytest.warns(UserWarning, match="decay"), pytest.raises(ValueError, match="lr"):
        OPT.Adam(decay=0.1, lr=0.1)
    with pytest.raises(ValueError, match="momentun"):
        OPT.SGD(momentun=0.9)


@pytest.mark.parametrize("name", [1, "a/b", b"adam", ["x"]])
def test_name_must_be_a_string_without_slash(name: Any) -> None:
    # Keras 3.15.1: "Argument `name` must be a string and cannot contain character `/`. Received: name=1".
    for cls in (OPT.SGD, OPT.Adam, OPT.Lion):
        with pytest.raises(
            ValueError,
            match=r"Argument `name` must be a string and cannot contain character `/`\. Received: name=",
        ):
            cls(name=name)


def test_names_keras_takes() -> None:
    assert OPT.SGD(name="my_sgd").get_config()["name"] == "my_sgd"
    assert OPT.SGD(name=None).name.startswith("sgd")


def test_get_none_is_none() -> None:
    # Keras 3.15.1: keras.optimizers.get(None) is None.
    assert OPT.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        OPT.get(3)


def test_regularizer_none_factors() -> None:
    # Keras 3.15.1: None is no penalty in L1L2, the default in L1 and L2 (L1's held in float32).
    assert regularizers.L1L2(None, 0.1).get_config() == {"l1": 0.0, "l2": 0.1}
    assert regularizers.L1L2(l1=0.1, l2=None).get_config() == {"l1": 0.1, "l2": 0.0}
    assert regularizers.L1L2(None, None).get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.L2(None).get_config() == {"l2": 0.01}
    assert regularizers.L1(None).get_config() == {"l1": 0.009999999776482582}
    assert regularizers.L1L2(None, 0.1)(np.array([1.0, -2.0])) == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"l1.*Received: l1=-1"):
        regularizers.L1L2(-1, None)


@pytest.mark.parametrize("identifier", ["orthogonal_regularizer", "OrthogonalRegularizer"])
def test_orthogonal_regularizer_is_refused_by_name(identifier: str) -> None:
    # Keras 3.15.1 resolves both names to its OrthogonalRegularizer, which keras_lite lacks.
    with pytest.raises(NotSupportedError, match=rf"regularizer '{identifier}'.*Supported: L1, L2, L1L2"):
        regularizers.get(identifier)
    with pytest.raises(NotSupportedError, match=identifier):
        layers.Dense(2, kernel_regularizer=identifier)
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        regularizers.get("orthogonalregularizer")  # not a Keras name either


def test_orthogonal_regularizer_attribute_is_a_missing_keras_name() -> None:
    with pytest.raises(NotSupportedError, match=r"keras\.regularizers\.OrthogonalRegularizer") as info:
        _ = regularizers.OrthogonalRegularizer  # type: ignore[attr-defined]
    assert isinstance(info.value, AttributeError)
    assert not hasattr(regularizers, "orthogonal_regularizer")
    with pytest.raises(NotSupportedError, match="OrthogonalRegularizer") as info:
        from keras_lite.regularizers import OrthogonalRegularizer  # type: ignore[attr-defined]  # noqa: F401
    assert not isinstance(info.value, AttributeError)
    with pytest.raises(AttributeError) as plain:
        _ = regularizers.NotAKerasName  # type: ignore[attr-defined]
    assert not isinstance(plain.value, NotSupportedError)


def test_piecewise_boundaries_out_of_order_are_refused() -> None:
    # Keras 3.15.1 adds up the pieces that overlap (0.1 x3, 0.4 x3, 0.3 x2 at steps 0-7); keras_lite refuses.
    with pytest.raises(
        ValueError, match=r"`boundaries` must be in increasing order\. Received: boundaries=\[5, 2\]"
    ):
        schedules.PiecewiseConstantDecay([5, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"boundaries=\[1, 3, 2\]"):
        schedules.PiecewiseConstantDecay([1, 3, 2], [0.1, 0.2, 0.3, 0.4])


def test_piecewise_without_boundaries_is_refused() -> None:
    # Keras 3.15.1 takes it and fails at the first call (IndexError: list index out of range).
    with pytest.raises(
        ValueError, match=r"`boundaries` must hold at least one step.*Received: boundaries=\[\]"
    ):
        schedules.PiecewiseConstantDecay([], [0.1])


def test_piecewise_equal_boundaries_are_taken_as_keras_takes_them() -> None:
    # Keras 3.15.1: PiecewiseConstantDecay([2, 2], [0.1, 0.2, 0.3]) at steps 0-5 (the middle piece is empty).
    schedule = schedules.PiecewiseConstantDecay([2, 2], [0.1, 0.2, 0.3])
    got = [float(schedule(step)) for step in range(6)]
    np.testing.assert_allclose(got, [0.1, 0.1, 0.1, 0.3, 0.3, 0.3], rtol=1e-7)


def test_ema_momentum_is_saved_and_compile_needs_an_optimizer(tmp_path) -> None:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="needs an optimizer to train. Received: optimizer=None"):
        model.compile(optimizer=None, loss="mse")
    model.compile(optimizer=keras.optimizers.Adam(ema_momentum=0.5), loss="mse")
    model.save(tmp_path / "m.keras")
    assert keras.models.load_model(tmp_path / "m.keras").optimizer.get_config()["ema_momentum"] == 0.5
