r"""Problem instances: ground truth, sensing data and noisy observations (setup chapter).

The model of the setup chapter (section "The model"): a ground truth
:math:`U^* \in \mathbb{R}^{d\times r}` with singular values spread geometrically between 1 and
:math:`1/\kappa`, target :math:`M^* = U^*U^{*\top}`, and observations
:math:`y_i = \langle A_i, M^*\rangle + \varepsilon_i`, :math:`\varepsilon_i \sim N(0, \sigma^2)`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import psutil

from lib._validation import check_float, check_float_dtype, check_int, make_rng
from lib.operators import GaussianOperator, RankOneOperator
from lib.registry import sensing_kind
from lib.sensing import SensingOperator


@dataclass(frozen=True, eq=False)
class Problem:
    """A matrix-sensing instance. Build it with :func:`make_problem`.

    Setup chapter, section "The model".

    Attributes
    ----------
    d, r, n : int
        Dimension, true rank, number of measurements.
    sigma, kappa : float
        Noise level and condition number of ``U_star``.
    sensing : str
        A name of :data:`lib.SENSING_KINDS`.
    U_star : ndarray, shape (d, r)
        Ground-truth factor.
    operator : SensingOperator
        The measurement operator that evaluates the data-fit loss, an instance of the class
        registered for ``sensing`` (:mod:`lib.registry`).
    """

    d: int
    r: int
    n: int
    sigma: float
    kappa: float
    sensing: str
    U_star: np.ndarray
    operator: SensingOperator

    @cached_property
    def M_star(self) -> np.ndarray:
        """The target matrix :math:`M^* = U^* U^{*T}` (d x d)."""
        return self.U_star @ self.U_star.T

    @property
    def y(self) -> np.ndarray | None:
        """Observations (``None`` for the population kinds, which have no samples)."""
        return getattr(self.operator, "y", None)

    @property
    def singular_values(self) -> np.ndarray:
        r"""Singular values :math:`\sigma_1 \ge \dots \ge \sigma_r` of ``U_star``."""
        return np.linalg.svd(self.U_star, compute_uv=False)

    def sensing_matrices(self) -> np.ndarray:
        """The dense (n, d, d) stack of the A_i (Gaussian kind only; for tests and inspection)."""
        if not isinstance(self.operator, GaussianOperator):
            raise ValueError("sensing_matrices() is only available for sensing='gaussian', "
                             f"this problem has sensing={self.sensing!r}")
        return self.operator.dense()

    def sensing_vectors(self) -> np.ndarray:
        """The (n, d) matrix of the x_i with A_i = x_i x_i^T (rank-one kind only)."""
        if not isinstance(self.operator, RankOneOperator):
            raise ValueError("sensing_vectors() needs sampled rank-one sensing (a problem from "
                             "make_problem(..., sensing='rank_one')); this problem's loss is "
                             f"computed by {type(self.operator).__name__}")
        return self.operator.X


def _check_dimensions(d: object, r: object) -> tuple[int, int]:
    d = check_int("d", d, minimum=1)
    r = check_int("r", r, minimum=1)
    if r > d:
        raise ValueError(f"r must satisfy 1 <= r <= d = {d}, got r = {r}")
    return d, r


def ground_truth(d: int, r: int, kappa: float, rng: np.random.Generator) -> np.ndarray:
    r"""Random :math:`U^* = Q\,\mathrm{diag}(\sigma)\,R^\top` with :math:`\sigma_j` geometric in
    :math:`[1/\kappa, 1]`, Q (d x r) and R (r x r) Haar-random orthonormal.

    Setup chapter, section "The model".
    """
    d, r = _check_dimensions(d, r)
    kappa = check_float("kappa", kappa, minimum=1.0)
    rng = make_rng("rng", rng)
    Q, _ = np.linalg.qr(rng.standard_normal((d, r)))
    R, _ = np.linalg.qr(rng.standard_normal((r, r)))
    singular_values = np.geomspace(1.0, 1.0 / kappa, r)
    return (Q * singular_values) @ R.T


def data_bytes(sensing: str, d: int, r: int, n: int) -> int:
    r"""Bytes of the data ``make_problem`` draws, in float64 (the precision it is drawn in):
    :math:`n\,d(d+1)/2` numbers for Gaussian sensing (the packed :math:`A_i`), :math:`n d` for
    the other sampled kinds (one vector per measurement), plus the n observations; the
    population kinds keep only :math:`U^*` (:math:`d r` numbers). Setup chapter, section "The
    model"."""
    kind = sensing_kind("sensing", sensing)
    d, r = _check_dimensions(d, r)
    n = check_int("n", n, minimum=1)
    if sensing == "gaussian":
        numbers = n * (d * (d + 1) // 2)
    elif kind.SAMPLED:
        numbers = n * d
    else:
        numbers = d * r
    return 8 * (numbers + (n if kind.SAMPLED else 0))


def make_problem(d: int, r: int, n: int, *, sigma: float = 0.0, kappa: float = 1.0,
                 sensing: str = "gaussian", seed: int | np.random.Generator = 0,
                 dtype: type | str = np.float64) -> Problem:
    r"""Build a matrix-sensing problem as defined in the setup chapter, section "The model".

    Parameters
    ----------
    d, r, n : int
        Dimension (d >= 1), true rank (1 <= r <= d) and number of measurements (n >= 1; ignored
        by the population kinds, which have no samples).
    sigma : float
        Standard deviation of the Gaussian observation noise (>= 0).
    kappa : float
        Condition number :math:`\sigma_1/\sigma_r` of the ground truth (>= 1).
    sensing : {"gaussian", "rank_one", "population", "network_population"}
        A kind of :data:`lib.SENSING_KINDS` (:mod:`lib.registry`).
        ``"gaussian"``: :math:`A_i = (G_i + G_i^\top)/2`, stored packed (d(d+1)/2 numbers each);
        ``"rank_one"``: :math:`A_i = x_i x_i^\top`, :math:`x_i \sim N(0, I_d)`;
        ``"population"``: the exact expected loss :math:`\|UU^\top - M^*\|_F^2 + \sigma^2`;
        ``"network_population"``: the exact expected loss of rank-one sensing,
        :math:`2\|D\|_F^2 + (\mathrm{tr}\,D)^2 + \sigma^2` (quadratic-network chapter).
    seed : int or numpy.random.Generator
        Source of randomness; the same seed gives bit-identical problems.
    dtype : float64 or float32
        Precision of the sensing data (Gaussian: the packed A_i; rank-one: the x_i) and of the
        products with it; for the population kind, of its matrix products. float32 halves
        memory traffic and doubles the SIMD rate. The data is drawn in float64 and rounded, and
        the observations are computed in float64 from the rounded data, so that a float32
        problem is an exact instance of the model, the float64 one rounded; residuals, losses
        and gradients are returned in float64.

    Returns
    -------
    Problem

    Raises
    ------
    ValueError
        If the data (:func:`data_bytes`) would not fit in the memory available now
        (``psutil.virtual_memory().available``), before anything is allocated.
    """
    d, r = _check_dimensions(d, r)
    n = check_int("n", n, minimum=1)
    sigma = check_float("sigma", sigma, minimum=0.0)
    kappa = check_float("kappa", kappa, minimum=1.0)
    kind = sensing_kind("sensing", sensing)
    dtype = check_float_dtype("dtype", dtype)
    rng = make_rng("seed", seed)
    needed, available = data_bytes(sensing, d, r, n), psutil.virtual_memory().available
    if needed > available:
        raise ValueError(f"the data of a {sensing!r} problem with d = {d} and n = {n} needs "
                         f"{needed:,} bytes ({needed / 2**30:.3g} GiB), more than the "
                         f"{available:,} bytes available; reduce d or n")

    degrees_of_freedom = kind.degrees_of_freedom(d, r)
    if kind.SAMPLED and n < degrees_of_freedom:
        warnings.warn(f"n = {n} measurements is fewer than the {degrees_of_freedom} degrees of "
                      f"freedom of a rank-{r} symmetric {d} x {d} matrix: M* is not identifiable; "
                      "use n >= a few times r*d", stacklevel=2)

    U_star = ground_truth(d, r, kappa, rng)
    operator = kind.from_ground_truth(U_star, n=n, sigma=sigma, dtype=dtype, rng=rng)
    return Problem(d=d, r=r, n=n, sigma=sigma, kappa=kappa, sensing=sensing, U_star=U_star,
                   operator=operator)
