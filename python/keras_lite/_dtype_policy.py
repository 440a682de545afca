"""``DTypePolicy``: what ``layer.dtype_policy`` and ``model.dtype_policy`` return, as Keras 3's
(``keras/src/dtype_policies/dtype_policy.py``). keras_lite computes and stores float32 only, so every layer and
model has the ``"float32"`` policy."""

from __future__ import annotations

from typing import Any

from ._errors import received
from ._unsupported import NotSupportedError


class DTypePolicy:
    """A layer's dtypes: ``compute_dtype`` (its computations) and ``variable_dtype`` (its weights).

    Args:
        name: ``"float32"`` (or None, the same): keras_lite's only policy.

    Example:
        >>> layers.Dense(2).dtype_policy
        <DTypePolicy "float32">
    """

    def __init__(self, name: str | None = None) -> None:
        if name not in (None, "float32"):
            raise NotSupportedError(f"keras_lite computes in float32 only. {received('name', name)}")
        self._name = "float32"

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._name

    @property
    def variable_dtype(self) -> str:
        return self._name

    @property
    def quantization_mode(self) -> None:
        """None: keras_lite does not quantize."""
        return None

    def convert_input(self, x: Any, autocast: bool, dtype: Any) -> Any:
        """``x`` unchanged: keras_lite's inputs are float32 already when they reach a layer."""
        return x

    def get_config(self) -> dict[str, Any]:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DTypePolicy:
        return cls(**config)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'

    def __eq__(self, other: object) -> bool:
        return type(other) is DTypePolicy and other._name == self._name

    __hash__ = None  # type: ignore[assignment]  # as Keras's, which defines __eq__ only


FLOAT32 = DTypePolicy()  # the policy of every layer and model (Keras shares one object too)


def serialized() -> dict[str, Any]:
    """The ``"dtype"`` entry of a layer's or a Sequential's ``get_config()``: the float32 policy as Keras 3.15
    serializes it, ``{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
    "registered_name": None}`` (a new dict each time, so that a caller may change its copy)."""
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": FLOAT32.get_config(),
        "registered_name": None,
    }
