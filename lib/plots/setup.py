r"""Figures of the setup chapter (``book/01_setup.md``): the empirical loss concentrating around
the population loss."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from lib._validation import check_choice, check_float, check_mapping, check_matrix, check_vector
from lib.plots._checks import check_axes

#: Colour of each sensing kind in the setup chapter's figures.
KIND_COLOURS = {"gaussian": "tab:blue", "rank_one": "tab:orange"}


def concentration(ax: Axes, sizes: np.ndarray, deviations: Mapping[str, np.ndarray],
                  slopes: Mapping[str, float]) -> Axes:
    r"""Log-log plot of the mean relative gap :math:`|L_n(U)/\bar L(U) - 1|` against the number
    of measurements :math:`n`, one line per sensing kind (mean over seeds, shaded 10 to 90 %
    range of the seeds), with the Gaussian prediction :math:`2/\sqrt{\pi n}` dashed.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    sizes : array of int, shape (m,)
        The numbers of measurements :math:`n`.
    deviations : mapping from a kind in ``KIND_COLOURS`` to an array (seeds, m)
        The per-seed mean gaps, as :func:`lib.sensing_statistics.relative_loss_deviation`
        returns them.
    slopes : mapping from the same kinds to float
        The fitted log-log slopes, shown in the legend.

    Returns
    -------
    Axes
        ``ax``.
    """
    check_axes("ax", ax)
    sizes = check_vector("sizes", sizes, minimum=0.0, strict=True, min_length=2)
    deviations = {check_choice("a key of deviations", kind, tuple(KIND_COLOURS)): values
                  for kind, values in check_mapping("deviations", deviations).items()}
    if set(check_mapping("slopes", slopes)) != set(deviations):
        raise ValueError(f"slopes must have the keys of deviations {tuple(deviations)}, got "
                         f"{tuple(slopes)}")
    slopes = {kind: check_float(f"slopes[{kind!r}]", slope) for kind, slope in slopes.items()}
    for kind, values in deviations.items():
        values = check_matrix(f"deviations[{kind!r}]", values)
        if values.shape[1] != sizes.size:
            raise ValueError(f"deviations[{kind!r}] must have shape (seeds, {sizes.size}), got "
                             f"{values.shape}")
    for kind, values in deviations.items():
        values = np.asarray(values, dtype=np.float64)
        low, high = np.percentile(values, [10, 90], axis=0)
        ax.fill_between(sizes, low, high, color=KIND_COLOURS[kind], alpha=0.2)
        ax.loglog(sizes, values.mean(axis=0), "o-", color=KIND_COLOURS[kind], markersize=3.5,
                  label=f"{kind} (slope {slopes[kind]:.2f})")
    ax.loglog(sizes, 2 / np.sqrt(np.pi * sizes), "k--", label=r"$2/\sqrt{\pi n}$")
    ax.set_xlabel("number of measurements $n$")
    ax.set_ylabel(r"mean $|L_n(U) / \bar L(U) - 1|$")
    ax.legend(loc="lower left")
    return ax
