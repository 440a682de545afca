"""The merge layers' dict kinds reach the core: in a chain each sees one input (itself, as Keras's merge
layers do with a single input), and Subtract, which needs exactly two, is the core's ValueError."""

import numpy as np
import pytest

from keras_lite import _core

KINDS = ["concatenate", "add", "average", "multiply", "maximum", "minimum"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_merge_of_one_input_is_that_input(kind: str) -> None:
    model = _core.Model(3, [{"kind": kind}], 0)
    x = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -4.0]], dtype=np.float32)
    np.testing.assert_array_equal(model.predict(x), x)


def test_subtract_needs_exactly_two_inputs() -> None:
    with pytest.raises(ValueError, match="exactly 2 inputs. Received: 1 inputs"):
        _core.Model(3, [{"kind": "subtract"}], 0)


def test_an_unknown_kind_is_a_value_error() -> None:
    with pytest.raises(ValueError, match='kind="merge"'):
        _core.Model(3, [{"kind": "merge"}], 0)
