"""Figures of the baselines chapter: error against k, against n and against the iteration."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

from lib._validation import (
    check_bool,
    check_float,
    check_int,
    check_sequence,
    check_tuple,
    check_vector,
)
from lib.comparison import LABELS, METHODS, WIDTH_METHODS, MethodRun, mean_over_seeds
from lib.plots._checks import check_axes

#: One colour and marker per method, the same in every figure.
STYLE = {"pipeline": ("tab:blue", "o"), "gd": ("tab:orange", "s"),
         "early_stopped": ("tab:green", "^"), "svd_truncation": ("tab:purple", "x"),
         "scaled_gd": ("tab:red", "v"), "nuclear_norm": ("tab:brown", "D"),
         "oracle": ("black", "+")}


def _label_errors(ax: Axes) -> None:
    """Log error axis labelled at 1, 2 and 5 times the powers of ten, as plain numbers."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _methods_present(runs: list[MethodRun]) -> list[str]:
    return [method for method in METHODS if any(run.method == method for run in runs)]


def error_against_width(ax: Axes, runs: Sequence[MethodRun], n: int, *,
                        reference: float | None = None) -> Axes:
    r"""Mean recovery error over seeds against the number of columns k, at n measurements:
    one line per method with k columns, a horizontal line for the methods without k, and
    the statistical reference :math:`\sigma\sqrt{p/n}` dashed if given."""
    ax = check_axes("ax", ax)
    n = check_int("n", n, minimum=1)
    runs = [run for run in check_sequence("runs", runs, MethodRun) if run.n == n]
    if not runs:
        raise ValueError(f"no run has n={n}")
    widths = sorted({run.k for run in runs if run.method in WIDTH_METHODS})
    for method in _methods_present(runs):
        color, marker = STYLE[method]
        ks, errors = mean_over_seeds(runs, method, n=n)
        if method in WIDTH_METHODS:
            ax.plot(ks, errors, marker=marker, color=color, label=LABELS[method])
        else:
            ax.hlines(errors[0], widths[0], widths[-1], color=color, linestyle=":",
                      label=LABELS[method])
    if reference is not None:
        ax.axhline(check_float("reference", reference, minimum=0.0, strict=True),
                   color="gray", linestyle="--", label=r"$\sigma\sqrt{p/n}$")
    ax.set_xscale("log")
    _label_errors(ax)
    ax.set_xticks(widths, [str(k) for k in widths])
    ax.minorticks_off()
    ax.set_xlabel("columns k")
    ax.set_ylabel(r"error $\|\hat M - M^\star\|_F$")
    ax.set_title(f"n = {n}")
    return ax


def error_against_samples(ax: Axes, runs: Sequence[MethodRun], k: int, *,
                          reference: tuple[np.ndarray, np.ndarray] | None = None) -> Axes:
    r"""Mean recovery error over seeds against n, the k-column methods at ``k`` (the others
    at their own size), and the statistical reference curve ``(n, error)`` dashed if given."""
    ax = check_axes("ax", ax)
    runs = check_sequence("runs", runs, MethodRun)
    k = check_int("k", k, minimum=1)
    if reference is not None:
        reference_n, reference_error = check_tuple("reference", reference, 2)
        reference_n = check_vector("reference[0]", reference_n, minimum=0.0, strict=True)
        reference = (reference_n, check_vector("reference[1]", reference_error,
                                               reference_n.size, minimum=0.0))
    for method in _methods_present(runs):
        color, marker = STYLE[method]
        fixed = {"k": k} if method in WIDTH_METHODS else {}
        ns, errors = mean_over_seeds(runs, method, by="n", **fixed)
        ax.plot(ns, errors, marker=marker, color=color, label=LABELS[method])
    if reference is not None:
        ax.plot(*reference, color="gray", linestyle="--", label=r"$\sigma\sqrt{p/n}$")
    ax.set_xscale("log")
    _label_errors(ax)
    ns = sorted({run.n for run in runs})
    ax.set_xticks(ns, [str(n) for n in ns])
    ax.minorticks_off()
    ax.set_xlabel("measurements n")
    ax.set_title(f"k = {k}")
    return ax


def error_against_iteration(ax: Axes, runs: Sequence[MethodRun], *,
                            fit: tuple[float, float, int] | None = None,
                            log_steps: bool = False) -> Axes:
    r"""Error curves of the runs of one instance against the gradient step; with
    ``fit = (a, c, start)`` the fitted :math:`c\,t^{-a}` for :math:`t \ge` start, dashed."""
    ax = check_axes("ax", ax)
    runs = check_sequence("runs", runs, MethodRun)
    if fit is not None:
        exponent, constant, start = check_tuple("fit", fit, 3)
        exponent = check_float("fit[0]", exponent)
        constant = check_float("fit[1]", constant, minimum=0.0, strict=True)
        start = check_int("fit[2]", start, minimum=1)
    log_steps = check_bool("log_steps", log_steps)
    for run in runs:
        if run.iterations.size:
            color, _ = STYLE[run.method]
            steps = np.maximum(run.iterations, 1)
            ax.plot(steps, run.errors, color=color, label=LABELS[run.method])
    if fit is not None:
        last = max(int(run.iterations.max()) for run in runs if run.iterations.size)
        steps = np.geomspace(start, last, 50)
        ax.plot(steps, constant * steps ** -exponent, color="gray", linestyle="--",
                linewidth=2.5, label=rf"fit $c\,t^{{-{exponent:.2f}}}$")
    if log_steps:
        ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("gradient evaluations t")
    ax.set_ylabel(r"error $\|U_tU_t^\top - M^\star\|_F$")
    return ax
