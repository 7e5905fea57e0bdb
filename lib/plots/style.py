r"""The book's figure style: one width, one resolution, text legible at the displayed size.

The book's pages show a figure at the width of the text column, about 750 px in a 1400 px window.
A figure made by :func:`figure` is :data:`WIDTH` inches wide at :data:`DPI` dots per inch, so its
PNG is 1125 px wide and is shown at about two thirds of its size; text of :data:`FONT_SIZE` points
is then :math:`10 \cdot 150 / 72 \cdot 2/3 \approx 14` px tall on the page, above the 9 px the
browser test of the book requires. Every chapter's figure cell starts with :func:`figure`, then
calls the plotting functions of :mod:`lib.plots`, each of which draws onto the axes it is given.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lib._validation import check_bool, check_float, check_int

#: Width of a full-width figure, in inches.
WIDTH = 7.5
#: Height of one row of panels, in inches.
ROW_HEIGHT = 3.2
#: Resolution of the PNG the notebook stores and the book shows.
DPI = 150
#: Base font size in points (tick labels one point smaller).
FONT_SIZE = 10

#: The rc parameters :func:`figure` applies before making a figure.
RC = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE - 1,
    "ytick.labelsize": FONT_SIZE - 1,
    "legend.fontsize": FONT_SIZE - 1,
    "legend.framealpha": 0.9,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def figure(ncols: int = 1, nrows: int = 1, *, height: float | None = None,
           sharex: bool = False, sharey: bool = False) -> tuple[Figure, Axes | np.ndarray]:
    """A figure of the book's size with ``nrows`` x ``ncols`` axes, in the book's style.

    Parameters
    ----------
    ncols, nrows : int
        Panels across and down (at least 1).
    height : float, optional
        Total height in inches; default :data:`ROW_HEIGHT` times ``nrows``.
    sharex, sharey : bool
        Passed to :func:`matplotlib.pyplot.subplots`.

    Returns
    -------
    (Figure, Axes or numpy.ndarray of Axes)
        As :func:`matplotlib.pyplot.subplots` returns them, with constrained layout.
    """
    ncols = check_int("ncols", ncols, minimum=1)
    nrows = check_int("nrows", nrows, minimum=1)
    if height is None:
        height = ROW_HEIGHT * nrows
    height = check_float("height", height, minimum=0.0, strict=True)
    sharex = check_bool("sharex", sharex)
    sharey = check_bool("sharey", sharey)
    mpl.rcParams.update(RC)
    return plt.subplots(nrows, ncols, figsize=(WIDTH, height), dpi=DPI, layout="constrained",
                        sharex=sharex, sharey=sharey)

