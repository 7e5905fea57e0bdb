r"""Figures of the fine-tuning chapter: recovery error against gradient steps, the linear rate
of fine-tuning against its predictions, and the final error against the number of
measurements."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from lib._validation import (
    check_float,
    check_instance,
    check_int,
    check_mapping,
    check_matrix,
    check_vector,
)
from lib.optim import History
from lib.plots._checks import check_axes

_ERROR_LABEL = r"recovery error $\|UU^\top - M^\star\|_F$"


def error_vs_iteration(ax: Axes, train: History, fine_tune: History, over: History,
                       *, k: int) -> Axes:
    r"""Recovery error of the pipeline (regularised training, then fine-tuning after pruning,
    marked by a dotted line) and of over-parameterised gradient descent with ``k`` columns
    against the total number of gradient steps, log scale (fine-tuning chapter).

    Returns
    -------
    The axes.
    """
    ax = check_axes("ax", ax)
    train = check_instance("train", train, History)
    fine_tune = check_instance("fine_tune", fine_tune, History)
    over = check_instance("over", over, History)
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
    ax = check_axes("ax", ax)
    history = check_instance("history", history, History)
    if len(check_mapping("rates", rates)) > 3:
        raise ValueError(f"rates must map one to three labels to factors, got {len(rates)}")
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
    ax = check_axes("ax", ax)
    n_values = check_vector("n_values", n_values, minimum=0.0, strict=True, min_length=2)
    for name, mapping in [("errors", errors), ("references", references)]:
        if len(check_mapping(name, mapping)) > 2:
            raise ValueError(f"{name} must map one or two labels to arrays, got {len(mapping)}")
    errors = {label: check_matrix(f"errors[{label!r}]", values, rows=n_values.size)
              for label, values in errors.items()}
    references = {label: check_vector(f"references[{label!r}]", values, n_values.size)
                  for label, values in references.items()}
    colors = ["tab:blue", "tab:orange"]
    for (label, values), color in zip(errors.items(), colors, strict=False):
        seeds = values.shape[1]
        ax.scatter(np.repeat(n_values, seeds), values.ravel(), color=color, s=12)
        ax.loglog(n_values, values.mean(axis=1), color=color, marker="o", label=label)
    for (label, values), color in zip(references.items(), colors, strict=False):
        ax.loglog(n_values, values, color=color, linestyle="--", label=label)
    ax.set_xlabel("number of measurements $n$")
    ax.set_ylabel(r"final error $\|UU^\top - M^\star\|_F$")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
