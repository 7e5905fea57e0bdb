r"""The smooth group Lasso :math:`R_\beta(U) = \sum_j \psi_\beta(\|U e_j\|_2)` (landscape chapter).

Two smoothings of the column norm are offered, written as functions of :math:`s = x^2`:

``"ratio"``
    The default, our reconstruction of the paper's choice (landscape chapter, section
    "What the smooth group Lasso does to one column"):
    :math:`\psi_\beta(x) = x^2/\sqrt{x^2+\beta}`: :math:`\approx x` for :math:`x \gg \sqrt\beta`
    (group Lasso) and :math:`\approx x^2/\sqrt\beta` for :math:`x \ll \sqrt\beta` (weight decay).
``"sqrt"``
    :math:`\psi_\beta(x) = \sqrt{x^2+\beta} - \sqrt\beta`.

The gradient acts column by column, :math:`(\nabla R_\beta)e_j = w(s_j)\,U e_j` with
:math:`w(s) = 2\,\mathrm d\psi/\mathrm ds`; for the ratio form
:math:`w(s) = (s+2\beta)/(s+\beta)^{3/2}`. The Hessian-vector product is

.. math::

    (\nabla^2 R_\beta[V]) e_j = w(s_j)\, V e_j + 2 w'(s_j) \langle U e_j, V e_j\rangle\, U e_j .

The optimisation loop takes value and gradient from :func:`add_penalty`, the same formulas
compiled into one call (the kernel :func:`add_group_lasso` below, compiled on first use by
:func:`lib.runtime.kernel`), because on small problems a dozen NumPy calls per step cost more
than the loss itself.
"""

from __future__ import annotations

import numbers

import numpy as np

from lib._validation import check_choice, check_float, check_matrix, check_vector
from lib.runtime import kernel

PENALTIES = ("ratio", "sqrt")


def _psi(s: np.ndarray, beta: float, penalty: str) -> np.ndarray:
    if penalty == "ratio":
        return s / np.sqrt(s + beta)
    return s / (np.sqrt(s + beta) + np.sqrt(beta))


def column_penalty(norms: object, beta: float, penalty: str = "ratio") -> np.ndarray:
    r"""The penalty :math:`\psi_\beta(x)` of one column of norm :math:`x`, elementwise.

    Landscape chapter, section "What the smooth group Lasso does to one column":
    :math:`x^2/\sqrt{x^2+\beta}` (``"ratio"``) or :math:`\sqrt{x^2+\beta} - \sqrt\beta`
    (``"sqrt"``); :func:`smooth_group_lasso` is its sum over the columns of :math:`U`.
    Negative ``x`` is allowed (the penalty is even).
    """
    values = check_vector("norms", [norms] if isinstance(norms, numbers.Real) else norms)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    penalty = check_choice("penalty", penalty, PENALTIES)
    return _psi(values**2, beta, penalty)


def column_weight(s: float | np.ndarray, beta: float, penalty: str = "ratio",
                  ) -> float | np.ndarray:
    r"""Gradient weight :math:`w(s) = 2\psi_\beta'(s)` of a column with squared norm ``s``.

    Landscape chapter, section "What the smooth group Lasso does to one column".

    Ratio form: :math:`w(s) = (s+2\beta)/(s+\beta)^{3/2}`, decreasing from
    :math:`2/\sqrt\beta` at :math:`s=0` to :math:`\approx 1/\sqrt s` for :math:`s \gg \beta`.
    Sqrt form: :math:`w(s) = 1/\sqrt{s+\beta}`.

    Parameters
    ----------
    s : float or ndarray, shape (k,)
        Squared column norms, >= 0 (a float gives a float).
    beta : float
        Smoothing, > 0.
    penalty : {"ratio", "sqrt"}
        Smoothing family.
    """
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    penalty = check_choice("penalty", penalty, PENALTIES)
    if isinstance(s, numbers.Real):
        return float(column_weight_unchecked(check_float("s", s, minimum=0.0), beta, penalty))
    return column_weight_unchecked(check_vector("s", s, minimum=0.0), beta, penalty)


