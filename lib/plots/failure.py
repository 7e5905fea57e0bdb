r"""Figures of the failure chapter (``book/05_failure_without_regularization.md``): the paper's
Figure 1 (fraction curve and histogram of column norms), the power-method mechanism, the count
of comparable columns and fine-tuning after pruning.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from lib._validation import (
    check_float,
    check_instance,
    check_int,
    check_mapping,
    check_tuple,
    check_vector,
)
from lib.columns import fraction_at_least
from lib.optim import History
from lib.plots._checks import check_axes, check_axes_sequence
from lib.small_init import predicted_fraction_above

#: Colours of the models in the order a chapter lists them (unregularised first).
COLOURS = ("tab:red", "tab:blue", "tab:purple", "tab:green")
#: The grid of fractions c of the largest norm on which curves are drawn.
FRACTION_GRID = np.linspace(0.0, 1.0, 201)


def _norms_by_label(name: str, norms_by_label: object) -> dict[str, np.ndarray]:
    mapping = check_mapping(name, norms_by_label)
    if len(mapping) > len(COLOURS):
        raise ValueError(f"{name} may hold at most {len(COLOURS)} models, got {len(mapping)}")
    return {str(label): check_vector(f"{name}[{label!r}]", norms, minimum=0.0)
            for label, norms in mapping.items()}


def fraction_curves(ax: Axes, norms_by_label: Mapping[str, np.ndarray]) -> Axes:
    r"""Left panel of Figure 1: :math:`F(c)`, the fraction of columns with norm at least c times
    the largest (:func:`lib.columns.fraction_at_least`), one curve per model."""
    ax = check_axes("ax", ax)
    for (label, norms), colour in zip(_norms_by_label("norms_by_label", norms_by_label).items(),
                                      COLOURS, strict=False):
        ax.plot(FRACTION_GRID, fraction_at_least(norms, FRACTION_GRID), color=colour,
                label=label)
    ax.set(xlabel="c (fraction of the largest norm)", ylabel=r"columns with norm $\geq c\,\max$",
           ylim=(0.0, 1.05))
    ax.legend(loc="upper right")
    return ax


def norm_histogram(ax: Axes, norms_by_label: Mapping[str, np.ndarray], threshold: float, *,
                   floor: float = 1e-12) -> Axes:
    r"""Right panel of Figure 1: histogram of the column norms on a log axis, norms below
    ``floor`` drawn at ``floor``, the pruning threshold :math:`\tau` dashed."""
    ax = check_axes("ax", ax)
    norms_by_label = _norms_by_label("norms_by_label", norms_by_label)
    threshold = check_float("threshold", threshold, minimum=0.0, strict=True)
    floor = check_float("floor", floor, minimum=0.0, strict=True)
    bins = np.logspace(np.log10(floor), 0.5, 51)
    tallest = 1
    for (label, norms), colour in zip(norms_by_label.items(), COLOURS, strict=False):
        counts, _, _ = ax.hist(np.clip(norms, floor, None), bins=bins, color=colour, alpha=0.6,
                               label=label)
        tallest = max(tallest, int(counts.max()))
    ax.axvline(threshold, color="black", linestyle="--", label=r"threshold $\tau$")
    # Two decades of head room above the tallest bar keep the legend off the bars.
    ax.set(xscale="log", yscale="log", xlabel="column norm", ylabel="number of columns",
           ylim=(0.7, 100 * tallest))
    ax.legend(loc="upper left")
    return ax


def figure_one(axes: object, norms_by_label: Mapping[str, np.ndarray],
               threshold: float) -> list[Axes]:
    r"""The paper's Figure 1 on two axes: :func:`fraction_curves` on the first,
    :func:`norm_histogram` (threshold :math:`\tau`) on the second."""
    left, right = check_axes_sequence("axes", axes, 2)
    return [fraction_curves(left, norms_by_label),
            norm_histogram(right, norms_by_label, threshold)]


def mechanism(axes: object, projection: np.ndarray, final: np.ndarray,
              predicted: np.ndarray) -> list[Axes]:
    r"""Two panels: final column norms against the initial projections
    :math:`\|Q^\top U_0 e_j\|/\alpha` with the isotropic line :math:`x/\sqrt k`, and against the
    exact prediction :func:`lib.small_init.limit_column_norms` with the diagonal."""
    left, right = check_axes_sequence("axes", axes, 2)
    projection = check_vector("projection", projection, minimum=0.0)
    final = check_vector("final", final, minimum=0.0)
    predicted = check_vector("predicted", predicted, minimum=0.0)
    if not projection.size == final.size == predicted.size:
        raise ValueError("projection, final and predicted must have the same length, got "
                         f"{projection.size}, {final.size}, {predicted.size}")
    k = final.size
    left.scatter(projection, final, s=8, color=COLOURS[0], label="columns")
    line = np.linspace(0.0, projection.max(), 2)
    left.plot(line, line / np.sqrt(k), "k--", label=r"$x / \sqrt{k}$")
    left.set(xlabel=r"initial projection $\|Q^\top U_0 e_j\| / \alpha$",
             ylabel="final column norm")
    right.scatter(predicted, final, s=8, color=COLOURS[0], label="columns")
    right.plot([0, final.max()], [0, final.max()], "k--", label="measured = predicted")
    right.set(xlabel="predicted final norm", ylabel="measured final norm")
    for ax in (left, right):
        ax.legend(loc="upper left")
    return [left, right]


def comparable_column_counts(ax: Axes, runs: Mapping[int, tuple[np.ndarray, float]]) -> Axes:
    r"""Columns with norm at least c times the largest, measured (steps) and predicted by
    :math:`k\,P(\chi_r \ge c\,m)` (:func:`lib.small_init.predicted_fraction_above`), for each
    rank r of ``runs`` (r -> (column norms, largest projection m)), and :math:`k^{1-c^2}`."""
    ax = check_axes("ax", ax)
    if len(check_mapping("runs", runs)) > len(COLOURS):
        raise ValueError(f"runs may hold at most {len(COLOURS)} ranks, got {len(runs)}")
    checked = {}
    for r, run in runs.items():
        norms, largest = check_tuple(f"runs[{r!r}]", run, 2)
        checked[check_int("a rank in runs", r, minimum=1)] = (
            check_vector(f"runs[{r}] norms", norms, minimum=0.0),
            check_float(f"runs[{r}] largest projection", largest, minimum=0.0, strict=True))
    k = None
    for (r, (norms, largest)), colour in zip(checked.items(), COLOURS, strict=False):
        k = norms.size
        ax.step(FRACTION_GRID, k * fraction_at_least(norms, FRACTION_GRID), where="post",
                color=colour, label=f"measured, r = {r}")
        ax.plot(FRACTION_GRID, k * predicted_fraction_above(FRACTION_GRID, r, largest),
                color=colour, alpha=0.5, linewidth=3,
                label=rf"$k\,P(\chi_{r} \geq c\,m)$, r = {r}")
    ax.plot(FRACTION_GRID, k ** (1 - FRACTION_GRID**2), "k--", label=r"$k^{1-c^2}$")
    ax.set(yscale="log", ylim=(0.5, 2 * k), xlabel="c",
           ylabel=r"columns with norm $\geq c\,\max$")
    ax.legend(loc="lower left")
    return ax


def fine_tuning_errors(ax: Axes, histories: Mapping[str, History], norm_M_star: float) -> Axes:
    r"""Relative error :math:`\|UU^\top - M^*\|_F / \|M^*\|_F` along fine-tuning, one line per
    pruned model (label -> the run's :class:`lib.optim.History`)."""
    ax = check_axes("ax", ax)
    if len(check_mapping("histories", histories)) > len(COLOURS):
        raise ValueError(f"histories may hold at most {len(COLOURS)} runs, got {len(histories)}")
    norm_M_star = check_float("norm_M_star", norm_M_star, minimum=0.0, strict=True)
    for label, history in histories.items():
        check_instance(f"histories[{label!r}]", history, History)
    for (label, history), colour in zip(histories.items(), COLOURS, strict=False):
        ax.semilogy(history.iterations, history.errors / norm_M_star, color=colour, label=label)
    ax.set(xlabel="fine-tuning step", ylabel=r"$\|UU^\top - M^\star\|_F / \|M^\star\|_F$")
    ax.legend(loc="upper right")
    return ax
