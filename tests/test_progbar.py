"""Tests for keras_lite._progbar: the Keras 3 progress bar, checked byte for byte with a fake clock."""

from __future__ import annotations

import io
import math
import sys

import pytest

from keras_lite import _progbar
from keras_lite._progbar import Progbar, format_eta, format_time_per_unit, format_value

BOLD, GREEN, WHITE, RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


class FakeClock:
    """Stands in for the ``time`` module inside _progbar."""

    def __init__(self) -> None:
        self.now = 1000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_progbar, "time", fake)
    return fake


def make_bar(target: int | None, **kwargs: object) -> Progbar:
    """A bar as the training loop's (values shown as given, ``stateless_metrics=set()``)."""
    kwargs.setdefault("stateless_metrics", set())
    bar = Progbar(target, **kwargs)  # type: ignore[arg-type]
    bar._dynamic_display = True  # Keras: true on any POSIX system; fixed here for Windows runs
    return bar


def bar_text(done: int, width: int = 20) -> str:
    text = f"{GREEN}{'━' * done}{RESET}" if done else ""
    return text + f"{WHITE}{'━' * (width - done)}{RESET}"


def test_verbose1_running_then_final_line(clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    bar = make_bar(4)
    clock.now += 0.5  # first step (not representative): 500 ms
    bar.update(1, [("loss", 0.7)])
    first = capsys.readouterr().out
    # ETA = 0.5 s/step * 3 steps left = 1.5 s -> "1s"; 5 of the 20 cells are done.
    body1 = f"{BOLD}1/4{RESET} {bar_text(5)} {BOLD}1s{RESET} 500ms/step - loss: 0.7000"
    assert first == "\r" + body1

    clock.now += 3 * 0.056
    bar.update(4, {"loss": 0.68104, "binary_accuracy": 0.5542, "val_loss": 0.6719})
    # Final: elapsed 0.668 s -> "1s"; per step excludes the first: 0.168 s / 3 = 56 ms.
    body2 = (
        f"{BOLD}4/4{RESET} {bar_text(20)} {BOLD}1s{RESET} 56ms/step"
        " - loss: 0.6810 - binary_accuracy: 0.5542 - val_loss: 0.6719"
    )
    visible1 = len("1/4 ") + 20 + len(" 1s 500ms/step - loss: 0.7000")
    assert capsys.readouterr().out == "\b" * visible1 + "\r" + body2 + "\n"


def test_verbose1_pads_over_a_longer_previous_line(
    clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    bar = make_bar(10)
    clock.now += 1
    bar.update(1, [("loss", 1e-5)])
    clock.now += 1
    bar.update(2, [("loss", 0.5)])
    out = capsys.readouterr().out
    second = out.split("\r")[-1]
    shrink = len("1.0000e-05") - len("0.5000")
    assert second.endswith("loss: 0.5000" + " " * shrink)


def test_verbose1_throttles_but_always_finalizes(
    clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    bar = make_bar(3, interval=0.05)
    clock.now += 0.1
    bar.update(1)
    clock.now += 0.01
    bar.update(2)  # within 50 ms of the last draw: skipped
    clock.now += 0.01
    bar.update(3)  # final: drawn anyway
    out = capsys.readouterr().out
    assert out.count("\r") == 2
    assert f"{BOLD}2/3{RESET}" not in out
    assert out.endswith("\n")


def test_verbose1_unknown_target(clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    bar = make_bar(None)
    clock.now += 2
    bar.update(3, [("loss", 0.25)])
    assert capsys.readouterr().out == f"\r      3/Unknown {BOLD}2s{RESET} 667ms/step - loss: 0.2500"


def test_verbose1_without_dynamic_display_starts_a_new_line(
    clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    bar = make_bar(2)
    bar._dynamic_display = False
    clock.now += 1
    bar.update(1)
    assert capsys.readouterr().out.startswith("\n" + BOLD + "1/2")


def test_count_is_right_aligned_to_the_target_width(
    clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    bar = make_bar(100)
    clock.now += 1
    bar.update(7)
    assert capsys.readouterr().out.startswith(f"\r{BOLD}  7/100{RESET} {bar_text(1)} ")


def test_verbose2_prints_one_line_at_the_end(clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    bar = make_bar(5, verbose=2)
    clock.now += 0.165
    logs = {"binary_accuracy": 0.5733, "loss": 0.6773, "val_binary_accuracy": 0.64, "val_loss": 0.6759}
    bar.update(5, logs, finalize=True)
    # 0.165 s / 5 steps = 33 ms/step (no per-step updates, so the first step is not left out).
    assert capsys.readouterr().out == (
        "5/5 - 0s - 33ms/step - binary_accuracy: 0.5733 - loss: 0.6773 - val_binary_accuracy: 0.6400"
        " - val_loss: 0.6759\n"
    )


def test_verbose2_and_0_print_nothing_before_finalize(
    clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    for verbose in (0, 2):
        bar = make_bar(5, verbose=verbose)
        clock.now += 1
        bar.update(1, [("loss", 1.0)])
        bar.update(3, [("loss", 1.0)])
    assert capsys.readouterr().out == ""
    make_bar(5, verbose=0).update(5, [("loss", 1.0)], finalize=True)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("verbose", [1, 2])
def test_zero_target_does_not_crash(clock: FakeClock, verbose: int) -> None:
    make_bar(0, verbose=verbose).update(0, finalize=True)


def test_add_advances_by_n(clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    bar = make_bar(4, verbose=2)
    bar.add(2)
    bar.add(2, [("loss", 2.0)])
    assert capsys.readouterr().out.startswith("4/4 - ")


def test_value_order_is_first_seen(clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    bar = make_bar(2, verbose=2)
    bar.update(1, [("mae", 1.0), ("loss", 2.0)])
    bar.update(2, [("loss", 3.0), ("val_loss", 4.0)], finalize=True)
    assert capsys.readouterr().out.endswith("- mae: 1.0000 - loss: 3.0000 - val_loss: 4.0000\n")


def test_stream_that_cannot_encode_the_bar_gets_equals_signs(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stream)
    bar = make_bar(1)
    clock.now += 1
    bar.update(1)
    stream.flush()
    assert "=" * 20 in raw.getvalue().decode("ascii")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.68104, "0.6810"),
        (123.456, "123.4560"),
        (1e-4, "1.0000e-04"),
        (0.0, "0.0000e+00"),
        (-0.5, "-0.5000"),
    ],
)
def test_format_value(value: float, expected: str) -> None:
    assert format_value(value) == expected


def test_format_value_non_finite_and_non_numbers() -> None:
    assert format_value(math.nan) == "nan"
    assert format_value(math.inf) == "inf"
    assert format_value("n/a") == "n/a"


@pytest.mark.parametrize(
    ("eta", "expected"), [(0.4, "0s"), (42.9, "42s"), (60.0, "60s"), (187, "3:07"), (3723, "1:02:03")]
)
def test_format_eta(eta: float, expected: str) -> None:
    assert format_eta(eta) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, " 0s/step"), (2.4, " 2s/step"), (1.0, " 1s/step"), (0.0564, " 56ms/step"), (0.00084, " 840us/step")],
)
def test_format_time_per_unit(seconds: float, expected: str) -> None:
    assert format_time_per_unit(seconds, "step") == expected


def test_keras_utils_progbar_averages_values_over_steps(
    clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    # keras.utils.Progbar: values are averaged over the steps each update covers unless stateful; the final
    # update shows its values as given. The lines are Keras 3.15.1's for the same calls (its clock aside).
    import keras_lite as keras

    for kwargs, acc in (
        (dict(), "0.3333"),
        (dict(stateful_metrics=["acc"]), "0.2500"),
        (dict(stateless_metrics=["loss"]), "0.2500"),
    ):
        bar = keras.utils.Progbar(5, verbose=2, **kwargs)  # type: ignore[arg-type]
        bar.update(1, [("loss", 1.0), ("acc", 0.5)])
        bar.update(3, [("loss", 2.0), ("acc", 0.25)])
        bar.update(4, [("loss", 4.0)], finalize=True)
        assert capsys.readouterr().out == f"4/5 - 0s - 0s/step - loss: 4.0000 - acc: {acc}\n"
    bar = keras.utils.Progbar(4, verbose=1)
    bar._dynamic_display = True
    bar.update(1, [("loss", 1.0)])
    clock.now += 1.0
    bar.update(3, [("loss", 4.0)])  # (1·1 + 4·2) / 3 = 3
    assert capsys.readouterr().out.endswith(" - loss: 3.0000")
    with pytest.raises(ValueError, match="Only one"):
        keras.utils.Progbar(4, stateful_metrics=["a"], stateless_metrics=["b"])
