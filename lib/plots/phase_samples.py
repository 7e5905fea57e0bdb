r"""Figures of the sample-size and conditioning chapter
(``book/11_phase_samples_conditioning.md``): the (n/p, k) phase diagram of exact pruning, the
error against n/p beside over-parameterised gradient descent, and the steps to prune against
the condition number :math:`\kappa`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from lib._validation import (
    check_instance,
    check_mapping,
    check_mask,
    check_matrix,
    check_tuple,
    check_vector,
)
from lib.plots._checks import check_axes
from lib.prune_budget import BudgetRule

#: One colour per width k, in increasing k (over-parameterised gradient descent).
WIDTH_COLOURS = ("tab:orange", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive")


def _grid(name: str, values: object) -> np.ndarray:
    grid = check_vector(name, values)
    if not np.all(np.diff(grid) > 0):
        raise ValueError(f"{name} must be increasing, got {grid}")
    return grid


def exact_rank_map(ax: Axes, ratios: object, widths: object, fraction: object) -> Axes:
    r"""The (n/p, k) phase diagram: the fraction of seeds whose pruning keeps exactly r columns
    in each cell, as a colour and as a number, n/p across and k up.

    Parameters
    ----------
    ratios : array_like, shape (m,)
        :math:`n/p`, increasing.
    widths : array_like, shape (w,)
        Widths k, increasing.
    fraction : array_like, shape (w, m)
        Fractions in [0, 1].
    """
    ax = check_axes("ax", ax)
    x, y = _grid("ratios", ratios), _grid("widths", widths)
    values = check_matrix("fraction", fraction)
    if values.shape != (y.size, x.size):
        raise ValueError(f"fraction must have shape (len(widths), len(ratios)) = "
                         f"{(y.size, x.size)}, got {values.shape}")
    if not np.all((values >= 0) & (values <= 1)):
        raise ValueError(f"fraction must lie in [0, 1], got values in [{values.min()}, "
                         f"{values.max()}]")
    image = ax.imshow(values, origin="lower", aspect="auto", cmap="RdYlGn", vmin=0.0, vmax=1.0)
    for (row, column), value in np.ndenumerate(values):
        ax.text(column, row, f"{value:.1f}", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(x.size), [f"{ratio:g}" for ratio in x], rotation=45)
    ax.set_yticks(range(y.size), [f"{int(width)}" for width in y])
    ax.grid(False)
    ax.set(xlabel="measurements n / p", ylabel="columns k", title="seeds keeping exactly r")
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    return ax


def error_ratio_against_samples(ax: Axes, ratios: object, pipeline: object,
                                peers: Mapping[int, object], *,
                                inflation: tuple[object, object] | None = None) -> Axes:
    r"""Error over the reference :math:`\sigma\sqrt{p/n}` against n/p: the pipeline (one
    curve, it does not depend on k where pruning keeps r columns) and over-parameterised
    gradient descent, one curve per width k (``peers``: k -> ratios), on a log scale; with
    ``inflation = (n/p, factor)`` the least-squares factor :math:`\sqrt{n/(n-p-1)}` dashed."""
    ax = check_axes("ax", ax)
    x = _grid("ratios", ratios)
    pipeline = check_vector("pipeline", pipeline, x.size)
    peers = check_mapping("peers", peers)
    if len(peers) > len(WIDTH_COLOURS):
        raise ValueError(f"peers may hold at most {len(WIDTH_COLOURS)} widths, got "
                         f"{len(peers)}")
    peers = {k: check_vector(f"peers[{k}]", values, x.size)
             for k, values in sorted(peers.items())}
    if inflation is not None:
        fine_x, factor = check_tuple("inflation", inflation, 2)
        fine_x = check_vector("inflation[0]", fine_x)
        factor = check_vector("inflation[1]", factor, fine_x.size)
    ax.plot(x, pipeline, color="tab:blue", marker="o", linewidth=2, label="prune + fine-tune")
    for (k, values), colour in zip(peers.items(), WIDTH_COLOURS, strict=False):
        ax.plot(x, values, color=colour, marker="s", markersize=4, linewidth=1,
                label=f"GD, k = {k}")
    if inflation is not None:
        ax.plot(fine_x, factor, color="gray", linestyle="--",
                label=r"least squares $\sqrt{n/(n-p-1)}$")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set(xlabel="measurements n / p", ylabel=r"error / $\sigma\sqrt{p/n}$")
    return ax


def prune_steps_against_kappa(ax: Axes, kappa: object, steps: object, exact: object,
                              rule: BudgetRule | None = None) -> Axes:
    r"""Steps until the kept set settles against :math:`\kappa`, log-log, one point per run:
    filled where pruning kept exactly r columns, open (red) where it did not; with ``rule``
    the fitted budget :math:`C\kappa^a` as a line."""
    ax = check_axes("ax", ax)
    x = check_vector("kappa", kappa, minimum=1.0)
    y = check_vector("steps", steps, x.size, minimum=0.0, strict=True)
    good = check_mask("exact", exact, x.size, per="run")
    if rule is not None:
        check_instance("rule", rule, BudgetRule)
    ax.scatter(x[good], y[good], color="tab:blue", s=18, label="exactly r kept")
    ax.scatter(x[~good], y[~good], facecolors="none", edgecolors="tab:red", s=30,
               label="other than r kept")
    if rule is not None:
        line = np.geomspace(x.min(), x.max(), 50)
        ax.plot(line, rule.steps(line), color="gray", linestyle="--",
                label=rf"fit ${rule.constant:.0f}\,\kappa^{{{rule.exponent:.2f}}}$")
    ax.set(xscale="log", yscale="log", xlabel=r"condition number $\kappa$",
           ylabel="steps until the kept set settles")
    ticks = np.unique(x)
    ax.set_xticks(ticks, [f"{value:g}" for value in ticks])
    ax.minorticks_off()
    return ax
