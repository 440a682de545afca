"""Differences found by the randomized optimizer / schedule / regularizer / constraint sweep against Keras 3.15.1.

The expected numbers were printed by Keras 3.15.1 (TensorFlow 2.21 backend).
"""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras

S = keras.optimizers.schedules

# From Keras 3.15.1: each schedule called with np.arange(8), then with [[0, 1], [6, 7]].
_ARRAY_STEPS = [
    (
        S.ExponentialDecay(0.1, 3, 0.5),
        [0.1, 0.07937005162239075, 0.06299605220556259, 0.05, 0.039685025811195374, 0.031498026102781296,
         0.025, 0.019842514768242836],
    ),
    (S.ExponentialDecay(0.1, 3, 0.5, staircase=True), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]),
    (
        S.InverseTimeDecay(1.0, 2, 0.5),
        [1.0, 0.800000011920929, 0.6666666865348816, 0.5714285969734192, 0.5, 0.4444444477558136,
         0.4000000059604645, 0.3636363744735718],
    ),
    (
        S.PolynomialDecay(0.1, 4, 0.01, power=2.0),
        [0.1, 0.06062500178813934, 0.032499998807907104, 0.015625, 0.01, 0.01, 0.01, 0.01],
    ),
    (
        S.PolynomialDecay(0.1, 4, 0.01, cycle=True),
        [0.1, 0.07750000059604645, 0.054999999701976776, 0.032499998807907104, 0.01, 0.04375000298023224,
         0.032499998807907104, 0.021250000223517418],
    ),
    (
        S.CosineDecay(0.1, 6, alpha=0.1),
        [0.1, 0.0939711481332779, 0.07750000059604645, 0.05499999597668648, 0.032499995082616806,
         0.016028860583901405, 0.010000000707805157, 0.010000000707805157],
    ),
    (
        S.CosineDecayRestarts(1.0, 2, t_mul=2.0, m_mul=0.5),
        [1.0, 0.4999999701976776, 0.5, 0.4267766773700714, 0.2499999850988388, 0.07322332262992859, 0.25,
         0.24048493802547455],
    ),
    (S.PiecewiseConstantDecay([2, 5], [0.1, 0.05, 0.01]), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.01, 0.01]),
]  # fmt: skip


@pytest.mark.parametrize(("schedule", "expected"), _ARRAY_STEPS, ids=lambda v: type(v).__name__)
def test_schedule_called_with_an_array_of_steps_gives_an_array_of_rates(schedule, expected):
    # Keras computes a schedule over a tensor of steps (as to plot it); keras_lite refused any array.
    rates = schedule(np.arange(8))
    assert np.asarray(rates).shape == (8,)
    assert np.asarray(rates).dtype == np.float32
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    grid = schedule([[0, 1], [6, 7]])
    assert np.asarray(grid).shape == (2, 2)
    np.testing.assert_allclose(grid, [expected[:2], expected[6:]], rtol=1e-6)


def test_schedule_called_with_one_step_still_gives_a_scalar():
    rate = S.ExponentialDecay(0.1, 3, 0.5)(np.int64(3))
    assert np.ndim(rate) == 0
    assert float(rate) == pytest.approx(0.05, rel=1e-6)


def test_schedule_array_of_steps_refuses_a_negative_step():
    with pytest.raises(ValueError, match="step"):
        S.ExponentialDecay(0.1, 3, 0.5)(np.array([1, -1]))


def test_base_constraint_leaves_the_weights_unchanged():
    # Keras 3.15.1: keras.constraints.Constraint()(np.array([-1.0, 2.0])) -> [-1.  2.]
    w = np.array([-1.0, 2.0])
    np.testing.assert_array_equal(keras.constraints.Constraint()(w), [-1.0, 2.0])


def test_schedule_rate_reads_like_a_tensor():
    # Keras 3.15.1: CosineDecay(0.1, 10)(3).numpy() -> 0.07938927 (float32).
    rate = S.CosineDecay(0.1, 10)(3)
    assert isinstance(rate.numpy(), np.float32)
    assert float(rate.numpy()) == pytest.approx(0.07938926666975021, rel=1e-7)
    assert isinstance(S.CosineDecay(0.1, 10)(np.arange(3)).numpy(), np.ndarray)


