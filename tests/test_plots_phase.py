"""lib.plots.phase: the figures of chapter 10 draw onto the axes they are given and check their
arguments."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from lib import plots
from lib.plots import phase

matplotlib.use("Agg")


def _summary() -> pd.DataFrame:
    rows = [{"beta": beta, "lam_ratio": ratio, "sigma": sigma, "lam": ratio / 100,
             "exact_fraction": (i + j) % 3 / 2, "error_ratio": 1 + i, "settled": 100 * j}
            for i, (beta, sigma) in enumerate([(1e-4, 0.1), (1e-3, 0.3), (1e-2, 0.6)])
            for j, ratio in enumerate([0.5, 1.0, 2.0])]
    return pd.DataFrame(rows)


CURVES = {"one": ([1e-4, 1e-2], [1.0, 1.0]), "two": ([1e-4, 1e-2], [0.7, 1.5])}


def test_every_figure_draws_onto_the_axes_it_is_given() -> None:
    fig, axes = plots.figure(ncols=3)
    assert list(plots.regularization_phase_diagram(axes, _summary(), CURVES)) == list(axes)
    assert all(ax.collections and len(ax.lines) == 2 for ax in axes)
    assert fig.legends
    plt.close(fig)

    fig, ax = plots.figure()
    assert plots.noise_phase_diagram(ax, _summary(), {"bound": ([0.1, 0.6], [0.01, 0.02])}) is ax
    assert ax.collections and ax.lines and ax.get_legend() is not None
    plt.close(fig)

    fig, ax = plots.figure()
    assert phase.phase_heatmap(ax, _summary(), "beta", "lam_ratio", "settled") is ax
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    limits = ax.get_xlim()
    assert phase.boundary_curves(ax, {"far": ([1e-9, 1e9], [1.0, 1.0])}) is ax
    assert ax.get_xlim() == limits
    plt.close(fig)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda ax, axes: phase.phase_heatmap("ax", _summary(), "beta", "lam_ratio", "settled"),
     TypeError, "ax"),
    (lambda ax, axes: phase.phase_heatmap(ax, _summary().to_dict(), "beta", "lam_ratio",
                                          "settled"), TypeError, "summary"),
    (lambda ax, axes: phase.phase_heatmap(ax, _summary(), "beta", "lam_ratio", "nothing"),
     ValueError, "nothing"),
    (lambda ax, axes: phase.phase_heatmap(ax, _summary(), "beta", 3, "settled"), TypeError,
     "y must be a string"),
    (lambda ax, axes: phase.phase_heatmap(ax, pd.concat([_summary()] * 2), "beta", "lam_ratio",
                                          "settled"), ValueError, "one row per"),
    (lambda ax, axes: phase.phase_heatmap(ax, _summary(), "beta", "lam_ratio", "settled",
                                          limits=(1.0, 0.0)), ValueError, "limits"),
    (lambda ax, axes: phase.phase_heatmap(ax, _summary().assign(beta=-1.0 * _summary().beta),
                                          "beta", "lam_ratio", "settled"), ValueError,
     "on a log axis, > 0"),
    (lambda ax, axes: phase.boundary_curves(ax, [1, 2]), TypeError, "curves"),
    (lambda ax, axes: phase.boundary_curves(ax, {"a": ([1.0], [1.0])}), ValueError,
     r"curves\['a'\]"),
    (lambda ax, axes: phase.boundary_curves(ax, {"a": ([1.0, np.nan], [1.0, 2.0])}),
     ValueError, "finite"),
    (lambda ax, axes: phase.boundary_curves(ax, {"a": (1.0, 2.0, 3.0)}), TypeError, "pair"),
    (lambda ax, axes: plots.regularization_phase_diagram(axes[:2], _summary(), CURVES),
     ValueError, "axes must hold 3 Axes"),
    (lambda ax, axes: plots.regularization_phase_diagram(axes, _summary().drop(
        columns="settled"), CURVES), ValueError, "settled"),
    (lambda ax, axes: plots.noise_phase_diagram(ax, _summary(), {"a": "b"}), TypeError,
     "pair"),
])
def test_bad_arguments_are_refused(call, error, match) -> None:
    fig, axes = plots.figure(ncols=3)
    with pytest.raises(error, match=match):
        call(axes[0], axes)
    plt.close(fig)
