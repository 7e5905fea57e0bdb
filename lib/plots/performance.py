r"""Figures of the performance chapter (``book/07_performance.md``): the time of one gradient,
lib against the hand-written versions, JAX and the hardware floor."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from lib._validation import check_items, check_strings
from lib.plots._checks import check_axes_sequence

#: Bar colour of each kind of implementation (any other implementation is hand-written).
IMPLEMENTATION_COLOURS = {"lib": "tab:blue", "hand-written": "tab:orange",
                          "jax.jit": "tab:green", "floor": "tab:grey"}
_LEGEND_LABELS = {"lib": "lib", "hand-written": "hand-written", "jax.jit": "JAX",
                  "floor": "hardware floor"}


def _colour(implementation: str) -> str:
    kind = implementation.split(" ")[0].rstrip(":")
    return IMPLEMENTATION_COLOURS.get(kind, IMPLEMENTATION_COLOURS["hand-written"])


def gradient_times(axes: Sequence[Axes] | np.ndarray, rows: Sequence[object],
                   cases: Sequence[str]) -> np.ndarray:
    r"""One horizontal bar chart per case: the milliseconds per gradient of every
    implementation measured on it, coloured by kind (``IMPLEMENTATION_COLOURS``), each bar
    labelled with its time; one legend for the figure, below the panels.

    Parameters
    ----------
    axes : sequence or array of Axes
        One axes per case (any shape; taken in row-major order).
    rows : sequence of benchmark rows
        Objects with attributes ``case`` (str), ``implementation`` (str; the text before a
        colon is the bar's label) and ``seconds`` (float, or None for a row not measured,
        which is left out), as ``benchmarks.bench_gradient.benchmark_case`` returns them.
    cases : sequence of str
        The case names, one per axes.

    Returns
    -------
    numpy.ndarray of Axes
        The axes, flattened.
    """
    flat = np.asarray(check_axes_sequence("axes", axes, None), dtype=object)
    cases = check_strings("cases", cases)
    if len(cases) != flat.size:
        raise ValueError(f"cases must hold {flat.size} case names (one per axes), got {cases!r}")
    rows = check_items("rows", rows)
    if not rows:
        raise ValueError("rows must not be empty")
    for i, row in enumerate(rows):
        if not all(hasattr(row, field) for field in ("case", "implementation", "seconds")):
            raise TypeError(f"rows[{i}] must have the attributes case, implementation and "
                            f"seconds (a benchmark row), got {row!r}")
    for ax, case in zip(flat, cases, strict=True):
        measured = [row for row in rows if row.case == case and row.seconds is not None]
        if not measured:
            raise ValueError(f"rows has no measured row for the case {case!r}")
        times = [row.seconds * 1e3 for row in measured]
        ax.barh([row.implementation.split(":")[0] for row in measured], times,
                color=[_colour(row.implementation) for row in measured])
        for position, value in enumerate(times):
            ax.text(value, position, f" {value:.3g}", va="center", fontsize=9)
        ax.set(xlabel="ms per gradient", title=case, xlim=(0, 1.3 * max(times)))
        ax.invert_yaxis()
    handles = [Patch(color=colour, label=_LEGEND_LABELS[kind])
               for kind, colour in IMPLEMENTATION_COLOURS.items()]
    flat[0].figure.legend(handles=handles, loc="outside lower center", ncol=4)
    return flat
