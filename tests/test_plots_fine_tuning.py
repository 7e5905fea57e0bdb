"""Figures of the fine-tuning chapter: they draw, and they check their arguments."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lib.plots
from lib.optim import History


def _history(steps: np.ndarray, errors: np.ndarray) -> History:
    return History(iterations=steps, values=errors, grad_norms=errors, errors=errors,
                   column_norms=np.ones((steps.size, 1)))


TRAIN = _history(np.arange(0, 101, 10), np.geomspace(1.0, 1e-2, 11))
TUNED = _history(np.arange(0, 51, 5), np.geomspace(1e-2, 1e-12, 11))
OVER = _history(np.arange(0, 201, 10), np.geomspace(1.0, 1e-4, 21))
N_VALUES = np.array([100, 200, 400])
ERRORS = {"pruned": np.full((3, 2), 0.1), "over": np.full((3, 2), 0.2)}
REFERENCES = {"r": np.full(3, 0.1), "k": np.full(3, 0.2)}


def test_the_fine_tuning_figures_draw() -> None:
    fig, axes = lib.plots.figure(ncols=3)
    assert lib.plots.error_vs_iteration(axes[0], TRAIN, TUNED, OVER, k=30) is axes[0]
    assert len(axes[0].lines) == 4
    rates = {"fitted": 0.1, "predicted": 0.2}
    assert lib.plots.fine_tuning_rate(axes[1], TUNED, rates, start_below=1e-3) is axes[1]
    assert len(axes[1].lines) == 3
    assert lib.plots.error_vs_measurements(axes[2], N_VALUES, ERRORS, REFERENCES) is axes[2]
    assert len(axes[2].lines) == 4 and len(axes[2].collections) == 2
    plt.close(fig)


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda ax: lib.plots.error_vs_iteration([ax, ax], TRAIN, TUNED, OVER, k=3), TypeError,
     "ax"),
    (lambda ax: lib.plots.error_vs_iteration(ax, TRAIN, None, OVER, k=3), TypeError,
     "fine_tune"),
    (lambda ax: lib.plots.error_vs_iteration(ax, TRAIN, TUNED, OVER, k=0), ValueError, "k"),
    (lambda ax: lib.plots.fine_tuning_rate(ax, TUNED, [0.5], start_below=1e-3), TypeError,
     "rates"),
    (lambda ax: lib.plots.fine_tuning_rate(ax, TUNED, {"a": -0.5}, start_below=1e-3),
     ValueError, "rates"),
    (lambda ax: lib.plots.fine_tuning_rate(ax, TUNED, {"a": 0.5}, start_below=1e-20),
     ValueError, "start_below"),
    (lambda ax: lib.plots.error_vs_measurements(ax, np.array([100]), ERRORS, REFERENCES),
     ValueError, "n_values"),
    (lambda ax: lib.plots.error_vs_measurements(ax, N_VALUES, {"a": np.ones(3)}, REFERENCES),
     ValueError, "errors"),
    (lambda ax: lib.plots.error_vs_measurements(ax, N_VALUES, ERRORS, None), TypeError,
     "references"),
])
def test_the_fine_tuning_figures_reject_bad_arguments(call: object, error: type,
                                                      name: str) -> None:
    fig, ax = lib.plots.figure()
    with pytest.raises(error, match=name):
        call(ax)
    plt.close(fig)
