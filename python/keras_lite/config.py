"""Global settings: the random seed stream new models draw from, and the device they compute on.

``keras_lite.utils.set_random_seed(s)`` makes every model built afterwards start from the same weights
and shuffle in the same order, bit for bit, on the CPU. ``set_device`` chooses where models built from then
on compute (``"cpu"``, the default, ``"gpu"`` or ``"auto"``; or ``KERAS_LITE_DEVICE``), ``list_devices`` and
``get_device`` say which GPU adapters keras_lite sees and which one it uses. A software adapter (such as Mesa's
lavapipe) counts as a GPU only with ``KERAS_LITE_ALLOW_SOFTWARE_GPU=1``.
"""

from __future__ import annotations

import functools
import os
import random
import sys

from ._io import disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled

_seed_stream = random.Random(int.from_bytes(os.urandom(8), "little"))


def set_seed(seed: int) -> None:
    """Restart the stream of per-model seeds from ``seed``."""
    global _seed_stream
    _seed_stream = random.Random(seed)


def next_seed() -> int:
    """The seed for the next model or layer that needs one (a 63-bit integer)."""
    return _seed_stream.getrandbits(63)


# ---- devices --------------------------------------------------------------------------------------------

_DEVICES = ("cpu", "gpu", "auto")
_HARDWARE_KINDS = ("discrete", "integrated")


def _normalize_device(device: object, arg: str = "device") -> str:
    if not isinstance(device, str) or device.lower() not in _DEVICES:
        raise ValueError(f"{arg} must be one of 'cpu', 'gpu' or 'auto'. Received: {arg}={device!r}")
    return device.lower()


def _software_allowed() -> bool:
    return os.environ.get("KERAS_LITE_ALLOW_SOFTWARE_GPU", "") == "1"


def _quiet_headless_vulkan() -> None:
    """Keep Mesa's device-select Vulkan layer from printing errors on a machine with no display server.

    That layer (installed with Mesa's Vulkan drivers) orders the GPUs by asking the Wayland and X servers
    which one drives the screen; with neither running and no ``XDG_RUNTIME_DIR`` it prints ``error:
    XDG_RUNTIME_DIR is invalid or not set in the environment.`` twice per adapter search. keras_lite ranks
    adapters itself (discrete, integrated, ...), so the order that layer gives does not matter here; on such a
    machine it is turned off with its own switch, ``NODEVICE_SELECT=1``, unless the user set it, or chose a
    device for it (``MESA_VK_DEVICE_SELECT``, ``DRI_PRIME``). Nothing changes where a display server exists.
    """
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime_dir and os.path.isdir(runtime_dir):
        return
    if any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "MESA_VK_DEVICE_SELECT", "DRI_PRIME")):
        return
    os.environ.setdefault("NODEVICE_SELECT", "1")


# The Vulkan drivers that link LLVM (Mesa's lavapipe and RADV), and the variables by which a user chooses drivers.
_LLVM_DRIVERS = "*lvp*,*radeon*"
_DRIVER_CHOICES = (
    "VK_LOADER_DRIVERS_SELECT",
    "VK_LOADER_DRIVERS_DISABLE",
    "VK_ICD_FILENAMES",
    "VK_DRIVER_FILES",
)


def _keep_llvm_drivers_from_tensorflow() -> None:
    """Leave out the Vulkan drivers that link LLVM where TensorFlow is loaded.

    Mesa's lavapipe and RADV drivers link LLVM, and loading either into a process that has loaded TensorFlow,
    which carries its own LLVM, crashes it (``free(): invalid pointer`` at exit, a segfault in use; seen with
    TensorFlow 2.21 and Mesa 22.3, by merely loading ``libvulkan_lvp.so``). Searching for adapters loads every
    installed driver, so where TensorFlow is loaded, and the user has not chosen the drivers, the Vulkan
    loader is asked to leave those two out (``VK_LOADER_DRIVERS_DISABLE``): the GPUs they drive are then not
    found, and keras_lite trains on the CPU or says why not (`_llvm_drivers_left_out`).
    """
    if "tensorflow" in sys.modules and not any(os.environ.get(v) for v in _DRIVER_CHOICES):
        os.environ["VK_LOADER_DRIVERS_DISABLE"] = _LLVM_DRIVERS


def _llvm_drivers_left_out() -> bool:
    """Whether the adapter search ran with those drivers left out for TensorFlow."""
    return "tensorflow" in sys.modules and os.environ.get("VK_LOADER_DRIVERS_DISABLE") == _LLVM_DRIVERS


@functools.lru_cache(maxsize=1)
def _adapters() -> tuple[tuple[str, str, str], ...]:
    from . import _core

    _quiet_headless_vulkan()
    _keep_llvm_drivers_from_tensorflow()
    return tuple(_core.list_devices())


