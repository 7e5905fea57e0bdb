"""Argument checks shared by every public entry point of :mod:`lib`.

Each check raises a ``TypeError`` (wrong kind of object) or a ``ValueError`` (right kind, wrong
value) whose message names the argument, the value received and what is allowed. The checks cost
at most one pass over the input and are called at the boundary, never inside an iteration loop.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_int(name: str, value: object, *, minimum: int | None = None,
              maximum: int | None = None) -> int:
    """Return ``value`` as ``int`` after checking it is an integer in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_float(name: str, value: object, *, minimum: float | None = None,
                strict: bool = False, maximum: float | None = None) -> float:
    """Return ``value`` as a finite ``float`` after checking its range.

    ``strict=True`` makes the lower bound exclusive (``value > minimum``).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None:
        if strict and value <= minimum:
            raise ValueError(f"{name} must be > {minimum}, got {value}")
        if not strict and value < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """Check that ``value`` is one of the strings in ``allowed``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {allowed}, got {_describe(value)}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_matrix(name: str, value: object, *, rows: int | None = None,
                 cols: int | None = None) -> np.ndarray:
    """Return ``value`` as a finite 2-D floating array with the given number of rows/columns.

    Integer arrays are converted to float64; float32 arrays are kept as they are.
    """
    if not isinstance(value, np.ndarray):
        if isinstance(value, list | tuple):
            value = np.asarray(value)
        else:
            raise TypeError(f"{name} must be a 2-D numpy array, got {_describe(value)}")
    if value.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {value.shape}")
    if not (np.issubdtype(value.dtype, np.floating) or np.issubdtype(value.dtype, np.integer)):
        raise TypeError(f"{name} must have a real floating dtype, got {value.dtype}")
    if not np.issubdtype(value.dtype, np.floating):
        value = value.astype(np.float64)
    if rows is not None and value.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows (the dimension d of the problem), "
                         f"got shape {value.shape}")
    if cols is not None and value.shape[1] != cols:
        raise ValueError(f"{name} must have {cols} columns, got shape {value.shape}")
    if value.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column, got shape {value.shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    return value


def make_rng(name: str, seed: object) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from an integer seed or an existing generator.

    Global NumPy random state is never used.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be an integer seed or a numpy.random.Generator, "
                        f"got {_describe(seed)}")
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {seed}")
    return np.random.default_rng(int(seed))


def check_bool(name: str, value: object) -> bool:
    """Check that ``value`` is a ``bool`` (or NumPy bool)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def check_callable(name: str, value: object) -> None:
    """Check that ``value`` is ``None`` or callable."""
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, got {_describe(value)}")


def check_vector(name: str, value: object, length: int | None = None) -> np.ndarray:
    """Return ``value`` as a finite 1-D float64 array (of ``length`` entries when given)."""
    array = np.asarray(value) if isinstance(value, list | tuple) else value
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{name} must be a 1-D numpy array, got {_describe(value)}")
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{name} must have a real dtype, got {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {array.shape}")
    if length is not None and array.size != length:
        raise ValueError(f"{name} must have {length} entries, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    return array.astype(np.float64)


def check_norms(name: str, norms: object) -> np.ndarray:
    """``norms`` as a 1-D float array of finite non-negative values (at least one)."""
    if not isinstance(norms, np.ndarray | list | tuple):
        raise TypeError(f"{name} must be a 1-D array of column norms, got {type(norms).__name__}")
    values = np.asarray(norms, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {values.shape}")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"{name} must hold finite non-negative norms")
    return values


def check_frame(name: str, frame: object, columns: Sequence[str]) -> pd.DataFrame:
    """Return ``frame`` after checking it is a non-empty pandas DataFrame with ``columns``."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    if frame.empty:
        raise ValueError(f"{name} must hold at least one row")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {missing}; it has {list(frame.columns)}")
    return frame
