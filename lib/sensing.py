r"""What a kind of sensing provides: the operator interface every data-fit loss implements.

Modelled on scipy's ``LinearOperator``: a class states the methods and constants the rest of
:mod:`lib` relies on, and every kind of sensing (:mod:`lib.operators`,
:class:`lib.networks.QuadraticNetworkPopulation`) subclasses it and is registered once in
:mod:`lib.registry`. With residuals :math:`\mathrm{res}_i = \langle A_i, UU^\top\rangle - y_i` a
sampled loss is :math:`L(U) = \frac1n \sum_i \mathrm{res}_i^2`; a population kind is its exact
expectation (setup chapter).

Each kind also carries the constants of its population loss that :mod:`lib.theory` needs. The
Hessian of the data term at :math:`U = 0` along a unit column :math:`v` is

.. math::

    \frac{d^2}{dt^2} L(t v)\Big|_{t=0} = -\big(c_s\, v^\top M^* v + c_t\, \mathrm{tr}\,M^*\big),

with :math:`c_s` = ``CURVATURE_PER_EIGENVALUE`` and :math:`c_t` = ``CURVATURE_PER_TRACE``:
:math:`c_s = 4, c_t = 0` for isotropic (Gaussian) sensing, where
:math:`E\langle A, D\rangle^2 = \|D\|_F^2`, and :math:`c_s = 8, c_t = 4` for rank-one sensing,
where :math:`E\,(x^\top D x)^2 = 2\|D\|_F^2 + (\mathrm{tr}\,D)^2` (landscape chapter and
quadratic-network chapter).
"""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

import numpy as np

from lib._validation import check_int


@runtime_checkable
class SensingOperator(Protocol):
    r"""A data-fit loss :math:`L(U)` with its gradient and Hessian-vector products.

    Setup chapter, section "Three ways to sense, and what each costs".

    Attributes
    ----------
    CURVATURE_PER_EIGENVALUE, CURVATURE_PER_TRACE : float
        :math:`c_s` and :math:`c_t` of the module docstring: the curvature of the data term at
        :math:`U = 0` along the j-th eigenvector of :math:`M^*` is
        :math:`-(c_s s_j + c_t\,\mathrm{tr}\,M^*)`, along a direction orthogonal to the signal
        :math:`-c_t\,\mathrm{tr}\,M^*`.
    SAMPLED : bool
        Whether the loss averages n measurements (then fewer than
        :meth:`degrees_of_freedom` of them do not identify :math:`M^*`) or is the exact
        population loss (no samples; ``n`` is ignored).
    """

    CURVATURE_PER_EIGENVALUE: ClassVar[float]
    CURVATURE_PER_TRACE: ClassVar[float]
    SAMPLED: ClassVar[bool]

    @classmethod
    def from_ground_truth(cls, U_star: np.ndarray, *, n: int, sigma: float, dtype: np.dtype,
                          rng: np.random.Generator) -> SensingOperator:
        """The operator of a problem with ground truth ``U_star``, drawing its data (n
        measurements with noise of standard deviation ``sigma``, stored in ``dtype``) from
        ``rng``; :func:`lib.make_problem` calls it after drawing ``U_star``."""
        ...

    def value(self, U: np.ndarray) -> float:
        """:math:`L(U)`."""
        ...

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        r""":math:`(L(U), \nabla L(U))`, sharing the forward pass."""
        ...

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        r"""The Hessian-vector product :math:`\nabla^2 L(U)[V]`."""
        ...

    @staticmethod
    def degrees_of_freedom(d: int, rank: int) -> int:
        r"""Dimension :math:`r d - r(r-1)/2` of the manifold of d x d symmetric PSD rank-r
        matrices (for rank >= d, all d(d+1)/2 symmetric matrices): the number of measurements
        below which :math:`M^*` is not identifiable (fine-tuning chapter)."""
        d = check_int("d", d, minimum=1)
        rank = min(check_int("rank", rank, minimum=1), d)
        return rank * d - rank * (rank - 1) // 2


@runtime_checkable
class SampledSensingOperator(SensingOperator, Protocol):
    r"""A sensing operator that averages n measurements :math:`y_i`: it also gives the
    residuals :math:`\mathrm{res}_i = \langle A_i, UU^\top\rangle - y_i` (setup chapter)."""

    SAMPLED: ClassVar[bool] = True
    n: int
    y: np.ndarray

    def residuals(self, U: np.ndarray) -> np.ndarray:
        r""":math:`(\langle A_i, UU^\top\rangle - y_i)_{i \le n}`."""
        ...


@runtime_checkable
class PopulationSensingOperator(SensingOperator, Protocol):
    r"""The exact expected loss of a kind of sensing, built from the ground truth alone: no
    samples, so ``n`` and the random generator are not used (setup chapter, section "The
    population loss, and the error the book reports")."""

    SAMPLED: ClassVar[bool] = False

    @classmethod
    def from_ground_truth(cls, U_star: np.ndarray, *, n: int, sigma: float, dtype: np.dtype,
                          rng: np.random.Generator) -> PopulationSensingOperator:
        """``cls(U_star, sigma, dtype)``."""
        return cls(U_star, sigma, dtype)
