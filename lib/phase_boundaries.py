r"""Where greedy pruning works: the boundaries of the phase diagrams of chapter 10
(``book/10_phase_regularization_noise.md``), our derivation.

Everything reduces to one scalar problem. Take a unit direction :math:`v` along which the
residual operator of the data has eigenvalue :math:`e > 0` and which no other column occupies,
and a column :math:`u = a v`. In the population approximation of the loss the objective
restricted to :math:`a` is, up to a constant,

.. math:: g_e(a) = (e - a^2)^2 + \lambda\, \psi_\beta(a),

whose stationary points :math:`a > 0` solve :math:`4(e - a^2) = \lambda\, w(a^2)` (the equation
of :func:`lib.theory.regularized_column_norms`, with the signal eigenvalue :math:`s_j` replaced by
:math:`e`). Read as a function of the norm, the :math:`\lambda` that makes :math:`a` stationary
is :math:`h_e(a) = 4(e - a^2)/w(a^2)`, with :math:`h_e(0) = 2\sqrt\beta\, e` (ratio smoothing)
and :math:`h_e(\sqrt e) = 0`. So a stationary column of norm above a floor :math:`\tau` exists
exactly when

.. math:: \lambda \le \Lambda_\tau(e, \beta) = \max_{\tau \le a \le \sqrt e} h_e(a)

(:func:`column_support_lambda`). Two uses:

- *signal*: :math:`e = s_r` and :math:`\tau = \sqrt\beta/2`, the pruning threshold: the weakest
  direction keeps a column above the threshold, :math:`\sqrt\beta < 2 a_r`, iff
  :math:`\lambda < \Lambda_\tau(s_r, \beta)` (:func:`admissible_lambda`);
- *noise*: :math:`e = \lambda_{\max}(E)`, the top eigenvalue of the noise operator
  :math:`E = \frac1n\sum_i \varepsilon_i A_i` (:func:`noise_operator`), which the residual keeps
  after the signal is fitted: a column along its top eigenvector can sit above the threshold iff
  :math:`\lambda \le \Lambda_\tau(e, \beta)` (:func:`noise_lambda_bounds`), while a *zero*
  column there is a local minimum already for :math:`\lambda > 2\sqrt\beta\, e`.

For Gaussian sensing :math:`E` is, given the noise, a symmetric Gaussian matrix with
off-diagonal variance :math:`\sigma^2/(2n)`, so :math:`\lambda_{\max}(E) \approx
\sigma\sqrt{2d/n}` (the semicircle edge, :func:`noise_edge`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from lib._validation import check_choice, check_float, check_instance, check_int, check_matrix
from lib.landscape import column_signal_fractions
from lib.operators import GaussianOperator
from lib.problem import Problem
from lib.pruning import pruning_threshold
from lib.regularizer import PENALTIES, column_weight
from lib.theory import _check_eigenvalues, regularized_column_norms

_GRID = 4001


def column_support_lambda(eigenvalue: float, beta: float, *, floor: float = 0.0,
                          penalty: str = "ratio") -> float:
    r"""The largest :math:`\lambda` at which a column of norm at least ``floor`` is stationary
    along a direction where the residual has eigenvalue :math:`e` (chapter 10,
    ``10_phase_regularization_noise``):

    .. math::

        \Lambda_\tau(e, \beta) = \max_{\tau \le a \le \sqrt e} \frac{4(e - a^2)}{w(a^2)},

    the maximum of the :math:`\lambda` that makes norm :math:`a` a root of
    :math:`4(e - a^2) = \lambda w(a^2)`. For :math:`\lambda < \Lambda_\tau` a root above
    :math:`\tau` exists (the largest root of :func:`lib.theory.regularized_column_norms` is above
    ``floor``), for :math:`\lambda > \Lambda_\tau` none does. With ``floor = 0`` it is at least
    the curvature bound :math:`4e/w(0) = 2\sqrt\beta\, e`; for :math:`\beta \to 0` it tends to
    the plain group-Lasso value :math:`\max_a 4a(e - a^2) = 8 e^{3/2}/(3\sqrt3)`.

    Parameters
    ----------
    eigenvalue : float
        :math:`e > 0`, the residual's eigenvalue along the direction (a signal eigenvalue
        :math:`s_j` at :math:`U = 0`, or the noise operator's top eigenvalue).
    beta : float
        Smoothing :math:`\beta > 0`.
    floor : float
        :math:`\tau \ge 0`; 0 when ``floor`` is at least :math:`\sqrt e` (no norm qualifies).
    penalty : {"ratio", "sqrt"}

    Returns
    -------
    float
    """
    e = check_float("eigenvalue", eigenvalue, minimum=0.0, strict=True)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    floor = check_float("floor", floor, minimum=0.0)
    penalty = check_choice("penalty", penalty, PENALTIES)
    top = np.sqrt(e)
    if floor >= top:
        return 0.0

    def support(a: float) -> float:
        return 4.0 * (e - a * a) / float(column_weight(a * a, beta, penalty))

    grid = np.linspace(floor, top, _GRID)
    values = 4.0 * (e - grid**2) / column_weight(grid**2, beta, penalty)
    best = int(np.argmax(values))
    if best == 0:
        return float(values[0])
    refined = minimize_scalar(lambda a: -support(a), bounds=(grid[best - 1], grid[best + 1]),
                              method="bounded", options={"xatol": 1e-14})
    return float(max(values[best], -refined.fun))


def admissible_lambda(eigenvalues: object, beta: float, *, penalty: str = "ratio") -> float:
    r"""The largest :math:`\lambda` for which the weakest signal direction keeps a column above
    the pruning threshold, :math:`\sqrt\beta < 2 a_r` (chapter 10):
    :math:`\Lambda_\tau(s_r, \beta)` of :func:`column_support_lambda` with
    :math:`\tau = \sqrt\beta/2` (:func:`lib.pruning.pruning_threshold`).

    Here :math:`a_r` is the norm of the weakest column of the regularised population minimiser,
    the largest root of :math:`4(s_r - a^2) = \lambda w(a^2)`
    (:func:`lib.theory.regularized_column_norms`, 0 when there is none). Above this
    :math:`\lambda` pruning at :math:`\tau` loses direction :math:`r` even at the minimiser.

    Parameters
    ----------
    eigenvalues : array_like
        :math:`s_1 \ge \dots \ge s_r > 0` of :math:`M^*` (any order).
    beta : float
    penalty : {"ratio", "sqrt"}
    """
    values = _check_eigenvalues(eigenvalues)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    penalty = check_choice("penalty", penalty, PENALTIES)
    return column_support_lambda(float(values.min()), beta, floor=pruning_threshold(beta),
                                 penalty=penalty)


def noise_operator(prob: Problem) -> np.ndarray:
    r"""The noise part of the empirical residual operator (chapter 10),

    .. math:: E = \frac1n \sum_{i=1}^n \varepsilon_i A_i, \qquad
        \varepsilon_i = y_i - \langle A_i, M^*\rangle,

    the residual matrix :func:`lib.certificate.residual_matrix` at a factor with
    :math:`UU^\top = M^*`: what is left for extra columns to fit once the signal is fitted
    (the gradient of the loss there is :math:`-4EU`).

    Parameters
    ----------
    prob : Problem
        A problem with ``sensing="gaussian"``.

    Returns
    -------
    ndarray, shape (d, d)
        Symmetric.
    """
    check_instance("prob", prob, Problem)
    if not isinstance(prob.operator, GaussianOperator):
        raise ValueError(f"noise_operator needs sensing='gaussian', got prob.sensing = "
                         f"{prob.sensing!r}")
    operator = prob.operator
    noise = operator.y - operator.measure(prob.M_star)
    return operator.adjoint(noise).astype(np.float64) / prob.n


def noise_eigenvalue(prob: Problem) -> float:
    r"""The top eigenvalue :math:`\lambda_{\max}(E)` of :func:`noise_operator` of one instance
    (chapter 10): the largest residual a column orthogonal to the signal can fit."""
    return float(np.linalg.eigvalsh(noise_operator(prob))[-1])


def noise_edge(d: int, n: int, sigma: float) -> float:
    r"""Closed-form approximation :math:`\lambda_{\max}(E) \approx \sigma\sqrt{2d/n}` (chapter 10).

    Given the noise, :math:`E` is a symmetric Gaussian matrix: diagonal entries of variance
    :math:`\|\varepsilon\|^2/n^2`, off-diagonal :math:`\|\varepsilon\|^2/(2n^2)` (the entries of
    :math:`A_i = (G_i + G_i^\top)/2`). Its spectrum fills the semicircle of radius
    :math:`2\sqrt{d\,\|\varepsilon\|^2/(2n^2)} \approx \sigma\sqrt{2d/n}`; at finite d the top
    eigenvalue lies below the edge by :math:`O(d^{-2/3})` relatively (Tracy-Widom).
    """
    d = check_int("d", d, minimum=1)
    n = check_int("n", n, minimum=1)
    sigma = check_float("sigma", sigma, minimum=0.0)
    return sigma * float(np.sqrt(2.0 * d / n))


def _curvature_with_signal(e: float, eigenvalues: object, beta: float, start: float,
                           penalty: str) -> float:
    r"""The fixed point of :math:`\lambda = 4e/(w(0) - w(a_r(\lambda)^2))` reached from
    :math:`\lambda = 4e/w(0)` (``start``): the right side grows with :math:`\lambda`, so the
    iteration increases to the smallest solution; ``inf`` once :math:`a_r` vanishes or the
    iteration passes :func:`admissible_lambda`."""
    weight_at_zero = float(column_weight(0.0, beta, penalty))
    top = admissible_lambda(eigenvalues, beta, penalty=penalty)
    lam = start
    for _ in range(200):
        a_r = regularized_column_norms(eigenvalues, lam, beta, penalty=penalty)[-1]
        gap = weight_at_zero - float(column_weight(a_r * a_r, beta, penalty))
        if a_r == 0.0 or gap <= 0.0 or lam > top:
            return float("inf")
        following = 4.0 * e / gap
        if abs(following - lam) <= 1e-13 * following:
            return following
        lam = following
    raise RuntimeError(f"the fixed point of lambda = 4e/(w(0) - w(a_r^2)) did not converge in 200 "
                       f"steps from {start} (e = {e}, beta = {beta})")


@dataclass(frozen=True)
class NoiseLambdaBounds:
    r"""The noise-dependent lower bounds on :math:`\lambda` (:func:`noise_lambda_bounds`).

    Attributes
    ----------
    noise_eigenvalue : float
        :math:`e`, the noise operator's top eigenvalue they were computed from.
    curvature : float
        :math:`2\sqrt\beta\, e`: above it a zero column along the top noise eigenvector is a
        local minimum (it does not grow from a small start).
    support : float
        :math:`\Lambda_\tau(e, \beta)`, :math:`\tau = \sqrt\beta/2`: above it no column along
        that eigenvector is stationary above the pruning threshold.
    curvature_with_signal : float or None
        With the signal's eigenvalues given: the smallest :math:`\lambda` with
        :math:`\lambda\,(w(0) - w(a_r^2)) \ge 4e`, where the residual's signal part
        :math:`\lambda w(a_r^2)/4` is added to :math:`e` (a zero column is then stable along
        *every* direction); ``inf`` when no :math:`\lambda` below
        :func:`admissible_lambda` qualifies.
    """

    noise_eigenvalue: float
    curvature: float
    support: float
    curvature_with_signal: float | None = None


def noise_lambda_bounds(noise_eigenvalue: float, beta: float, *, eigenvalues: object = None,
                        penalty: str = "ratio") -> NoiseLambdaBounds:
    r"""Lower bounds on :math:`\lambda` that keep noise directions out of the pruned model
    (chapter 10, Proposition "noise bound"):

    .. math::

        \lambda_{\text{curv}} = \frac{4e}{w(0)} = 2\sqrt\beta\, e, \qquad
        \lambda_{\text{noise}} = \Lambda_{\sqrt\beta/2}(e, \beta)
        = \max_{\sqrt\beta/2 \le a \le \sqrt e} \frac{4(e - a^2)}{w(a^2)},

    with :math:`e = \lambda_{\max}(E)` from :func:`noise_eigenvalue` (one instance) or
    :func:`noise_edge` (:math:`\sigma\sqrt{2d/n}`). :math:`\lambda > \lambda_{\text{curv}}` makes
    zero stable along the top noise eigenvector; :math:`\lambda > \lambda_{\text{noise}}` is needed
    so that no column along it survives pruning at :math:`\tau = \sqrt\beta/2` at a stationary
    point, whatever the path. For :math:`\beta \ll e`, :math:`\lambda_{\text{noise}} \approx
    8e^{3/2}/(3\sqrt3)`, independent of :math:`\beta`. With ``eigenvalues`` (the :math:`s_j` of
    :math:`M^*`) also the sufficient condition of
    :attr:`NoiseLambdaBounds.curvature_with_signal`, with :math:`a_r` from
    :func:`lib.theory.regularized_column_norms`.
    """
    e = check_float("noise_eigenvalue", noise_eigenvalue, minimum=0.0, strict=True)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    penalty = check_choice("penalty", penalty, PENALTIES)
    if eigenvalues is not None:
        eigenvalues = _check_eigenvalues(eigenvalues)
    curvature = 4.0 * e / float(column_weight(0.0, beta, penalty))
    support = column_support_lambda(e, beta, floor=pruning_threshold(beta), penalty=penalty)
    with_signal = None
    if eigenvalues is not None:
        with_signal = _curvature_with_signal(e, eigenvalues, beta, curvature, penalty)
    return NoiseLambdaBounds(noise_eigenvalue=e, curvature=curvature, support=support,
                             curvature_with_signal=with_signal)


@dataclass(frozen=True)
class KeptColumns:
    r"""What the columns of a trained factor above the pruning threshold hold
    (:func:`kept_columns`; chapter 10).

    Attributes
    ----------
    norms : ndarray
        Their norms, largest first.
    signal_fractions : ndarray
        Fraction of each column's squared norm in the span of :math:`U^*`
        (:func:`lib.landscape.column_signal_fractions`).
    noise_quotients : ndarray
        :math:`e_j = \hat u_j^\top E \hat u_j`, the noise operator's Rayleigh quotient along the
        column's direction :math:`\hat u_j = u_j/\|u_j\|`.
    predicted_norms : ndarray
        The stationary norm of the scalar problem with :math:`e = e_j`, the largest root of
        :math:`4(e_j - a^2) = \lambda w(a^2)` (:func:`lib.theory.regularized_column_norms`; 0
        when :math:`e_j \le 0` or there is no root): what a column that fits only noise along
        :math:`\hat u_j` would have.
    """

    norms: np.ndarray
    signal_fractions: np.ndarray
    noise_quotients: np.ndarray
    predicted_norms: np.ndarray


def kept_columns(prob: Problem, U: np.ndarray, lam: float, beta: float, *,
                 threshold: float | None = None, penalty: str = "ratio") -> KeptColumns:
    r"""The columns of ``U`` above ``threshold`` (default :math:`\sqrt\beta/2`), with their share
    of signal and the noise they could fit (chapter 10, the review's point at
    :math:`\sigma = 0.6`).

    Parameters
    ----------
    prob : Problem
        Gaussian sensing (for :func:`noise_operator`).
    U : ndarray, shape (d, k)
    lam, beta, penalty
        The regularisation ``U`` was trained with.
    threshold : float, optional
    """
    check_instance("prob", prob, Problem)
    U = check_matrix("U", U, rows=prob.d)
    lam = check_float("lam", lam, minimum=0.0)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    penalty = check_choice("penalty", penalty, PENALTIES)
    threshold = pruning_threshold(beta) if threshold is None else check_float(
        "threshold", threshold, minimum=0.0)
    E = noise_operator(prob)
    norms = np.linalg.norm(U, axis=0)
    order = np.argsort(norms)[::-1]
    order = order[norms[order] > threshold]
    kept = U[:, order]
    directions = kept / norms[order]
    quotients = np.einsum("ij,ik,kj->j", directions, E, directions)
    predicted = np.array([regularized_column_norms([e], lam, beta, penalty=penalty)[0]
                          if e > 0 else 0.0 for e in quotients])
    return KeptColumns(norms=norms[order], signal_fractions=column_signal_fractions(
        kept, prob.U_star), noise_quotients=quotients, predicted_norms=predicted)


def supported_noise_directions(prob: Problem, lam: float, beta: float, *,
                               penalty: str = "ratio") -> int:
    r"""How many noise directions can hold a column above the pruning threshold at a stationary
    point (chapter 10): the number of eigenvalues :math:`e_i > 0` of the noise operator
    compressed to the orthogonal complement of the signal, :math:`P_\perp E P_\perp`
    (:math:`P_\perp = I - \Pi_{U^*}`), with :math:`\lambda \le \Lambda_{\sqrt\beta/2}(e_i, \beta)`
    (:func:`column_support_lambda`): the count of extra columns part 2 of the Proposition allows.
    """
    check_instance("prob", prob, Problem)
    lam = check_float("lam", lam, minimum=0.0)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    penalty = check_choice("penalty", penalty, PENALTIES)
    E = noise_operator(prob)
    basis, _ = np.linalg.qr(prob.U_star)
    orthogonal = np.eye(prob.d) - basis @ basis.T
    values = np.linalg.eigvalsh(orthogonal @ E @ orthogonal)
    floor = pruning_threshold(beta)
    return int(sum(column_support_lambda(float(e), beta, floor=floor, penalty=penalty) >= lam
                   for e in values if e > 0))
