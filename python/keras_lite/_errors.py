"""Helpers for Keras-style error messages ("Received: units=0")."""

from __future__ import annotations


def received(arg: str, value: object) -> str:
    """Return the tail Keras puts on its messages: ``Received: arg=value``."""
    return f"Received: {arg}={value!r}"
