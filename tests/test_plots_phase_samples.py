"""lib.plots.phase_samples: the figures of the sample-size and conditioning chapter draw, and
reject bad arguments naming them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lib import plots
from lib.prune_budget import BudgetRule

RATIOS = np.array([1.0, 1.5, 2.0])
WIDTHS = np.array([3, 6])
FRACTION = np.array([[0.0, 0.5, 1.0], [0.2, 1.0, 1.0]])


@pytest.fixture
def ax():
    fig, axes = plots.figure()
    yield axes
    plt.close(fig)


def test_every_figure_draws(ax) -> None:
    assert plots.exact_rank_map(ax, RATIOS, WIDTHS, FRACTION) is ax
    assert len(ax.texts) == FRACTION.size
    assert plots.error_ratio_against_samples(
        ax, RATIOS, np.array([3.0, 1.5, 1.2]), {3: np.array([3.0, 1.6, 1.3]),
                                                 6: np.array([4.0, 3.0, 2.0])},
        inflation=(np.linspace(1.1, 2.0, 5), np.linspace(3.0, 1.3, 5))) is ax
    assert len(ax.get_lines()) == 5
    kappa = np.array([1.0, 2.0, 4.0, 8.0])
    assert plots.prune_steps_against_kappa(
        ax, kappa, 100.0 * kappa**2, np.array([True, True, True, False]),
        BudgetRule(100.0, 2.0)) is ax


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda ax: plots.exact_rank_map("ax", RATIOS, WIDTHS, FRACTION), TypeError, "ax"),
    (lambda ax: plots.exact_rank_map(ax, RATIOS[::-1], WIDTHS, FRACTION), ValueError,
     "ratios"),
    (lambda ax: plots.exact_rank_map(ax, RATIOS, WIDTHS, FRACTION.T), ValueError,
     "fraction"),
    (lambda ax: plots.exact_rank_map(ax, RATIOS, WIDTHS, 2 * FRACTION), ValueError,
     r"\[0, 1\]"),
    (lambda ax: plots.error_ratio_against_samples(ax, RATIOS, np.ones(2), {3: np.ones(3)}),
     ValueError, "pipeline"),
    (lambda ax: plots.error_ratio_against_samples(ax, RATIOS, np.ones(3), {}), ValueError,
     "peers"),
    (lambda ax: plots.error_ratio_against_samples(ax, RATIOS, np.ones(3), {3: np.ones(2)}),
     ValueError, r"peers\[3\]"),
    (lambda ax: plots.error_ratio_against_samples(
        ax, RATIOS, np.ones(3), {3: np.ones(3)}, inflation=(np.ones(2), np.ones(3))),
     ValueError, "inflation"),
    (lambda ax: plots.prune_steps_against_kappa(ax, np.ones(2), np.ones(2), np.ones(2)),
     TypeError, "exact must be a bool array"),
    (lambda ax: plots.prune_steps_against_kappa(ax, np.ones(2), np.zeros(2),
                                                np.ones(2, dtype=bool)), ValueError, "steps"),
    (lambda ax: plots.prune_steps_against_kappa(ax, np.ones(2), np.ones(2),
                                                np.ones(2, dtype=bool), rule=(1, 2)),
     TypeError, "rule"),
])
def test_bad_arguments_are_named(ax, call, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call(ax)
