r"""Two-layer networks with quadratic activations, read as rank-one matrix sensing (extension
chapter).

A width-k network with quadratic activation and unit output weights,

.. math:: f_U(x) = \sum_{j=1}^k \langle U e_j, x\rangle^2 = \|U^\top x\|_2^2
          = \langle x x^\top, UU^\top\rangle,

is rank-one matrix sensing with :math:`A = xx^\top`: column j of U is the input weight vector of
neuron j, and pruning a column is pruning a neuron. For inputs :math:`x \sim N(0, I_d)`, a
teacher :math:`U^*` and labels :math:`y = f_{U^*}(x) + \varepsilon`,
:math:`\varepsilon \sim N(0, \sigma^2)`, Isserlis' theorem gives for symmetric
:math:`D = UU^\top - M^*`

.. math:: E\,(x^\top D x)^2 = 2\|D\|_F^2 + (\mathrm{tr}\,D)^2,

so the population (test) loss is :math:`2\|D\|_F^2 + (\mathrm{tr}\,D)^2 + \sigma^2`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from lib._validation import check_float, check_instance, check_matrix, check_vector
from lib.operators import PopulationOperator
from lib.sensing import PopulationSensingOperator

if TYPE_CHECKING:
    from lib.problem import Problem


def network_output(U: np.ndarray, X: np.ndarray) -> np.ndarray:
    r"""Outputs :math:`f_U(x_i) = \|U^\top x_i\|^2` of the quadratic network on the rows of X.

    Quadratic-network chapter.

    Parameters
    ----------
    U : ndarray, shape (d, k)
        Input weights, one neuron per column.
    X : ndarray, shape (m, d)
        Inputs, one per row.

    Returns
    -------
    ndarray, shape (m,)
    """
    U = check_matrix("U", U)
    X = check_matrix("X", X, cols=U.shape[0])
    hidden = X @ U
    return np.einsum("ij,ij->i", hidden, hidden)


def population_test_error(U: np.ndarray, U_star: np.ndarray, *, sigma: float = 0.0) -> float:
    r"""Closed-form test error :math:`E\,(f_U(x) - y)^2` for a fresh
    :math:`x \sim N(0, I_d)` and :math:`y = f_{U^*}(x) + \varepsilon`:

    Quadratic-network chapter.

    .. math:: 2\|D\|_F^2 + (\mathrm{tr}\,D)^2 + \sigma^2, \qquad D = UU^\top - U^*U^{*\top}.

    With ``sigma=0`` (default) this is the excess risk :math:`E\,(f_U(x) - f_{U^*}(x))^2`.
    U may have any number of columns (a pruned network), U_star the same number of rows.
    """
    U_star = check_matrix("U_star", U_star)
    U = check_matrix("U", U, rows=U_star.shape[0])
    sigma = check_float("sigma", sigma, minimum=0.0)
    difference = U @ U.T - U_star @ U_star.T
    return float(2.0 * np.sum(difference * difference) + np.trace(difference) ** 2 + sigma**2)


def empirical_test_error(U: np.ndarray, U_star: np.ndarray, X: np.ndarray, *,
                         noise: np.ndarray | None = None) -> float:
    r"""Test error on a held-out sample,
    :math:`\frac1m \sum_i (f_U(x_i) - f_{U^*}(x_i) - \varepsilon_i)^2`
    (:math:`\varepsilon_i = 0` when ``noise`` is None): the Monte Carlo estimate of
    :func:`population_test_error`.

    Quadratic-network chapter.

    Parameters
    ----------
    U : ndarray, shape (d, k)
    U_star : ndarray, shape (d, r)
    X : ndarray, shape (m, d)
        Fresh inputs, not used for training.
    noise : ndarray, shape (m,), optional
        Label noise of the held-out sample.
    """
    U_star = check_matrix("U_star", U_star)
    U = check_matrix("U", U, rows=U_star.shape[0])
    X = check_matrix("X", X, cols=U_star.shape[0])
    residual = network_output(U, X) - network_output(U_star, X)
    if noise is not None:
        residual = residual - check_vector("noise", noise, X.shape[0])
    return float(np.mean(residual * residual))


class QuadraticNetworkPopulation(PopulationSensingOperator):
    r"""The exact population loss of the quadratic network (rank-one sensing) and its
    derivatives, the registered sensing kind ``"network_population"``
    (:class:`lib.sensing.PopulationSensingOperator`):

    .. math::

        L(U) = 2\|D\|_F^2 + (\mathrm{tr}\,D)^2 + \sigma^2, \qquad D = UU^\top - M^*,

        \nabla L(U) = 8\,D U + 4\,(\mathrm{tr}\,D)\, U,

        \nabla^2 L(U)[V] = 8\,(UV^\top + VU^\top) U + 8\,D V + 8\,\langle U, V\rangle U
                           + 4\,(\mathrm{tr}\,D)\, V,

    all in O(d k^2 + d k r) without a d x d matrix. At :math:`U = 0` the Hessian is
    :math:`V \mapsto -8 M^* V - 4\,(\mathrm{tr}\,M^*)\,V`, whose eigenvalues are
    :func:`lib.theory.curvature_at_zero` and :func:`lib.theory.curvature_at_zero_orthogonal`
    with ``sensing="rank_one"`` (extension chapter).

    Parameters
    ----------
    U_star : ndarray, shape (d, r)
        Teacher weights.
    sigma : float
        Label-noise level (adds :math:`\sigma^2` to the value only).
    dtype : float64 or float32
        Precision of the matrix products (see :class:`lib.operators.PopulationOperator`).
    """

    CURVATURE_PER_EIGENVALUE = 8.0
    CURVATURE_PER_TRACE = 4.0

    def __init__(self, U_star: np.ndarray, sigma: float = 0.0,
                 dtype: type | str = np.float64) -> None:
        self.U_star = check_matrix("U_star", U_star)
        self.noise_variance = check_float("sigma", sigma, minimum=0.0) ** 2
        self._frobenius = PopulationOperator(self.U_star, 0.0, dtype)
        self._trace_star = float(np.sum(self.U_star * self.U_star))

    def _trace(self, U: np.ndarray) -> float:
        return float(np.sum(U * U)) - self._trace_star

    def value(self, U: np.ndarray) -> float:
        r""":math:`L(U)`, from :math:`\|D\|_F^2` of :class:`lib.operators.PopulationOperator`."""
        trace = self._trace(U)
        return 2.0 * self._frobenius.value(U) + trace * trace + self.noise_variance

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        r""":math:`(L(U), \nabla L(U))`."""
        frobenius_sq, frobenius_grad = self._frobenius.value_and_grad(U)
        trace = self._trace(U)
        frobenius_grad *= 2.0
        frobenius_grad += (4.0 * trace) * U
        return 2.0 * frobenius_sq + trace * trace + self.noise_variance, frobenius_grad

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        r""":math:`\nabla^2 L(U)[V]`."""
        return (2.0 * self._frobenius.hvp(U, V) + 8.0 * float(np.sum(U * V)) * U
                + 4.0 * self._trace(U) * V)


def population_problem(prob: Problem) -> Problem:
    r"""The same teacher, with the exact population loss of the quadratic network
    (:class:`QuadraticNetworkPopulation`) in place of the sample loss.

    The returned :class:`lib.Problem` has ``sensing="network_population"``, whose constants are
    those of rank-one sensing (so :func:`lib.theory.lambda_bounds` and
    :func:`lib.train_prune_finetune` use the rank-one formulas), and no samples: ``y`` is None.
    Use it with :class:`lib.Objective` to separate what the population landscape does from
    finite-sample effects (extension chapter).
    """
    from lib.problem import Problem  # lib.problem imports this module through lib.registry

    check_instance("prob", prob, Problem)
    return dataclasses.replace(prob, sensing="network_population",
                               operator=QuadraticNetworkPopulation(prob.U_star, prob.sigma))