def column_weight_unchecked(s: float | np.ndarray, beta: float,
                            penalty: str) -> float | np.ndarray:
    """:func:`column_weight` without argument checks (every step of a network's training)."""
    if penalty == "ratio":
        return (s + 2.0 * beta) / (s + beta) ** 1.5
    return 1.0 / np.sqrt(s + beta)


def _column_weight_derivative(s: np.ndarray, beta: float, penalty: str) -> np.ndarray:
    if penalty == "ratio":
        return -(s + 4.0 * beta) / (2.0 * (s + beta) ** 2.5)
    return -0.5 / (s + beta) ** 1.5


def smooth_group_lasso(U: np.ndarray, beta: float, penalty: str = "ratio") -> float:
    r"""The smooth group Lasso :math:`R_\beta(U) = \sum_j \psi_\beta(\|U e_j\|_2)`.

    Landscape chapter, section "What the smooth group Lasso does to one column".

    Parameters
    ----------
    U : ndarray, shape (d, k)
    beta : float
        Smoothing parameter, > 0.
    penalty : {"ratio", "sqrt"}
        :math:`x^2/\sqrt{x^2+\beta}` (default) or :math:`\sqrt{x^2+\beta}-\sqrt\beta`.
    """
    U = check_matrix("U", U)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    penalty = check_choice("penalty", penalty, PENALTIES)
    return float(np.sum(_psi(np.einsum("ij,ij->j", U, U), beta, penalty)))


def add_penalty(U: np.ndarray, beta: float, penalty: str, lam: float, grad: np.ndarray) -> float:
    r"""Unchecked and compiled: add :math:`\lambda \nabla R_\beta(U)` to ``grad`` (float64,
    C-contiguous, modified in place) and return :math:`R_\beta(U)`: the numbers of
    :func:`smooth_group_lasso` and :func:`column_weight` to rounding, in one call instead of a
    dozen NumPy calls (about 3 against 45 microseconds per gradient step on the reference
    machine's small problems). Used by :class:`lib.Objective`; Numba is imported on first use.

    Every regularised training run; timed in the performance chapter.
    """
    return add_group_lasso(np.ascontiguousarray(U, dtype=np.float64), beta, penalty == "ratio",
                           lam, grad)


@kernel(boundscheck=False)
def add_group_lasso(U, beta, ratio, lam, grad):
    r"""Add :math:`\lambda \nabla R_\beta(U) = \lambda\, U \mathrm{diag}(w(s_j))` to ``grad``
    and return :math:`R_\beta(U) = \sum_j \psi_\beta(s_j)`, :math:`s_j = \|U e_j\|^2`: the
    formulas of :mod:`lib.regularizer` (``ratio``: :math:`\psi = s/\sqrt{s+\beta}`,
    :math:`w = (s+2\beta)/(s+\beta)^{3/2}`; else :math:`\psi = s/(\sqrt{s+\beta}+\sqrt\beta)`,
    :math:`w = 1/\sqrt{s+\beta}`), in three loops instead of a dozen NumPy calls
    (tests/test_properties.py checks that both agree)."""
    d, k = U.shape
    norms = np.zeros(k)
    for a in range(d):
        row = U[a]
        for j in range(k):
            norms[j] += row[j] * row[j]
    value = 0.0
    scale = np.empty(k)
    for j in range(k):
        s = norms[j]
        root = np.sqrt(s + beta)
        if ratio:
            value += s / root
            scale[j] = lam * ((s + 2.0 * beta) / ((s + beta) * root))
        else:
            value += s / (root + np.sqrt(beta))
            scale[j] = lam / root
    for a in range(d):
        row = U[a]
        out = grad[a]
        for j in range(k):
            out[j] += scale[j] * row[j]
    return value


def penalty_hvp(U: np.ndarray, V: np.ndarray, beta: float, penalty: str) -> np.ndarray:
    """Unchecked Hessian-vector product of :math:`R_\\beta` at ``U`` along ``V``.

    Landscape chapter (Hessians and certificates of the regularised objective).
    """
    s = np.einsum("ij,ij->j", U, U)
    inner = np.einsum("ij,ij->j", U, V)
    return (V * column_weight_unchecked(s, beta, penalty)
            + U * (2.0 * _column_weight_derivative(s, beta, penalty) * inner))
