r"""Figures of chapter 10 (``book/10_phase_regularization_noise.md``): phase diagrams of the
pipeline over a grid of two parameters, with derived boundaries drawn on them. Each function
draws onto the axes it is given and returns them.

:func:`phase_heatmap` is the generic piece (one summary value over two grid parameters, from a
frame with one row per grid point such as :func:`lib.phase_cells.summarize` returns);
:func:`boundary_curves` draws named curves over it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from lib._validation import (
    check_bool,
    check_float,
    check_frame,
    check_mapping,
    check_optional_string,
    check_string,
    check_tuple,
)
from lib.plots._checks import check_axes, check_axes_sequence

#: Colour and line style of the i-th boundary curve: light on the dark end of viridis.
_CURVE_STYLES = (("white", "-"), ("tab:red", "--"), ("tab:orange", "-."), ("black", ":"),
                 ("tab:pink", (0, (5, 1, 1, 1))), ("tab:cyan", (0, (3, 1))))

#: What each panel of :func:`regularization_phase_diagram` shows: column, colour-bar label,
#: colour range (None: the data's), colour map.
PANELS = (("exact_fraction", "fraction of seeds\nkeeping exactly r", (0.0, 1.0), "viridis"),
          ("error_ratio", r"final error / $\sigma\sqrt{p/n}$", (1.0, 3.0), "magma_r"),
          ("settled", "steps until the kept\nset settles (median)", None, "cividis"))


def _check_summary(name: str, frame: object, columns: Sequence[str]) -> pd.DataFrame:
    frame = check_frame(name, frame, columns)
    if frame.duplicated(list(columns[:2])).any():
        raise ValueError(f"{name} must have one row per ({columns[0]}, {columns[1]}) grid point "
                         "(summarise the seeds first, lib.phase_cells.summarize)")
    return frame


def _check_columns(**columns: object) -> list[str]:
    """The column names given as keyword arguments, each checked to be a non-empty string."""
    return [check_string(name, column) for name, column in columns.items()]


def _check_curves(curves: object) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    curves = check_mapping("curves", curves)
    if len(curves) > len(_CURVE_STYLES):
        raise ValueError(f"curves holds {len(curves)} curves, at most {len(_CURVE_STYLES)} "
                         "can be told apart")
    checked = {}
    for label, pair in curves.items():
        if not isinstance(label, str):
            raise TypeError(f"curves: labels must be strings, got {label!r}")
        if not isinstance(pair, Sequence) or len(pair) != 2:
            raise TypeError(f"curves[{label!r}] must be a pair (x values, y values), got {pair!r}")
        xs, ys = (np.asarray(values, dtype=np.float64) for values in pair)
        if xs.ndim != 1 or xs.shape != ys.shape or xs.size < 2 \
                or not np.all(np.isfinite(xs)) or not np.all(np.isfinite(ys)):
            raise ValueError(f"curves[{label!r}] must hold two 1-D arrays of the same length "
                             f"(at least 2) of finite numbers, got shapes {xs.shape}, {ys.shape}")
        checked[label] = (xs, ys)
    return checked


def _cell_edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Edges of cells centred on sorted grid values: midpoints (geometric on a log axis), the
    outer edges half a step beyond the ends (one unit either side for a single value)."""
    if not np.all(np.isfinite(centres)) or (log and np.any(centres <= 0)):
        raise ValueError(f"grid values must be finite and, on a log axis, > 0; got {centres}")
    values = np.log(centres) if log else centres
    if values.size == 1:
        edges = values + np.array([-0.5, 0.5])
    else:
        middle = (values[1:] + values[:-1]) / 2
        edges = np.concatenate([[2 * values[0] - middle[0]], middle,
                                [2 * values[-1] - middle[-1]]])
    return np.exp(edges) if log else edges


