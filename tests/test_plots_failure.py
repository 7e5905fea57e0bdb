"""lib.plots.failure: each figure of the failure chapter draws, and rejects bad arguments."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lib
from lib import plots

RNG = np.random.default_rng(0)
NORMS = {"without regulariser": RNG.uniform(0.1, 1.0, 50),
         "with regulariser": np.concatenate([np.ones(4), np.full(46, 1e-9)])}


@pytest.fixture
def figure():
    fig, axes = plots.figure(ncols=2)
    yield fig, axes
    plt.close(fig)


def _history() -> lib.optim.History:
    prob = lib.make_problem(5, 2, 1, sensing="population", seed=0)
    U0 = 0.1 * np.random.default_rng(1).standard_normal((5, 3))
    return lib.gradient_descent(lib.Objective(prob), U0, 0.05, 10, tol=0.0).history


def test_every_failure_figure_draws(figure) -> None:
    _, axes = figure
    assert plots.fraction_curves(axes[0], NORMS) is axes[0]
    assert len(axes[0].get_lines()) == 2
    assert plots.norm_histogram(axes[1], NORMS, 0.05) is axes[1]
    assert len(axes[1].patches) > 0
    assert len(plots.figure_one(axes, NORMS, 0.05)) == 2
    final = NORMS["without regulariser"]
    assert len(plots.mechanism(axes, 3 * final, final, final)) == 2
    assert plots.comparable_column_counts(axes[0], {4: (final, 3.0), 1: (final, 2.5)}) is axes[0]
    history = _history()
    assert plots.fine_tuning_errors(axes[1], {"a": history}, 2.0) is axes[1]


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda axes: plots.fraction_curves("ax", NORMS), TypeError, "ax"),
    (lambda axes: plots.fraction_curves(axes[0], {}), ValueError, "norms_by_label"),
    (lambda axes: plots.fraction_curves(axes[0], {"a": np.array([-1.0])}), ValueError,
     "norms_by_label"),
    (lambda axes: plots.norm_histogram(axes[0], NORMS, 0.0), ValueError, "threshold"),
    (lambda axes: plots.figure_one(axes[:1], NORMS, 0.1), ValueError, "axes"),
    (lambda axes: plots.norm_histogram(axes[0], NORMS, 0.1, floor=-1.0), ValueError, "floor"),
    (lambda axes: plots.mechanism(axes[0], np.ones(3), np.ones(3), np.ones(3)), TypeError,
     "axes"),
    (lambda axes: plots.mechanism(axes, np.ones(3), np.ones(2), np.ones(3)), ValueError,
     "same length"),
    (lambda axes: plots.comparable_column_counts(axes[0], {0: (np.ones(3), 1.0)}), ValueError,
     "rank"),
    (lambda axes: plots.comparable_column_counts(axes[0], {1: (np.ones(3), 0.0)}), ValueError,
     "largest"),
    (lambda axes: plots.fine_tuning_errors(axes[0], {"a": np.ones(3)}, 1.0), TypeError,
     "histories"),
    (lambda axes: plots.fine_tuning_errors(axes[0], {"a": _history()}, 0.0), ValueError,
     "norm_M_star"),
])
def test_failure_figures_reject_bad_arguments(figure, call, error: type, match: str) -> None:
    _, axes = figure
    with pytest.raises(error, match=match):
        call(axes)
