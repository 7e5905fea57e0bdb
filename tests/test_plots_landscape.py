"""lib.plots.landscape: each figure function draws onto the axes it is given and checks its
arguments."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import lib
from lib import plots
from lib.optim import History
from lib.theory import LambdaBounds

matplotlib.use("Agg")

BOUNDS = LambdaBounds(all_grow=0.03, zero_is_min=0.06)
S = np.array([1.0, 0.7, 0.5])


def _history() -> History:
    prob = lib.make_problem(4, 1, 50, seed=0)
    U0 = 1e-2 * np.random.default_rng(0).standard_normal((4, 3))
    return lib.gradient_descent(lib.Objective(prob), U0, 0.05, 20, record_every=5).history


def _draws(ax: plt.Axes) -> bool:
    return bool(ax.lines or ax.collections)


def test_every_figure_draws_onto_the_axes_it_is_given() -> None:
    fig, axes = plots.figure(ncols=2)
    assert list(plots.smoothing_penalties(axes, 1e-3)) == list(axes)
    assert all(_draws(ax) for ax in axes)
    plt.close(fig)

    fig, axes = plots.figure(ncols=2)
    lams = np.array([0.0, 0.04])
    assert plots.curvature_at_zero_lines(axes[0], S, 1e-3, lams, [S, S], BOUNDS) is axes[0]
    counts = np.zeros((3, 2), dtype=int)
    grid = plots.growth_phase_diagram(axes[1], [1e-4, 1e-3], [1e-3, 1e-2, 1e-1], counts, S)
    assert grid is axes[1]
    assert all(_draws(ax) for ax in axes)
    plt.close(fig)

    history = _history()
    fig, axes = plots.figure(ncols=2)
    sweep_lams = np.array([0.02, 0.05, 0.07])
    assert plots.recovery_sweep(axes[0], sweep_lams, [3, 1, 0],
                                {(1e-6, 1): [3, 1, 0], (1e-1, 1): [3, 3, 3]}, BOUNDS) is axes[0]
    assert plots.column_norm_history(axes[1], history, 10, 0.01) is axes[1]
    assert all(_draws(ax) for ax in axes)
    plt.close(fig)

    fig, axes = plots.figure(ncols=2)
    assert plots.sorted_column_norms(axes[0], [0.8, 1e-40, 0.5], 0.01) is axes[0]
    assert plots.saddle_escape(axes[1], history, history, [0, 10], 0.01) is axes[1]
    assert all(_draws(ax) for ax in axes)
    plt.close(fig)


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda ax: plots.smoothing_penalties(ax, 1e-3), TypeError, "axes"),
    (lambda ax: plots.smoothing_penalties([ax, ax], -1.0), ValueError, "beta"),
    (lambda ax: plots.curvature_at_zero_lines(ax, S, 1e-3, [0.0, 0.1], [S], BOUNDS),
     ValueError, "measured_spectra"),
    (lambda ax: plots.curvature_at_zero_lines(ax, S, 1e-3, [0.0], [S], (0.03, 0.06)),
     TypeError, "bounds"),
    (lambda ax: plots.growth_phase_diagram(ax, [1e-4], [1e-3], np.zeros((2, 2)), S),
     ValueError, "growing"),
    (lambda ax: plots.recovery_sweep(ax, [0.02, 0.05], [3, 1], {}, BOUNDS),
     ValueError, "recovered"),
    (lambda ax: plots.recovery_sweep(ax, [0.02, 0.05], [3], {(1e-6, 1): [3, 1]}, BOUNDS),
     ValueError, "growing_at_zero"),
    (lambda ax: plots.column_norm_history(ax, "history", 10, 0.01), TypeError, "history"),
    (lambda ax: plots.sorted_column_norms(ax, [np.nan], 0.01), ValueError, "norms"),
    (lambda ax: plots.saddle_escape(ax, _history(), _history(), [0], 0.0),
     ValueError, "predicted_bias"),
    (lambda ax: plots.saddle_escape("ax", _history(), _history(), [0], 0.01),
     TypeError, "ax"),
])
def test_figures_reject_bad_arguments(call, error: type, name: str) -> None:
    fig, ax = plots.figure()
    with pytest.raises(error, match=name):
        call(ax)
    plt.close(fig)
