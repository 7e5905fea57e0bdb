r"""The training objective :math:`f(U) = L(U) + \lambda R_\beta(U)` and the recovery error.

Used by every chapter: the landscape chapter studies its stationary points, the pruning chapter
prunes its approximate minimisers, the fine-tuning chapter sets :math:`\lambda = 0`.
"""

from __future__ import annotations

import numpy as np

from lib._validation import (
    check_choice,
    check_float,
    check_instance,
    check_matrix,
    check_result,
)
from lib.problem import Problem
from lib.regularizer import PENALTIES, add_penalty, penalty_hvp


class Objective:
    r"""Regularised matrix-sensing objective :math:`f(U) = L(U) + \lambda R_\beta(U)`.

    Every chapter; the setup chapter checks its derivatives.

    Parameters
    ----------
    problem : Problem
        From :func:`lib.make_problem`; its operator supplies :math:`L` and its derivatives.
    lam : float
        Regularisation strength :math:`\lambda \ge 0` (0 gives the plain loss).
    beta : float
        Smoothing :math:`\beta > 0` of the group Lasso.
    penalty : {"ratio", "sqrt"}
        Smoothing family, see :mod:`lib.regularizer`.

    Notes
    -----
    ``value``, ``grad`` and ``hvp`` check their arguments; the optimisers call the unchecked
    ``value_and_grad`` once per step after checking the starting point.
    """

    def __init__(self, problem: Problem, lam: float = 0.0, beta: float = 1e-3,
                 penalty: str = "ratio") -> None:
        check_instance("problem", problem, Problem)
        self.problem = problem
        self.lam = check_float("lam", lam, minimum=0.0)
        self.beta = check_float("beta", beta, minimum=0.0, strict=True)
        self.penalty = check_choice("penalty", penalty, PENALTIES)

    def __repr__(self) -> str:
        return (f"Objective(d={self.problem.d}, sensing={self.problem.sensing!r}, "
                f"lam={self.lam:g}, beta={self.beta:g}, penalty={self.penalty!r})")

    def check_point(self, U: object, name: str = "U") -> np.ndarray:
        """Validate a factor: a finite float array with d rows."""
        return check_matrix(name, U, rows=self.problem.d)

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        r""":math:`f(U)` and :math:`\nabla f(U) = \nabla L(U) + \lambda\, U\,\mathrm{diag}(w_j)`
        unchecked (the hot path: the optimisers check the start once)."""
        value, grad = self.problem.operator.value_and_grad(U)
        if self.lam > 0.0:
            value += self.lam * add_penalty(U, self.beta, self.penalty, self.lam, grad)
        return value, grad

    def require_finite(self, result: float | np.ndarray, what: str, U: np.ndarray,
                       name: str = "U") -> None:
        """Unchecked helper of the optimisers: raise a ValueError naming ``name`` when
        ``result`` (``what`` at ``U``) is not finite: the data holds NaN or inf, or ``U`` is so
        large that the loss overflows."""
        if np.all(np.isfinite(result)):
            return
        y = self.problem.y
        if y is not None and not np.all(np.isfinite(y)):
            raise ValueError(f"the problem's observations y contain {np.sum(~np.isfinite(y))} "
                             "non-finite values; build the problem with lib.make_problem")
        raise ValueError(f"{what} is not finite at {name} (largest |entry| "
                         f"{np.max(np.abs(U)):.3g}): the loss overflows the floating-point "
                         f"arithmetic of the data; {name} must be of the scale of the ground truth "
                         f"(|entries| up to about {np.max(np.abs(self.problem.U_star)):.3g})")

    def finite_value_and_grad(self, U: np.ndarray, name: str = "U") -> tuple[float, np.ndarray]:
        """:meth:`value_and_grad`, unchecked, raising the ValueError of :meth:`require_finite`
        (instead of overflow warnings and NaN) when either is not finite at ``U``."""
        with np.errstate(over="ignore", invalid="ignore"):
            value, grad = self.value_and_grad(U)
        self.require_finite(value, "the objective", U, name)
        self.require_finite(grad, "the gradient", U, name)
        return value, grad

    def value(self, U: np.ndarray) -> float:
        """:math:`f(U)`."""
        U = self.check_point(U)
        with np.errstate(over="ignore", invalid="ignore"):
            value = self.problem.operator.value(U)
            if self.lam > 0.0:
                # The compiled penalty of value_and_grad, so that both give the same bits.
                value += self.lam * add_penalty(U, self.beta, self.penalty, 0.0,
                                                np.zeros(U.shape))
        self.require_finite(value, "f(U)", U)
        return value

    def grad(self, U: np.ndarray) -> np.ndarray:
        r""":math:`\nabla f(U)`, shape (d, k)."""
        return self.finite_value_and_grad(self.check_point(U))[1]

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        r"""Hessian-vector product :math:`\nabla^2 f(U)[V]`, shape (d, k)."""
        U = self.check_point(U)
        V = check_matrix("V", V, rows=U.shape[0], cols=U.shape[1])
        with np.errstate(over="ignore", invalid="ignore"):
            product = self.hvp_unchecked(U, V)
        self.require_finite(product, "the Hessian-vector product", U)
        return product

    def hvp_unchecked(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        """:meth:`hvp` unchecked (Lanczos and power-iteration matvecs)."""
        out = self.problem.operator.hvp(U, V)
        if self.lam > 0.0:
            out += self.lam * penalty_hvp(U, V, self.beta, self.penalty)
        return out


#: Largest d for which the recovery error is computed from the d x d difference (32 MB).
DENSE_ERROR_MAX_D = 2048


def recovery_error(U: np.ndarray, U_star: np.ndarray) -> float:
    r"""Recovery error :math:`\|UU^\top - U^*U^{*\top}\|_F` (all chapters).

    For :math:`d \le` ``DENSE_ERROR_MAX_D`` it is computed from the d x d difference, accurate
    to machine precision even when tiny. For larger d it needs no d x d matrix:

    .. math::
        \|UU^\top - U^*U^{*\top}\|_F^2 = \|U^\top U\|_F^2 - 2\|U^\top U^*\|_F^2
        + \|U^{*\top}U^*\|_F^2,

    from k x k, k x r and r x r products, accurate to about
    :math:`\sqrt{\varepsilon}\,\|U^*U^{*\top}\|_F` (cancellation; clipped at zero).
    """
    U_star = check_matrix("U_star", U_star)
    U = check_matrix("U", U, rows=U_star.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        error = recovery_error_unchecked(U, U_star)
    check_result("the recovery error", error, "U", U)
    return error


def recovery_error_unchecked(U: np.ndarray, U_star: np.ndarray) -> float:
    """:func:`recovery_error` without argument checks (the records of every run)."""
    if U.shape[0] <= DENSE_ERROR_MAX_D:
        return float(np.linalg.norm(U @ U.T - U_star @ U_star.T))
    squared = (np.sum((U.T @ U) ** 2) - 2.0 * np.sum((U.T @ U_star) ** 2)
               + np.sum((U_star.T @ U_star) ** 2))
    return float(np.sqrt(max(squared, 0.0)))


def relative_recovery_error(U: np.ndarray, U_star: np.ndarray) -> float:
    r"""Relative recovery error :math:`\|UU^\top - M^*\|_F / \|M^*\|_F` with
    :math:`M^* = U^*U^{*\top}`: 1 for :math:`U = 0`, 0 at the ground truth (failure chapter).
    """
    U_star = check_matrix("U_star", U_star)
    if not np.any(U_star):
        raise ValueError("U_star must be non-zero: the relative error divides by ||M*||_F")
    return recovery_error(U, U_star) / float(np.linalg.norm(U_star @ U_star.T))
