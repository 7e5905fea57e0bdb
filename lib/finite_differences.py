r"""Central finite differences, the reference the analytic derivatives are checked against.

With step :math:`h`, the error is :math:`O(h^2)` from the Taylor expansion plus
:math:`O(\epsilon_{\text{mach}}/h)` from rounding:

.. math::

   \frac{\partial f}{\partial U_{ab}} \approx \frac{f(U + hE_{ab}) - f(U - hE_{ab})}{2h},
   \qquad
   \nabla^2 f(U)[V] \approx \frac{\nabla f(U + hV) - \nabla f(U - hV)}{2h}.

Setup chapter (``book/01_setup.md``, "Derivatives against finite differences") and the tests.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lib._validation import check_array, check_callable, check_float, check_matrix

#: The default step h: rounding and truncation errors are both about 1e-10 relative.
STEP = 1e-5


def central_difference(function: Callable[[np.ndarray], float], U: np.ndarray,
                       direction: np.ndarray, h: float = STEP) -> float:
    r"""Directional derivative :math:`(f(U + hV) - f(U - hV)) / 2h` of ``function`` at ``U``
    along ``direction`` :math:`V`, :math:`O(h^2)` accurate. Setup chapter."""
    check_callable("function", function)
    U = check_matrix("U", U)
    direction = check_matrix("direction", direction, rows=U.shape[0], cols=U.shape[1])
    h = check_float("h", h, minimum=0.0, strict=True)
    return (function(U + h * direction) - function(U - h * direction)) / (2 * h)


def finite_difference_gradient(function: Callable[[np.ndarray], float], U: np.ndarray, *,
                               h: float = STEP) -> np.ndarray:
    r"""The gradient of ``function`` at ``U``, one central difference per entry
    (:math:`2 \cdot` ``U.size`` evaluations of ``function``). Setup chapter."""
    check_callable("function", function)
    U = check_matrix("U", U)
    h = check_float("h", h, minimum=0.0, strict=True)
    gradient = np.zeros_like(U)
    for index in np.ndindex(U.shape):
        unit = np.zeros_like(U)
        unit[index] = 1.0
        gradient[index] = central_difference(function, U, unit, h)
    return gradient


def finite_difference_hvp(gradient: Callable[[np.ndarray], np.ndarray], U: np.ndarray,
                          V: np.ndarray, *, h: float = STEP) -> np.ndarray:
    r"""The Hessian-vector product :math:`(\nabla f(U + hV) - \nabla f(U - hV)) / 2h` from the
    gradient ``gradient`` of :math:`f`. Setup chapter."""
    check_callable("gradient", gradient)
    U = check_matrix("U", U)
    V = check_matrix("V", V, rows=U.shape[0], cols=U.shape[1])
    h = check_float("h", h, minimum=0.0, strict=True)
    return (gradient(U + h * V) - gradient(U - h * V)) / (2 * h)


def relative_error(approximate: np.ndarray | float, exact: np.ndarray | float) -> float:
    r"""Relative error :math:`\|a - b\| / \|b\|` (Frobenius norm; the denominator at least
    :math:`10^{-300}`, so an exact zero gives the absolute error, never NaN). Setup chapter."""
    approximate, exact = check_array("approximate", approximate), check_array("exact", exact)
    if approximate.shape != exact.shape:
        raise ValueError(f"approximate and exact must have one shape, got {approximate.shape} "
                         f"and {exact.shape}")
    return float(np.linalg.norm(approximate - exact) / max(np.linalg.norm(exact), 1e-300))
