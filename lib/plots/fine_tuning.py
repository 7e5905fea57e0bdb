r"""Figures of the fine-tuning chapter: recovery error against gradient steps, the linear rate
of fine-tuning against its predictions, and the final error against the number of
measurements."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from lib._validation import check_float, check_int
from lib.optim import History
from lib.plots.style import check_axes

_ERROR_LABEL = r"recovery error $\|UU^\top - M^\star\|_F$"


def _check_history(name: str, history: object) -> History:
    if not isinstance(history, History):
        raise TypeError(f"{name} must be a lib.History, got {type(history).__name__}")
    return history


def error_vs_iteration(ax: Axes, train: History, fine_tune: History, over: History,
                       *, k: int) -> Axes:
    r"""Recovery error of the pipeline (regularised training, then fine-tuning after pruning,
    marked by a dotted line) and of over-parameterised gradient descent with ``k`` columns
    against the total number of gradient steps, log scale (fine-tuning chapter).

    Returns
    -------
    The axes.
    """
    (ax,) = check_axes("ax", ax, 1)
    train = _check_history("train", train)
    fine_tune = _check_history("fine_tune", fine_tune)
    over = _check_history("over", over)
    k = check_int("k", k, minimum=1)
    pruned_at = int(train.iterations[-1])
    ax.semilogy(train.iterations, train.errors, color="tab:blue",
                label="pipeline: regularised training")
    ax.semilogy(pruned_at + fine_tune.iterations, fine_tune.errors, color="tab:blue",
                linewidth=2.5, label="pipeline: fine-tuning the pruned columns")
    ax.semilogy(over.iterations, over.errors, color="tab:orange",
                label=f"over-parameterised GD (k = {k}, no penalty)")
    ax.axvline(pruned_at, color="grey", linestyle=":", label="pruning")
    ax.set_xlabel("gradient steps")
    ax.set_ylabel(_ERROR_LABEL)
    ax.legend(loc="lower left")
    return ax


def fine_tuning_rate(ax: Axes, history: History, rates: Mapping[str, float], *,
                     start_below: float) -> Axes:
    r"""Recovery error of fine-tuning against its step (dots), with a line
    :math:`e_{t_0}\rho^{t - t_0}` for each contraction factor :math:`\rho` of ``rates``
    (label -> factor), through the first record :math:`t_0` whose error is below
    ``start_below`` (fine-tuning chapter).

    Returns
    -------
    The axes.
    """
    (ax,) = check_axes("ax", ax, 1)
    history = _check_history("history", history)
    if not isinstance(rates, Mapping) or not 1 <= len(rates) <= 3:
        raise TypeError(f"rates must be a mapping of one to three labels to factors, got "
                        f"{type(rates).__name__}")
    rates = {str(label): check_float(f"rates[{label!r}]", rate, minimum=0.0, strict=True)
             for label, rate in rates.items()}
    start_below = check_float("start_below", start_below, minimum=0.0, strict=True)
    errors, steps = history.errors, history.iterations
    below = np.flatnonzero(errors < start_below)
    if below.size == 0:
        raise ValueError(f"no recorded error is below start_below={start_below:g}; the "
                         f"smallest is {errors.min():.3g}")
    first = below[0]
    ax.semilogy(steps, errors, "o", markersize=3, color="tab:blue", label="fine-tuning error")
    for (label, rate), style in zip(rates.items(), ["-", "--", ":"], strict=False):
        ax.semilogy(steps, errors[first] * rate ** (steps - steps[first]), style,
                    color="black", label=rf"{label}: $\rho = {rate:.4f}$")
    ax.set_ylim(errors.min() / 10, 1.0)
    ax.set_xlabel("fine-tuning step $t$")
    ax.set_ylabel(_ERROR_LABEL)
    ax.legend(loc="lower left")
    return ax


def error_vs_measurements(ax: Axes, n_values: np.ndarray, errors: Mapping[str, np.ndarray],
                          references: Mapping[str, np.ndarray]) -> Axes:
    r"""Final recovery error against the number of measurements n, log-log (fine-tuning
    chapter): for each method of ``errors`` (label -> array of shape (len(n_values), seeds))
    the single seeds as dots and their mean as a line, and each reference of ``references``
    (label -> array of shape (len(n_values),)) dashed, in the colour of the method in the same
    position.

    Returns
    -------
    The axes.
    """
    (ax,) = check_axes("ax", ax, 1)
    n_values = np.asarray(n_values)
    if n_values.ndim != 1 or n_values.size < 2 or not np.all(n_values > 0):
        raise ValueError(f"n_values must be a 1-D array of at least two positive sample "
                         f"sizes, got {n_values!r}")
    for name, mapping, ndim in [("errors", errors, 2), ("references", references, 1)]:
        if not isinstance(mapping, Mapping) or not 1 <= len(mapping) <= 2:
            raise TypeError(f"{name} must be a mapping of one or two labels to arrays, got "
                            f"{type(mapping).__name__}")
        for label, values in mapping.items():
            values = np.asarray(values)
            if values.ndim != ndim or values.shape[0] != n_values.size:
                raise ValueError(f"{name}[{label!r}] must have {ndim} dimension(s) and "
                                 f"{n_values.size} rows (one per n), got shape {values.shape}")
    colors = ["tab:blue", "tab:orange"]
    for (label, values), color in zip(errors.items(), colors, strict=False):
        values = np.asarray(values)
        seeds = values.shape[1]
        ax.scatter(np.repeat(n_values, seeds), values.ravel(), color=color, s=12)
        ax.loglog(n_values, values.mean(axis=1), color=color, marker="o", label=label)
    for (label, values), color in zip(references.items(), colors, strict=False):
        ax.loglog(n_values, values, color=color, linestyle="--", label=label)
    ax.set_xlabel("number of measurements $n$")
    ax.set_ylabel(r"final error $\|UU^\top - M^\star\|_F$")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
