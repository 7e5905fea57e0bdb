"""Argument checks shared by every public entry point of :mod:`lib`.

Each check raises a ``TypeError`` (wrong kind of object) or a ``ValueError`` (right kind, wrong
value) whose message names the argument, the value received and what is allowed. The checks cost
at most one pass over the input and are called at the boundary, never inside an iteration loop.
"""

from __future__ import annotations

import numbers
import os
import sys
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
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


#: Largest magnitude an array entry may have: the squares and the sums of products the
#: computations form from larger numbers overflow float64 (about 1.8e308).
MAX_MAGNITUDE = 1e150


def _check_magnitude(name: str, array: np.ndarray) -> None:
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite entries "
                         f"({int(np.sum(~np.isfinite(array)))} of {array.size}); every entry "
                         "must be finite")
    if array.size and (largest := float(np.max(np.abs(array)))) > MAX_MAGNITUDE:
        raise ValueError(f"{name} must have entries of magnitude at most {MAX_MAGNITUDE:g} "
                         f"(their squares overflow float64), got {largest:.3g}")


def _real_array(name: str, value: object, what: str, *, integer: bool = False) -> np.ndarray:
    """``value`` (an array, a list or tuple, or anything with ``__array__`` such as a pandas
    Series) as a NumPy array of a real integer or floating dtype (integer with ``integer``);
    booleans, strings, complex numbers and objects raise a TypeError naming ``name``."""
    if isinstance(value, list | tuple | range) or (
            hasattr(value, "__array__") and not isinstance(value, np.ndarray | str)):
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be {what} of real numbers, got "
                            f"{_describe(value)}") from error
    else:
        array = value
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{name} must be {what} of real numbers, got {_describe(value)}")
    if integer and array.size == 0:
        array = array.astype(np.int64)  # an empty list has no integer dtype of its own
    if integer and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must have an integer dtype, got {array.dtype}")
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{name} must have a real dtype, got {array.dtype}")
    return array


def check_matrix(name: str, value: object, *, rows: int | None = None,
                 cols: int | None = None) -> np.ndarray:
    """Return ``value`` as a 2-D float64 array with the given number of rows/columns, at least
    one column, and finite entries of magnitude at most :data:`MAX_MAGNITUDE`.

    Integer, float16 and float32 arrays (and lists) are converted to float64, so that no
    computation overflows in a narrower type; booleans, complex numbers and objects are
    refused.
    """
    value = _real_array(name, value, "a 2-D array")
    if value.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {value.shape}")
    if rows is not None and value.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows (the dimension d of the problem), "
                         f"got shape {value.shape}")
    if cols is not None and value.shape[1] != cols:
        raise ValueError(f"{name} must have {cols} columns, got shape {value.shape}")
    if value.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column, got shape {value.shape}")
    value = value.astype(np.float64, copy=False)
    _check_magnitude(name, value)
    return value


def check_float_dtype(name: str, value: object) -> np.dtype:
    """Return ``value`` (``numpy.float64`` or ``numpy.float32``, as a type, a ``numpy.dtype`` or
    a name such as ``"float32"``) as a ``numpy.dtype``."""
    if not isinstance(value, type | np.dtype | str):
        raise TypeError(f"{name} must be float64 or float32 (a NumPy type, dtype or name), got "
                        f"{_describe(value)}")
    try:
        dtype = np.dtype(value)
    except TypeError as error:
        raise TypeError(f"{name} must be float64 or float32, got {value!r}") from error
    if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"{name} must be float64 or float32, got {dtype}")
    return dtype


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


def check_string(name: str, value: object) -> str:
    """Return ``value`` after checking it is a non-empty ``str``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {_describe(value)}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def check_bool(name: str, value: object) -> bool:
    """Check that ``value`` is a ``bool`` (or NumPy bool)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def check_callable(name: str, value: object, *, optional: bool = False) -> None:
    """Check that ``value`` is callable (or None, with ``optional=True``)."""
    if value is None and optional:
        return
    if not callable(value):
        what = "callable or None" if optional else "callable"
        raise TypeError(f"{name} must be {what}, got {_describe(value)}")


def check_optional_string(name: str, value: object) -> str | None:
    """Return ``value`` after checking it is None or a non-empty ``str``."""
    return None if value is None else check_string(name, value)


def check_items(name: str, value: object) -> list:
    """Return ``value`` as a list after checking it is an iterable of items (a list, tuple,
    range or generator, not a string)."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list (or another iterable) of items, got "
                        f"{_describe(value)}")
    return list(value)


def check_array(name: str, value: object) -> np.ndarray:
    """Return ``value`` (a real number or an array of any shape) as a finite float64 array
    with entries of magnitude at most :data:`MAX_MAGNITUDE`."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = np.float64(value)
    array = _real_array(name, np.asarray(value) if isinstance(value, np.generic) else value,
                        "a number or an array").astype(np.float64)
    _check_magnitude(name, array)
    return array


def check_mask(name: str, value: object, length: int, *, per: str = "record") -> np.ndarray:
    """Return ``value`` as a 1-D bool array of ``length`` entries, one per ``per`` (a record
    of the history, a value of x, a run), as the messages say."""
    array = np.asarray(value) if isinstance(value, list | tuple) else value
    if not isinstance(array, np.ndarray) or array.dtype != bool:
        raise TypeError(f"{name} must be a bool array (one entry per {per}), got "
                        f"{_describe(value)}")
    if array.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},) (one entry per {per}), got "
                         f"{array.shape}")
    return array


