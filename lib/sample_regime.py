r"""How many measurements the pipeline needs: the least-squares error of the exactly
parameterised model and the sample-size transition of a grid (sample-size chapter).

Below :math:`n = d(d+1)/2` measurements a full symmetric matrix is not identifiable, and the
pipeline's error must come from its finding the rank. Once pruning keeps exactly the r true
columns, fine-tuning solves the rank-r least-squares problem; near its minimiser the model is
linear in the :math:`p = rd - r(r-1)/2` coordinates of the tangent space, measured through
Gaussian vectors, and the classical formula of least squares with a Gaussian design gives the
error (:func:`least_squares_error`). It grows without bound as n falls to p; the sample-size
transition (:func:`transition`) is where the measured pipeline stops keeping exactly r columns.
"""

from __future__ import annotations

import numpy as np

from lib._validation import check_float, check_int, check_mask, check_vector
from lib.theory import degrees_of_freedom, statistical_error


def least_squares_error(d: int, rank: int, n: int, sigma: float) -> float:
    r"""Root-mean-square error :math:`\sigma\sqrt{p/(n - p - 1)}` of least squares with p
    unknowns and n Gaussian measurements, :math:`p` = :func:`lib.theory.degrees_of_freedom`
    (sample-size chapter).

    Derivation: near :math:`M^*` the rank-``rank`` model is linear in the p coordinates
    :math:`\theta` of its tangent space, :math:`M = M^* + T\theta` with T an isometry onto
    the tangent space. The measurements are :math:`y_i = \langle A_i, T\theta^*\rangle +
    \sigma\varepsilon_i`, and for Gaussian sensing :math:`\langle A_i, T\theta\rangle = x_i^\top
    \theta` with :math:`x_i \sim N(0, I_p)` (isotropy, :math:`E\langle A, M\rangle^2 =
    \|M\|_F^2`). The least-squares error is :math:`\hat\theta - \theta^* = (X^\top X)^{-1}
    X^\top \sigma\varepsilon`, so

    .. math::

        E\|\hat M - M^*\|_F^2 = \sigma^2\, E\,\mathrm{tr}(X^\top X)^{-1}
        = \sigma^2 \frac{p}{n - p - 1},

    the mean of an inverse Wishart matrix (defined for :math:`n > p + 1`). It exceeds the
    reference :math:`\sigma\sqrt{p/n}` of :func:`lib.theory.statistical_error` by the factor
    :func:`least_squares_inflation`.

    Raises
    ------
    ValueError
        If :math:`n \le p + 1` (the error has no finite mean).
    """
    d = check_int("d", d, minimum=1)
    rank = check_int("rank", rank, minimum=1, maximum=d)
    n = check_int("n", n, minimum=1)
    sigma = check_float("sigma", sigma, minimum=0.0)
    p = degrees_of_freedom(d, rank)
    if n <= p + 1:
        raise ValueError(f"n must exceed p + 1 = {p + 1} (p = {p} degrees of freedom of a "
                         f"rank-{rank} symmetric {d} x {d} matrix), got n = {n}")
    return sigma * float(np.sqrt(p / (n - p - 1)))


def least_squares_inflation(d: int, rank: int, n: int) -> float:
    r"""The factor :math:`\sqrt{n/(n - p - 1)}` by which :func:`least_squares_error` exceeds
    the reference :math:`\sigma\sqrt{p/n}` (sample-size chapter): 1 for :math:`n \gg p`, 1.75
    at :math:`n = 1.5p` (p = 57), unbounded as n falls to p + 1."""
    return least_squares_error(d, rank, n, 1.0) / statistical_error(d, rank, n, 1.0)


def transition(x: object, holds: object) -> float | None:
    r"""The smallest grid value from which a property holds at every larger grid value
    (sample-size chapter: the n/p from which pruning keeps exactly r columns in every run).

    .. math:: x^\dagger = \min\{x_i : \text{holds}(x_j) \text{ for every } x_j \ge x_i\}.

    Parameters
    ----------
    x : array_like
        Distinct, increasing grid values.
    holds : array_like of bool
        Whether the property holds at each of them.

    Returns
    -------
    float or None
        :math:`x^\dagger`, or None when the property fails at the largest value.
    """
    values = check_vector("x", x)
    if not np.all(np.diff(values) > 0):
        raise ValueError(f"x must be increasing, got {x!r}")
    flags = check_mask("holds", holds, values.size, per="value of x")
    failures = np.flatnonzero(~flags)
    if failures.size == 0:
        return float(values[0])
    if failures[-1] == values.size - 1:
        return None
    return float(values[failures[-1] + 1])
