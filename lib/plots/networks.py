r"""Figures of the quadratic-network chapter (``book/06_quadratic_networks.md``): curvature at
zero against :math:`\lambda`, junk neurons along training, the working range of :math:`\lambda`,
neuron norms and the test error at the stages of the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from lib import theory
from lib._validation import (
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_mapping,
    check_matrix,
    check_sequence,
    check_tuple,
    check_vector,
)
from lib.network_pruning import STAGES, PruningComparison
from lib.plots._checks import check_axes, check_axes_sequence
from lib.pruning import ExactRankTime
from lib.registry import SENSING_KINDS
from lib.small_init import ComponentPath

#: One colour per design, in the order a chapter lists them (Gaussian sensing first).
DESIGN_COLOURS = ("C0", "C1")
#: Values of :math:`\lambda` at which the curvature lines are drawn.
LAMBDA_GRID = np.linspace(0.0, 0.35, 200)


def _figure_legend_below(ax: Axes, ncols: int) -> None:
    """One legend for all panels, below them, from the entries of ``ax`` (off the data)."""
    handles, labels = ax.get_legend_handles_labels()
    ax.figure.legend(handles, labels, loc="outside lower center", ncols=ncols)


def curvature_at_zero_by_design(axes: object, eigenvalues: np.ndarray, beta: float,
                            lams: np.ndarray,
                            measured: Mapping[str, tuple[str, np.ndarray]]) -> list[Axes]:
    r"""One panel per design (title -> (sensing kind, measured spectra)): the predicted
    curvature at :math:`U = 0` (:func:`lib.theory.curvature_at_zero`, one solid line per
    eigenvalue :math:`s_j`; :func:`lib.theory.curvature_at_zero_orthogonal` dashed) against
    :math:`\lambda`, and as markers the smallest and largest eigenvalue of the Hessian measured at
    each of ``lams`` (``spectra`` of shape (len(lams), d), sorted rows)."""
    measured = check_mapping("measured", measured)
    axes = check_axes_sequence("axes", axes, len(measured))
    values = check_vector("eigenvalues", eigenvalues, minimum=0.0, strict=True)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    lams = check_vector("lams", lams, minimum=0.0)
    trace = float(values.sum())
    designs = {}
    for title, design in measured.items():
        sensing, spectra = check_tuple(f"measured[{title!r}]", design, 2)
        designs[title] = (check_choice(f"measured[{title!r}][0]", sensing, SENSING_KINDS),
                          check_matrix(f"measured[{title!r}] spectra", spectra, rows=lams.size))
    for ax, (title, (sensing, spectra)) in zip(axes, designs.items(), strict=True):
        lines = np.array([theory.curvature_at_zero(values, lam, beta, sensing=sensing)
                          for lam in LAMBDA_GRID])
        for j, s_j in enumerate(values):
            ax.plot(LAMBDA_GRID, lines[:, j], label=f"teacher direction, $s = {s_j:.3g}$")
        ax.plot(LAMBDA_GRID, [theory.curvature_at_zero_orthogonal(lam, beta, trace=trace,
                                                                  sensing=sensing)
                              for lam in LAMBDA_GRID], "k--", label="orthogonal direction")
        ax.plot(lams, spectra[:, 0], "kv", label="smallest eigenvalue (measured)")
        ax.plot(lams, spectra[:, -1], "k^", label="largest eigenvalue (measured)")
        ax.axhline(0.0, color="grey", linewidth=0.8)
        ax.set(title=title, xlabel=r"$\lambda$")
    axes[0].set_ylabel(r"curvature of $f$ at $U = 0$")
    _figure_legend_below(axes[0], ncols=2)
    return axes


def junk_neuron_paths(ax: Axes, paths: Mapping[str, ComponentPath], threshold: float) -> Axes:
    r"""Largest orthogonal component :math:`\max_j \|P_\perp U e_j\|` along training, one line
    per design (:func:`lib.small_init.orthogonal_component_path`), with the threshold
    :math:`\tau` dotted."""
    ax = check_axes("ax", ax)
    paths = check_mapping("paths", paths)
    threshold = check_float("threshold", threshold, minimum=0.0, strict=True)
    for name, path in paths.items():
        check_instance(f"paths[{name!r}]", path, ComponentPath)
    for name, path in paths.items():
        ax.semilogy(path.steps, path.values, label=name)
    ax.axhline(threshold, color="grey", linestyle=":", label=r"threshold $\tau = \sqrt{\beta}/2$")
    ax.set(xlabel="gradient step", ylabel=r"$\max_j \|P_\perp U e_j\|$", ylim=(1e-12, 1))
    ax.legend(loc="center right")
    return ax


def lambda_window(axes: object, lams: np.ndarray, outcomes: Mapping[str, Sequence[ExactRankTime]],
                  kill_bounds: Mapping[str, float], rank: int) -> list[Axes]:
    r"""Left: neurons above the threshold at the end of the budget against :math:`\lambda`;
    right: the step from which pruning keeps exactly r neurons (missing: never). One colour per
    design (name -> one :class:`lib.pruning.ExactRankTime` per :math:`\lambda`), its
    :math:`\lambda_{kill}` (``kill_bounds[name]``) dashed."""
    left, right = check_axes_sequence("axes", axes, 2)
    outcomes = check_mapping("outcomes", outcomes)
    if len(outcomes) > len(DESIGN_COLOURS):
        raise ValueError(f"outcomes may hold at most {len(DESIGN_COLOURS)} designs, got "
                         f"{len(outcomes)}")
    lams = check_vector("lams", lams, minimum=0.0)
    kill_bounds = check_mapping("kill_bounds", kill_bounds)
    rank = check_int("rank", rank, minimum=1)
    for name, runs in outcomes.items():
        runs = check_sequence(f"outcomes[{name!r}]", runs, ExactRankTime)
        if len(runs) != lams.size:
            raise ValueError(f"outcomes[{name!r}] must hold one result per lambda "
                             f"({lams.size}), got {len(runs)}")
        if name not in kill_bounds:
            raise ValueError(f"kill_bounds must have a bound for every design of outcomes, "
                             f"missing {name!r}")
        check_float(f"kill_bounds[{name!r}]", kill_bounds[name], minimum=0.0)
    for (name, runs), colour in zip(outcomes.items(), DESIGN_COLOURS, strict=False):
        kill = kill_bounds[name]
        reached = [i for i, run in enumerate(runs) if run.prunable_from is not None]
        left.semilogx(lams, [run.kept for run in runs], "o-", color=colour, label=name)
        right.loglog(lams[reached], [runs[i].prunable_from for i in reached], "o-",
                     color=colour, label=name)
        for ax in (left, right):
            ax.axvline(kill, color=colour, linestyle="--", linewidth=1,
                       label=rf"$\lambda_{{kill}}$, {name}")
    left.axhline(rank, color="grey", linestyle=":", label=f"r = {rank}")
    left.set(xlabel=r"$\lambda$", ylabel=r"neurons with norm $> \tau$ at the end")
    right.set(xlabel=r"$\lambda$", ylabel="step from which exactly r are kept")
    _figure_legend_below(left, ncols=3)
    return [left, right]


def neuron_norms(ax: Axes, norms_by_label: Mapping[str, np.ndarray], threshold: float,
                 rank: int, *, floor: float = 1e-17) -> Axes:
    r"""Sorted neuron norms :math:`\|U e_j\|` of trained students on a log scale (norms below
    ``floor`` drawn at ``floor``), the threshold :math:`\tau` dotted, a line after rank r."""
    ax = check_axes("ax", ax)
    norms_by_label = check_mapping("norms_by_label", norms_by_label)
    threshold = check_float("threshold", threshold, minimum=0.0, strict=True)
    rank = check_int("rank", rank, minimum=1)
    floor = check_float("floor", floor, minimum=0.0, strict=True)
    k = 0
    for (label, norms), marker in zip(norms_by_label.items(), "os^v", strict=False):
        ordered = np.sort(check_vector(f"norms_by_label[{label!r}]", norms, minimum=0.0))[::-1]
        k = ordered.size
        ax.semilogy(np.arange(1, k + 1), np.maximum(ordered, floor), marker + "-", label=label)
    ax.axhline(threshold, color="grey", linestyle=":", label=r"threshold $\tau$")
    ax.axvline(rank + 0.5, color="grey", linewidth=0.8)
    ax.set(xlabel="neuron rank (by norm of incoming weights)", ylabel=r"$\|U e_j\|_2$",
           xticks=range(1, k + 1, 2))
    ax.legend(loc="center right")
    return ax


def excess_error_by_stage(ax: Axes, comparisons: Sequence[PruningComparison],
                      reference: float) -> Axes:
    r"""Excess test error (closed form) at the stages :data:`lib.network_pruning.STAGES`, one
    thin line per seed and the geometric mean bold, with and without the regulariser; the
    least-squares level :math:`\sigma^2 p/n` (``reference``) dotted."""
    ax = check_axes("ax", ax)
    comparisons = check_sequence("comparisons", comparisons, PruningComparison)
    reference = check_float("reference", reference, minimum=0.0, strict=True)
    positions = np.arange(len(STAGES))
    for variant, offset, marker, colour in [("with", -0.08, "o", "C0"),
                                            ("without", 0.08, "s", "C1")]:
        values = np.array([[run.errors[variant][stage][0] for stage in STAGES]
                           for run in comparisons])
        for seed_values in values:
            ax.semilogy(positions + offset, seed_values, marker + "-", alpha=0.35, color=colour)
        ax.semilogy(positions + offset, np.exp(np.log(values).mean(axis=0)), marker + "-",
                    linewidth=2.5, color=colour,
                    label=f"{variant} regulariser (geometric mean)")
    ax.axhline(reference, color="grey", linestyle=":", label=r"$\sigma^2 p / n$")
    ax.set_xticks(positions, STAGES)
    ax.set_ylabel(r"excess test error $E\,(f_U(x) - f_{U^*}(x))^2$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=3)
    return ax
