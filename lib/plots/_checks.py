"""Argument checks of the axes every plotting function of :mod:`lib.plots` draws onto."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from lib._validation import check_instance


def check_axes(name: str, ax: object) -> Axes:
    """Return ``ax`` after checking it is a matplotlib ``Axes``."""
    return check_instance(name, ax, Axes)


def check_axes_sequence(name: str, axes: object, count: int | None) -> list[Axes]:
    """Return ``axes`` (a sequence or an array of any shape, as :func:`lib.plots.figure`
    returns it) as a flat list after checking it holds ``count`` matplotlib ``Axes`` (any
    number but zero when ``count`` is None)."""
    if isinstance(axes, Axes | str) or not isinstance(axes, Sequence | np.ndarray):
        raise TypeError(f"{name} must be a sequence of {count or 'one or more'} matplotlib "
                        f"Axes, got {type(axes).__name__}")
    items = [check_axes(f"{name}[{i}]", item)
             for i, item in enumerate(np.ravel(np.asarray(axes, dtype=object)))]
    if not items or (count is not None and len(items) != count):
        raise ValueError(f"{name} must hold {count or 'one or more'} Axes, got {len(items)}")
    return items
