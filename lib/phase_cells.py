r"""The cells of a phase diagram from the runs of a sweep (chapter 10,
``book/10_phase_regularization_noise.md``).

A sweep of the task ``train_prune_finetune`` (:mod:`lib.sweep.tasks`) gives one row per
(grid point, seed). :func:`summarize` reduces it to one row per grid point: the fraction of seeds
that keep exactly r columns, the final error over the statistical error
:math:`\sigma\sqrt{p/n}` (:func:`lib.theory.statistical_error`), and the steps until the kept set
settles; :func:`run_grid` runs a small grid in this process (the live grids of the chapter),
:func:`transitions` locates, along one axis, where the fraction crosses a level.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

import lib.sweep
from lib._validation import check_float, check_frame, check_string, check_strings
from lib.sweep import read_spec, run_cell
from lib.theory import statistical_error

if TYPE_CHECKING:
    import pandas as pd

_NEEDED = ("d", "r", "n", "sigma", "kept", "error_final", "settled_iteration")


def run_grid(spec: lib.sweep.Spec | Mapping[str, Any] | str) -> pd.DataFrame:
    r"""Every run of a small sweep ``spec`` in this process, in the order of its cells: the
    rows :func:`lib.sweep.load` gives for a store of the same spec (chapter 10's live grids;
    :func:`lib.sweep.run` for anything larger). The pipeline's warnings (a run that keeps
    other than r columns, a :math:`\lambda` above the kill bound) are expected on a phase
    diagram and silenced; the rows record what happened."""
    import pandas as pd

    spec = read_spec(spec)
    with warnings.catch_warnings(action="ignore", category=UserWarning):
        rows = [{**cell.arguments, "seed": cell.seed, **run_cell(spec.task, cell)}
                for cell in spec.cells()]
    return pd.DataFrame(rows)


def summarize(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    r"""One row per grid point of a ``train_prune_finetune`` sweep (chapter 10).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of :func:`lib.sweep.load` (or the same columns): at least ``d r n sigma kept
        error_final settled_iteration`` and the columns ``by``; every ``sigma`` > 0.
    by : sequence of str
        The grid parameters (e.g. ``["lam_ratio", "beta"]``).

    Returns
    -------
    pandas.DataFrame
        Columns ``by`` and ``seeds`` (runs at the point), ``exact_fraction`` (fraction with
        ``kept == r``), ``kept_median``, ``error_ratio`` (median over seeds of
        :math:`\|U_{\text{final}}U_{\text{final}}^\top - M^*\|_F / (\sigma\sqrt{p/n})`) and
        ``settled`` (median ``settled_iteration``), sorted by ``by``.
    """
    by = check_strings("by", by)
    frame = check_frame("frame", frame, [*_NEEDED, *by])
    if not (frame["sigma"] > 0).all():
        raise ValueError("frame: every sigma must be > 0 (the error is reported relative to "
                         f"sigma sqrt(p/n)); got sigma values {sorted(set(frame['sigma']))}")
    reference = [statistical_error(int(d), int(r), int(n), float(sigma))
                 for d, r, n, sigma in frame[["d", "r", "n", "sigma"]].itertuples(index=False)]
    rows = frame.assign(exact=frame["kept"] == frame["r"],
                        ratio=frame["error_final"] / np.asarray(reference))
    grouped = rows.groupby(list(by), sort=True)
    return grouped.agg(seeds=("kept", "size"), exact_fraction=("exact", "mean"),
                       kept_median=("kept", "median"), error_ratio=("ratio", "median"),
                       settled=("settled_iteration", "median")).reset_index()


def transitions(summary: pd.DataFrame, across: str, along: str, *,
                value: str = "exact_fraction", level: float = 0.5) -> pd.DataFrame:
    r"""Where ``value`` reaches ``level`` along ``along``, for each value of ``across``
    (chapter 10: the measured edges of the band where pruning keeps exactly r columns).

    For each value of ``across``, with the grid values of ``along`` in increasing order:
    ``lower`` is the first value with ``value >= level`` and ``below_lower`` the grid value
    before it (the edge lies between the two); ``upper`` the last such value and
    ``above_upper`` the one after it. Edges at the end of the grid are reported as the grid's
    end (``below_lower == lower`` or ``above_upper == upper``): the transition is then outside the
    grid. Values of ``across`` where ``value`` never reaches ``level`` are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``across``, ``below_lower``, ``lower``, ``upper``, ``above_upper``.
    """
    import pandas as pd

    across, along, value = (check_string(name, column) for name, column in
                            (("across", across), ("along", along), ("value", value)))
    summary = check_frame("summary", summary, [across, along, value])
    level = check_float("level", level)
    rows = []
    for key, group in summary.groupby(across, sort=True):
        group = group.sort_values(along)
        grid = group[along].to_numpy()
        hits = np.flatnonzero(group[value].to_numpy() >= level)
        if hits.size == 0:
            continue
        first, last = hits[0], hits[-1]
        rows.append({across: key, "below_lower": grid[max(first - 1, 0)], "lower": grid[first],
                     "upper": grid[last], "above_upper": grid[min(last + 1, grid.size - 1)]})
    return pd.DataFrame(rows, columns=[across, "below_lower", "lower", "upper", "above_upper"])
