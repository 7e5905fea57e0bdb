r"""Figures of the landscape chapter (``book/02_landscape.md``): the smoothed penalty of one
column, the curvature at :math:`U = 0`, the :math:`\lambda` sweep, the run of perturbed gradient
descent to an SOSP and the escape from a saddle. Each function draws onto the axes it is given
and returns them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from lib._validation import (
    check_float,
    check_instance,
    check_int,
    check_items,
    check_mapping,
    check_matrix,
    check_tuple,
    check_vector,
)
from lib.optim import History
from lib.plots._checks import check_axes, check_axes_sequence
from lib.regularizer import column_penalty, column_weight
from lib.theory import LambdaBounds

#: Legend below the axes it belongs to, off the data.
_BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.22)}
#: Legend to the right of the axes it belongs to, off the data.
_RIGHT = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0)}


def smoothing_penalties(axes: Sequence[Axes], beta: float) -> Sequence[Axes]:
    r"""Both smoothings :math:`\psi_\beta` of one column's norm against the group Lasso
    :math:`|x|` and their weight-decay approximations :math:`x^2/\sqrt\beta` and
    :math:`x^2/(2\sqrt\beta)`: linear axes near zero (``axes[0]``), log-log with the crossover
    :math:`x = \sqrt\beta` marked (``axes[1]``). One legend below both panels.
    """
    linear_ax, log_ax = check_axes_sequence("axes", axes, 2)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    root = np.sqrt(beta)
    for ax, x in ((linear_ax, np.linspace(-0.15, 0.15, 301)),
                  (log_ax, np.geomspace(1e-3, 1, 200))):
        ax.plot(x, column_penalty(x, beta, "ratio"), color="tab:blue",
                label=r"ratio $x^2/\sqrt{x^2+\beta}$")
        ax.plot(x, column_penalty(x, beta, "sqrt"), color="tab:orange",
                label=r"sqrt $\sqrt{x^2+\beta}-\sqrt{\beta}$")
        ax.plot(x, np.abs(x), color="black", linewidth=1, label=r"group Lasso $|x|$")
        ax.plot(x, x**2 / root, "--", color="tab:blue", linewidth=1,
                label=r"$x^2/\sqrt{\beta}$")
        ax.plot(x, x**2 / (2 * root), "--", color="tab:orange", linewidth=1,
                label=r"$x^2/(2\sqrt{\beta})$")
        ax.set_xlabel("column norm $x$")
        ax.set_ylabel(r"penalty $\psi_\beta(x)$")
    linear_ax.set_ylim(-0.005, 0.16)
    log_ax.set_xscale("log")
    log_ax.set_yscale("log")
    log_ax.set_ylim(1e-5, 2)
    log_ax.axvline(root, color="gray", linestyle=":")
    handles, labels = linear_ax.get_legend_handles_labels()
    linear_ax.figure.legend(handles, labels, loc="outside lower center", ncols=3)
    return [linear_ax, log_ax]


def curvature_at_zero_lines(ax: Axes, eigenvalues: object, beta: float, lams: object,
                            measured_spectra: Sequence[object],
                            bounds: LambdaBounds) -> Axes:
    r"""Hessian eigenvalues at :math:`U = 0` against :math:`\lambda`: the formulas
    :math:`-4 s_j + \lambda w(0)` and :math:`\lambda w(0)` (lines), the measured distinct
    eigenvalues at each of ``lams`` (dots), and ``bounds`` (dashed verticals).
    """
    ax = check_axes("ax", ax)
    values = check_vector("eigenvalues", eigenvalues, minimum=0.0, strict=True)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    lams = check_vector("lams", lams, minimum=0.0)
    measured_spectra = check_items("measured_spectra", measured_spectra)
    if len(measured_spectra) != lams.size:
        raise ValueError(f"measured_spectra must have one spectrum per lambda ({lams.size}), "
                         f"got {len(measured_spectra)}")
    measured_spectra = [check_vector(f"measured_spectra[{i}]", spectrum)
                        for i, spectrum in enumerate(measured_spectra)]
    check_instance("bounds", bounds, LambdaBounds)
    lam_fine = np.linspace(0, lams.max(), 200)
    weight_at_zero = float(column_weight(0.0, beta))
    for j, s_j in enumerate(values):
        ax.plot(lam_fine, -4 * s_j + lam_fine * weight_at_zero,
                label=f"along $v_{j + 1}$ ($s_{j + 1}$ = {s_j:.2f})")
    ax.plot(lam_fine, lam_fine * weight_at_zero, color="gray", label="orthogonal to signal")
    for lam, spectrum in zip(lams, measured_spectra, strict=True):
        ax.plot(np.full(spectrum.size, lam), spectrum, "k.", markersize=5)
    ax.plot([], [], "k.", label="measured eigenvalues")
    for bound in (bounds.all_grow, bounds.zero_is_min):
        ax.axvline(bound, color="black", linestyle="--", linewidth=0.8)
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel("Hessian eigenvalue at $U = 0$")
    ax.legend(ncols=2, **_BELOW)
    return ax


def growth_phase_diagram(ax: Axes, betas: object, lams: object, growing: object,
                         eigenvalues: object) -> Axes:
    r"""The number of signal directions growing from :math:`U = 0` on a
    :math:`(\beta, \lambda)` grid (``growing[row, column]`` for ``lams[row]``,
    ``betas[column]``), with the lines :math:`\lambda = 2\sqrt\beta\, s_j` and a colour bar.
    """
    ax = check_axes("ax", ax)
    betas = check_vector("betas", betas, minimum=0.0, strict=True)
    lams = check_vector("lams", lams, minimum=0.0, strict=True)
    values = check_vector("eigenvalues", eigenvalues, minimum=0.0, strict=True)
    counts = check_matrix("growing", growing, rows=lams.size, cols=betas.size)
    mesh = ax.pcolormesh(betas, lams, counts, cmap="viridis", shading="nearest")
    for s_j in values:
        ax.plot(betas, 2 * np.sqrt(betas) * s_j, color="white", linewidth=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\beta$")
    ax.set_ylabel(r"$\lambda$")
    ax.figure.colorbar(mesh, ax=ax, ticks=range(values.size + 1),
                       label="directions growing from 0")
    return ax


def recovery_sweep(ax: Axes, lams: object, growing_at_zero: object,
                   recovered: Mapping[tuple[float, int], Sequence[int]],
                   bounds: LambdaBounds) -> Axes:
    r"""Recovered signal directions against :math:`\lambda`, one line per
    ``(alpha, seed)`` key of ``recovered`` (one colour and marker per :math:`\alpha`, slightly
    offset; dotted for later seeds), over gray steps of the directions with negative curvature at
    zero, with :math:`\lambda_{\text{low}}` and :math:`\lambda_{\text{high}}` marked.
    """
    ax = check_axes("ax", ax)
    lams = check_vector("lams", lams, minimum=0.0)
    growing_at_zero = check_vector("growing_at_zero", growing_at_zero, lams.size, minimum=0.0)
    recovered = {check_tuple(f"recovered key {key!r}", key, 2): check_vector(
        f"recovered[{key!r}]", counts, lams.size, minimum=0.0)
        for key, counts in check_mapping("recovered", recovered).items()}
    check_instance("bounds", bounds, LambdaBounds)
    ax.step(lams, growing_at_zero, where="mid", color="gray", linewidth=6, alpha=0.35,
            label="negative curvature\nat $U=0$ (formula)")
    alphas = sorted({alpha for alpha, _ in recovered})
    colors, markers = ("tab:blue", "tab:orange", "tab:green", "tab:red"), "os^v"
    for index, alpha in enumerate(alphas):
        offset = 0.08 * (index - (len(alphas) - 1) / 2)
        seeds = sorted(seed for a, seed in recovered if a == alpha)
        for position, seed in enumerate(seeds):
            counts = recovered[alpha, seed]
            ax.plot(lams, counts + offset, marker=markers[index % 4],
                    color=colors[index % 4], linestyle="-" if position == 0 else ":",
                    label=rf"$\alpha$ = {alpha:.0e}" if position == 0 else None)
    for bound, name in ((bounds.all_grow, r"$\lambda_{\rm low}$"),
                        (bounds.zero_is_min, r"$\lambda_{\rm high}$")):
        ax.axvline(bound, color="black", linestyle="--", linewidth=0.8)
        ax.text(bound, 3.35, name, ha="center")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel("recovered signal directions")
    ax.set_yticks([0, 1, 2, 3])
    ax.set_ylim(-0.3, 3.6)
    ax.legend(**_RIGHT)
    return ax


def column_norm_history(ax: Axes, history: History, returned_iteration: int,
                        threshold: float) -> Axes:
    r"""Every column norm :math:`\|U_te_j\|` against the iteration (log scale, floored at
    :math:`10^{-300}` and shown down to :math:`10^{-60}`), the threshold :math:`\tau` (dashed)
    and the returned point (dotted).
    """
    ax = check_axes("ax", ax)
    history = check_instance("history", history, History)
    returned_iteration = check_int("returned_iteration", returned_iteration, minimum=0)
    threshold = check_float("threshold", threshold, minimum=0.0, strict=True)
    ax.semilogy(history.iterations, np.maximum(history.column_norms, 1e-300),
                color="tab:blue", linewidth=0.8)
    ax.axhline(threshold, color="tab:red", linestyle="--", label=r"threshold $\tau$")
    ax.axvline(returned_iteration, color="black", linestyle=":", label="returned point")
    ax.set_ylim(1e-60, 3)
    ax.set_xlabel("iteration")
    ax.set_ylabel(r"column norm $\|Ue_j\|$")
    ax.legend(**_BELOW)
    return ax


def sorted_column_norms(ax: Axes, norms: object, threshold: float) -> Axes:
    r"""Column norms sorted in decreasing order (log scale) with the pruning threshold
    :math:`\tau = \sqrt\beta/2` (dashed)."""
    ax = check_axes("ax", ax)
    norms = np.sort(check_vector("norms", norms, minimum=0.0))[::-1]
    threshold = check_float("threshold", threshold, minimum=0.0, strict=True)
    ranks = np.arange(1, norms.size + 1)
    ax.semilogy(ranks, np.maximum(norms, 1e-300), "o", color="tab:blue",
                label="column norms at the SOSP")
    ax.axhline(threshold, color="tab:red", linestyle="--",
               label=r"threshold $\tau = \sqrt{\beta}/2$")
    ax.set_xticks(ranks[::2])
    ax.set_xlabel("column rank (sorted by norm)")
    ax.set_ylabel(r"$\|Ue_j\|$")
    ax.legend(**_BELOW)
    return ax


def saddle_escape(ax: Axes, plain: History, perturbed: History, kicks: Sequence[int],
                  predicted_bias: float) -> Axes:
    r"""Recovery error :math:`\|UU^\top - M^\star\|_F` of plain and perturbed gradient
    descent started at a saddle, the kicks of the perturbed run (dotted) and the predicted
    regularisation bias (dashed)."""
    ax = check_axes("ax", ax)
    plain = check_instance("plain", plain, History)
    perturbed = check_instance("perturbed", perturbed, History)
    predicted_bias = check_float("predicted_bias", predicted_bias, minimum=0.0, strict=True)
    kicks = check_vector("kicks", kicks, minimum=0, min_length=0, integer=True)
    ax.semilogy(plain.iterations, plain.errors, label="gradient descent")
    ax.semilogy(perturbed.iterations, perturbed.errors, label="perturbed gradient descent")
    for kick in kicks:
        ax.axvline(kick, color="tab:orange",
                   linestyle=":", linewidth=1)
    ax.axhline(predicted_bias, color="black", linestyle="--", linewidth=0.8,
               label="predicted regularisation bias")
    ax.set_xlabel("iteration")
    ax.set_ylabel(r"recovery error $\|UU^\top - M^\star\|_F$")
    ax.legend(**_RIGHT)
    return ax
