"""Shared helpers for the lib tests: finite differences and dense Hessians."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def central_difference(function: Callable[[np.ndarray], float], U: np.ndarray,
                       direction: np.ndarray, h: float = 1e-5) -> float:
    """Directional derivative of ``function`` at ``U`` along ``direction``, O(h^2) accurate."""
    return (function(U + h * direction) - function(U - h * direction)) / (2 * h)


def dense_hessian(hvp: Callable[[np.ndarray, np.ndarray], np.ndarray],
                  U: np.ndarray) -> np.ndarray:
    """The (dk x dk) Hessian assembled column by column from Hessian-vector products."""
    size = U.size
    columns = []
    for index in range(size):
        basis = np.zeros(size)
        basis[index] = 1.0
        columns.append(hvp(U, basis.reshape(U.shape)).ravel())
    return np.array(columns).T


def relative_error(a: np.ndarray | float, b: np.ndarray | float) -> float:
    """||a - b|| / max(||b||, 1e-300)."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b))
                 / max(np.linalg.norm(np.asarray(b)), 1e-300))