def check_vector(name: str, value: object, length: int | None = None, *,
                 minimum: float | None = None, strict: bool = False,
                 maximum: float | None = None, min_length: int = 1,
                 integer: bool = False) -> np.ndarray:
    """Return ``value`` as a finite 1-D float64 array (int64 with ``integer=True``, which
    requires an integer dtype) of ``length`` entries (at least ``min_length`` when ``length``
    is None), every entry ``>= minimum`` (``> minimum`` with ``strict=True``) and
    ``<= maximum``.

    Accepts a NumPy array, a list or tuple, or anything with ``__array__`` (a pandas Series) of
    a real integer or floating dtype; booleans, strings, complex numbers and objects are refused.
    """
    array = _real_array(name, value, "a 1-D array", integer=integer)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {array.shape}")
    if length is not None and array.size != length:
        raise ValueError(f"{name} must have {length} entries, got shape {array.shape}")
    if array.size < min_length:
        raise ValueError(f"{name} must have at least {min_length} entries, got shape "
                         f"{array.shape}")
    array = array.astype(np.int64 if integer else np.float64)
    _check_magnitude(name, array)
    if array.size and minimum is not None:
        smallest = array.min()
        if strict and smallest <= minimum:
            raise ValueError(f"{name} must hold values > {minimum}, got {smallest}")
        if not strict and smallest < minimum:
            raise ValueError(f"{name} must hold values >= {minimum}, got {smallest}")
    if array.size and maximum is not None and array.max() > maximum:
        raise ValueError(f"{name} must hold values <= {maximum}, got {array.max()}")
    return array


def type_name(cls: type | types.UnionType) -> str:
    """How messages name a class: ``lib.Problem`` for what :mod:`lib` exports, else its module
    path (``lib.two_layer.TwoLayerNetwork``, ``matplotlib.axes.Axes``; ``list or tuple`` for
    builtins and unions)."""
    if isinstance(cls, types.UnionType):
        return " or ".join(type_name(member) for member in typing.get_args(cls))
    if cls.__module__ == "builtins":
        return cls.__qualname__
    exported = getattr(sys.modules.get("lib"), cls.__name__, None)
    if exported is cls:
        return f"lib.{cls.__name__}"
    module = cls.__module__
    if module.startswith("matplotlib."):
        module = module.rsplit(".", 1)[0].removesuffix("._axes")
    return f"{module}.{cls.__qualname__}"


def check_instance(name: str, value: object, cls: type | types.UnionType) -> object:
    """Return ``value`` after checking it is an instance of ``cls``."""
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be a {type_name(cls)}, got {_describe(value)}")
    return value


def check_sequence(name: str, value: object, cls: type | types.UnionType) -> list:
    """Return ``value`` as a list after checking it is a non-empty sequence of ``cls``."""
    if not isinstance(value, list | tuple):
        raise TypeError(f"{name} must be a non-empty list of {type_name(cls)}, got "
                        f"{_describe(value)}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return [check_instance(f"{name}[{i}]", item, cls) for i, item in enumerate(value)]


def check_mapping(name: str, value: object) -> Mapping:
    """Return ``value`` after checking it is a non-empty mapping (label -> data)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of label -> data, got {_describe(value)}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def check_path(name: str, value: object, what: str = "path") -> Path:
    """Return ``value`` (a ``str`` or ``os.PathLike``, not empty) as a ``pathlib.Path``;
    ``what`` says what the path is for ("file path", "directory path")."""
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{name} must be a {what} (str or os.PathLike), got {_describe(value)}")
    if not os.fspath(value):
        raise ValueError(f"{name} must be a non-empty {what}, got {value!r}")
    return Path(value)


def check_strings(name: str, value: object) -> list[str]:
    """Return ``value`` as a list after checking it is a non-empty list or tuple of strings."""
    if not isinstance(value, list | tuple):
        raise TypeError(f"{name} must be a non-empty list of strings, got {_describe(value)}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{i}] must be a string, got {_describe(item)}")
    return list(value)


def check_choices(name: str, value: object, allowed: tuple[str, ...]) -> list[str]:
    """Return ``value`` as a list after checking it is a non-empty list or tuple of strings,
    each one of ``allowed``."""
    return [check_choice(f"{name}[{i}]", item, allowed)
            for i, item in enumerate(check_strings(name, value))]


def check_result(what: str, value: object, name: str, argument: np.ndarray) -> None:
    """Raise a ValueError naming the argument ``name`` when the computed ``value`` (``what``)
    is not finite: the arithmetic overflowed float64 for an ``argument`` this large."""
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{what} overflows float64 at this {name} (largest |entry| "
                         f"{float(np.max(np.abs(argument))):.3g}): {name} is too large")


def check_tuple(name: str, value: object, length: int) -> tuple:
    """Return ``value`` as a tuple after checking it is a tuple or list of ``length`` items."""
    if not isinstance(value, tuple | list):
        raise TypeError(f"{name} must be a tuple of {length} items, got {_describe(value)}")
    if len(value) != length:
        raise ValueError(f"{name} must have {length} items, got {len(value)}")
    return tuple(value)


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
