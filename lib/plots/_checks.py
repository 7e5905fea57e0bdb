"""Argument checks shared by the plotting modules of :mod:`lib.plots`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes


def check_axes(name: str, ax: object) -> Axes:
    """Return ``ax`` after checking it is a matplotlib ``Axes``."""
    if not isinstance(ax, Axes):
        raise TypeError(f"{name} must be a matplotlib Axes, got {type(ax).__name__}")
    return ax


def check_axes_sequence(name: str, axes: object, count: int) -> list[Axes]:
    """Return ``axes`` as a list after checking it holds ``count`` matplotlib ``Axes``."""
    if not isinstance(axes, Sequence) and not hasattr(axes, "__array__"):
        raise TypeError(f"{name} must be a sequence of {count} matplotlib Axes, "
                        f"got {type(axes).__name__}")
    items = list(axes)
    if len(items) != count:
        raise ValueError(f"{name} must hold {count} Axes, got {len(items)}")
    return [check_axes(f"{name}[{i}]", item) for i, item in enumerate(items)]


def check_mapping(name: str, value: object) -> Mapping:
    """Return ``value`` after checking it is a non-empty mapping (label -> data)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of label -> data, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value