def list_devices() -> list[dict[str, str]]:
    """The GPU adapters this machine offers, as ``{"name", "backend", "kind"}`` dicts.

    ``kind`` is ``"discrete"``, ``"integrated"``, ``"cpu"`` (a software rasteriser such as Mesa's lavapipe),
    ``"virtual"`` or ``"other"``. The CPU backend is always available and is not listed.
    """
    return [{"name": n, "backend": b, "kind": k} for n, b, k in _adapters()]


def _usable_adapters() -> list[dict[str, str]]:
    allowed = _HARDWARE_KINDS + (("cpu", "virtual", "other") if _software_allowed() else ())
    return [d for d in list_devices() if d["kind"] in allowed]


def resolve_device(device: str) -> str:
    """``"cpu"`` or ``"gpu"`` for a requested device, or an error explaining why a GPU cannot be used."""
    from . import _core

    device = _normalize_device(device)
    if device == "cpu":
        return "cpu"
    usable = _usable_adapters() if _core.has_gpu_backend() else []
    if usable:
        return "gpu"
    if device == "auto":
        return "cpu"
    if not _core.has_gpu_backend():
        raise RuntimeError(
            "This keras_lite build has no GPU backend (it was built without the 'gpu' feature)."
        )
    found = list_devices()
    hint = (
        f" Adapters found: {found}; software adapters count only with KERAS_LITE_ALLOW_SOFTWARE_GPU=1."
        if found
        else " No adapter was found: check the GPU driver and Vulkan loader (e.g. `vulkaninfo --summary`)."
    )
    if _llvm_drivers_left_out():
        hint += (
            " TensorFlow is loaded in this process, so Mesa's lavapipe and RADV drivers were left out "
            "(they link LLVM, which crashes beside TensorFlow's)."
        )
    raise RuntimeError(
        "device='gpu' was requested but no GPU adapter is available."
        + hint
        + " keras_lite.config.list_devices() shows what keras_lite sees."
    )


_device = _normalize_device(os.environ.get("KERAS_LITE_DEVICE", "cpu"), "KERAS_LITE_DEVICE")


def set_device(device: str) -> None:
    """Choose where models built from now on compute: ``"cpu"`` (the default), ``"gpu"`` or ``"auto"``.

    Args:
        device: ``"gpu"`` needs a hardware adapter (or a software one with
            ``KERAS_LITE_ALLOW_SOFTWARE_GPU=1``); ``"auto"`` uses a GPU when there is one, else the CPU.

    Raises:
        ValueError: for another name. RuntimeError: for ``"gpu"`` when no adapter can be used.

    Example:
        >>> keras_lite.config.set_device("gpu")
    """
    global _device
    normalized = _normalize_device(device)
    resolve_device(normalized)  # fail now, not at the first fit
    _device = normalized


def get_device() -> dict[str, object]:
    """The device new models use: ``{"device": "cpu" | "gpu", "requested": ..., "adapter": {...} | None}``."""
    resolved = resolve_device(_device)
    adapter = _usable_adapters()[0] if resolved == "gpu" else None
    return {"device": resolved, "requested": _device, "adapter": adapter}


def default_device() -> str:
    """The requested default device (``"cpu"``, ``"gpu"`` or ``"auto"``)."""
    return _device


# Keras's global formats: keras_lite computes in float32 with Keras's fuzz factor 1e-7 (both fixed), and reads
# images channels last unless told otherwise (the default a Flatten takes).
_image_data_format = "channels_last"
_DATA_FORMATS = ("channels_last", "channels_first")


def floatx() -> str:
    """The float type: ``"float32"``, the only one keras_lite computes in."""
    return "float32"


def set_floatx(value: str) -> None:
    """Keras's ``set_floatx``: keras_lite takes ``"float32"`` only (others raise ``NotSupportedError``)."""
    if value != "float32":
        from ._unsupported import NotSupportedError

        raise NotSupportedError(f"keras_lite computes in float32 only. Received: value={value!r}")


def epsilon() -> float:
    """Keras's fuzz factor, 1e-7, which keras_lite's losses and metrics use."""
    return 1e-7


def set_epsilon(value: float) -> None:
    """Keras's ``set_epsilon``: keras_lite's core uses 1e-7 (other values raise ``NotSupportedError``)."""
    if value != 1e-7:
        from ._unsupported import NotSupportedError

        raise NotSupportedError(
            f"keras_lite's losses and metrics use epsilon 1e-7 only. Received: value={value!r}"
        )


def image_data_format() -> str:
    """``"channels_last"`` (the default) or ``"channels_first"``: the ``data_format`` a ``Flatten`` takes when
    given none."""
    return _image_data_format


def set_image_data_format(data_format: str) -> None:
    """Set what ``image_data_format`` returns (for the layers made from then on)."""
    global _image_data_format
    value = str(data_format).lower() if isinstance(data_format, str) else data_format
    if value not in _DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {set(_DATA_FORMATS)}. Received: data_format={data_format!r}"
        )
    _image_data_format = value


__all__ = [
    "default_device",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "epsilon",
    "floatx",
    "get_device",
    "image_data_format",
    "is_interactive_logging_enabled",
    "list_devices",
    "next_seed",
    "resolve_device",
    "set_device",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_seed",
]
