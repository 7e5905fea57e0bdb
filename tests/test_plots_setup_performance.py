"""The figures of the setup and performance chapters: they draw, and reject bad arguments."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lib.plots

SIZES = np.array([10, 100, 1000])
DEVIATIONS = {"gaussian": np.full((4, 3), 0.1), "rank_one": np.full((4, 3), 0.2)}
SLOPES = {"gaussian": -0.5, "rank_one": -0.5}
ROWS = [SimpleNamespace(case="a", implementation="lib float64", seconds=1e-3),
        SimpleNamespace(case="a", implementation="einsum (n, d, d): slow", seconds=3e-3),
        SimpleNamespace(case="a", implementation="jax.jit packed", seconds=None),
        SimpleNamespace(case="b", implementation="floor", seconds=5e-4)]


def test_concentration_draws_a_line_per_kind_and_the_prediction() -> None:
    fig, ax = lib.plots.figure()
    assert lib.plots.concentration(ax, SIZES, DEVIATIONS, SLOPES) is ax
    assert len(ax.get_lines()) == 3
    plt.close(fig)


@pytest.mark.parametrize(("arguments", "error", "name"), [
    (("not axes", SIZES, DEVIATIONS, SLOPES), TypeError, "ax"),
    ((None, SIZES[:1], DEVIATIONS, SLOPES), ValueError, "sizes"),
    ((None, SIZES, {"dense": np.ones((2, 3))}, {"dense": 0.0}), ValueError, "deviations"),
    ((None, SIZES, DEVIATIONS, {"gaussian": -0.5}), ValueError, "slopes"),
    ((None, SIZES, {"gaussian": np.ones((2, 2))}, {"gaussian": 0.0}), ValueError, "deviations"),
])
def test_concentration_rejects_bad_arguments(arguments: tuple, error: type, name: str) -> None:
    fig, ax = lib.plots.figure()
    target = ax if arguments[0] is None else arguments[0]
    with pytest.raises(error, match=name):
        lib.plots.concentration(target, *arguments[1:])
    plt.close(fig)


def test_gradient_times_draws_the_measured_rows() -> None:
    fig, axes = lib.plots.figure(ncols=2)
    flat = lib.plots.gradient_times(axes, ROWS, ["a", "b"])
    assert [len(ax.patches) for ax in flat] == [2, 1]
    assert flat[0].get_yticklabels()[1].get_text() == "einsum (n, d, d)"
    plt.close(fig)


@pytest.mark.parametrize(("cases", "error", "name"), [
    (["a"], ValueError, "cases"),
    ("ab", TypeError, "cases"),
    (["a", "c"], ValueError, "rows"),
])
def test_gradient_times_rejects_bad_arguments(cases, error: type, name: str) -> None:
    fig, axes = lib.plots.figure(ncols=2)
    with pytest.raises(error, match=name):
        lib.plots.gradient_times(axes, ROWS, cases)
    with pytest.raises(TypeError, match="axes"):
        lib.plots.gradient_times(["x", "y"], ROWS, ["a", "b"])
    plt.close(fig)
