"""Figures of the pruning-threshold chapter: they draw, and they check their arguments."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lib.plots

NORMS = np.array([1e-14, 3e-13, 2e-15, 0.9, 0.7, 0.5])


def test_column_norm_separation_draws_both_panels() -> None:
    fig, axes = lib.plots.figure(ncols=2)
    returned = lib.plots.column_norm_separation(axes, NORMS, 0.02, bound=1e-6,
                                                predicted_norm=0.48)
    assert list(returned) == list(axes)
    assert len(axes[0].patches) > 0 and len(axes[1].lines) == 3
    assert axes[1].get_xlim() == (-4.0, 0.5)
    plt.close(fig)


@pytest.mark.parametrize(("change", "error", "name"), [
    ({"axes": "axes"}, TypeError, "axes"),
    ({"norms": np.array([0.5, -1.0])}, ValueError, "norms"),
    ({"norms": np.array([0.5, 0.9])}, ValueError, "norms must have columns on both sides"),
    ({"threshold": 0.0}, ValueError, "threshold"),
    ({"bound": "1e-6"}, TypeError, "bound"),
    ({"predicted_norm": np.inf}, ValueError, "predicted_norm"),
])
def test_column_norm_separation_rejects_bad_arguments(change: dict, error: type,
                                                      name: str) -> None:
    fig, axes = lib.plots.figure(ncols=2)
    kwargs = {"axes": axes, "norms": NORMS, "threshold": 0.02, "bound": 1e-6,
              "predicted_norm": 0.48} | change
    with pytest.raises(error, match=name):
        lib.plots.column_norm_separation(kwargs.pop("axes"), kwargs.pop("norms"),
                                         kwargs.pop("threshold"), **kwargs)
    plt.close(fig)
