"""lib.plots.networks: each figure of the quadratic-network chapter draws, and rejects bad
arguments."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lib import plots
from lib.network_pruning import STAGES, PruningComparison
from lib.pruning import ExactRankTime
from lib.small_init import ComponentPath

S = np.array([1.0, 0.5, 0.25])
LAMS = np.array([0.0, 0.1])
SPECTRA = np.array([[-15.0, -7.0], [-9.0, 1.0]])
PATHS = {"a": ComponentPath(steps=np.arange(3) * 10, values=np.array([1e-3, 1e-2, 1e-8]))}
OUTCOMES = {"a": [ExactRankTime(step=0.1, kept=3, prunable_from=100),
                  ExactRankTime(step=0.1, kept=0, prunable_from=None)]}


def _comparison(scale: float) -> PruningComparison:
    errors = {variant: {stage: (scale * (i + 1), scale * (i + 1)) for i, stage in enumerate(STAGES)}
              for variant in ("with", "without")}
    return PruningComparison(kept=3, largest_pruned_norm=1e-9, plain_grad_norm=1e-4,
                             norms={"with": np.ones(4), "without": np.ones(4)}, errors=errors,
                             fine_tune_steps={"with": 1, "without": 1},
                             fine_tune_converged={"with": True, "without": True},
                             noisy_test_error=0.01)


@pytest.fixture
def figure():
    fig, axes = plots.figure(ncols=2)
    yield fig, axes
    plt.close(fig)


def test_every_network_figure_draws(figure) -> None:
    _, axes = figure
    measured = {"Gaussian": ("gaussian", SPECTRA), "network": ("rank_one", SPECTRA)}
    assert len(plots.curvature_at_zero_by_design(axes, S, 1e-3, LAMS, measured)) == 2
    assert plots.junk_neuron_paths(axes[0], PATHS, 0.0158) is axes[0]
    assert len(plots.lambda_window(axes, LAMS, OUTCOMES, {"a": 0.06}, 3)) == 2
    norms = {"with": np.array([1.0, 0.5, 1e-90, 0.3]), "without": np.array([1.0, 0.5, 0.4, 0.3])}
    assert plots.neuron_norms(axes[1], norms, 0.0158, 3) is axes[1]
    assert plots.excess_error_by_stage(axes[0], [_comparison(1e-3), _comparison(2e-3)],
                                       5e-4) is axes[0]


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda axes: plots.curvature_at_zero_by_design(axes, S, 1e-3, LAMS, {"a": ("gaussian",
                                                                            SPECTRA[:1])}),
     ValueError, "axes"),
    (lambda axes: plots.curvature_at_zero_by_design(
        axes, S, 1e-3, LAMS, {"a": ("gaussian", SPECTRA[:1]), "b": ("gaussian", SPECTRA)}),
     ValueError, "spectra"),
    (lambda axes: plots.curvature_at_zero_by_design(axes, S, 0.0, LAMS, {"a": ("gaussian", SPECTRA),
                                                                     "b": ("gaussian", SPECTRA)}),
     ValueError, "beta"),
    (lambda axes: plots.junk_neuron_paths(axes[0], {"a": np.ones(3)}, 0.1), TypeError, "paths"),
    (lambda axes: plots.junk_neuron_paths(axes[0], PATHS, -0.1), ValueError, "threshold"),
    (lambda axes: plots.lambda_window(axes, LAMS[:1], OUTCOMES, {"a": 0.06}, 3), ValueError,
     "outcomes"),
    (lambda axes: plots.lambda_window(axes, LAMS, OUTCOMES, {"a": 0.06}, 0), ValueError, "rank"),
    (lambda axes: plots.neuron_norms(None, {"a": np.ones(3)}, 0.1, 1), TypeError, "ax"),
    (lambda axes: plots.neuron_norms(axes[0], {"a": np.ones(3)}, 0.1, 1, floor=0.0), ValueError,
     "floor"),
    (lambda axes: plots.excess_error_by_stage(axes[0], [], 1e-3), ValueError, "comparisons"),
    (lambda axes: plots.excess_error_by_stage(axes[0], [_comparison(1.0)], 0.0), ValueError,
     "reference"),
])
def test_network_figures_reject_bad_arguments(figure, call, error: type, match: str) -> None:
    _, axes = figure
    with pytest.raises(error, match=match):
        call(axes)
