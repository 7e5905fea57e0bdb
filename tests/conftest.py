"""Shared helpers for the lib tests: finite differences and relative errors (dense Hessians
come from :func:`lib.dense_hessian`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def central_difference(function: Callable[[np.ndarray], float], U: np.ndarray,
                       direction: np.ndarray, h: float = 1e-5) -> float:
    """Directional derivative of ``function`` at ``U`` along ``direction``, O(h^2) accurate."""
    return (function(U + h * direction) - function(U - h * direction)) / (2 * h)


def relative_error(a: np.ndarray | float, b: np.ndarray | float) -> float:
    """||a - b|| / max(||b||, 1e-300)."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b))
                 / max(np.linalg.norm(np.asarray(b)), 1e-300))
