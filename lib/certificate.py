r"""Second-order certificates from Hessian-vector products (landscape chapter).

An :math:`(\varepsilon, \gamma)`-approximate second-order stationary point (SOSP) of :math:`f`
satisfies :math:`\|\nabla f(U)\|_F \le \varepsilon` and
:math:`\lambda_{\min}(\nabla^2 f(U)) \ge -\gamma`. The smallest Hessian eigenvalue is computed by
Lanczos iteration (``scipy.sparse.linalg.eigsh``) on a ``LinearOperator`` whose matvec is
:meth:`lib.Objective.hvp`; the (dk x dk) Hessian is never formed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from lib._validation import (
    check_callable,
    check_float,
    check_instance,
    check_int,
    check_matrix,
)
from lib.objective import Objective
from lib.problem import Problem


@dataclass(frozen=True)
class SOSPCertificate:
    r"""Gradient norm and smallest Hessian eigenvalue at a point (landscape chapter).

    Attributes
    ----------
    grad_norm : float
        :math:`\|\nabla f(U)\|_F`.
    min_eigenvalue : float
        :math:`\lambda_{\min}(\nabla^2 f(U))`.
    """

    grad_norm: float
    min_eigenvalue: float

    def is_sosp(self, eps: float, gamma: float) -> bool:
        r"""Whether :math:`\|\nabla f\| \le \varepsilon` and :math:`\lambda_{\min} \ge -\gamma`."""
        eps = check_float("eps", eps, minimum=0.0)
        gamma = check_float("gamma", gamma, minimum=0.0)
        return self.grad_norm <= eps and self.min_eigenvalue >= -gamma


def dense_hessian(hvp: Callable[[np.ndarray, np.ndarray], np.ndarray],
                  U: np.ndarray) -> np.ndarray:
    r"""The (dk x dk) Hessian matrix at ``U``, column :math:`i` being
    :math:`\mathrm{vec}\big(\nabla^2 f(U)[E_i]\big)` for the i-th unit (d, k) array
    :math:`E_i` (row-major vectorisation, as ``U.ravel()``), from dk Hessian-vector products.

    For checks and small spectra only (landscape, fine-tuning and quadratic-network chapters):
    it costs dk products and (dk)^2 numbers; :func:`sosp_certificate` needs neither. It is not
    symmetrised, so its asymmetry measures the error of ``hvp``.

    Parameters
    ----------
    hvp : callable
        ``hvp(U, V)`` returning :math:`\nabla^2 f(U)[V]`, e.g. :meth:`lib.Objective.hvp`.
    U : ndarray, shape (d, k)
    """
    check_callable("hvp", hvp)
    U = check_matrix("U", U)
    basis = np.zeros(U.size)
    columns = np.empty((U.size, U.size))
    for index in range(U.size):
        basis[index] = 1.0
        columns[index] = np.asarray(hvp(U, basis.reshape(U.shape))).ravel()
        basis[index] = 0.0
    return columns.T


def hessian_operator(obj: Objective, U: np.ndarray) -> LinearOperator:
    """The Hessian of ``obj`` at ``U`` as a symmetric ``LinearOperator`` on vectorised (d, k).

    Landscape chapter, section "Perturbed gradient descent and its certificate".
    """
    check_instance("obj", obj, Objective)
    U = obj.check_point(U)
    shape = U.shape

    def matvec(v: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            product = obj.hvp_unchecked(U, np.asarray(v, dtype=np.float64).reshape(shape))
        obj.require_finite(product, "the Hessian-vector product", U)
        return product.ravel()

    return LinearOperator((U.size, U.size), matvec=matvec, rmatvec=matvec, dtype=np.float64)


def _extreme_eigenvalue(obj: Objective, U: np.ndarray, which: str, tol: float,
                        seed: int) -> float:
    hessian = hessian_operator(obj, U)
    if U.size == 1:
        return float(hessian.matvec(np.ones(1))[0])
    start = np.random.default_rng(seed).standard_normal(U.size)
    try:
        values = eigsh(hessian, k=1, which=which, v0=start, tol=tol,
                       maxiter=max(1000, 20 * U.size))[0]
    except ArpackNoConvergence as error:
        if len(error.eigenvalues) == 0:
            raise RuntimeError(f"Lanczos did not converge for the {which} Hessian eigenvalue; "
                               "loosen tol") from error
        values = error.eigenvalues
    return float(values[0])


def sosp_certificate(obj: Objective, U: np.ndarray, *, tol: float = 1e-8,
                     seed: int = 0) -> SOSPCertificate:
    r"""Gradient norm and smallest Hessian eigenvalue of ``obj`` at ``U``.

    Landscape chapter, section "Perturbed gradient descent and its certificate".

    Parameters
    ----------
    obj : Objective
    U : ndarray, shape (d, k)
    tol : float
        Relative accuracy requested from Lanczos (``eigsh(..., which="SA")``).
    seed : int
        Seed of the Lanczos starting vector (results are deterministic).

    Returns
    -------
    SOSPCertificate
        ``grad_norm`` :math:`= \|\nabla f(U)\|_F`, ``min_eigenvalue``
        :math:`= \lambda_{\min}(\nabla^2 f(U))`.
    """
    check_instance("obj", obj, Objective)
    U = obj.check_point(U).astype(np.float64, copy=False)
    tol = check_float("tol", tol, minimum=0.0)
    seed = check_int("seed", seed, minimum=0)
    grad_norm = float(np.linalg.norm(obj.finite_value_and_grad(U)[1]))
    return SOSPCertificate(grad_norm=grad_norm,
                           min_eigenvalue=_extreme_eigenvalue(obj, U, "SA", tol, seed))


def largest_hessian_eigenvalue(obj: Objective, U: np.ndarray, *, seed: int = 0) -> float:
    r"""Largest-magnitude Hessian eigenvalue :math:`|\lambda|_{\max}(\nabla^2 f(U))`, the local
    smoothness constant that bounds a stable gradient step by :math:`2/|\lambda|_{\max}`.

    Landscape chapter, section "Perturbed gradient descent and its certificate".
    """
    check_instance("obj", obj, Objective)
    U = obj.check_point(U)
    seed = check_int("seed", seed, minimum=0)
    return abs(_extreme_eigenvalue(obj, U, "LM", 1e-3, seed))


def suggest_step(obj: Objective, U0: np.ndarray) -> float:
    r"""A safe step size :math:`1/L` with :math:`L` the larger Hessian spectral radius at the
    starting point ``U0`` and at the ground-truth scale (:math:`U^*` padded or cut to k columns).

    The step of every training run from the landscape chapter on.

    Gradient descent is locally stable for steps below :math:`2/L`; ``1/L`` leaves a factor two
    of margin for the growth of the curvature along the path.
    """
    check_instance("obj", obj, Objective)
    U0 = obj.check_point(U0, "U0")
    d, k = U0.shape
    reference = np.zeros((d, k))
    width = min(k, obj.problem.r)
    reference[:, :width] = obj.problem.U_star[:, :width]
    smoothness = max(largest_hessian_eigenvalue(obj, U0),
                     largest_hessian_eigenvalue(obj, reference))
    return 1.0 / smoothness


def column_hessian_at_zero(obj: Objective) -> np.ndarray:
    r"""The (d x d) Hessian :math:`\nabla^2 f(0)` of ``obj`` for a single column, from
    :func:`dense_hessian` at :math:`U = 0 \in \mathbb{R}^{d\times 1}`. At zero the Hessian acts on
    each column separately, so this block is the whole spectrum (quadratic-network chapter,
    section "The curvature at zero"; compare :func:`lib.theory.spectrum_at_zero`).
    """
    check_instance("obj", obj, Objective)
    return dense_hessian(obj.hvp, np.zeros((obj.problem.d, 1)))


def residual_matrix(prob: Problem, U: np.ndarray) -> np.ndarray:
    r"""The residual matrix of Gaussian sensing at ``U`` (pruning-threshold chapter),

    .. math:: R = \frac1n \sum_{i=1}^n \big(y_i - \langle A_i, UU^\top\rangle\big) A_i,

    so that :math:`\nabla L(U) = -4RU`. Its top eigenvalue :math:`\rho` certifies how large a
    column below the pruning threshold can be
    (:func:`lib.theory.certified_small_column_bound`). Forms the dense (n, d, d) stack of the
    :math:`A_i`: for small problems.

    Parameters
    ----------
    prob : Problem
        A problem with ``sensing="gaussian"`` (others raise ``ValueError``).
    U : ndarray, shape (d, k)
    """
    check_instance("prob", prob, Problem)
    U = check_matrix("U", U, rows=prob.d)
    A = prob.sensing_matrices()
    residuals = prob.y - np.einsum("ijk,jk->i", A, U @ U.T)
    return np.einsum("i,ijk->jk", residuals, A) / prob.n