def phase_heatmap(ax: Axes, summary: pd.DataFrame, x: str, y: str, value: str, *,
                  log_x: bool = True, log_y: bool = True, limits: tuple[float, float] | None = None,
                  cmap: str = "viridis", label: str | None = None) -> Axes:
    """``value`` of each grid point of ``summary`` as a coloured cell at (``x``, ``y``), with a
    colour bar (chapter 10). Cells are centred on the grid values (edges at the midpoints,
    geometric ones on a log axis), on log axes by default.

    Parameters
    ----------
    ax : Axes
    summary : pandas.DataFrame
        One row per grid point (:func:`lib.phase_cells.summarize`), columns ``x``, ``y`` and
        ``value``; a missing grid point is left blank.
    x, y, value : str
        Column names.
    log_x, log_y : bool
    limits : (float, float), optional
        Colour range; default the data's.
    cmap : str
    label : str, optional
        Colour-bar label; default ``value``.
    """
    ax = check_axes("ax", ax)
    x, y, value = _check_columns(x=x, y=y, value=value)
    summary = _check_summary("summary", summary, [x, y, value])
    log_x, log_y = check_bool("log_x", log_x), check_bool("log_y", log_y)
    if limits is not None:
        low, high = (check_float(f"limits[{i}]", bound)
                     for i, bound in enumerate(check_tuple("limits", limits, 2)))
        if not low < high:
            raise ValueError(f"limits must be a pair (low, high) with low < high, got {limits!r}")
    cmap = check_string("cmap", cmap)
    label = check_optional_string("label", label)
    table = summary.pivot(index=y, columns=x, values=value).sort_index().sort_index(axis=1)
    vmin, vmax = (None, None) if limits is None else limits
    mesh = ax.pcolormesh(_cell_edges(table.columns.to_numpy(float), log_x),
                         _cell_edges(table.index.to_numpy(float), log_y),
                         table.to_numpy(float), shading="flat", cmap=cmap, vmin=vmin,
                         vmax=vmax)
    ax.set_xscale("log" if log_x else "linear")
    ax.set_yscale("log" if log_y else "linear")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.grid(False)
    ax.figure.colorbar(mesh, ax=ax, label=value if label is None else label, shrink=0.9)
    return ax


def boundary_curves(ax: Axes, curves: Mapping[str, tuple[Any, Any]]) -> Axes:
    """Draw each curve ``label -> (x values, y values)`` of ``curves`` on ``ax`` in its own
    colour and line style, labelled for a legend (chapter 10), keeping the axes' limits."""
    ax = check_axes("ax", ax)
    checked = _check_curves(curves)
    limits = ax.get_xlim(), ax.get_ylim()
    for (label, (xs, ys)), (color, style) in zip(checked.items(), _CURVE_STYLES, strict=False):
        ax.plot(xs, ys, color=color, linestyle=style, linewidth=1.8, label=label)
    ax.set_xlim(limits[0])
    ax.set_ylim(limits[1])
    return ax


def regularization_phase_diagram(axes: Sequence[Axes], summary: pd.DataFrame,
                                 curves: Mapping[str, tuple[Any, Any]], *, x: str = "beta",
                                 y: str = "lam_ratio") -> Sequence[Axes]:
    r"""Three panels over the :math:`(\beta, \lambda/\lambda_{\text{low}})` grid (chapter 10):
    the fraction of seeds keeping exactly r columns, the median final error over
    :math:`\sigma\sqrt{p/n}`, the median steps until the kept set settles (:data:`PANELS`),
    each with the boundary ``curves`` drawn on it and one legend below the figure.
    """
    axes = check_axes_sequence("axes", axes, len(PANELS))
    x, y = _check_columns(x=x, y=y)
    summary = _check_summary("summary", summary, [x, y, *(panel[0] for panel in PANELS)])
    _check_curves(curves)
    for ax, (value, label, limits, cmap) in zip(axes, PANELS, strict=True):
        phase_heatmap(ax, summary, x, y, value, limits=limits, cmap=cmap, label=label)
        boundary_curves(ax, curves)
        ax.set_xlabel(r"$\beta$")
        ax.set_ylabel(r"$\lambda / \lambda_{\mathrm{low}}$")
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].figure.legend(handles, labels, loc="outside lower center", ncols=2,
                          facecolor="lightgray")
    return axes


def noise_phase_diagram(ax: Axes, summary: pd.DataFrame, curves: Mapping[str, tuple[Any, Any]],
                        *, x: str = "sigma", y: str = "lam") -> Axes:
    r"""The fraction of seeds keeping exactly r columns over the :math:`(\sigma, \lambda)` grid
    (chapter 10; linear in :math:`\sigma`, logarithmic in :math:`\lambda`), with the noise bounds
    ``curves`` drawn on it and a legend below the axes."""
    ax = check_axes("ax", ax)
    x, y = _check_columns(x=x, y=y)
    _check_summary("summary", summary, [x, y, "exact_fraction"])
    _check_curves(curves)
    phase_heatmap(ax, summary, x, y, "exact_fraction", log_x=False, limits=(0.0, 1.0),
                  label=PANELS[0][1])
    boundary_curves(ax, curves)
    ax.set_xlabel(r"noise $\sigma$")
    ax.set_ylabel(r"$\lambda$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, facecolor="lightgray")
    return ax
