r"""Statistics of the sensing data: second moments against their prediction, and how the
empirical loss concentrates around the population loss.

For Gaussian sensing :math:`E\langle A, M\rangle^2 = \|M\|_F^2` (isotropy), for rank-one
sensing :math:`E(x^\top M x)^2 = 2\|M\|_F^2 + (\operatorname{tr} M)^2`; at a fixed :math:`U` the
empirical loss :math:`L_n(U)` of :math:`n` fresh measurements concentrates around the population
loss :math:`\bar L(U)` with a relative gap of order :math:`n^{-1/2}`. Setup chapter
(``book/01_setup.md``).
"""

from __future__ import annotations

import numpy as np

from lib._validation import check_float, check_instance, check_matrix, check_vector
from lib.networks import population_test_error
from lib.problem import Problem


def z_score(samples: np.ndarray, expected: float) -> float:
    r"""How many standard errors the sample mean lies from ``expected``:
    :math:`(\bar x - \mu) / (s / \sqrt{m})` with :math:`s` the sample standard deviation
    (``ddof=1``) of the :math:`m` samples. Setup chapter."""
    samples = check_vector("samples", samples, min_length=2)
    expected = check_float("expected", expected)
    spread = samples.std(ddof=1)
    if spread == 0.0:
        raise ValueError("samples must not all be equal (the standard error is 0)")
    return float((samples.mean() - expected) / (spread / np.sqrt(samples.size)))


def population_loss(problem: Problem, U: np.ndarray) -> float:
    r"""Expected squared error of ``U`` on a fresh measurement of the problem's kind:
    :math:`\|D\|_F^2 + \sigma^2` for Gaussian sensing (and its population loss),
    :math:`2\|D\|_F^2 + (\operatorname{tr} D)^2 + \sigma^2` for rank-one sensing, with
    :math:`D = UU^\top - M^\star`. Setup chapter."""
    check_instance("problem", problem, Problem)
    U = check_matrix("U", U, rows=problem.d)
    if problem.sensing == "rank_one":
        return population_test_error(U, problem.U_star, sigma=problem.sigma)
    if problem.sensing not in ("gaussian", "population"):
        raise ValueError(f"problem.sensing must be 'gaussian', 'rank_one' or 'population', "
                         f"got {problem.sensing!r}")
    D = U @ U.T - problem.M_star
    return float(np.sum(D * D) + problem.sigma**2)


def relative_loss_deviation(problem: Problem, U: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    r"""For each block size :math:`m` in ``sizes``: the problem's measurements are cut into
    :math:`\lfloor n/m \rfloor` disjoint blocks of :math:`m`, and the mean over the blocks of
    :math:`|L_m(U) / \bar L(U) - 1|` is returned (:math:`L_m` the empirical loss of one block,
    :math:`\bar L` the :func:`population_loss`). Setup chapter."""
    check_instance("problem", problem, Problem)
    sizes = check_vector("sizes", sizes, minimum=1, maximum=problem.n, integer=True)
    loss = population_loss(problem, U)
    ratios = problem.operator.residuals(U) ** 2 / loss
    return np.array([np.mean(np.abs(ratios[:(problem.n // m) * m].reshape(-1, m).mean(axis=1)
                                    - 1)) for m in sizes])