# From Keras 3.15.1: float(regularizer(x)), computed in float32.
_W = np.array([[1.0, -2.0], [0.5, 3.0]], dtype="float32")
_V = np.array([0.1, -0.3, 2.0], dtype="float32")
_PENALTIES = [
    (keras.regularizers.L1L2(0.2, 0.3), _W, 5.575000286102295),
    (keras.regularizers.L1L2(0.2, 0.3), _V, 1.7100000381469727),
    (keras.regularizers.L1(0.01), _W, 0.06499999761581421),
    (keras.regularizers.L2(0.02), _V, 0.0819999948143959),
    (keras.regularizers.L1L2(0.005, 0.01), _W, 0.17499999701976776),
    (keras.regularizers.L1L2(0.005, 0.01), _V, 0.05299999564886093),
]


@pytest.mark.parametrize(("regularizer", "x", "expected"), _PENALTIES)
def test_regularizer_penalty_is_keras_float32_value_and_reads_like_a_tensor(regularizer, x, expected):
    penalty = regularizer(x)
    assert float(penalty) == expected  # the same float32, bit for bit
    assert penalty.numpy().dtype == np.float32


def test_constraint_result_reads_like_a_tensor():
    # Keras 3.15.1: MaxNorm(1.0)(np.ones((2, 2))).numpy() -> [[0.70710677, ...]] (an eager tensor).
    out = keras.constraints.MaxNorm(1.0)(np.ones((2, 2), dtype="float32")).numpy()
    np.testing.assert_allclose(out, np.full((2, 2), 0.70710677), rtol=1e-6)
    assert keras.constraints.NonNeg()(np.array([-1.0, 2.0], dtype="float32")).numpy().tolist() == [0.0, 2.0]


def test_constraint_axis_given_as_a_list_trains_and_keeps_its_config():
    # Keras 3.15.1 takes axis as a list (as Conv layers' constraints use); keras_lite refused any list.
    x = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0], [2.0, 1.0]], dtype="float32")
    y = np.array([[1.0], [0.0], [-1.0], [2.0]], dtype="float32")
    constraint = keras.constraints.MaxNorm(0.5, axis=[0])
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2, kernel_constraint=constraint), keras.layers.Dense(1)]
    )
    model.set_weights(
        [
            np.array([[0.3, -0.4], [0.2, 0.6]], dtype="float32"),
            np.zeros(2, dtype="float32"),
            np.array([[1.0], [-1.0]], dtype="float32"),
            np.zeros(1, dtype="float32"),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    # From Keras 3.15.1:
    np.testing.assert_allclose(history.history["loss"], [1.0150320529937744, 0.4654337167739868], rtol=1e-5)
    np.testing.assert_allclose(
        model.get_weights()[0],
        [[0.23127381503582, -0.45093896985054016], [0.4432971179485321, -0.005348070524632931]],
        rtol=1e-5,
        atol=1e-6,
    )
    assert model.layers[0].get_config()["kernel_constraint"]["config"] == {"max_value": 0.5, "axis": [0]}


def test_constraint_called_over_several_axes():
    # Keras 3.15.1: MaxNorm(2, axis=[0, 1]) scales by the norm of the whole matrix.
    c = keras.constraints.MaxNorm(2, axis=[0, 1])
    assert c.get_config() == {"max_value": 2, "axis": [0, 1]}
    out = c(np.array([[1.0, -2.0, 0.1], [0.5, 3.0, -0.2]], dtype="float32"))
    expected = [
        [0.5288858413696289, -1.0577716827392578, 0.05288858339190483],
        [0.26444292068481445, 1.5866575241088867, -0.10577716678380966],
    ]
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_constraint_over_several_axes_is_refused_for_training_naming_the_axis():
    constraint = keras.constraints.MaxNorm(2, axis=[0, 1])
    with pytest.raises(keras.NotSupportedError, match=r"axis=\[0, 1\]"):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, kernel_constraint=constraint)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((2, 3), dtype="float32"), np.ones((2, 2), dtype="float32"), verbose=0)


def test_regularizer_without_get_config_says_so_and_still_prints():
    # Keras 3.15.1: "<...Regularizer object at 0x...> does not implement get_config()"; its repr is Python's.
    class Zero(keras.regularizers.Regularizer):
        def __call__(self, x):
            return 0.0

    with pytest.raises(
        NotImplementedError, match=r"object at 0x[0-9a-f]+> does not implement get_config\(\)"
    ):
        Zero().get_config()
    assert "Zero object at 0x" in repr(Zero())
